"""The build cache: an action cache over a content-addressed blob store, and the lockfile.

    .filmc/blobs/ab/ab12…   every output, named by the sha256 of its bytes
    .filmc/actions/cd/cd34….json   a task key → the blob it made (and the seed, the backend)
    .filmc/tmp/              work folders and half-written files, never read as results

Like Bazel's: an action (a task key: kind, backend, parameters, inputs' keys) maps to its
output's digest, and outputs are stored once however many actions made them. Every file is
written to `tmp/` and renamed into place, blob before action, so a build killed at any moment
leaves either a whole entry or none (at worst an unreferenced blob). An entry whose blob is gone
or the wrong size is a miss, never a wrong result.

`film.lock` (beside film.toml, meant to be committed) records, per script, each task's key,
seed, backend version and output digest: what this film was made with. Seeds are derived from
what a task is (or written in the script), so the same script plans the same seeds on any
machine; the lock is the record to check that against in review (`git diff film.lock` shows
which shots a change re-made), and a build notes any task whose output differs from the
locked digest for the same key (a backend that is not deterministic).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .plan.tasks import Task

LOCK_NAME = "film.lock"
LOCK_VERSION = 1


@dataclass(frozen=True)
class Entry:
    """What the action cache knows about one key."""

    key: str
    digest: str
    size: int
    suffix: str
    task: str
    kind: str
    backend: str
    version: str
    seed: int | None


_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_SUFFIX = re.compile(r"^(?:\.[a-z0-9]{1,8})?$")
# The file that marks a folder as filmc's cache: filmc cleans and ignores only such a folder.
MARKER = "CACHEDIR.TAG"
_MARKER_TEXT = "Signature: 8a477f597d28d172789f06886806bc55\n# filmc's build cache (https://bford.info/cachedir/)\n"


class CacheError(Exception):
    """The cache cannot be used (its folder is something else, or cannot be written)."""


class Cache:
    """The cache of one project, at `root` (the project's `.filmc/` by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = os.fspath(root)
        self._mine: list[Path] = []  # work folders and staged files of this build

    # ---- reading ---------------------------------------------------------------------------

    def get(self, key: str) -> Entry | None:
        """The entry for a key, if it and its blob are whole (the right size; `verify`
        checks the bytes)."""
        # Plain strings and os calls: `filmc plan` asks this of every task of a feature.
        action = os.path.join(self._root, "actions", key[:2], key + ".json")
        try:
            with open(action, encoding="utf-8") as handle:
                entry = Entry(**json.load(handle))
            if not (_DIGEST.match(entry.digest) and _SUFFIX.match(entry.suffix) and entry.key == key):
                return None
            if os.stat(os.path.join(self._root, "blobs", entry.digest[:2], entry.digest + entry.suffix)).st_size != entry.size:
                return None
        except (OSError, ValueError, TypeError):
            return None
        return entry

    def blob(self, entry: Entry) -> Path:
        return self.root / "blobs" / entry.digest[:2] / (entry.digest + entry.suffix)

    def verify(self, entry: Entry) -> bool:
        """Whether a blob's bytes are what its entry says; a damaged one is removed, with its
        action entry, so that the next build makes it again."""
        try:
            good = file_digest(self.blob(entry)) == entry.digest
        except OSError:
            good = False
        if not good:
            for path in (self.blob(entry), self._action(entry.key)):
                with contextlib.suppress(OSError):
                    path.unlink()
        return good

    # ---- writing ---------------------------------------------------------------------------

    def workdir(self, task_id: str) -> Path:
        """A fresh folder for a backend to write one task's output in."""
        base = self._ensure() / "tmp"
        folder = Path(tempfile.mkdtemp(prefix="work-", dir=base))
        self._mine.append(folder)
        return folder

    def put(self, task: Task, version: str, produced: Path) -> Entry:
        """Store what a backend made for a task: the blob, then the action entry."""
        self._ensure()
        digest = file_digest(produced)
        size = produced.stat().st_size
        suffix = produced.suffix.lower()
        suffix = suffix if _SUFFIX.match(suffix) else ""
        entry = Entry(key=task.key, digest=digest, size=size, suffix=suffix, task=task.id, kind=task.kind,
                      backend=task.backend, version=version, seed=task.seed)
        blob = self.blob(entry)
        if not (blob.exists() and blob.stat().st_size == size and file_digest(blob) == digest):
            blob.parent.mkdir(parents=True, exist_ok=True)
            staged = self._staged(blob.name)
            shutil.copyfile(produced, staged)
            _fsync(staged)
            os.chmod(staged, _FILE_MODE)
            os.replace(staged, blob)
        action = self._action(task.key)
        action.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(action, json.dumps(asdict(entry), indent=1, sort_keys=True) + "\n", self.root / "tmp")
        return entry

    def _action(self, key: str) -> Path:
        return self.root / "actions" / key[:2] / f"{key}.json"

    def _staged(self, name: str) -> Path:
        handle, path = tempfile.mkstemp(prefix=f".{name}.", dir=self.root / "tmp")
        os.close(handle)
        self._mine.append(Path(path))
        return Path(path)

    def _ensure(self) -> Path:
        """The cache folder, made (with its marker and a .gitignore) if it is not there. A
        folder that exists without filmc's marker is someone else's: filmc does not write in it."""
        marker = self.root / MARKER
        if not marker.is_file():
            if self.root.exists() and (not self.root.is_dir() or any(self.root.iterdir())):
                raise CacheError(f"`{self.root}` is not filmc's cache (it has no {MARKER}); "
                                 "choose another [cache] dir in film.toml")
            (self.root / "tmp").mkdir(parents=True, exist_ok=True)
            (self.root / ".gitignore").write_text("# filmc's build cache: commit film.lock instead.\n*\n",
                                                  encoding="utf-8")
            marker.write_text(_MARKER_TEXT, encoding="utf-8")
        (self.root / "tmp").mkdir(exist_ok=True)
        return self.root

    def clean_tmp(self) -> None:
        """Remove this build's work folders and staged files (another build's, running at the
        same time, are its own)."""
        for leftover in self._mine:
            with contextlib.suppress(OSError):
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        self._mine.clear()


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def write_atomic(path: Path, text: str, tmp_dir: Path | None = None) -> None:
    """Write a text file so that readers see the old file or the new one, never a part."""
    write_streamed(path, lambda out: out.write(text.encode("utf-8")), tmp_dir)


def write_streamed(path: Path, produce, tmp_dir: Path | None = None) -> None:
    """Write a file with `produce(binary stream)`, atomically like `write_atomic` (for output
    made piece by piece, such as a PDF page by page)."""
    folder = tmp_dir if tmp_dir is not None and tmp_dir.is_dir() else path.parent
    handle, staged = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            produce(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(staged, _FILE_MODE)  # mkstemp makes files private; these are ordinary files
        os.replace(staged, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(staged)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


# ---- the lockfile -------------------------------------------------------------------------


@dataclass(frozen=True)
class Locked:
    """One task as film.lock records it."""

    kind: str
    key: str
    backend: str
    version: str
    seed: int | None
    digest: str


def read_lock(path: Path) -> dict[str, dict[str, Locked]]:
    """film.lock's entries by script and task id. A lockfile is a record, and a bad one must
    not stop a build: an unreadable file reads as empty, and an entry filmc does not
    understand (from another version, or hand-edited) is left out."""
    raw = _raw_lock(path)
    films: dict[str, dict[str, Locked]] = {}
    for script, tasks in (raw or {}).get("films", {}).items() if isinstance(raw, dict) else ():
        if not isinstance(tasks, dict):
            continue
        known = {}
        for task, entry in tasks.items():
            try:
                known[task] = Locked(**{f: entry[f] for f in _LOCKED_FIELDS})
            except (KeyError, TypeError):
                continue
        if known:
            films[script] = known
    return films


_LOCKED_FIELDS = ("kind", "key", "backend", "version", "seed", "digest")


def _raw_lock(path: Path):
    """film.lock as JSON; None when there is none, False when it cannot be read as a lock."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return False
    return data if isinstance(data, dict) and isinstance(data.get("films", {}), dict) else False


def write_lock(path: Path, script: str, entries: dict[str, Locked]) -> bool:
    """Replace one script's section of film.lock, leaving everything else in the file as it
    is. A film.lock that cannot be read is not overwritten (it may be a merge in progress);
    returns False then."""
    raw = _raw_lock(path)
    if raw is False:
        return False
    films = dict((raw or {}).get("films", {}))
    films[script] = {task: asdict(locked) for task, locked in sorted(entries.items())}
    data = {**(raw or {}), "filmc_lock": LOCK_VERSION, "films": dict(sorted(films.items()))}
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return True
