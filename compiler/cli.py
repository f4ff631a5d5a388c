"""The `filmc` command line: thin click commands over the driver.

Exit status: 0 when all went well, 1 when the script has errors, 2 for a usage error (click's
own convention for bad options and arguments), 3 for an internal error (a bug in filmc).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click

from .. import __version__
from . import diagnostics
from .driver import Result, compile_file

_FORMATS = click.Choice(["human", "short", "json"])


class _Group(click.Group):
    """Turns an unexpected exception into one line instead of a traceback.

    Bad input never gets here (it becomes diagnostics); this is for filmc's own bugs, which
    should still read as a message a user can report.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
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
