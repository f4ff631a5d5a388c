"""Building a film: compile, plan, find what is stale, run it, record it, write the film.

The commands `plan`, `build` and `graph` share this: `prepare` gives the checked film's plan
and its cache; `status` says what a build would run and cost; `run` executes it, updates
film.lock, and copies the film out of the cache to where the user asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import LOCK_NAME, Cache, CacheError, Locked, file_digest, read_lock, write_atomic, write_lock
from .diagnostics import Reporter
from .driver import Result, compile_file
from .execute import Listener, Outcome, StatusListener, execute, stale
from .plan import DEFAULT_OPTIONS, Options, Plan, make_plan
from .plan.tasks import Task
from .project import Project, load_project


@dataclass
class Prepared:
    """A script ready to build: its compile result, project, plan and cache."""

    script: Path
    result: Result
    project: Project
    plan: Plan
    cache: Cache
    options: Options = DEFAULT_OPTIONS

    @property
    def lock_path(self) -> Path:
        return self.project.root / LOCK_NAME

    @property
    def script_name(self) -> str:
        """The script as film.lock names it: its path inside the project (a draft's record is
        kept apart, so a preview does not replace what the full render made)."""
        name = Path(os.path.relpath(self.script.resolve(), self.project.root.resolve())).as_posix()
        return f"{name} (draft)" if self.options.draft else name


def prepare(script: Path, shown: str, outputs: list[str] | None = None,
            options: Options = DEFAULT_OPTIONS) -> tuple[Prepared | None, Result]:
    """Compile and plan a script. None (and the result, with its diagnostics) when it has
    errors or cannot be planned."""
    result = compile_file(script, shown)
    if result.film is None or result.has_errors:
        return None, result
    project = result.project or load_project(script, Reporter(), shown)
    plan_reporter = Reporter()
    plan = make_plan(result.film, result.symbols, project, plan_reporter, result.sources, outputs, options)
    if plan is None:
        diagnostics = tuple(sorted(result.diagnostics + plan_reporter.sorted(), key=lambda d: d.sort_key()))
        return None, replace(result, diagnostics=diagnostics)
    cache = Cache((project.root / project.config.cache.dir).resolve())
    return Prepared(script, result, project, plan, cache, options), result


def status(prepared: Prepared, to_run: list[Task] | None = None) -> dict:
    """What `filmc plan --json` prints: the graph's size, what is stale, cost and length.
    `to_run` is the stale tasks when the caller has them already."""
    plan = prepared.plan
    if to_run is None:
        to_run, _ = stale(plan, prepared.cache)
    locked = read_lock(prepared.lock_path).get(prepared.script_name, {})
    return {
        "tasks": len(plan.graph),
        "to_run": len(to_run),
        "cached": len(plan.graph) - len(to_run),
        "by_kind": dict(sorted(Counter(t.kind for t in plan.graph).items())),
        "to_run_by_kind": dict(sorted(Counter(t.kind for t in to_run).items())),
        "estimated_cost_usd": plan.estimate(to_run),
        "full_cost_usd": plan.estimate(plan.graph),
        "runtime_seconds": plan.runtime_s,
        "shots": len(plan.shots.shots),
        "backends": dict(plan.serving),
        "locked": sum(1 for t in plan.graph if t.id in locked and locked[t.id].key == t.key),
    }


def unavailable(prepared: Prepared, to_run: list[Task]) -> dict[str, str]:
    """Backends the stale tasks need that cannot run here, with why."""
    found = {}
    for name in sorted({t.backend for t in to_run}):
        reason = prepared.plan.backends[name].unavailable()
        if reason:
            found[name] = reason
    return found


class Busy(Exception):
    """Another build of the same project is running."""


@contextlib.contextmanager
def exclusive(prepared: Prepared):
    """Hold the project's build lock for a build: two builds of one project at once would pay
    twice for the same tasks and race on film.lock. Raises Busy when another build holds it."""
    import fcntl

    root = prepared.cache._ensure()
    with open(root / "build.lock", "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(f"another `filmc build` is running in this project ({prepared.project.shown_root})") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def run(prepared: Prepared, listener: Listener | None = None, status: StatusListener | None = None) -> Outcome:
    """Run the stale tasks and record every made task in film.lock, interrupted or not.
    `status` hears what backends say of long tasks while they run."""
    config = prepared.project.config

    def concurrency(name: str) -> int:
        # `[backend.NAME] concurrency = N` or `[concurrency] NAME = N`, else the default.
        own = config.backend.get(name, {}).get("concurrency")
        return own if isinstance(own, int) and not isinstance(own, bool) and own >= 1 else config.concurrency.of(name)

    outcome = Outcome()
    try:
        outcome = asyncio.run(execute(prepared.plan, prepared.cache, concurrency, listener, outcome, status))
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        _record(prepared, outcome)
        prepared.cache.clean_tmp()
    return outcome


def _record(prepared: Prepared, outcome: Outcome) -> list[str]:
    """Write film.lock for what this build has; returns tasks whose output differs from what
    the lock recorded for the same key (a backend that is not deterministic)."""
    path = prepared.lock_path
    old = read_lock(path).get(prepared.script_name, {})
    entries: dict[str, Locked] = {}
    drifted = []
    for task in prepared.plan.graph:
        entry = outcome.entries.get(task.id)
        if entry is None:
            # Not reached (an interrupted or failed build): keep what the lock knew, if it is
            # still this task.
            if task.id in old and old[task.id].key == task.key:
                entries[task.id] = old[task.id]
            continue
        version = prepared.plan.backends[task.backend].version
        entries[task.id] = Locked(kind=task.kind, key=task.key, backend=task.backend, version=version,
                                  seed=task.seed, digest=entry.digest)
        before = old.get(task.id)
        if before is not None and before.key == task.key and before.digest != entry.digest:
            drifted.append(task.id)
    if entries and entries != old and not write_lock(path, prepared.script_name, entries):
        outcome.lock_unreadable = True
    outcome.drifted = drifted
    return drifted


# ---- writing the film where the user asked -------------------------------------------------

_WRITTEN = "written.json"


def outcome_notes(prepared: Prepared, outcome: Outcome) -> list[str]:
    """What a build tells about its tasks besides its summary: each failure (with the shot and
    line it belongs to), the tasks skipped for it, outputs that drifted from film.lock, and an
    unreadable film.lock. `filmc build` and `filmc watch` print these the same way."""
    notes = []
    shots = {shot.id: shot for shot in prepared.plan.shots.shots}
    for task_id, reason in outcome.failed.items():
        notes.append(f"failed: {task_id}: {reason}")
        shot = shots.get(prepared.plan.graph.tasks[task_id].shot or "")
        if shot is not None:
            notes.append(f"  shot {shot.id} at {shot.span.file}:{shot.span.line}")
    if outcome.skipped:
        notes.append(f"skipped {len(outcome.skipped)} tasks that need a failed one")
    for task_id in outcome.drifted:
        notes.append(f"note: {task_id} came out different from what film.lock recorded for the same request; "
                     "its backend is not deterministic")
    if outcome.lock_unreadable:
        notes.append("note: film.lock could not be read (a merge conflict?), so filmc left it as it is")
    return notes


def film_entry(prepared: Prepared, outcome: Outcome):
    """The cache entry of the finished film, if the build made it."""
    film = prepared.plan.graph.outputs[0] if prepared.plan.graph.outputs else None
    return outcome.entries.get(film) if film else None


def may_write(prepared: Prepared, out: Path) -> bool:
    """Whether `out` may be (over)written: it does not exist, or filmc wrote it (and it is
    unchanged since). A file the user made is never overwritten without --force."""
    return may_overwrite(prepared.project, prepared.cache, out)


def may_overwrite(project: Project, cache: Cache, out: Path) -> bool:
    if not out.exists():
        return True
    if not out.is_file():
        return False
    recorded = _written(cache).get(_written_key(project, out))
    return recorded is not None and recorded == file_digest(out)


def outputs_of(script: Path, shown: str) -> tuple[Project, Cache]:
    """The project and cache that keep the record of what filmc wrote for a script (for the
    commands that write files without planning, like `filmc export --to fountain`)."""
    project = load_project(script, Reporter(), shown)
    return project, Cache((project.root / project.config.cache.dir).resolve())


def write_film(prepared: Prepared, outcome: Outcome, out: Path) -> None:
    entry = film_entry(prepared, outcome)
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = out.with_name(f".{out.name}.filmc-tmp")
    shutil.copyfile(prepared.cache.blob(entry), staged)
    os.replace(staged, out)
    _remember(prepared, out, entry.digest)


def write_subtitles(prepared: Prepared, out: Path) -> None:
    """The film's dialogue as SubRip, timed as the rendered film plays it."""
    from .subtitles import cues, srt

    write_atomic(out, srt(cues(prepared.plan.shots, prepared.plan.fps)))
    _remember(prepared, out, file_digest(out))


def _remember(prepared: Prepared, out: Path, digest: str) -> None:
    remember(prepared.project, prepared.cache, out, digest)


def remember(project: Project, cache: Cache, out: Path, digest: str | None = None) -> None:
    """Note in written.json that filmc wrote `out`, so that a later build may replace it."""
    written = _written(cache)
    written[_written_key(project, out)] = digest or file_digest(out)
    try:
        cache._ensure()
    except CacheError:
        return  # not filmc's folder: filmc writes nothing there (and will ask before overwriting)
    write_atomic(cache.root / _WRITTEN, json.dumps(written, indent=1, sort_keys=True) + "\n")


def _written_key(project: Project, out: Path) -> str:
    """How written.json names an output: inside the project, relative to it (so a moved or
    copied project still knows its films), else by its absolute path."""
    target = out.resolve()
    root = project.root.resolve()
    return target.relative_to(root).as_posix() if target.is_relative_to(root) else str(target)


def _written(cache: Cache) -> dict[str, str]:
    try:
        return json.loads((cache.root / _WRITTEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
