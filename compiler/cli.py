"""The `filmc` command line: thin click commands over the driver.

Exit status: 0 when all went well, 1 when the script has errors, 2 for a usage error (click's
own convention for bad options and arguments), 3 for an internal error (a bug in filmc).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
from pathlib import Path

import click

from .. import __version__
from . import diagnostics
from .driver import Result, compile_file

_FORMATS = click.Choice(["human", "short", "json"])


# Commands in modules of their own, imported when one of them runs (or `--help` lists them),
# so that the others start no slower: name → (module, attribute).
_ELSEWHERE = {
    "fmt": ("cli_tools", "fmt"), "export": ("cli_tools", "export"), "diff": ("filmdiff", "command"),
    "new": ("scaffold", "new"), "watch": ("scaffold", "watch"),
}


class _Group(click.Group):
    """Turns an unexpected exception into one line instead of a traceback.

    Bad input never gets here (it becomes diagnostics); this is for filmc's own bugs, which
    should still read as a message a user can report.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *_ELSEWHERE])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in _ELSEWHERE:
            import importlib

            module, attribute = _ELSEWHERE[name]
            return getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:
            # The reader went away (`filmc graph FILE | head`): stop quietly, as cat does.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            click.echo(f"filmc: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("This is a bug in filmc; please report it with the input that caused it.", err=True)
            sys.exit(3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="filmc")
def main() -> None:
    """filmc compiles .film screenplays (Fountain with film annotations) into films."""


def _script(path: str) -> Path:
    return Path(path)


def _emit(result: Result, fmt: str, stream=None) -> None:
    """Print a result's diagnostics in a format, with a tally for people."""
    stream = stream or sys.stderr
    if fmt == "json":
        click.echo(diagnostics.render(result.diagnostics, "json", result.sources), file=stream)
        return
    if result.diagnostics:
        click.echo(diagnostics.render(result.diagnostics, fmt, result.sources), file=stream)
    if fmt == "human" and result.diagnostics:
        click.echo(f"\n{diagnostics.summary(result.diagnostics)}", file=stream)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the parsed screenplay as JSON.")
@click.option("--format", "fmt", type=_FORMATS, default="human", show_default=True,
              help="How to print diagnostics (on standard error).")
def parse(file: str, as_json: bool, fmt: str) -> None:
    """Parse FILE and print its screenplay elements (syntax problems only; `check` runs the rest)."""
    result = compile_file(_script(file), file, checks=False)
    _emit(result, fmt)
    if result.film is None:
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(result.film.to_json(), indent=2, ensure_ascii=False))
    else:
        for element in result.film.elements():
            text = element.text.replace("\n", " / ")
            click.echo(f"{element.span.line:>5}  {element.type:<14} {text}")
    sys.exit(1 if result.has_errors else 0)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", type=_FORMATS, default="human", show_default=True,
              help="human: rustc-style with source lines; short: one line each; json: a list.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (for CI): any warning makes the exit status 1.")
def check(file: str, fmt: str, strict: bool) -> None:
    """Check FILE and report every problem; exit 1 if there are errors."""
    result = compile_file(_script(file), file)
    if strict:
        result = dataclasses.replace(result, diagnostics=diagnostics.promote_warnings(result.diagnostics))
    # JSON goes to stdout for tools; human and short output are diagnostics, on stderr.
    _emit(result, fmt, sys.stdout if fmt == "json" else sys.stderr)
    if fmt == "human" and not result.diagnostics:
        click.echo(f"{file}: no problems", err=True)
    sys.exit(1 if result.has_errors else 0)


# ---- planning and building -----------------------------------------------------------------


def _prepare(file: str, fmt: str, outputs: list[str] | None = None, options=None):
    """Compile and plan FILE; on errors print them and exit 1. Warnings are printed as `check`
    prints them (on stderr), so a build never hides what check would say."""
    from .build import prepare
    from .plan import DEFAULT_OPTIONS

    prepared, result = prepare(_script(file), file, outputs, options or DEFAULT_OPTIONS)
    if prepared is None:
        _emit(result, fmt)
        if result.film is not None and not result.has_errors:  # pragma: no cover - defensive
            sys.exit(3)
        click.echo(f"{file}: not planned, because of the errors above", err=True)
        sys.exit(1)
    if result.diagnostics and fmt != "json":
        _emit(result, fmt)
    return prepared


