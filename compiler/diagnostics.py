"""Diagnostics: the registry of stable codes, the Diagnostic record, and its renderings.

Every problem filmc reports has a code from `CODES`, registered once with its default severity
and a one-line summary (docs/DIAGNOSTICS.md shows an example of each). Passes collect
diagnostics into a `Reporter` and keep going, so one run shows every problem.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from rapidfuzz.distance import OSA

from .source import SourceFile, Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Code:
    """A registered diagnostic code: a kebab-case slug, its default severity and a summary."""

    slug: str
    severity: Severity
    summary: str


CODES: dict[str, Code] = {}


def _register(slug: str, severity: Severity, summary: str) -> str:
    if slug in CODES:
        raise ValueError(f"diagnostic code {slug!r} registered twice")
    CODES[slug] = Code(slug, severity, summary)
    return slug


E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE

# Files and bytes
IO_ERROR = _register("io-error", E, "a file could not be read")
BINARY_FILE = _register("binary-file", E, "the file is not text (it holds NUL bytes)")
INVALID_UTF8 = _register("invalid-utf8", E, "the file is not valid UTF-8")
# Fountain structure
UNCLOSED_BONEYARD = _register("unclosed-boneyard", W, "a /* boneyard has no closing */")
UNCLOSED_NOTE = _register("unclosed-note", W, "a [[ note has no closing ]] in its paragraph")
LONE_DUAL_DIALOGUE = _register("lone-dual-dialogue", W, "a ^ dual-dialogue cue does not follow another dialogue")
EMPTY_SCRIPT = _register("empty-script", W, "the script has no screenplay elements")
# Film annotations
ANNOTATION_SYNTAX = _register("annotation-syntax", E, "a film annotation does not parse")
UNKNOWN_FIELD = _register("unknown-field", W, "a declaration has a field filmc does not know")
DUPLICATE_FIELD = _register("duplicate-field", W, "a declaration gives the same field twice")
INVALID_VALUE = _register("invalid-value", E, "an annotation value is out of range or malformed")
CONFLICTING_TERMS = _register("conflicting-terms", E, "a shot or music cue is given two of one thing (two framings, two tempos)")
CAPITALIZED_KEYWORD = _register("capitalized-keyword", W, "a note reads as a film annotation but its keyword is capitalised")
INVALID_TITLE_KEY = _register("invalid-title-key", E, "a film title-page key has a malformed value")
# Project files and references
MISSING_FILE = _register("missing-file", E, "an include or a reference image names a file that does not exist")
OUTSIDE_PROJECT = _register("outside-project", E, "an include or a reference image is outside the project folder")
INCLUDE_CONTENT = _register("include-content", W, "an included file holds screenplay text, which the film leaves out")
INVALID_CONFIG = _register("invalid-config", E, "film.toml does not parse, or a setting in it is unknown or invalid")
# Names: characters and sets
MISSPELLED_NAME = _register("misspelled-name", W, "a name is probably a misspelling of another character or set")
MISSPELLED_EXTENSION = _register("misspelled-extension", W, "a cue extension is probably a misspelling of V.O., O.S., O.C. or CONT'D")
UNKNOWN_NAME = _register("unknown-name", E, "an annotation names a character who is nowhere in the film")
UNDECLARED_CHARACTER = _register("undeclared-character", W, "a character appears without a declaration or an introduction")
UNDECLARED_SET = _register("undeclared-set", W, "a scene's location is not one of the declared sets")
UNUSED_DECLARATION = _register("unused-declaration", W, "a character or set is declared but never appears")
DUPLICATE_DECLARATION = _register("duplicate-declaration", W, "a character or set is declared twice, or a name means two things")
CONFLICTING_LOOK = _register("conflicting-look", E, "a character or set is declared twice with different details")
UNDECLARED_WARDROBE_CHANGE = _register("undeclared-wardrobe-change", W, "the action changes a character's clothes without a [[wardrobe]]")
# Scenes: time, place, who is there, timing
TIME_CONTRADICTION = _register("time-contradiction", W, "a continuous scene or shot changes the time of day")
INCOMPLETE_HEADING = _register("incomplete-heading", W, "a scene heading has no location or no time of day")
SPEAKER_NOT_PRESENT = _register("speaker-not-present", W, "a character speaks in a scene they are not in")
SUBJECT_NOT_IN_SCENE = _register("subject-not-in-scene", W, "a shot is on a character who is not in the scene")
DIALOGUE_TOO_LONG = _register("dialogue-too-long", W, "a speech cannot be said in its shot's duration at a natural pace")
SHOT_WILL_BE_SPLIT = _register("shot-will-be-split", N, "a shot is longer than the video backend's longest clip, so it will be split")
# Planning
TEMPLATE_ERROR = _register("template-error", E, "a prompt template does not parse or uses a name it is not given")

del E, W, N


class Diagnostic(BaseModel):
    """One problem: severity, stable code, where, what, and how to fix it."""

    model_config = ConfigDict(frozen=True)

    severity: Severity
    code: str
    span: Span
    message: str
    hints: tuple[str, ...] = ()

    def sort_key(self) -> tuple:
        s = self.span
        return (s.file, s.line, s.column, s.end_line, s.end_column, self.code, self.message)

    def to_json(self) -> dict:
        s = self.span
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": s.file,
            "line": s.line,
            "column": s.column,
            "end_line": s.end_line,
            "end_column": s.end_column,
            "hints": list(self.hints),
        }


class Reporter:
    """Collects diagnostics for one compilation; passes report and continue."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def report(
        self,
        code: str,
        span: Span,
        message: str,
        hints: Iterable[str] = (),
        severity: Severity | None = None,
    ) -> None:
        self._items.append(
            Diagnostic(
                severity=severity or CODES[code].severity,
                code=code,
                span=span,
                message=message,
                hints=tuple(hints),
            )
        )

    def sorted(self) -> tuple[Diagnostic, ...]:
        """The diagnostics sorted by position, exact duplicates removed."""
        unique = {d.sort_key() + (d.severity.value, d.hints): d for d in self._items}
        return tuple(sorted(unique.values(), key=Diagnostic.sort_key))

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self._items)


