"""The scheduler (compiler/execute.py): dependency order, per-backend concurrency, failures that
stay local to their shot, cancellation that keeps what was made."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from filmc.backends.base import Backend, BackendError, Capabilities, Job
from filmc.compiler import ir
from filmc.compiler.cache import Cache
from filmc.compiler.execute import execute
from filmc.compiler.plan import Plan
from filmc.compiler.plan.tasks import Graph, Task, with_keys

EVERYTHING = frozenset({"image", "video", "speech", "music", "edit"})


class Recorder(Backend):
    """Makes a file per task after `delay` seconds, and records what ran when."""

    version = "1"
    capabilities = Capabilities(produces=EVERYTHING)

    def __init__(self, delay: float = 0.01, fail: tuple[str, ...] = (), outside: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.delay, self.fail, self.outside = delay, fail, outside
        self.running = 0
        self.most = 0
        self.started: list[str] = []
        self.finished: list[str] = []

    async def generate(self, job: Job) -> Path:
        self.started.append(job.task_id)
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(self.delay)
            for path in job.inputs.values():
                assert path.is_file()  # every input is made before the task starts
            if job.task_id in self.fail:
                raise BackendError(f"refused {job.task_id}")
            if job.task_id == "crash":
                raise ZeroDivisionError("oops")
            folder = job.workdir.parent if job.task_id in self.outside else job.workdir
            out = folder / f"{job.task_id.replace('/', '_')}.bin"
            out.write_bytes(job.task_id.encode())
            self.finished.append(job.task_id)
            return out
        finally:
            self.running -= 1


def plan_of(tasks: list[Task], backend: Recorder) -> Plan:
    graph = with_keys(Graph(tasks={t.id: t for t in tasks}, outputs=(tasks[-1].id,)), {"rec": backend.identity()})
    shots = ir.ShotList(shots=())
    return Plan(shots=shots, graph=graph, backends={"rec": backend}, serving={c: "rec" for c in EVERYTHING})


def task(task_id: str, *inputs: str, kind: str = "keyframe") -> Task:
    return Task(id=task_id, kind=kind, params={"n": task_id}, inputs=tuple((f"in:{i}", i) for i in inputs), backend="rec")


def run(plan: Plan, cache: Cache, limit: int = 2):
    return asyncio.run(execute(plan, cache, lambda name: limit))


def test_no_more_than_the_concurrency_limit_run_at_once(tmp_path: Path) -> None:
    backend = Recorder(delay=0.02)
    tasks = [task(f"k{n}") for n in range(8)] + [task("film", *(f"k{n}" for n in range(8)), kind="film")]
    outcome = run(plan_of(tasks, backend), Cache(tmp_path), limit=3)
    assert outcome.ok and len(outcome.built) == 9
    assert backend.most == 3


def test_a_task_starts_only_after_its_inputs_are_made(tmp_path: Path) -> None:
    backend = Recorder()
    tasks = [task("a"), task("b", "a"), task("c", "b"), task("film", "c", "a", kind="film")]
    outcome = run(plan_of(tasks, backend), Cache(tmp_path), limit=4)
    assert outcome.ok
    assert backend.started == ["a", "b", "c", "film"]


def test_a_failure_skips_only_what_needs_it(tmp_path: Path) -> None:
    backend = Recorder(fail=("b",))
    tasks = [task("a"), task("b"), task("c", "b"), task("d", "a"), task("film", "c", "d", kind="film")]
    outcome = run(plan_of(tasks, backend), Cache(tmp_path))
    assert outcome.failed == {"b": "refused b"}
    assert sorted(outcome.skipped) == ["c", "film"]
    assert sorted(outcome.built) == ["a", "d"]
    # The next build, with the backend fixed, makes only what is missing.
    again = Recorder()
    outcome = run(plan_of(tasks, again), Cache(tmp_path))
    assert outcome.ok and sorted(again.started) == ["b", "c", "film"]


def test_a_backend_bug_is_a_failed_task_not_a_crash(tmp_path: Path) -> None:
    backend = Recorder()
    outcome = run(plan_of([task("crash"), task("ok"), task("film", "ok", kind="film")], backend), Cache(tmp_path))
    assert outcome.failed == {"crash": "ZeroDivisionError in the `rec` backend: oops"}
    assert sorted(outcome.built) == ["film", "ok"]


def test_output_outside_the_task_folder_is_refused(tmp_path: Path) -> None:
    backend = Recorder(outside=("a",))
    outcome = run(plan_of([task("a"), task("film", "a", kind="film")], backend), Cache(tmp_path))
    assert "did not write its output inside the task's folder" in outcome.failed["a"]
    assert outcome.skipped == ["film"]


def test_cancelling_keeps_what_was_made(tmp_path: Path) -> None:
    backend = Recorder(delay=0.05)
    tasks = [task(f"k{n}") for n in range(6)] + [task("film", *(f"k{n}" for n in range(6)), kind="film")]
    plan = plan_of(tasks, backend)
    cache = Cache(tmp_path)
    from filmc.compiler.execute import Outcome

    outcome = Outcome()

    async def interrupt_after_two() -> None:
        job = asyncio.ensure_future(execute(plan, cache, lambda name: 1, outcome=outcome))
        while len(backend.finished) < 2:
            await asyncio.sleep(0.005)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job

    asyncio.run(interrupt_after_two())
    assert outcome.interrupted
    assert 2 <= len(outcome.built) < 7
    # Every task it reported made is in the cache; a fresh build makes only the rest.
    assert all(cache.get(plan.graph[t].key) for t in outcome.built)
    again = Recorder(delay=0)
    assert run(plan_of(tasks, again), cache).ok
    assert set(again.started) == {t.id for t in tasks} - set(outcome.built)
    assert not any((tmp_path / "tmp").iterdir()) or all(p.name.startswith("work-") is False for p in (tmp_path / "tmp").iterdir())


@pytest.mark.parametrize(("settings", "most"), [
    ("[backend.counting]\nconcurrency = 3\n", 3),
    ("[concurrency]\ncounting = 1\n", 1),
    ("[concurrency]\ndefault = 2\n", 2),
])
def test_concurrency_per_backend_from_film_toml(tmp_path: Path, settings: str, most: int) -> None:
    from filmc_test_backends import Counting

    from filmc.compiler import build as builder

    config = "[backends]\n" + "".join(f'{c} = "counting"\n' for c in sorted(EVERYTHING))
    (tmp_path / "film.toml").write_text(config + settings + ("" if "backend.counting" in settings else
                                                             "[backend.counting]\n") + "delay_s = 0.02\n",
                                        encoding="utf-8")
    script = tmp_path / "a.film"
    script.write_text("EXT. SHORE - DAY\n\nALIN runs.\n\nALIN walks.\n\nALIN swims.\n\nALIN dives.\n", encoding="utf-8")
    prepared, _ = builder.prepare(script, "a.film")
    Counting.most = 0
    assert builder.run(prepared).ok
    assert Counting.most == most


def test_a_free_slot_goes_to_the_waiting_task_furthest_down_the_pipeline() -> None:
    from filmc.compiler.execute import _Slots

    async def scenario() -> list[str]:
        slots, let_in = _Slots(1), []
        await slots.acquire((0, 0))  # the slot is busy

        async def wait(name: str, priority: tuple[int, int]) -> None:
            await slots.acquire(priority)
            let_in.append(name)
            slots.release()

        waiting = [asyncio.ensure_future(wait("keyframe 2", (-2, 5))), asyncio.ensure_future(wait("clip 1", (-3, 9))),
                   asyncio.ensure_future(wait("keyframe 3", (-2, 6)))]
        await asyncio.sleep(0)
        slots.release()
        await asyncio.gather(*waiting)
        assert slots.free == 1
        return let_in

    assert asyncio.run(scenario()) == ["clip 1", "keyframe 2", "keyframe 3"]


def test_a_cancelled_waiter_does_not_keep_a_slot() -> None:
    from filmc.compiler.execute import _Slots

    async def scenario() -> int:
        slots = _Slots(1)
        await slots.acquire((0, 0))
        waiter = asyncio.ensure_future(slots.acquire((0, 1)))
        await asyncio.sleep(0)
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        slots.release()
        return slots.free

    assert asyncio.run(scenario()) == 1