def _money(value: float) -> str:
    """Dollars as people write them; amounts under a cent keep their digits ($0.004, not $0.00)."""
    return f"${value:,.2f}" if value == 0 or value >= 0.01 else f"${value:.4g}"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds, 1), 60)
    return f"{int(minutes)}:{rest:04.1f}" if minutes else f"{rest:.1f}s"


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (tasks, to_run, cached, by_kind, ...).")
@click.option("--draft", is_flag=True, help="Plan the draft render (`filmc build --draft`).")
@click.option("--format", "fmt", type=_FORMATS, default="human", show_default=True,
              help="How to print diagnostics (on standard error).")
def plan(file: str, as_json: bool, draft: bool, fmt: str) -> None:
    """Show what building FILE would make: its shots, tasks, cost and length."""
    from .build import status
    from .plan import Options

    prepared = _prepare(file, fmt, options=Options(draft=draft))
    summary = status(prepared)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    shots = prepared.plan.shots
    click.echo(f"{'shot':>7}  {'start':>7}  {'length':>6}  {'framing':<18} {'on screen':<24} {'move':<10} what")
    for shot in shots.shots:
        who = ", ".join(prepared.result.symbols.cast[k].name for k in shot.subjects) or "-"
        said = "; ".join(f"{s.name}: {s.text}" for s in shot.speeches)
        what = shot.card or shot.action or said
        if said and shot.action:  # a line over the action (a voice-over): show both
            what = _cut(shot.action, 30) + " / " + said
        mark = "" if shot.annotated else "*"
        click.echo(f"{shot.id + mark:>7}  {_clock(shot.start_s):>7}  {shot.duration_s:>5.1f}s  {shot.framing:<18} "
                   f"{_cut(who, 24):<24} {shot.move:<10} {_cut(what, 60)}")
    click.echo("  (* inferred by the coverage rules)")
    click.echo("")
    kinds = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in summary["by_kind"].items())
    click.echo(f"{summary['shots']} shots, {_clock(summary['runtime_seconds'])} of film")
    click.echo(f"{summary['tasks']} tasks: {kinds}")
    click.echo(f"{summary['to_run']} to run, {summary['cached']} cached; estimated cost {_money(summary['estimated_cost_usd'])}"
               f" (the whole film: {_money(summary['full_cost_usd'])})")
    click.echo("backends: " + ", ".join(f"{cap} {name}" for cap, name in summary["backends"].items()))


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--dot", is_flag=True, help="Print the graph in Graphviz DOT (for `dot -Tsvg`).")
@click.option("--format", "fmt", type=_FORMATS, default="human", show_default=True,
              help="How to print diagnostics (on standard error).")
def graph(file: str, dot: bool, fmt: str) -> None:
    """Print the shot graph of FILE: every task, what it needs, and whether it is cached."""
    from .execute import stale

    prepared = _prepare(file, fmt)
    to_run, _ = stale(prepared.plan, prepared.cache)
    stale_ids = {t.id for t in to_run}
    tasks = prepared.plan.graph
    if not dot:
        for task in tasks:
            state = "to run" if task.id in stale_ids else "cached"
            needs = ", ".join(f"{role}={source}" for role, source in task.inputs)
            click.echo(f"{task.id}  [{task.kind}, {task.backend}, {state}] {task.key[:12]}" + (f"  <- {needs}" if needs else ""))
        return
    click.echo("digraph film {")
    click.echo('  graph [rankdir=LR, fontname="Helvetica"];')
    click.echo('  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];')
    for task in tasks:
        fill = _DOT_COLOURS.get(task.kind, "white")
        style = ', color="red", penwidth=2' if task.id in stale_ids else ""
        label = f"{task.id}\\n{task.kind} · {task.backend}"
        click.echo(f"  {_dot_id(task.id)} [label={_dot_id(label)}, fillcolor={_dot_id(fill)}{style}];")
    for task in tasks:
        for role, source in task.inputs:
            click.echo(f"  {_dot_id(source)} -> {_dot_id(task.id)} [label={_dot_id(role)}, fontsize=8];")
    click.echo("}")


_DOT_COLOURS = {
    "character_sheet": "#f6d5c1", "set_plate": "#d7e8c8", "keyframe": "#fbeeb8", "clip": "#c9dcf0",
    "voice_line": "#e3d3ef", "music_cue": "#f2d0e0", "segment": "#e6e6e6", "film": "#bfbfbf",
}


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\n", "\\n") + '"'