def promote_warnings(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The diagnostics with every warning made an error (`filmc check --strict`)."""
    return tuple(
        d.model_copy(update={"severity": Severity.ERROR}) if d.severity is Severity.WARNING else d for d in diagnostics
    )


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


# ---- rendering ---------------------------------------------------------------------------

def render_short(diagnostic: Diagnostic) -> str:
    """`file:line:col: severity[code]: message`, one line, for editors and greps."""
    s = diagnostic.span
    return f"{s.file}:{s.line}:{s.column}: {diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}"


def render_human(diagnostic: Diagnostic, sources: dict[str, SourceFile]) -> str:
    """rustc-style: the header, the source line with a caret under the span, then the hints."""
    s = diagnostic.span
    out = [f"{diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}"]
    out.append(f"  --> {s.file}:{s.line}:{s.column}")
    source = sources.get(s.file)
    text = source.line_text(s.line) if source else ""
    if source is not None and s.line <= source.line_count:
        gutter = " " * len(str(s.line))
        printable = _printable(text)
        end = s.end_column if s.end_line == s.line else len(text) + 1
        end = max(s.column + 1, min(end, len(printable) + 1))
        # The lead keeps tabs and gives wide characters (CJK) two columns, so the caret lands
        # under the span in a terminal.
        lead = "".join(c if c == "\t" else " " * _width(c) for c in printable[: s.column - 1])
        width = max(1, sum(_width(c) for c in printable[s.column - 1 : end - 1]))
        out.append(f"{gutter} |")
        out.append(f"{s.line} | {printable}")
        out.append(f"{gutter} | {lead}{'^' * width}")
    for hint in diagnostic.hints:
        out.append(f"  = help: {hint}")
    return "\n".join(out)


def _width(char: str) -> int:
    """Terminal columns of a character: two for East Asian wide and full-width ones."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _printable(text: str) -> str:
    """A source line made safe for a terminal: control characters shown as U+FFFD."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\t" else "\ufffd" for c in text)


def render(diagnostics: Iterable[Diagnostic], fmt: str, sources: dict[str, SourceFile]) -> str:
    """All diagnostics in one of the formats `human`, `short` or `json`."""
    items = list(diagnostics)
    if fmt == "json":
        return json.dumps([d.to_json() for d in items], indent=2, ensure_ascii=False)
    if fmt == "short":
        return "\n".join(render_short(d) for d in items)
    blocks = [render_human(d, sources) for d in items]
    return "\n\n".join(blocks)


def summary(diagnostics: Iterable[Diagnostic]) -> str:
    """'2 errors, 1 warning' style tally for the end of a human report."""
    items = list(diagnostics)
    errors = sum(d.severity is Severity.ERROR for d in items)
    warnings = sum(d.severity is Severity.WARNING for d in items)
    notes = sum(d.severity is Severity.NOTE for d in items)
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if notes:
        parts.append(f"{notes} note{'s' if notes != 1 else ''}")
    return ", ".join(parts) if parts else "no problems"


# ---- suggestions -------------------------------------------------------------------------

def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    two neighbouring letters each cost one (so EDWRAD is one edit from EDWARD). rapidfuzz
    computes it in C++; name checks compare every rare name with every recurring one."""
    return OSA.distance(a, b)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word` when it is close enough to be a likely typo.

    Close enough: at most one edit for words up to four letters, two up to eight, three
    beyond; ties go to the candidate listed first.
    """
    folded = word.casefold()
    limit = 1 if len(folded) <= 4 else 2 if len(folded) <= 8 else 3
    best, best_distance = None, limit + 1
    for candidate in candidates:
        distance = edit_distance(folded, candidate.casefold())
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best
