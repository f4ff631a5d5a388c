"""filmc benchmarks, with the peer measured in the same run.

    python bench/run.py            # all benchmarks, two tables on stdout
    python bench/run.py --rounds 41

Parse: Big Fish (4,600 lines, screenplain's own example, from ../shared/corpus) parsed to
filmc's IR in-process, next to screenplain's parse of the same text; the two alternate round by
round so that machine noise falls on both alike. Check: the whole `filmc check` process
(start-up included) and its peak memory, next to the `screenplain` command turning the same file
into HTML.

Check: `filmc check` in-process (parse, resolve names, every consistency check) of the same text.

Plan: `filmc plan` of Big Fish in-process (compile, make_plan, and the cache status that
`filmc plan --json` prints: build.prepare + build.status), next to screenplain's parse in the
same rounds; and the whole `filmc plan --json` process, its time and its peak memory (measured
through /usr/bin/time when it is there, so this benchmark's own size does not count).

Render (third table; see bench/render.py): the first example built for real with the `local`
backend at 720p and at draft, next to ffmpeg's zoompan of a still, and the peak memory of a
build against the film's length.

Services (fourth table; see bench/services.py): 200 tasks through the scheduler and the Runway
backend against a loopback fake with a fixed latency, at concurrency 8, next to the ideal wall
time and a bare httpx loop making the same requests.

No-op rebuild (second table; needs only the repository): examples/splitting-the-waves.film
copied to a temporary project whose film.toml sets every backend to `counting`, the fake in
tests/plugins. One build fills the cache; then the second `filmc build` process, timed next to
the `filmc check` process of the same file (a no-op build cannot be cheaper than checking), and
the no-op build in-process next to the check in-process. Every no-op build is verified to have
run nothing: the counting fake's log (FILMC_COUNTING_LOG) must stay empty.

Targets (from the issues): filmc's parse-to-IR no slower than screenplain's parse; the whole
check at most twice screenplain's parse; `filmc plan` of Big Fish well under a second.
Without ../shared, the Big Fish benchmarks are skipped with a message (exit status 0).
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "fountain"
BIG_FISH = CORPUS / "screenplain" / "examples" / "Big-Fish.fountain"
EXAMPLE = ROOT / "examples" / "splitting-the-waves.film"
PLUGINS = ROOT / "tests" / "plugins"  # the `counting` fake backend (filmc_test_backends.py)
CAPABILITIES = ("image", "video", "speech", "music", "edit")
GNU_TIME = "/usr/bin/time"
PLAN_TARGET_MS = 1000.0  # "well under a second"

Row = tuple[str, float, float, str]


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _ms(label: str, samples: list[float]) -> Row:
    return (label, statistics.median(samples) * 1e3, min(samples) * 1e3, "ms")


def bench_parse(rounds: int) -> list[Row]:
    from screenplain.parsers import fountain

    from filmc.compiler.build import prepare, status
    from filmc.compiler.diagnostics import Reporter
    from filmc.compiler.driver import compile_source
    from filmc.compiler.lower import lower
    from filmc.compiler.source import SourceFile

    data = BIG_FISH.read_bytes()
    text = data.decode("utf-8")

    def filmc_parse():
        lower(SourceFile.from_bytes(str(BIG_FISH), data), Reporter())

    def filmc_check():
        compile_source(SourceFile.from_bytes(str(BIG_FISH), data), BIG_FISH)

    def filmc_plan():
        # What `filmc plan --json` does between reading the file and printing: compile, plan,
        # and look every task up in the cache.
        prepared, result = prepare(BIG_FISH, str(BIG_FISH))
        assert prepared is not None, "Big Fish did not plan"
        status(prepared)

    def screenplain_parse():
        fountain.parse(io.StringIO(text))

    filmc_parse(), filmc_check(), filmc_plan(), screenplain_parse()  # warm: grammar load, imports
    ours, checks, plans, theirs = [], [], [], []
    plan_every = 3  # a plan takes several parses' time: one round in three keeps the run short
    for i in range(rounds):
        ours.append(_timed(filmc_parse))
        checks.append(_timed(filmc_check))
        if i % plan_every == 0:
            plans.append(_timed(filmc_plan))
        theirs.append(_timed(screenplain_parse))
    return [
        _ms("parse Big Fish → IR (filmc)", ours),
        _ms("check Big Fish, in-process (filmc)", checks),
        _ms(f"plan Big Fish, in-process (filmc, n={len(plans)})", plans),
        _ms("parse Big Fish (screenplain)", theirs),
    ]


def _process(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
             ok: tuple[int, ...] = (0, 1)) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, argv))} failed with status {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def _gnu_time() -> bool:
    """Whether /usr/bin/time is GNU time (with -f and -o), checked by running it once."""
    if not os.access(GNU_TIME, os.X_OK):
        return False
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rss"
        done = subprocess.run([GNU_TIME, "-f", "%M", "-o", str(out), "true"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            return done.returncode == 0 and int(out.read_text().split()[-1]) > 0
        except (OSError, ValueError, IndexError):
            return False


def _peak_mib(argv: list[str]) -> float:
    """Peak resident memory (MiB) of a fresh process, counted by /usr/bin/time: its child is
    forked from a small C program, so it starts with no inherited peak from this one."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rss"
        _process([GNU_TIME, "-f", "%M", "-o", str(out), *argv])
        return int(out.read_text().split()[-1]) / 1024


