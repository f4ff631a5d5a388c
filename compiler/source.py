"""Source files and spans: decoding, newline normalisation and offset → line/column."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file, 1-based lines and columns (columns count characters).

    `end_column` is exclusive, so a one-character span has end_column == column + 1. A plain
    frozen dataclass rather than a model: there is one per IR node, and pydantic passes an
    instance through without re-validating it.
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int


class DecodeProblem(BaseModel):
    """Something wrong with a file's bytes, found while decoding it."""

    model_config = ConfigDict(frozen=True)

    kind: str  # "binary" or "invalid-utf8"
    offset: int  # character offset in the decoded text where the problem shows
    detail: str


def _word_char(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


class SourceFile:
    """One decoded source file: its display path, its text and a line table.

    The text is the file decoded as UTF-8 (a byte-order mark dropped), with CRLF and lone CR
    turned into LF, so every later stage sees one kind of newline; columns are unaffected
    because a CR only ever ends a line.
    """

    __slots__ = ("path", "text", "problems", "_line_starts")

    def __init__(self, path: str, text: str, problems: tuple[DecodeProblem, ...] = ()):
        self.path = path
        self.text = text
        self.problems = problems
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._line_starts = starts

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> SourceFile:
        """Decode bytes, recording (not raising) binary content and invalid UTF-8."""
        problems: list[DecodeProblem] = []
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            good = data[: exc.start].decode("utf-8", errors="replace")
            text = data.decode("utf-8", errors="replace")
            problems.append(
                DecodeProblem(
                    kind="invalid-utf8",
                    offset=len(good.replace("\r\n", "\n")),
                    detail=f"byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
                )
            )
        nul = text.find("\x00")
        if nul != -1:
            problems.append(
                DecodeProblem(kind="binary", offset=len(text[:nul].replace("\r\n", "\n")), detail="NUL byte")
            )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return cls(path, text, tuple(problems))

    @classmethod
    def read(cls, path: Path, display: str | None = None) -> SourceFile:
        """Read a file from disk; OSError is the caller's to report."""
        return cls.from_bytes(display or str(path), path.read_bytes())

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self._line_starts)))
        return min(self._line_starts[line - 1] + column - 1, len(self.text))

    def find(self, within: Span, needle: str | re.Pattern) -> Span:
        """The span of the first `needle` inside `within` (as a whole word if it is one there,
        case ignored; a compiled pattern as it is); `within` itself when it is not there.
        Used to point at one name or term inside an annotation or a heading."""
        start, end = self.offset(within.line, within.column), self.offset(within.end_line, within.end_column)
        haystack = self.text[start:end]
        if isinstance(needle, re.Pattern):
            m = needle.search(haystack)
        elif (at := haystack.find(needle)) != -1 and not _word_char(haystack, at - 1) and not _word_char(haystack, at + len(needle)):
            return self.span(start + at, start + at + len(needle))  # the usual case, without a regex
        else:
            m = re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack, re.I) or re.search(re.escape(needle), haystack, re.I)
        return self.span(start + m.start(), start + m.end()) if m else within

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its newline ('' past the end)."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end == -1 else self.text[start:end]

    def span(self, start: int, end: int) -> Span:
        """The span of the character offsets [start, end) (clamped to the text)."""
        starts = self._line_starts
        size = len(self.text)
        start = 0 if start < 0 else size if start > size else start
        end = start if end < start else size if end > size else end
        line = bisect.bisect_right(starts, start)
        # Most spans end on the line they start on: skip the second search then.
        if line == len(starts) or end < starts[line]:
            end_line = line
        else:
            end_line = bisect.bisect_right(starts, end)
        return Span(self.path, line, start - starts[line - 1] + 1, end_line, end - starts[end_line - 1] + 1)


def find_in(sources: dict[str, SourceFile], within: Span, needle: str | re.Pattern) -> Span:
    """`SourceFile.find` in whichever of `sources` holds `within` (`within` when none does)."""
    source = sources.get(within.file)
    return source.find(within, needle) if source else within
