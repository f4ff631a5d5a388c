"""Render speed and memory of the embedded `local` backend.

    python bench/render.py            # or as part of python bench/run.py
    python bench/render.py --rounds 5

Speed: examples/splitting-the-waves.film built from an empty cache with `filmc build`, at 720p
and at `--draft`, as seconds of film per second of wall time. The peer, measured in the same
run, is ffmpeg's own `zoompan` over one still for the same length of film, encoded with the
same settings: a camera move over a picture is all a local clip is, so this is the practical
ceiling of rendering here. Targets (from the issue): at least 5x realtime at 720p, 20x at
draft.

Memory: the peak resident size of the largest process of a draft build (filmc, or one of the
ffmpeg processes it starts), for a generated film and for the same film four times as long.
The target is flat: the long film must not need more than the short one plus a margin.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "splitting-the-waves.film"
GNU_TIME = "/usr/bin/time"
TARGETS = {"720p": 5.0, "draft": 20.0}

Row = tuple[str, str, str, str]


def _filmc(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "filmc", *args], cwd=cwd, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"filmc {' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return run


def _runtime(project: Path, script: str, draft: bool) -> float:
    run = _filmc("plan", script, "--json", *(["--draft"] if draft else []), cwd=project)
    return float(json.loads(run.stdout)["runtime_seconds"])


def _fresh(script_text: str, name: str) -> Path:
    project = Path(tempfile.mkdtemp(prefix="filmc-render-"))
    (project / name).write_text(script_text, encoding="utf-8")
    return project


def bench_speed(rounds: int) -> list[Row]:
    import imageio_ffmpeg

    rows: list[Row] = []
    text = EXAMPLE.read_text(encoding="utf-8")
    for mode, draft in (("720p", False), ("draft", True)):
        walls, length, still, size, fps = [], 0.0, None, (0, 0), 24
        for _ in range(rounds):
            project = _fresh(text, EXAMPLE.name)
            try:
                length = _runtime(project, EXAMPLE.name, draft)
                start = time.perf_counter()
                _filmc("build", EXAMPLE.name, "-o", "film.mp4", *(["--draft"] if draft else []), cwd=project)
                walls.append(time.perf_counter() - start)
                if still is None:
                    still = Path(tempfile.mkdtemp()) / "still.png"
                    shutil.copyfile(_first_keyframe(project / EXAMPLE.name, draft), still)
                size, fps = _picture(project / "film.mp4")
            finally:
                shutil.rmtree(project, ignore_errors=True)
        wall = statistics.median(walls)
        rows.append((f"filmc build {EXAMPLE.name}, {mode}, empty cache", f"{length:.1f} s of film",
                     f"{wall:.1f} s", f"{length / wall:.1f}x realtime (target {TARGETS[mode]:.0f}x)"))
        peer = []
        for _ in range(rounds):
            peer.append(_zoompan(imageio_ffmpeg.get_ffmpeg_exe(), still, length, size, fps, draft))
        wall = statistics.median(peer)
        rows.append((f"ffmpeg zoompan of one still, {mode} (the ceiling)", f"{length:.1f} s of film",
                     f"{wall:.1f} s", f"{length / wall:.1f}x realtime"))
    return rows


def _first_keyframe(script: Path, draft: bool) -> Path:
    """The film's first keyframe in the cache: the still the peer moves a camera over."""
    from filmc.compiler.build import prepare
    from filmc.compiler.plan import Options

    prepared, _ = prepare(script, script.name, options=Options(draft=draft))
    task = next(t for t in prepared.plan.graph if t.kind == "keyframe")
    return prepared.cache.blob(prepared.cache.get(task.key))


def _picture(film: Path) -> tuple[tuple[int, int], int]:
    import re

    import imageio_ffmpeg

    info = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(film)],
                          capture_output=True, text=True).stderr
    found = re.search(r"Video: .*?, (\d+)x(\d+).*?, ([\d.]+) fps", info)
    assert found, info
    return (int(found.group(1)), int(found.group(2))), round(float(found.group(3)))


def _zoompan(exe: str, still: Path | None, length: float, size: tuple[int, int], fps: int, draft: bool) -> float:
    from filmc.backends.local.media import Encoding

    assert still is not None, "the build made no picture"
    count = round(length * fps)
    enc = Encoding(size[0], size[1], fps)
    out = Path(tempfile.mkdtemp()) / "peer.mp4"
    start = time.perf_counter()
    subprocess.run([exe, "-v", "error", "-y", "-i", str(still), "-vf",
                    f"scale={size[0]}:{size[1]},zoompan=z='1+0.15*on/{count}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2'"
                    f":d={count}:s={size[0]}x{size[1]}:fps={fps},format=yuv420p", "-frames:v", str(count),
                    *enc.video_args(), str(out)], check=True)
    wall = time.perf_counter() - start
    shutil.rmtree(out.parent, ignore_errors=True)
    return wall


def generated(scenes: int) -> str:
    """A film of `scenes` scenes, each a wide shot and a line, every shot different."""
    parts = ["Title: Memory\n\n[[cast ANA: tall woman, red coat]]\n[[cast BEN: short man, green scarf]]\n"
             "[[set ROOM: small kitchen, yellow walls, a table]]\n"]
    for n in range(1, scenes + 1):
        parts.append(f"INT. ROOM - DAY\n\n[[shot wide, push in, 3s]]\n\nANA and BEN sit at the table, day {n}.\n\n"
                     f"ANA\nThis is day number {n}.\n")
    return "\n".join(parts)


def bench_memory() -> list[Row]:
    if not Path(GNU_TIME).exists():
        return [("peak memory of a draft build", "-", "-", f"skipped: {GNU_TIME} is not installed")]
    rows = []
    peaks = {}
    for scenes in (8, 32):
        project = _fresh(generated(scenes), "memory.film")
        try:
            length = _runtime(project, "memory.film", True)
            run = subprocess.run([GNU_TIME, "-f", "%M", sys.executable, "-m", "filmc", "build", "memory.film",
                                  "--draft", "-o", "film.mp4"], cwd=project, capture_output=True, text=True)
            if run.returncode != 0:
                raise SystemExit(run.stderr[-3000:])
            peaks[scenes] = int(run.stderr.strip().splitlines()[-1]) / 1024
            rows.append((f"peak memory, draft build of {scenes} scenes", f"{length:.0f} s of film",
                         f"{peaks[scenes]:.0f} MiB", ""))
        finally:
            shutil.rmtree(project, ignore_errors=True)
    ratio = peaks[32] / peaks[8]
    rows[-1] = (*rows[-1][:3], f"{ratio:.2f}x the short film's (target: flat, under 1.25x)")
    return rows


def table(rows: list[Row]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="builds per measurement (the median is shown)")
    args = parser.parse_args(argv)
    print(f"render speed and memory of the local backend ({os.cpu_count()} cores)")
    table(bench_speed(args.rounds) + bench_memory())


if __name__ == "__main__":
    main()