def bench_process(rounds: int, gnu_time: bool) -> list[Row]:
    rows = []
    filmc = [sys.executable, "-m", "filmc", "check", str(BIG_FISH), "--format", "short"]
    plan = [sys.executable, "-m", "filmc", "plan", str(BIG_FISH), "--json", "--format", "short"]
    screenplain = shutil.which("screenplain")
    peers = [("filmc check Big Fish (process)", filmc), ("filmc plan --json Big Fish (process)", plan)]
    if screenplain:
        peers.append(("screenplain Big Fish → HTML (process)", [screenplain, "--format", "html", str(BIG_FISH), os.devnull]))
    for label, argv in peers:
        _process(argv)  # warm the file cache and lark's grammar cache
        runs = [_process(argv) for _ in range(rounds)]
        rows.append(_ms(label, [r[0] for r in runs]))
        peaks = [_peak_mib(argv) for _ in range(min(3, rounds))] if gnu_time else [r[1] for r in runs]
        rows.append((label.replace("(process)", "peak memory"), max(peaks), min(peaks), "MiB"))
    return rows


# ---- the no-op rebuild ---------------------------------------------------------------------


class Project:
    """A temporary copy of the example film whose every backend is the counting fake."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp
        self.script = tmp / EXAMPLE.name
        self.out = tmp / "film.mp4"
        self.log = tmp / "counting.log"
        shutil.copyfile(EXAMPLE, self.script)
        (tmp / "film.toml").write_text(
            "[backends]\n" + "".join(f'{cap} = "counting"\n' for cap in CAPABILITIES), encoding="utf-8")
        self.log.write_text("", encoding="utf-8")
        self.env = dict(os.environ, FILMC_COUNTING_LOG=str(self.log),
                        PYTHONPATH=os.pathsep.join(filter(None, [str(PLUGINS), os.environ.get("PYTHONPATH")])))

    def build_argv(self) -> list[str]:
        return [sys.executable, "-m", "filmc", "build", str(self.script), "-o", str(self.out), "--format", "short"]

    def check_argv(self) -> list[str]:
        return [sys.executable, "-m", "filmc", "check", str(self.script), "--format", "short"]

    def calls(self) -> int:
        """How many times the counting fake has been called since the log was emptied."""
        return len(self.log.read_text(encoding="utf-8").splitlines())

    def assert_ran_nothing(self, what: str) -> None:
        calls = self.calls()
        assert calls == 0, f"{what} was not a no-op: the counting backend ran {calls} tasks ({self.log})"


def fill_cache(project: Project) -> int:
    """The first build: it makes every task (and the film), so the next build has nothing to do."""
    _process(project.build_argv(), env=project.env, cwd=project.root, ok=(0,))
    made = project.calls()
    assert made > 0, f"the first build ran no task: is the counting backend on PYTHONPATH? ({project.log})"
    assert project.out.is_file(), f"the first build wrote no film at {project.out}"
    project.log.write_text("", encoding="utf-8")
    return made


def bench_rebuild_process(project: Project, rounds: int) -> list[Row]:
    builds, checks = [], []
    build, check = project.build_argv(), project.check_argv()
    _process(check, env=project.env, cwd=project.root, ok=(0,))  # warm
    for _ in range(rounds):
        builds.append(_process(build, env=project.env, cwd=project.root, ok=(0,))[0])
        project.assert_ran_nothing("a second `filmc build` process")
        checks.append(_process(check, env=project.env, cwd=project.root, ok=(0,))[0])
    return [
        _ms("no-op `filmc build` (process)", builds),
        _ms("`filmc check`, same file (process; floor)", checks),
    ]


def bench_rebuild_inprocess(project: Project, rounds: int) -> list[Row]:
    if str(PLUGINS) not in sys.path:
        sys.path.insert(0, str(PLUGINS))
        importlib.invalidate_caches()
    os.environ["FILMC_COUNTING_LOG"] = str(project.log)  # the fake reads it at each call

    from filmc.compiler import build as builder
    from filmc.compiler.driver import compile_file
    from filmc.compiler.execute import stale

    script, out = project.script, project.out

    def build():
        # What `filmc build` does, without click: plan, status, the checks before running,
        # run (nothing: every task is cached), record film.lock, write the film.
        prepared, result = builder.prepare(script, str(script))
        assert prepared is not None, f"{script} did not plan"
        to_run, _ = stale(prepared.plan, prepared.cache)
        summary = builder.status(prepared, to_run)
        assert summary["to_run"] == 0, f"a no-op build has {summary['to_run']} tasks to run"
        assert not builder.unavailable(prepared, to_run)
        assert builder.may_write(prepared, out)
        outcome = builder.run(prepared)
        assert outcome.ok and not outcome.built, f"the no-op build made {outcome.built}"
        builder.write_film(prepared, outcome, out)

    def check():
        compile_file(script, str(script))

    build(), check()  # warm
    project.assert_ran_nothing("the in-process no-op build")
    builds, checks = [], []
    for _ in range(rounds):
        builds.append(_timed(build))
        project.assert_ran_nothing("the in-process no-op build")
        checks.append(_timed(check))
    return [
        _ms("no-op build, in-process", builds),
        _ms("check, same file, in-process", checks),
    ]


def _own_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _table(rows: list[Row]) -> None:
    print(f"{'benchmark':<46} {'median':>10} {'best':>10}  unit")
    print("-" * 74)
    for label, median, best, unit in rows:
        if unit == "MiB":
            print(f"{label:<46} {median:>10.1f} {best:>10.1f}  {unit} (max / min)")
        else:
            print(f"{label:<46} {median:>10.1f} {best:>10.1f}  {unit}")


def _bytecode_note() -> str | None:
    """A note when the processes measured here compile filmc's modules from source each time
    (no .pyc beside them and none may be written), which their times then include."""
    import importlib.util

    cli = ROOT / "compiler" / "cli.py"
    if not sys.flags.dont_write_bytecode or Path(importlib.util.cache_from_source(str(cli))).exists():
        return None
    return ("(PYTHONDONTWRITEBYTECODE is set and filmc has no .pyc: every process measured here compiles "
            "filmc's modules from source, and its time includes that)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=21, help="in-process rounds (processes: a third)")
    parser.add_argument("--skip-render", action="store_true", help="leave out the render benchmark (bench/render.py)")
    parser.add_argument("--skip-services", action="store_true",
                        help="leave out the HTTP backends' throughput benchmark (bench/services.py)")
    args = parser.parse_args()
    process_rounds = max(3, args.rounds // 3)
    corpus = BIG_FISH.is_file()
    gnu_time = _gnu_time()
    # Processes first, while this one is small: a child's peak memory counts from the fork,
    # when it still shares the parent's pages, so a large parent would inflate both peers.
    floor = _own_rss_mib()
    process_rows = bench_process(process_rounds, gnu_time) if corpus else []
    with tempfile.TemporaryDirectory(prefix="filmc-bench-") as tmp:
        project = Project(Path(tmp))
        made = fill_cache(project)
        rebuild_rows = bench_rebuild_process(project, process_rounds)
        rows = bench_parse(args.rounds) + process_rows if corpus else []
        rebuild_rows += bench_rebuild_inprocess(project, args.rounds)

    if corpus:
        _table(rows)
        by = {label: median for label, median, _, _ in rows}
        ours, checked, theirs = rows[0][1], rows[1][1], rows[3][1]
        planned = rows[2][1]
        if gnu_time:
            print("(peak memory of a process: /usr/bin/time's count, which starts at the process's own exec)")
        else:
            print(f"(a process's peak memory counts from the fork, so this benchmark's {floor:.0f} MiB is a floor for both)")
        print(f"\nparse-to-IR / screenplain parse (medians): {ours / theirs:.2f}x  (target: at most 1.00x)")
        print(f"check / screenplain parse (medians):       {checked / theirs:.2f}x  (target: at most 2.00x)")
        print(f"plan / screenplain parse (medians):        {planned / theirs:.2f}x")
        print(f"plan, in-process (median):                 {planned:.0f} ms  "
              f"(target: well under a second, {PLAN_TARGET_MS:.0f} ms: {planned / PLAN_TARGET_MS:.0%} of it)")
        plan_process = by.get("filmc plan --json Big Fish (process)")
        if plan_process is not None:
            print(f"plan, whole process (median):              {plan_process:.0f} ms  "
                  f"({plan_process / PLAN_TARGET_MS:.0%} of a second, start-up included)")
    else:
        print(f"skipped: the Big Fish benchmarks (parse, check, plan): the corpus is not at {BIG_FISH}; "
              "they need ../shared beside the repository")

    note = _bytecode_note()
    if note and corpus:
        print(note)
    print()
    _table(rebuild_rows)
    build_process, check_process, build_in, check_in = (r[1] for r in rebuild_rows)
    print(f"(examples/{EXAMPLE.name}, every backend `counting`: the first build ran {made} tasks; "
          "every no-op build after it ran none)")
    print(f"\nno-op build / check, processes (medians):   {build_process / check_process:.2f}x  (floor: 1.00x)")
    print(f"no-op build / check, in-process (medians):  {build_in / check_in:.2f}x")
    if note:
        print(note)
    if not args.skip_render:
        print()
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import render

        render.main([])
    if not args.skip_services:
        print()
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import services

        services.main([])


if __name__ == "__main__":
    main()
