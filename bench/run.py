"""filmc benchmarks, with the peer measured in the same run.

    python bench/run.py            # all benchmarks, a table on stdout
    python bench/run.py --rounds 41

Parse: Big Fish (4,600 lines, from ../shared/corpus) parsed to filmc's IR in-process, next to
screenplain's parse of the same text; the two alternate round by round so that machine noise
falls on both alike. Check: the whole `filmc check` process (start-up included) and its peak
memory, next to the `screenplain` command turning the same file into HTML.

Check: `filmc check` in-process (parse, resolve names, every consistency check) of the same text.

Targets (from the issues): filmc's parse-to-IR no slower than screenplain's parse; the whole
check at most twice screenplain's parse.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "fountain"
BIG_FISH = CORPUS / "nyousefi-Fountain" / "FountainTests" / "Big Fish.fountain"


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_parse(rounds: int) -> list[tuple[str, float, float, str]]:
    from screenplain.parsers import fountain

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

    def screenplain_parse():
        fountain.parse(io.StringIO(text))

    filmc_parse(), filmc_check(), screenplain_parse()  # warm: grammar load, imports
    ours, checks, theirs = [], [], []
    for _ in range(rounds):
        ours.append(_timed(filmc_parse))
        checks.append(_timed(filmc_check))
        theirs.append(_timed(screenplain_parse))
    return [
        ("parse Big Fish → IR (filmc)", statistics.median(ours) * 1e3, min(ours) * 1e3, "ms"),
        ("check Big Fish, in-process (filmc)", statistics.median(checks) * 1e3, min(checks) * 1e3, "ms"),
        ("parse Big Fish (screenplain)", statistics.median(theirs) * 1e3, min(theirs) * 1e3, "ms"),
    ]


def _process(argv: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed with status {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def bench_process(rounds: int) -> list[tuple[str, float, float, str]]:
    rows = []
    filmc = [sys.executable, "-m", "filmc", "check", str(BIG_FISH), "--format", "short"]
    screenplain = shutil.which("screenplain")
    peers = [("filmc check Big Fish (process)", filmc)]
    if screenplain:
        peers.append(("screenplain Big Fish → HTML (process)", [screenplain, "--format", "html", str(BIG_FISH), os.devnull]))
    for label, argv in peers:
        _process(argv)  # warm the file cache and lark's grammar cache
        runs = [_process(argv) for _ in range(rounds)]
        rows.append((label, statistics.median(r[0] for r in runs) * 1e3, min(r[0] for r in runs) * 1e3, "ms"))
        rows.append((label.replace("(process)", "peak memory"), max(r[1] for r in runs), min(r[1] for r in runs), "MiB"))
    return rows


def _own_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=21, help="in-process rounds (processes: a third)")
    args = parser.parse_args()
    if not BIG_FISH.exists():
        raise SystemExit(f"the corpus is not at {CORPUS}: these benchmarks need ../shared beside the repository")
    # Processes first, while this one is small: a child's peak memory counts from the fork,
    # when it still shares the parent's pages, so a large parent would inflate both peers.
    floor = _own_rss_mib()
    process_rows = bench_process(max(3, args.rounds // 3))
    rows = bench_parse(args.rounds) + process_rows
    print(f"{'benchmark':<44} {'median':>10} {'best':>10}  unit")
    print("-" * 72)
    for label, median, best, unit in rows:
        if unit == "MiB":
            print(f"{label:<44} {median:>10.1f} {best:>10.1f}  {unit} (max / min)")
        else:
            print(f"{label:<44} {median:>10.1f} {best:>10.1f}  {unit}")
    ours, checked, theirs = rows[0][1], rows[1][1], rows[2][1]
    print(f"(a process's peak memory counts from the fork, so this benchmark's {floor:.0f} MiB is a floor for both)")
    print(f"\nparse-to-IR / screenplain parse (medians): {ours / theirs:.2f}x  (target: at most 1.00x)")
    print(f"check / screenplain parse (medians):       {checked / theirs:.2f}x  (target: at most 2.00x)")


if __name__ == "__main__":
    main()
