"""The front-end driver: read a file, parse and lower it, run the passes, collect diagnostics.

The one place where stages are called in order and where failures of the whole run (a file
that cannot be read) become diagnostics, like Jinja's `Environment.compile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import diagnostics as codes
from .diagnostics import Diagnostic, Reporter
from .ir import Film
from .lower import lower
from .source import SourceFile, Span


@dataclass
class Result:
    """What compiling one script gives: the film (None if unreadable) and all diagnostics."""

    film: Film | None
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, SourceFile] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return codes.has_errors(self.diagnostics)


def compile_source(source: SourceFile) -> Result:
    """Parse and lower an already-read source."""
    reporter = Reporter()
    film = lower(source, reporter)
    return Result(film, reporter.sorted(), {source.path: source})


def compile_text(text: str, path: str = "<text>") -> Result:
    """Compile a script given as text (tests, editors)."""
    return compile_source(SourceFile.from_bytes(path, text.encode("utf-8", errors="surrogatepass")))


def compile_file(path: Path, display: str | None = None) -> Result:
    """Read and compile a script file; a file that cannot be read is an io-error diagnostic."""
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
    return compile_source(source)
