"""The scheduler: runs the stale tasks of a plan, in dependency order, on their backends.

A task runs once all its inputs are made, and at most `concurrency` tasks run at once on one
backend (film.toml's [concurrency]). Each result goes into the cache the moment it is made, so
an interrupted build (Ctrl-C, a crash, a killed machine) loses only the tasks that were still
running: the next build finds the rest in the cache and does not pay for them twice. A task
that fails does not stop the others; only the tasks that need its output are skipped, and the
next build retries exactly those.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..backends.base import BackendError, Job
from .cache import Cache, CacheError, Entry
from .plan import Plan
from .plan.tasks import RANK, Task


@dataclass
class Outcome:
    """What a build did: tasks made, found in the cache, failed (with why), and skipped
    because something they need failed."""

    built: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)
    interrupted: bool = False
    # Tasks whose output differs from what film.lock recorded for the same key.
    drifted: list[str] = field(default_factory=list)
    # film.lock could not be read, so it was left as it is.
    lock_unreadable: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped and not self.interrupted


# Called as each task ends: (task, "built" | "cached" | "failed" | "skipped", seconds).
Listener = Callable[[Task, str, float], None]
# Called while a long task runs, with what its backend says of it ("queued, 3 ahead").
StatusListener = Callable[[Task, str], None]


def stale(plan: Plan, cache: Cache) -> tuple[list[Task], dict[str, Entry]]:
    """The tasks whose output is not in the cache, in order, and the entries of those that are."""
    found: dict[str, Entry] = {}
    to_run: list[Task] = []
    for task in plan.graph:
        entry = cache.get(task.key)
        if entry is None:
            to_run.append(task)
        else:
            found[task.id] = entry
    return to_run, found


async def execute(plan: Plan, cache: Cache, concurrency: Callable[[str], int], listener: Listener | None = None,
                  outcome: Outcome | None = None, status: StatusListener | None = None) -> Outcome:
    """Run every stale task of the plan; returns what happened (in `outcome`, when given, so
    that a caller still has it after an interruption). Cancellation (Ctrl-C) stops the running
    tasks (a backend cancels what it submitted to its service) and keeps everything already
    made. Each backend is closed at the end, however the build ends."""
    outcome = outcome if outcome is not None else Outcome()
    to_run, found = stale(plan, cache)
    outcome.entries.update(found)
    for task_id in found:
        outcome.cached.append(task_id)
    done: dict[str, asyncio.Event] = {task.id: asyncio.Event() for task in to_run}
    limits = {name: _Slots(max(1, concurrency(name))) for name in plan.backends}
    order = {task.id: n for n, task in enumerate(to_run)}

    async def run(task: Task) -> None:
        try:
            for source in dict.fromkeys(task.input_ids()):
                if source in done:
                    await done[source].wait()
            missing = [s for s in task.input_ids() if s not in outcome.entries]
            if missing:
                outcome.skipped.append(task.id)
                _tell(listener, task, "skipped", 0.0)
                return
            slots = limits[task.backend]
            await slots.acquire((-RANK.get(task.kind, 0), order[task.id]))
            try:
                started = time.monotonic()
                try:
                    entry = await _make(plan, cache, task, outcome.entries, status)
                except _Failed as exc:
                    outcome.failed[task.id] = str(exc)
                    _tell(listener, task, "failed", time.monotonic() - started)
                    return
                outcome.entries[task.id] = entry
                outcome.built.append(task.id)
                _tell(listener, task, "built", time.monotonic() - started)
            finally:
                slots.release()
        finally:
            done[task.id].set()

    jobs = [asyncio.ensure_future(run(task)) for task in to_run]
    try:
        await asyncio.gather(*jobs)
    except asyncio.CancelledError:
        outcome.interrupted = True
        for job in jobs:
            if not job.done() and not job.cancelling():  # gather has cancelled those it waited on
                job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        raise
    finally:
        for backend in plan.backends.values():
            try:
                await backend.close()
            except Exception:  # noqa: BLE001 - closing a connection must not lose what was made
                pass
    return outcome


class _Slots:
    """A backend's concurrency limit that lets in, of the tasks waiting, the one furthest down
    the pipeline first (a clip before another keyframe, a segment before another clip): shots
    finish one after another instead of stage by stage, so a film's first segments exist early,
    and a backend's drawing in Python overlaps its own encoding in ffmpeg."""

    def __init__(self, count: int) -> None:
        self.free = count
        self.waiting: list[tuple[tuple[int, int], int, asyncio.Future]] = []
        self.arrivals = itertools.count()

    async def acquire(self, priority: tuple[int, int]) -> None:
        if self.free > 0 and not self.waiting:
            self.free -= 1
            return
        turn = asyncio.get_running_loop().create_future()
        heapq.heappush(self.waiting, (priority, next(self.arrivals), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # given the slot just as it was cancelled: pass it on
            raise

    def release(self) -> None:
        while self.waiting:
            _, _, turn = heapq.heappop(self.waiting)
            if not turn.done():
                turn.set_result(None)
                return
        self.free += 1


class _Failed(Exception):
    """A task that could not be made, with the reason to show."""


async def _make(plan: Plan, cache: Cache, task: Task, entries: dict[str, Entry],
                status: StatusListener | None = None) -> Entry:
    backend = plan.backends[task.backend]
    inputs = {}
    for role, source in task.inputs:
        if not await asyncio.to_thread(cache.verify, entries[source]):
            raise _Failed(f"the cached output of `{source}` was damaged; filmc removed it, and the next "
                          "build makes it again")
        inputs[role] = cache.blob(entries[source])
    try:
        workdir = cache.workdir(task.id)
    except (OSError, CacheError) as exc:
        raise _Failed(f"filmc cannot write its cache: {exc}") from None
    try:
        references = {}
        for param, value in task.params.items():
            if isinstance(value, dict) and value.get("ref_sha256") in plan.references:
                references[param] = plan.references[value["ref_sha256"]]
        if task.params.get("ref_sha256") in plan.references:
            references["ref"] = plan.references[task.params["ref_sha256"]]
        job = Job(task_id=task.id, kind=task.kind, params=task.params, workdir=workdir, seed=task.seed,
                  inputs=inputs, references=references,
                  progress=(lambda text: status(task, text)) if status is not None else None)
        try:
            produced = Path(await backend.generate(job))
        except BackendError as exc:
            raise _Failed(str(exc) or type(exc).__name__) from None
        except Exception as exc:  # noqa: BLE001 - one broken task must not stop the film
            raise _Failed(f"{type(exc).__name__} in the `{task.backend}` backend: {exc}") from None
        if not produced.is_file() or not produced.resolve().is_relative_to(workdir.resolve()):
            raise _Failed(f"the `{task.backend}` backend did not write its output inside the task's folder")
        try:
            # Hashing, copying and fsync off the event loop: other tasks' requests go on meanwhile.
            # What was made (and maybe paid for) is stored even when the build is interrupted.
            return await _unstoppable(asyncio.to_thread(cache.put, task, backend.version, produced))
        except OSError as exc:
            raise _Failed(f"filmc cannot store the output in its cache: {exc}") from None
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)


async def _unstoppable(work):
    """Await `work` to its end even if cancelled meanwhile (it is short and bounded)."""
    pending = asyncio.ensure_future(work)
    while True:
        try:
            return await asyncio.shield(pending)
        except asyncio.CancelledError:
            if pending.done():
                return pending.result()


def _tell(listener: Listener | None, task: Task, what: str, seconds: float) -> None:
    if listener is not None:
        listener(task, what, seconds)
