"""The build cache and film.lock: round trips, misses instead of wrong results, and writes that
a crash cannot leave half done."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from filmc.compiler import cache as cache_module
from filmc.compiler.cache import Cache, CacheError, Locked, read_lock, write_atomic, write_lock
from filmc.compiler.plan.tasks import Task

KEY = "ab" + "0" * 62


def keyframe(key: str = KEY, task_id: str = "shot/1.1/keyframe") -> Task:
    return Task(id=task_id, kind="keyframe", params={"framing": "wide", "seed": 42}, backend="local", key=key)


def produced(tmp_path: Path, data: bytes = b"a picture", name: str = "out.PNG") -> Path:
    path = tmp_path / "work" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / ".filmc")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---- the action cache ----------------------------------------------------------------------


def test_put_then_get_gives_the_entry_and_its_blob(cache: Cache, tmp_path: Path) -> None:
    entry = cache.put(keyframe(), "1.0", produced(tmp_path))
    assert cache.get(KEY) == entry
    assert cache.get(KEY) is not None
    assert entry.digest == hashlib.sha256(b"a picture").hexdigest()
    assert (entry.size, entry.suffix, entry.task, entry.kind, entry.backend, entry.version, entry.seed) == (
        9, ".png", "shot/1.1/keyframe", "keyframe", "local", "1.0", 42)
    blob = cache.blob(entry)
    assert blob == cache.root / "blobs" / entry.digest[:2] / f"{entry.digest}.png"
    assert blob.read_bytes() == b"a picture"


def test_an_unknown_key_is_a_miss(cache: Cache) -> None:
    assert cache.get(KEY) is None
    assert cache.get(KEY) is None


def test_equal_outputs_are_stored_once(cache: Cache, tmp_path: Path) -> None:
    first = cache.put(keyframe(), "1.0", produced(tmp_path))
    second = cache.put(keyframe("cd" + "1" * 62, "shot/2.1/keyframe"), "1.0", produced(tmp_path))
    assert cache.blob(first) == cache.blob(second)
    assert len(list((cache.root / "blobs").rglob("*.png"))) == 1
    assert cache.get("cd" + "1" * 62).task == "shot/2.1/keyframe"


@pytest.mark.parametrize("damage", [
    Path.unlink,                                     # the blob is gone
    lambda blob: blob.write_bytes(b"a pic"),         # cut short
    lambda blob: blob.write_bytes(b""),              # emptied
])
def test_an_entry_whose_blob_is_not_whole_is_a_miss(cache: Cache, tmp_path: Path, damage) -> None:
    damage(cache.blob(cache.put(keyframe(), "1.0", produced(tmp_path))))
    assert cache.get(KEY) is None


def test_putting_again_repairs_a_truncated_blob(cache: Cache, tmp_path: Path) -> None:
    blob = cache.blob(cache.put(keyframe(), "1.0", produced(tmp_path)))
    blob.write_bytes(b"a pic")
    cache.put(keyframe(), "1.0", produced(tmp_path))
    assert blob.read_bytes() == b"a picture"
    assert cache.get(KEY) is not None


@pytest.mark.parametrize("written", ["", "{not json", "[]", '{"key": "x"}', "\udcff"],
                         ids=["empty", "not-json", "a-list", "missing-fields", "not-utf8"])
def test_an_unreadable_action_is_a_miss(cache: Cache, tmp_path: Path, written: str) -> None:
    cache.put(keyframe(), "1.0", produced(tmp_path))
    action = cache.root / "actions" / KEY[:2] / f"{KEY}.json"
    action.write_bytes(written.encode("utf-8", errors="surrogateescape"))
    assert cache.get(KEY) is None


def test_a_crash_between_blob_and_action_leaves_no_entry(cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def crash_on_actions(src, dst) -> None:
        if "actions" in Path(dst).parts:
            raise OSError("killed")
        real_replace(src, dst)

    monkeypatch.setattr(cache_module.os, "replace", crash_on_actions)
    with pytest.raises(OSError, match="killed"):
        cache.put(keyframe(), "1.0", produced(tmp_path))
    monkeypatch.undo()
    assert cache.get(KEY) is None
    assert not list((cache.root / "actions").rglob("*.json"))
    assert list((cache.root / "tmp").iterdir()) == []  # the half-made action was removed
    # The blob made it: the next build's put finds it and writes the entry.
    assert len(list((cache.root / "blobs").rglob("*.png"))) == 1
    cache.put(keyframe(), "1.0", produced(tmp_path))
    assert cache.get(KEY) is not None


def test_the_cache_folder_ignores_itself_in_git(cache: Cache, tmp_path: Path) -> None:
    cache.put(keyframe(), "1.0", produced(tmp_path))
    ignore = cache.root / ".gitignore"
    assert [line for line in ignore.read_text(encoding="utf-8").splitlines() if not line.startswith("#")] == ["*"]


def test_a_workdir_is_new_each_time_and_creates_the_cache(cache: Cache) -> None:
    first, second = cache.workdir("shot/1.1/keyframe"), cache.workdir("shot/1.1/keyframe")
    assert first != second and first.is_dir() and second.is_dir()
    assert first.parent == cache.root / "tmp"
    assert (cache.root / ".gitignore").is_file()


def test_clean_tmp_removes_this_builds_leftovers_only(cache: Cache) -> None:
    work = cache.workdir("shot/1.1/clip")
    (work / "half.mp4").write_bytes(b"\0")
    other = Cache(cache.root).workdir("shot/1.2/clip")  # another build's, running at the same time
    cache.clean_tmp()
    assert list((cache.root / "tmp").iterdir()) == [other]


def test_a_folder_that_is_not_a_cache_is_never_written(tmp_path: Path) -> None:
    mine = tmp_path / "scenes"
    (mine / "tmp").mkdir(parents=True)
    (mine / "tmp" / "keep.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(CacheError, match="is not filmc's cache"):
        Cache(mine).workdir("shot/1.1/clip")
    assert [p.name for p in mine.rglob("*")] == ["tmp", "keep.txt"]


def test_a_damaged_blob_is_found_and_removed(cache: Cache, tmp_path: Path) -> None:
    entry = cache.put(keyframe(), "1.0", produced(tmp_path))
    blob = cache.blob(entry)
    data = bytearray(blob.read_bytes())
    data[0] ^= 0xFF
    blob.write_bytes(bytes(data))  # same size, other bytes
    assert cache.get(entry.key) == entry  # a size check cannot tell...
    assert not cache.verify(entry)  # ...the digest can, and the entry goes
    assert cache.get(entry.key) is None and not blob.exists()
    # Made again, the right bytes replace it.
    again = cache.put(keyframe(), "1.0", produced(tmp_path))
    assert cache.verify(again)


def test_an_action_entry_with_a_strange_digest_is_a_miss(cache: Cache, tmp_path: Path) -> None:
    entry = cache.put(keyframe(), "1.0", produced(tmp_path))
    action = cache.root / "actions" / entry.key[:2] / f"{entry.key}.json"
    data = json.loads(action.read_text(encoding="utf-8"))
    action.write_text(json.dumps({**data, "digest": "../../../../etc/hostname"}), encoding="utf-8")
    assert cache.get(entry.key) is None


def test_cached_files_are_not_private(cache: Cache, tmp_path: Path) -> None:
    entry = cache.put(keyframe(), "1.0", produced(tmp_path))
    expected = 0o666 & ~current_umask()
    assert mode(cache.blob(entry)) == expected
    assert mode(cache.root / "actions" / KEY[:2] / f"{KEY}.json") == expected


# ---- write_atomic --------------------------------------------------------------------------


class _FailsHalfway:
    """A file that writes half of what it is given, then fails (a full disk)."""

    def __init__(self, handle) -> None:
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()

    def write(self, text: str) -> int:
        self.handle.write(text[: len(text) // 2])
        self.handle.flush()
        raise OSError(28, "No space left on device")


def test_write_atomic_replaces_a_file(tmp_path: Path) -> None:
    path = tmp_path / "film.lock"
    path.write_text("old\n", encoding="utf-8")
    write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert os.listdir(tmp_path) == ["film.lock"]


def test_write_atomic_failing_mid_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "film.lock"
    path.write_text("old\n", encoding="utf-8")
    real_fdopen = os.fdopen
    monkeypatch.setattr(cache_module.os, "fdopen", lambda *a, **k: _FailsHalfway(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space"):
        write_atomic(path, "new content, long enough to be cut in half\n")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["film.lock"]  # no half-written file beside it


def test_write_atomic_interrupted_before_the_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "film.lock"
    path.write_text("old\n", encoding="utf-8")

    def interrupted(src, dst) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_module.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new\n")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["film.lock"]


def test_write_atomic_stages_in_the_tmp_folder_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    staging = tmp_path / "tmp"
    staging.mkdir()
    seen: list[Path] = []
    real_replace = os.replace

    def replace(src, dst) -> None:
        seen.append(Path(src).parent)
        real_replace(src, dst)

    monkeypatch.setattr(cache_module.os, "replace", replace)
    write_atomic(tmp_path / "out.json", "{}\n", staging)
    assert seen == [staging]


# ---- film.lock -----------------------------------------------------------------------------


def locked(digest: str = "d1", seed: int | None = 42) -> Locked:
    return Locked(kind="keyframe", key=KEY, backend="local", version="1.0", seed=seed, digest=digest)


def test_a_missing_lock_reads_as_empty(tmp_path: Path) -> None:
    assert read_lock(tmp_path / "film.lock") == {}


@pytest.mark.parametrize("text", [
    "", "{not json", "null", "[]", '"films"', '{"films": null}', '{"films": {"a.film": []}}',
    '{"films": {"a.film": {"shot/1.1/keyframe": "x"}}}', '{"films": {"a.film": {"shot/1.1/keyframe": {"kind": "keyframe"}}}}',
])
def test_a_corrupt_lock_reads_as_empty(tmp_path: Path, text: str) -> None:
    path = tmp_path / "film.lock"
    path.write_text(text, encoding="utf-8")
    assert read_lock(path) == {}


def test_a_lock_that_is_not_utf8_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "film.lock"
    path.write_bytes(b"\xff\xfe{}")
    assert read_lock(path) == {}


def test_write_lock_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "film.lock"
    write_lock(path, "a.film", {"shot/1.1/keyframe": locked(), "film": locked("d2", None)})
    assert read_lock(path) == {"a.film": {"shot/1.1/keyframe": locked(), "film": locked("d2", None)}}
    assert json.loads(path.read_text(encoding="utf-8"))["filmc_lock"] == 1


def test_write_lock_replaces_one_scripts_section_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "film.lock"
    write_lock(path, "a.film", {"shot/1.1/keyframe": locked("old"), "shot/1.2/keyframe": locked("gone")})
    write_lock(path, "b.film", {"film": locked("b")})
    write_lock(path, "a.film", {"shot/1.1/keyframe": locked("new")})
    assert read_lock(path) == {"a.film": {"shot/1.1/keyframe": locked("new")}, "b.film": {"film": locked("b")}}


def test_write_lock_is_the_same_text_whatever_the_order(tmp_path: Path) -> None:
    one, two = tmp_path / "one.lock", tmp_path / "two.lock"
    write_lock(one, "a.film", {"x": locked("1"), "y": locked("2")})
    write_lock(one, "b.film", {"z": locked("3")})
    write_lock(two, "b.film", {"z": locked("3")})
    write_lock(two, "a.film", {"y": locked("2"), "x": locked("1")})
    assert one.read_bytes() == two.read_bytes()


def test_the_lock_is_not_private(tmp_path: Path) -> None:
    path = tmp_path / "film.lock"
    write_lock(path, "a.film", {"film": locked()})
    assert mode(path) == 0o666 & ~current_umask()
    if current_umask() & 0o044 == 0:
        assert mode(path) & 0o044 == 0o044  # readable by group and others, unlike mkstemp's 0600


def test_entries_filmc_does_not_understand_are_skipped_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "film.lock"
    good = {"kind": "clip", "key": "k", "backend": "b", "version": "1", "seed": 3, "digest": "d"}
    newer = {**good, "model": "v9"}  # a field from a newer filmc
    path.write_text(json.dumps({"filmc_lock": 1, "films": {"a.film": {"x": good, "y": {"kind": 1}},
                                                           "b.film": {"z": newer}}}), encoding="utf-8")
    assert set(read_lock(path)["a.film"]) == {"x"}
    assert write_lock(path, "a.film", {})
    # b.film's section is kept exactly as it was written, unknown field and all.
    assert json.loads(path.read_text(encoding="utf-8"))["films"]["b.film"] == {"z": newer}


def test_an_unreadable_lock_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "film.lock"
    path.write_text("<<<<<<< HEAD\n{}\n", encoding="utf-8")  # a merge in progress
    assert not write_lock(path, "a.film", {})
    assert path.read_text(encoding="utf-8") == "<<<<<<< HEAD\n{}\n"