def _finite(ctx, param, value):
    if value is not None and not math.isfinite(value):
        raise click.BadParameter("give an amount of dollars, like 20 or 2.50")
    return value


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Where to write the film (default: the script's name with .mp4, beside it).")
@click.option("--max-cost", type=click.FloatRange(min=0), default=None, metavar="USD", callback=_finite,
              help="Refuse to start if the estimated cost of what is to run exceeds USD (overrides [budget] in film.toml).")
@click.option("--force", is_flag=True, help="Overwrite the output even if filmc did not write it.")
@click.option("--draft", is_flag=True,
              help="Render a quick preview at the draft size and frame rate of [output] (default: NAME.draft.mp4).")
@click.option("--burn-subtitles", is_flag=True, help="Draw the dialogue into the picture too (the .srt is written anyway).")
@click.option("--format", "fmt", type=_FORMATS, default="human", show_default=True,
              help="How to print diagnostics (on standard error).")
def build(file: str, out: str | None, max_cost: float | None, force: bool, draft: bool, burn_subtitles: bool,
          fmt: str) -> None:
    """Build FILE into a film: run what is not cached yet, and write the film to OUTPUT, with
    its subtitles beside it (OUTPUT with .srt)."""
    from . import build as builder
    from .execute import stale
    from .plan import Options

    prepared = _prepare(file, fmt, options=Options(draft=draft, burn_subtitles=burn_subtitles))
    target = Path(out) if out else _script(file).with_suffix(".draft.mp4" if draft else ".mp4")
    subtitles = target.with_suffix(".srt")
    to_run, _ = stale(prepared.plan, prepared.cache)
    summary = builder.status(prepared, to_run)
    cap = max_cost if max_cost is not None else prepared.project.config.budget.max_cost_usd
    if cap is not None and summary["estimated_cost_usd"] > cap + 1e-9:
        click.echo(f"filmc: not building: the estimated cost is {_money(summary['estimated_cost_usd'])} for "
                   f"{summary['to_run']} tasks, over the limit of {_money(cap)}"
                   + (" (--max-cost)" if max_cost is not None else " ([budget] max_cost_usd in film.toml)"), err=True)
        click.echo("  `filmc plan` shows what would run; raise the limit, or build fewer shots.", err=True)
        sys.exit(1)
    blocked = builder.unavailable(prepared, to_run)
    if blocked:
        for name, reason in blocked.items():
            click.echo(f"filmc: the `{name}` backend cannot run here: {reason}", err=True)
        sys.exit(1)
    if not prepared.plan.shots.shots:
        click.echo(f"filmc: not building: `{file}` has no shots (no action, dialogue or [[shot]] under a heading)",
                   err=True)
        sys.exit(1)
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or target.is_dir():
        click.echo(f"filmc: not building: cannot write the film to `{target}` ({folder} is not a folder)", err=True)
        sys.exit(1)
    for output in (target, subtitles):
        if not force and not builder.may_write(prepared, output):
            click.echo(f"filmc: not building: `{output}` exists and filmc did not write it; "
                       "use --force to overwrite it, or -o to write elsewhere", err=True)
            sys.exit(1)
    from .cache import CacheError

    progress = _progress(summary["to_run"])
    try:
        with builder.exclusive(prepared):
            outcome = builder.run(prepared, progress, progress.status)
    except (builder.Busy, CacheError) as exc:
        click.echo(f"filmc: not building: {exc}", err=True)
        sys.exit(1)
    finally:
        progress.close()
    if outcome.failed:
        click.echo(f"{len(outcome.failed)} {'task' if len(outcome.failed) == 1 else 'tasks'} failed "
                   "(the next `filmc build` retries only these):", err=True)
    for note in builder.outcome_notes(prepared, outcome):
        click.echo(note, err=True)
    made = f"{len(outcome.built)} made, {len(outcome.cached)} cached"
    if outcome.interrupted:
        click.echo(f"interrupted: {made}; what was made is kept, and `filmc build` carries on from there", err=True)
        sys.exit(130)
    if not outcome.ok or builder.film_entry(prepared, outcome) is None:
        click.echo(f"{file}: the film is not complete ({made}, {len(outcome.failed)} failed); "
                   "`filmc build` again retries only what failed", err=True)
        sys.exit(1)
    if not prepared.cache.verify(builder.film_entry(prepared, outcome)):
        click.echo(f"{file}: the finished film in the cache was damaged; filmc removed it, and `filmc build` "
                   "makes it again", err=True)
        sys.exit(1)
    builder.write_film(prepared, outcome, target)
    builder.write_subtitles(prepared, subtitles)
    click.echo(f"{target}: {_clock(prepared.plan.runtime_s)} of film ({made}); subtitles in {subtitles}", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the backends as JSON (one object each).")
def backends(as_json: bool) -> None:
    """List the installed backends: what each makes and takes, and whether its credentials are set."""
    from ..backends import registry

    rows = [_backend_row(name) for name in registry.installed()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        head = f"{row['name']}" + (f"  ({row['package']})" if row["package"] else "")
        if row["problem"]:
            click.echo(f"{head}\n  broken: {row['problem']} (skipped; films that name it use `local`)\n")
            continue
        takes = [word for word, key in (("reference images", "reference_images"), ("seeds", "seeds"),
                                        ("a first frame", "first_frame"), ("a last frame", "last_frame"),
                                        ("the lines around a line", "line_context")) if row[key]]
        click.echo(head)
        click.echo(f"  makes: {', '.join(row['produces']) or 'nothing'}"
                   + (f"; clips up to {row['max_clip_s']:g}s" if row["max_clip_s"] else ""))
        click.echo(f"  takes: {', '.join(takes) or 'prompts only'}")
        if row["credentials"]:
            said = ", ".join(f"{env} {'set' if ok else 'missing'}" for env, ok in row["credentials"].items())
            click.echo(f"  credentials: {said}")
        click.echo(f"  ready: {'yes' if row['ready'] else 'no: ' + row['why_not']}")
        click.echo("")


def _backend_row(name: str) -> dict:
    """What `filmc backends` says of one backend. Credentials are named with whether they are
    set, never shown."""
    from ..backends import registry

    row = {"name": name, "package": registry.package(name), "problem": registry.problem(name)}
    loaded = registry.load(name)
    if loaded is None:
        return {**row, "problem": row["problem"] or "it fails to load", "ready": False}
    caps = loaded.capabilities
    credentials = {env: bool(os.environ.get(env)) for env in getattr(loaded, "CREDENTIALS", ())}
    row.update(produces=sorted(caps.produces), max_clip_s=caps.max_clip_s, reference_images=caps.reference_images,
               seeds=caps.seeds, first_frame=caps.first_frame, last_frame=caps.last_frame,
               line_context=caps.line_context, credentials=credentials)
    try:
        why = loaded({}).unavailable()
    except Exception as exc:  # noqa: BLE001 - a backend that needs settings to start
        why = f"it needs settings in film.toml to start ({exc})"
    row.update(ready=why is None, why_not=why)
    return row


class _Lines:
    """Progress for a log: one line a finished task."""

    def __init__(self, total: int) -> None:
        self.total, self.count = total, 0

    def __call__(self, task, what: str, seconds: float) -> None:
        if what in ("built", "failed"):
            self.count += 1
            click.echo(f"[{self.count}/{self.total}] {what} {task.id} ({task.backend}, {seconds:.1f}s)", err=True)

    def status(self, task, text: str) -> None:
        """A log gets one line a task, when it ends; states in between are for terminals."""

    def close(self) -> None:
        pass


class _Bar:
    """Progress on a terminal: a rich progress bar, stopped however the build ends."""

    def __init__(self, total: int, console) -> None:
        import time

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console, self.total, self.count, self.started = console, total, 0, time.monotonic()
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console, transient=True)
        self.bar = self.progress.add_task("building", total=total)
        self.rows: dict[str, int] = {}
        self.progress.start()

    def __call__(self, task, what: str, seconds: float) -> None:
        self.count += what in ("built", "failed", "skipped")
        self.progress.update(self.bar, completed=self.count, description=f"{what} {task.id}")
        row = self.rows.pop(task.id, None)
        if row is not None:
            self.progress.remove_task(row)

    def status(self, task, text: str) -> None:
        """A long task's state from its backend ("queued at Runway", "running 40%"): a row of
        its own under the bar while it runs."""
        row = self.rows.get(task.id)
        label = f"  {task.id}: {text}"
        if row is None:
            self.rows[task.id] = self.progress.add_task(label, total=None)
        else:
            self.progress.update(row, description=label)

    def close(self) -> None:
        import time

        self.progress.stop()
        self.console.print(f"ran {self.count} of {self.total} tasks in {time.monotonic() - self.started:.1f}s",
                           highlight=False)


def _progress(total: int):
    """A listener that shows each task as it ends: a rich progress bar on a terminal, one
    line a task in a log."""
    from rich.console import Console

    console = Console(stderr=True)
    return _Bar(total, console) if console.is_terminal and total else _Lines(total)

