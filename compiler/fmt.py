"""`filmc fmt`: the canonical spelling of a .film, like gofmt or black.

The formatter edits the source rather than reprinting the IR, so what the IR does not keep
(boneyards, a plain note's place inside a line, the writer's own line breaks in action and
dialogue) stays as written. It changes only:

- film annotations, which are respelled from what they mean: the keyword right after `[[`,
  shot terms in one order (transition, framing, move, lens, duration, continuous, take, seed,
  prompt), framings spelled as writers do (`close-up`, `two-shot`, `over-the-shoulder`), one declaration field per line in the
  documented order, numbers without trailing zeros;
- the title page: known keys capitalised as Fountain spells them, one space after the colon,
  indented values at four spaces;
- blank lines: one between paragraphs, none at the start or the end, a line of spaces inside
  a paragraph as Fountain's two-space line; trailing spaces and tabs; a final newline.

What it leaves alone, it leaves byte for byte: anything inside a boneyard, a plain note, an
annotation with a diagnostic (fixing it is the writer's job, and `check` says how).

Every result is checked before it is returned: the formatted text must parse to the same
screenplay (elements, title page and annotations' meaning) with the same diagnostics. If it
does not, the formatter returns the text unchanged and says so; a property test over
generated scripts and the whole Fountain corpus keeps that path unused.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from . import ir
from .driver import Result, parse_source
from .parse import Visible
from .source import SourceFile

# Known title-page keys as the Fountain spec (and filmc) spell them; others keep their case.
TITLE_KEYS = {k.lower(): k for k in (
    "Title", "Credit", "Author", "Authors", "Source", "Draft date", "Date", "Contact", "Copyright",
    "Notes", "Revision", "Style", "Aspect",
)}
TITLE_INDENT = "    "
_SPACE = " \t"  # what Fountain counts as blank (a form feed is not)

_ANNOTATIONS = (ir.CastDeclaration, ir.SetDeclaration, ir.ShotAnnotation, ir.WardrobeChange, ir.MusicCue,
                ir.SoundCue, ir.Include)


@dataclass(frozen=True)
class Formatted:
    """The formatted text; `unsafe` names why the text was left as it was, if it was."""

    text: str
    changed: bool
    unsafe: str | None = None


def format_source(source: SourceFile) -> Formatted:
    """The canonical text of a decoded source (its newlines already LF, its BOM dropped)."""
    if source.problems:
        return Formatted(source.text, False)  # not text: `filmc fmt` refuses it before this
    before = parse_source(source)
    if before.film is None:
        return Formatted(source.text, False)
    held: list[ir.Element] = []
    for _ in range(_ROUNDS):
        text = _Formatter(source, before, held).run()
        after = parse_source(SourceFile(source.path, text))
        if meaning(after) == meaning(before):
            return Formatted(text, text != source.text)
        # Where a normalisation changed what a paragraph reads as (`CUT TO:  `, with its
        # trailing spaces, is action, not a transition), that paragraph is left as written.
        differing = _differing(before, after)
        if not differing:
            break
        held += differing
    return Formatted(source.text, False, "the formatted text would read differently")


_ROUNDS = 4


def _differing(before: Result, after: Result) -> list[ir.Element]:
    """The elements of `before` that read differently in `after`, when the two align."""
    old = before.film.elements()
    new = after.film.elements() if after.film else []
    a = [repr(_content(e)) for e in old]
    b = [repr(_content(e)) for e in new]
    differing = []
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            differing += old[max(0, i1 - 1) if i1 == i2 else i1:max(i2, i1 + 1)]
    return differing


def format_text(text: str, path: str = "<text>") -> Formatted:
    return format_source(SourceFile.from_bytes(path, text.encode("utf-8", errors="surrogatepass")))


def meaning(result: Result) -> tuple:
    """What formatting must keep: the elements (an annotation by what it says, not how it was
    spelled), the title page (keys in any case), the settings, and the diagnostics by code and
    severity (their positions move)."""
    film = result.film
    if film is None:
        return ()
    elements = [_content(e) for e in film.elements()]
    title = [(t.key.lower(), t.values) for t in film.title_page]
    found = Counter((d.code, d.severity) for d in result.diagnostics)
    return title, elements, film.settings.model_dump(), sorted(found.items())


def _content(e: ir.Element) -> dict:
    content = e.content()
    if isinstance(e, _ANNOTATIONS):
        content.pop("text")
        content.pop("fields", None)
    return content


class _Formatter:
    """One formatting of a source: edits (respelled annotations, the title page) and kept
    regions (left byte for byte), then the lines assembled around them."""

    def __init__(self, source: SourceFile, result: Result, held: list[ir.Element]) -> None:
        self.source = source
        self.text = source.text
        self.film = result.film
        self.starts = [0]
        for n, ch in enumerate(self.text):
            if ch == "\n":
                self.starts.append(n + 1)
        # Regions kept byte for byte: boneyards, and notes that are not respelled.
        self.kept: list[tuple[int, int]] = list(Visible(self.text).cuts)
        self.flagged = [(self.offset(d.span.line, d.span.column), self.offset(d.span.end_line, d.span.end_column))
                        for d in result.diagnostics if d.span is not None]
        self.edits: list[tuple[int, int, str]] = []
        for element in held:
            # Whole lines, with their trailing spaces and the lines of spaces around them
            # (which can be what makes a paragraph what it is).
            first = element.span.line - 1
            while first and self.starts[first] - 1 > self.starts[first - 1] and not self.text[
                    self.starts[first - 1]:self.starts[first] - 1].strip(_SPACE):
                first -= 1
            start = self.starts[first]
            end = self.line_end(self.offset(element.span.end_line, 1))
            while end < len(self.text):
                following = self.line_end(end + 1)
                if self.text[end + 1:following].strip(_SPACE) or end + 1 == following:
                    break
                end = following
            self.kept.append((start, end))

    def offset(self, line: int, column: int) -> int:
        if line - 1 >= len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def span_offsets(self, span) -> tuple[int, int]:
        return self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)

    def touches(self, regions, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in regions)

    # ---- the passes

    def run(self) -> str:
        for element in self.film.elements():
            if isinstance(element, _ANNOTATIONS) or isinstance(element, ir.Note):
                self.note(element)
        self.title_page()
        return self.assemble()

    def note(self, element: ir.Element) -> None:
        start, end = self.span_offsets(element.span)
        canonical = spell(element) if isinstance(element, _ANNOTATIONS) else None
        if (canonical is None or self.touches(self.kept, start, end) or self.touches(self.flagged, start, end)
                or self.text[start:end].strip(_SPACE) != self.text[start:end]):
            self.kept.append((start, end))
            return
        alone = not (self.text[self.starts[element.span.line - 1]:start].strip(_SPACE)
                     or self.text[end:self.line_end(end)].strip(_SPACE))  # the note is all its lines hold
        if "\n" in canonical and not alone:
            self.kept.append((start, end))
            return
        if not _reads_back(canonical, element):
            self.kept.append((start, end))
            return
        self.edits.append((start, end, canonical))
        self.kept.append((start, end))  # its lines are not touched again

    def line_end(self, offset: int) -> int:
        end = self.text.find("\n", offset)
        return len(self.text) if end == -1 else end

    def title_page(self) -> None:
        entries = self.film.title_page
        if not entries:
            return
        start = self.offset(entries[0].span.line, 1)
        end = self.line_end(self.offset(entries[-1].span.end_line, 1))
        if self.touches(self.kept, start, end):
            return
        lines = []
        for entry in entries:
            first, last = entry.span.line, entry.span.end_line
            key_line = self.text[self.starts[first - 1]:self.line_end(self.starts[first - 1])]
            key, _, inline = key_line.partition(":")
            key = TITLE_KEYS.get(key.strip(_SPACE).lower(), key.strip(_SPACE))
            lines.append(f"{key}: {inline.strip(_SPACE)}" if inline.strip(_SPACE) else f"{key}:")
            for n in range(first + 1, last + 1):
                value = self.text[self.starts[n - 1]:self.line_end(self.starts[n - 1])].strip(_SPACE)
                if value:
                    lines.append(TITLE_INDENT + value)
        self.edits.append((start, end, "\n".join(lines)))
        self.kept.append((start, end))

    def assemble(self) -> str:
        """The source with the edits made, line by line.

        Lines an edit or a kept region crosses form one group; a group with kept text is
        copied as it is, one with only edits loses its trailing spaces, and a plain line is
        normalised. Then blank lines are collapsed, except those inside kept text.
        """
        inside = set()
        for element in self.film.elements():
            if not isinstance(element, (ir.Note, *_ANNOTATIONS)):
                inside.update(range(element.span.line, element.span.end_line + 1))
        edits = sorted(self.edits)
        edited = {(start, end) for start, end, _ in edits}
        kept = [(a, b) for a, b in self.kept if (a, b) not in edited]
        count = len(self.starts)
        group_end = list(range(count))  # the last line (0-based) of the group a line opens
        for start, end in [*edited, *kept]:
            first, last = _line_index(self.starts, start), _line_index(self.starts, max(start, end - 1))
            group_end[first] = max(group_end[first], last)
        out: list[tuple[str, bool]] = []  # (line, may be collapsed or stripped)
        n = 0
        while n < count:
            last = n
            scan = n
            while scan <= last:
                last = max(last, group_end[scan])
                scan += 1
            begin = self.starts[n]
            finish = self.starts[last + 1] - 1 if last + 1 < count else len(self.text)
            if last == n and not self.touches([*edited, *kept], begin, max(finish, begin + 1)):
                line = self.text[begin:finish]
                out.append((line.rstrip(" \t") if line.strip(_SPACE) else ("  " if n + 1 in inside else ""), True))
            else:
                pieces, pos = [], begin
                for start, end, new in edits:
                    if begin <= start and end <= finish:
                        pieces += [self.text[pos:start], new]
                        pos = end
                pieces.append(self.text[pos:finish])
                if not self.touches(kept, begin, max(finish, begin + 1)):
                    out += [(line.rstrip(" \t"), False) for line in "".join(pieces).split("\n")]
                elif not any(begin <= start and end <= finish for start, end, _ in edits):
                    # Kept text as it is; spaces that end a line outside it still go.
                    for k in range(n, last + 1):
                        eol = self.starts[k + 1] - 1 if k + 1 < count else len(self.text)
                        line = self.text[self.starts[k]:eol]
                        cut = len(line) - len(line.rstrip(" \t"))
                        while cut and self.touches(kept, eol - cut, eol - cut + 1):
                            cut -= 1
                        out.append((line[:len(line) - cut], False))
                else:
                    out += [(line, False) for line in "".join(pieces).split("\n")]
            n = last + 1
        lines: list[str] = []
        for line, free in out:
            if free and line == "" and (not lines or lines[-1] == ""):
                continue
            lines.append(line)
        while lines and lines[-1] == "" and out and out[-1][1]:
            lines.pop()
        text = "\n".join(lines) + "\n" if lines else ""
        if not self.film.title_page and text and parse_source(SourceFile(self.source.path, text)).film.title_page:
            text = "\n" + text  # the blank first line that keeps it from being a title page
        return text


def _line_index(starts: list[int], offset: int) -> int:
    """The 0-based line holding an offset."""
    return bisect.bisect_right(starts, offset) - 1


# ---- annotations respelled from their meaning


# Framings a writer spells with hyphens (the parser reads both; `parse --json` uses spaces).
HYPHENATED = {words: words.replace(" ", "-") for words in ("close up", "two shot", "over the shoulder")} | {
    "medium close up": "medium close-up", "extreme close up": "extreme close-up"}
SHOT_ORDER = ("transition", "framing", "move", "lens_mm", "duration_s", "continuous", "take", "seed", "prompt")


def spell(e: ir.Element) -> str | None:
    """The canonical `[[...]]` of an annotation."""
    if isinstance(e, ir.ShotAnnotation):
        terms = []
        for slot in SHOT_ORDER:
            value = getattr(e, slot)
            if value is None or value is False:
                continue
            if slot == "framing":
                terms.append(HYPHENATED.get(value, value) + (" on " + " and ".join(e.subjects) if e.subjects else ""))
            elif slot == "lens_mm":
                terms.append(number(value) + "mm")
            elif slot == "duration_s":
                terms.append(number(value) + "s")
            elif slot == "continuous":
                terms.append("continuous")
            elif slot in ("take", "seed"):
                terms.append(f"{slot} {value}")
            elif slot == "prompt":
                terms.append('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
            else:
                terms.append(value)
        return "[[shot" + (" " + ", ".join(terms) if terms else "") + "]]"
    if isinstance(e, (ir.CastDeclaration, ir.SetDeclaration)):
        keyword = "cast" if isinstance(e, ir.CastDeclaration) else "set"
        lines = [f"{keyword} {e.name}:" + (f" {e.look}" if e.look else "")]
        names = ("wardrobe", "voice") if keyword == "cast" else ("lighting",)
        for name in (*names, "ref", "seed"):
            value = getattr(e, name)
            if value not in (None, ""):
                lines.append(f"  {name}: {value}")
        if e.aka:
            lines.append("  aka: " + ", ".join(e.aka))
        return "[[" + "\n".join(lines) + "]]"
    if isinstance(e, ir.WardrobeChange):
        return f"[[wardrobe {e.name}: {e.wardrobe}]]"
    if isinstance(e, ir.MusicCue):
        if e.stop:
            return "[[music: stop]]"
        terms = [*e.moods, *([number(e.tempo_bpm) + " bpm"] if e.tempo_bpm is not None else [])]
        return "[[music: " + ", ".join(terms) + "]]"
    if isinstance(e, ir.SoundCue):
        return f"[[sound: {e.description}]]"
    if isinstance(e, ir.Include):
        return f"[[include {e.path}]]"
    return None


def number(value: float) -> str:
    """A number as a term writes it: 50.0 → `50`, 2.5 → `2.5`, never an exponent."""
    return str(int(value)) if float(value).is_integer() else format(Decimal(repr(float(value))), "f")


def _reads_back(canonical: str, element: ir.Element) -> bool:
    """Whether the respelling parses, alone, to the same annotation with no diagnostic."""
    result = parse_source(SourceFile("<fmt>", "\n" + canonical + "\n"))
    found = [e for e in result.film.elements()] if result.film else []
    if result.diagnostics or len(found) != 1 or type(found[0]) is not type(element):
        return False
    return _content(found[0]) == _content(element)
