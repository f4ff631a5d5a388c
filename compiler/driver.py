"""The front-end driver: read a file, parse and lower it, run the passes, collect diagnostics.

The one place where stages are called in order and where failures of the whole run (a file
that cannot be read) become diagnostics, like Jinja's `Environment.compile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import diagnostics as codes
from .diagnostics import Diagnostic, Reporter
from .includes import gather
from .ir import Film, Symbols
from .lower import lower
from .passes import Context, run_all
from .project import Project, default_project, load_project
from .source import SourceFile, Span


@dataclass
class Result:
    """What compiling one script gives: the film (None if unreadable) and all diagnostics."""

    film: Film | None
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, SourceFile] = field(default_factory=dict)
    symbols: Symbols = field(default_factory=Symbols)
    project: Project | None = None

    @property
    def has_errors(self) -> bool:
        return codes.has_errors(self.diagnostics)


def compile_source(source: SourceFile, script: Path | None = None) -> Result:
    """Parse, lower and check an already-read source. `script` is where it lives on disk,
    which decides its project; a script given only as text belongs to the current folder."""
    reporter = Reporter()
    film = lower(source, reporter)
    sources = {source.path: source}
    if script is None:
        script = Path.cwd() / "script.film"
        project = default_project(Path.cwd())
    else:
        project = load_project(script, reporter, source.path)
        sources.update(project.sources)
    declarations = gather(film, script, project, reporter, sources)
    ctx = Context(film=film, project=project, reporter=reporter, sources=sources, declarations=declarations)
    symbols = run_all(ctx)
    if (project.root / "prompts").is_dir() and not reporter.has_errors:
        # The project overrides prompt templates: render every prompt once, so that a broken
        # template is found by `check`, before a build pays for anything.
        from .plan import make_plan

        make_plan(film, symbols, project, reporter, sources)
    return Result(film, reporter.sorted(), sources, symbols, project)


def parse_source(source: SourceFile) -> Result:
    """Only the front end: parse and lower, with the diagnostics of the syntax (what
    `filmc parse` reports); no project, includes or checks."""
    reporter = Reporter()
    film = lower(source, reporter)
    return Result(film, reporter.sorted(), {source.path: source})


def parse_text(text: str, path: str = "<text>") -> Result:
    """The front end on a script given as text."""
    return parse_source(SourceFile.from_bytes(path, text.encode("utf-8", errors="surrogatepass")))


def compile_text(text: str, path: str = "<text>") -> Result:
    """Compile a script given as text (tests, editors)."""
    return compile_source(SourceFile.from_bytes(path, text.encode("utf-8", errors="surrogatepass")))


def compile_file(path: Path, display: str | None = None, checks: bool = True) -> Result:
    """Read and compile a script file; a file that cannot be read is an io-error diagnostic.
    With `checks` false, only the front end runs (see `parse_source`)."""
    shown = display or str(path)
    try:
        source = SourceFile.read(path, shown)
    except OSError as exc:
        reporter = Reporter()
        reason = exc.strerror or str(exc)
        if path.is_dir():
            reason = "it is a directory"
        reporter.report(
            codes.IO_ERROR,
            Span(file=shown, line=1, column=1, end_line=1, end_column=1),
            f"cannot read `{shown}`: {reason}",
            ("check the path and its permissions",),
        )
        return Result(None, reporter.sorted(), {})
    return compile_source(source, path) if checks else parse_source(source)
