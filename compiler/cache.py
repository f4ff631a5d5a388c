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
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

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


class Cache:
    """The cache of one project, at `root` (the project's `.filmc/` by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = os.fspath(root)

    # ---- reading ---------------------------------------------------------------------------

    def get(self, key: str) -> Entry | None:
        """The entry for a key, if it and its blob are whole."""
        # Plain strings and os calls: `filmc plan` asks this of every task of a feature.
        action = os.path.join(self._root, "actions", key[:2], key + ".json")
        try:
            with open(action, encoding="utf-8") as handle:
                entry = Entry(**json.load(handle))
            if os.stat(os.path.join(self._root, "blobs", entry.digest[:2], entry.digest + entry.suffix)).st_size != entry.size:
                return None
        except (OSError, ValueError, TypeError):
            return None
        return entry

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def blob(self, entry: Entry) -> Path:
        return self.root / "blobs" / entry.digest[:2] / (entry.digest + entry.suffix)

    # ---- writing ---------------------------------------------------------------------------

    def workdir(self, task_id: str) -> Path:
        """A fresh folder for a backend to write one task's output in."""
        base = self._ensure() / "tmp"
        return Path(tempfile.mkdtemp(prefix="work-", dir=base))

    def put(self, task: Task, version: str, produced: Path) -> Entry:
        """Store what a backend made for a task: the blob, then the action entry."""
        self._ensure()
        sha = hashlib.sha256()
        size = 0
        with produced.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
                size += len(block)
        digest = sha.hexdigest()
        suffix = produced.suffix.lower() if len(produced.suffix) <= 8 else ""
        entry = Entry(key=task.key, digest=digest, size=size, suffix=suffix, task=task.id, kind=task.kind,
                      backend=task.backend, version=version, seed=task.seed)
        blob = self.blob(entry)
        if not (blob.exists() and blob.stat().st_size == size):
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
        return Path(path)

    def _ensure(self) -> Path:
        if not (self.root / "tmp").is_dir():
            (self.root / "tmp").mkdir(parents=True, exist_ok=True)
            ignore = self.root / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# filmc's build cache: commit film.lock instead.\n*\n", encoding="utf-8")
        return self.root

    def clean_tmp(self) -> None:
        """Remove what killed builds left half-written (never read, only taking space)."""
        tmp = self.root / "tmp"
        if tmp.is_dir():
            for leftover in tmp.iterdir():
                with contextlib.suppress(OSError):
                    shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()


def write_atomic(path: Path, text: str, tmp_dir: Path | None = None) -> None:
    """Write a text file so that readers see the old file or the new one, never a part."""
    folder = tmp_dir if tmp_dir is not None and tmp_dir.is_dir() else path.parent
    handle, staged = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
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
    """film.lock's entries by script and task id; empty when there is none or it is unreadable
    (a lockfile is a record, and a bad one must not stop a build)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        films = data.get("films", {})
        return {script: {task: Locked(**entry) for task, entry in tasks.items()} for script, tasks in films.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def write_lock(path: Path, script: str, entries: dict[str, Locked]) -> None:
    """Replace one script's section of film.lock, leaving the other scripts' as they are."""
    films = read_lock(path)
    films[script] = entries
    data = {
        "filmc_lock": LOCK_VERSION,
        "films": {name: {task: asdict(locked) for task, locked in sorted(tasks.items())}
                  for name, tasks in sorted(films.items())},
    }
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
