"""The writer's commands: `fmt`, `export`, `new` and `watch` (registered on `filmc` by cli.py)."""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

import click

# Folders `fmt DIR` does not walk into: caches, virtual environments, version control.
_SKIPPED_DIRS = {".filmc", ".git", ".venv", "venv", "node_modules", "__pycache__"}


def _scripts(paths: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
                found += [Path(root) / f for f in sorted(files) if f.endswith(".film")]
        else:
            found.append(path)
    return found


@click.command("fmt")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 and list the files that would change (for CI).")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what would change as a unified diff.")
def fmt(files: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Write FILES (or every .film under a folder) in the canonical spelling.

    Annotations, the title page and blank lines are normalised; the screenplay reads exactly
    as before (fmt checks that, and leaves a file alone otherwise). `-` formats standard input
    to standard output, for an editor's format-on-save.
    """
    from .fmt import format_source
    from .source import SourceFile

    if files == ("-",):
        data = sys.stdin.buffer.read()
        source = SourceFile.from_bytes("<stdin>", data)
        if source.problems:
            raise click.ClickException(f"<stdin>: {_decode_problem(source)}; nothing formatted")
        result = format_source(source)
        sys.stdout.buffer.write(_encoded(result.text, data))
        if check and result.changed:
            sys.exit(1)
        return
    changed = failed = unchanged = 0
    for path in _scripts(files):
        shown = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            click.echo(f"error: cannot read {shown}: {exc.strerror or exc}", err=True)
            failed += 1
            continue
        source = SourceFile.from_bytes(shown, data)
        if source.problems:
            click.echo(f"error: {shown}: {_decode_problem(source)}; left unchanged", err=True)
            failed += 1
            continue
        result = format_source(source)
        if result.unsafe:
            click.echo(f"error: {shown}: left unchanged: {result.unsafe} (a bug in filmc fmt; please report it "
                       "with the file)", err=True)
            failed += 1
            continue
        new = _encoded(result.text, data)
        if new == data:
            unchanged += 1
            continue
        changed += 1
        if show_diff:
            before = data.decode("utf-8-sig").replace("\r\n", "\n").splitlines(keepends=True)
            click.echo("".join(difflib.unified_diff(before, result.text.splitlines(keepends=True),
                                                    f"{shown}", f"{shown} (formatted)")), nl=False)
        elif check:
            click.echo(f"would reformat {shown}")
        else:
            if path.read_bytes() != data:
                click.echo(f"error: {shown} changed while it was being formatted; left as it is now", err=True)
                failed += 1
                changed -= 1
                continue
            _replace(path, new)
            click.echo(f"reformatted {shown}", err=True)
    verb = "would be reformatted" if check or show_diff else "reformatted"
    parts = [f"{changed} file{'s' * (changed != 1)} {verb}", f"{unchanged} left unchanged"]
    if failed:
        parts.append(f"{failed} could not be formatted")
    click.echo(", ".join(parts) + ".", err=True)
    if failed or ((check or show_diff) and changed):
        sys.exit(1)


def _decode_problem(source) -> str:
    problem = source.problems[0]
    line, column = source.position(problem.offset)
    what = "binary (a NUL byte)" if problem.kind == "binary" else f"not UTF-8 ({problem.detail})"
    return f"{line}:{column}: the file is {what}"


def _encoded(text: str, original: bytes) -> bytes:
    """The text in the original file's conventions: its byte-order mark and CRLF line ends."""
    bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
    first = original.find(b"\n")
    crlf = first > 0 and original[first - 1:first] == b"\r"
    return bom + (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")


def _replace(path: Path, data: bytes) -> None:
    """Replace a file's bytes atomically, keeping its permissions."""
    mode = path.stat().st_mode & 0o7777
    staged = path.with_name(f".{path.name}.filmc-fmt")
    staged.write_bytes(data)
    os.chmod(staged, mode)
    os.replace(staged, path)

