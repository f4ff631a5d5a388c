"""The writer's commands `fmt` and `export` (registered on `filmc` by cli.py; `new` and `watch`
are in scaffold.py, `diff` in filmdiff.py)."""

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
            for line in difflib.unified_diff(before, result.text.splitlines(keepends=True),
                                             f"{shown}", f"{shown} (formatted)"):
                click.echo(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n", nl=False)
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
    """Replace a file's bytes atomically, keeping its permissions; through a symbolic link,
    the file it points to is replaced and the link kept."""
    import tempfile

    path = path.resolve()
    mode = path.stat().st_mode & 0o7777
    fd, staged = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".filmc-fmt")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(staged, mode)
        os.replace(staged, path)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--to", "kind", required=True, metavar="KIND",
              type=click.Choice(["fountain", "otio", "edl", "fcpxml", "srt", "vtt", "shotlist", "storyboard", "stats"]),
              help="fountain, otio, edl, fcpxml, srt, vtt, shotlist (CSV), storyboard (.html or .pdf), stats "
                   "(text, or JSON for a .json OUT).")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Where to write (default: beside FILE, e.g. NAME.otio, NAME.shots.csv); `-` for standard output.")
@click.option("--draft", is_flag=True, help="Use the draft build's media and frame rate (`filmc build --draft`).")
@click.option("--force", is_flag=True, help="Overwrite OUT even if filmc did not write it.")
def export(file: str, kind: str, out: str | None, draft: bool, force: bool) -> None:
    """Export FILE for other tools: plain Fountain, an NLE timeline, subtitles, a shot list,
    a storyboard, or statistics.

    Timelines and storyboards show what is built (run `filmc build` first); the rest need only
    the script. Nothing is generated and nothing is spent.
    """
    from .build import may_overwrite, outputs_of, remember
    from .export import KINDS

    suffix, streamable = KINDS[kind]
    script = Path(file)
    if out == "-" and not streamable:
        raise click.UsageError(f"--to {kind} writes a file; give -o a path")
    target = None if out == "-" else Path(out) if out else script.with_name(script.stem + suffix)
    if target is not None and out is None and target.resolve() == script.resolve():
        target = script.with_name(script.stem + ".plain" + suffix)  # `x.fountain` exported to Fountain
    if kind == "storyboard" and target.suffix.lower() not in (".html", ".htm", ".pdf"):
        raise click.UsageError("a storyboard is written as .html or .pdf; give -o NAME.html or NAME.pdf")
    content: str | None = None
    warnings: list[str] = []
    if kind == "fountain":
        content, prepared = _fountain(file), None
        project, cache = outputs_of(script, file)
    else:
        from .cli import _prepare
        from .plan import Options

        prepared = _prepare(file, "human", options=Options(draft=draft))
        project, cache = prepared.project, prepared.cache
    if target is not None:
        if target.is_dir():
            raise click.ClickException(f"`{target}` is a folder; give -o a file name")
        if not force and not may_overwrite(project, cache, target):
            raise click.ClickException(f"`{target}` exists and filmc did not write it; use --force to overwrite "
                                       "it, or -o to write elsewhere")
    if kind == "storyboard":
        from .export import storyboard

        warnings = storyboard.write(prepared, target)
    elif kind in ("otio", "edl", "fcpxml"):
        from .export import timeline

        try:
            content, warnings, copies = timeline.write(prepared, kind, target)
            timeline.copy_media(copies, lambda path: force or may_overwrite(project, cache, path),
                                lambda path: remember(project, cache, path))
        except timeline.ExportError as exc:
            raise click.ClickException(str(exc)) from None
    elif kind in ("srt", "vtt"):
        from . import subtitles

        cues = subtitles.cues(prepared.plan.shots, prepared.plan.fps)
        content = subtitles.srt(cues) if kind == "srt" else subtitles.vtt(cues)
    elif kind == "shotlist":
        from .export import shotlist

        content = shotlist.text(prepared)
    elif kind == "stats":
        from .export import stats

        content = stats.text(prepared, as_json=target is not None and target.suffix.lower() == ".json")
    if content is not None:
        if target is None:
            click.echo(content, nl=False)
        else:
            from .cache import write_atomic

            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, content)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if target is not None:
        remember(project, cache, target)
        click.echo(f"wrote {target}", err=True)


def _fountain(file: str) -> str:
    from .driver import parse_source
    from .export import fountain
    from .source import SourceFile

    try:
        source = SourceFile.read(Path(file), file)
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror or exc}") from None
    if source.problems:
        raise click.ClickException(f"{file}: {_decode_problem(source)}; nothing exported")
    result = parse_source(source)
    return fountain.text(result.film)
