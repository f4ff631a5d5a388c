"""Throughput of filmc's HTTP backends: many tasks against a slow service.

    python bench/services.py            # or as part of python bench/run.py
    python bench/services.py --tasks 200 --latency 0.5 --concurrency 8

200 clip tasks go through filmc's real scheduler (`compiler.execute`, with its cache) to the
Runway backend, against the loopback fake of Runway's API (tests/fakes/runway.py) set to finish
every task a fixed latency after it is submitted. Each task is the whole protocol: submit, poll
until done, download the video, check it, store it in the cache. At concurrency C the ideal
wall time is tasks x latency / C; the target (from the issue) is within 15% of it.

The peer, measured in the same run against the same fake: a bare asyncio + httpx loop doing the
same requests (submit, poll at the same interval, download) under a semaphore of C, with no
retries, checks, cache or scheduler: the floor of any Python client of this service.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

POLL_S = 0.05


def _plan(count: int, folder: Path, url: str):
    """A plan of `count` clips, each from one keyframe already in the cache."""
    from fakes import media

    from filmc.backends import registry
    from filmc.compiler.cache import Cache
    from filmc.compiler.ir import ShotList
    from filmc.compiler.plan import Plan
    from filmc.compiler.plan.tasks import Graph, Task, with_keys

    runway = registry.create("runway", {"base_url": url, "poll_s": POLL_S, "backoff_s": 0.05})
    local = registry.create("local", {})
    keyframe = Task(id="keyframe", kind="keyframe", params={"prompt": "a still", "seed": 1}, backend="local")
    clips = [Task(id=f"clip/{n}", kind="clip", backend="runway", inputs=(("first_frame", "keyframe"),),
                  params={"prompt": f"clip {n}", "duration_s": 5.0, "width": 1280, "height": 720, "fps": 24, "seed": n})
             for n in range(count)]
    graph = with_keys(Graph(tasks={t.id: t for t in [keyframe, *clips]}, outputs=tuple(t.id for t in clips)),
                      {"runway": runway.identity(), "local": local.identity()})
    cache = Cache(folder / "cache")
    still = folder / "still.png"
    still.write_bytes(media.png("still", 1280, 720))
    cache.put(graph.tasks["keyframe"], local.version, still)
    shots = ShotList.model_construct(shots=(), music=(), title_card_s=0.0, end_card_s=0.0)
    return Plan(shots=shots, graph=graph, backends={"runway": runway, "local": local},
                serving={"video": "runway", "image": "local"}), cache


def filmc_run(count: int, concurrency: int, url: str) -> float:
    from filmc.compiler.execute import execute

    with tempfile.TemporaryDirectory() as folder:
        plan, cache = _plan(count, Path(folder), url)
        started = time.monotonic()
        outcome = asyncio.run(execute(plan, cache, lambda name: concurrency))
        wall = time.monotonic() - started
        if len(outcome.built) != count or outcome.failed:
            raise SystemExit(f"filmc's run did not make every clip: {outcome.failed or outcome.built[:3]}")
        return wall


def bare_run(count: int, concurrency: int, url: str, key: str) -> float:
    import httpx

    async def one(client: httpx.AsyncClient, gate: asyncio.Semaphore, n: int) -> None:
        async with gate:
            headers = {"Authorization": f"Bearer {key}", "X-Runway-Version": "2024-11-06"}
            task = (await client.post(f"{url}/v1/image_to_video", headers=headers, json={
                "model": "gen4_turbo", "promptImage": [{"uri": "data:image/png;base64,AA==", "position": "first"}],
                "promptText": f"clip {n}", "ratio": "1280:720", "duration": 5})).json()["id"]
            while True:
                state = (await client.get(f"{url}/v1/tasks/{task}", headers=headers)).json()
                if state["status"] == "SUCCEEDED":
                    break
                await asyncio.sleep(POLL_S)
            await client.get(state["output"][0])

    async def run() -> float:
        gate = asyncio.Semaphore(concurrency)
        async with httpx.AsyncClient(timeout=60) as client:
            started = time.monotonic()
            await asyncio.gather(*(one(client, gate, n) for n in range(count)))
            return time.monotonic() - started

    return asyncio.run(run())


def _serve(latency: float) -> None:
    """Run the fake in a process of its own (`--serve`), so that its threads do not share a
    GIL with the clients measured: print its address, stop when stdin closes."""
    from fakes import runway

    with runway.FakeRunway() as fake:
        fake.latency_s = latency
        print(fake.url, flush=True)
        sys.stdin.read()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds the fake takes per task")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return _serve(args.latency)
    from fakes import runway

    os.environ["RUNWAYML_API_SECRET"] = runway.KEY
    ideal = args.tasks * args.latency / args.concurrency
    rows = []
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--latency", str(args.latency)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        for name, run in (("filmc (scheduler, Runway backend, cache)",
                           lambda: filmc_run(args.tasks, args.concurrency, url)),
                          ("peer: bare httpx loop, same requests",
                           lambda: bare_run(args.tasks, args.concurrency, url, runway.KEY))):
            wall = run()
            rows.append((name, wall))
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    print(f"\n{args.tasks} tasks, {args.latency:g}s each at the service, concurrency {args.concurrency}: "
          f"ideal {ideal:.2f}s (tasks x latency / concurrency); target within 15% of ideal\n")
    print(f"{'run':<44} {'wall':>8} {'over ideal':>11}")
    for name, wall in rows:
        print(f"{name:<44} {wall:>7.2f}s {100 * (wall / ideal - 1):>+10.1f}%")
    verdict = "meets" if rows[0][1] <= ideal * 1.15 else "misses"
    print(f"\nfilmc {verdict} the target ({rows[0][1] / ideal:.3f}x ideal)")


if __name__ == "__main__":
    main()
