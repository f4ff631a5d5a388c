"""The writer: a Film IR printed back as .film text.

Printing then parsing gives the same IR (spans aside): each element is written in its plainest
form, and forced (`!`, `@`, `.`, `>`) only where the plain form would read back as something
else, which the writer finds out by parsing the paragraph it is about to print. Inline notes
come out as paragraphs of their own, and emphasis as Fountain markers with literal `*`, `_` and
`\\` escaped. `filmc fmt` and the Fountain export build on this.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import ir

_DIALOGUE_PARTS = (ir.Parenthetical, ir.Dialogue, ir.Lyrics)


def write(film: ir.Film) -> str:
    """The film as .film text: title page, then its paragraphs separated by blank lines."""
    out: list[str] = []
    if film.title_page:
        for entry in film.title_page:
            values = [_escape(v) for v in entry.values]
            if len(values) == 1:
                out.append(f"{entry.key}: {values[0]}")
            else:
                out.append(f"{entry.key}:")
                out.extend(f"    {v}" for v in values)
        out.append("")
    paragraphs = list(_paragraphs(film.elements(), at_start=not film.title_page))
    out.append("\n\n".join(paragraphs))
    text = "\n".join(out)
    text = text.rstrip("\n") + "\n" if text.strip() else ""
    if not film.title_page and text and _opens_a_title_page(text):
        text = "\n" + text  # a blank first line: no title page
    return text


def _opens_a_title_page(text: str) -> bool:
    from .driver import compile_text

    film = compile_text(text.split("\n\n", 1)[0] + "\n").film
    return bool(film and film.title_page)


def _paragraphs(elements: list[ir.Element], at_start: bool) -> Iterable[str]:
    i = 0
    first_of_pair = False  # the last cue printed opened a dual-dialogue pair
    while i < len(elements):
        element = elements[i]
        if isinstance(element, ir.Character):
            # The IR marks both cues of a pair as dual; the caret goes on the second.
            second = element.dual and first_of_pair
            first_of_pair = element.dual and not second
            lines = [_cue(element, second)]
            i += 1
            last_line = element.span.end_line
            # Speech, and the notes written inside the speech (they stay on lines of their own,
            # which Fountain reads through).
            while i < len(elements) and (
                isinstance(elements[i], _DIALOGUE_PARTS)
                or (_is_note(elements[i]) and (elements[i].span.line <= last_line or _speech_follows(elements, i)))
            ):
                part = elements[i]
                lines.extend([f"[[{part.text}]]"] if _is_note(part) else _dialogue_part(part))
                last_line = max(last_line, part.span.end_line)
                i += 1
            yield "\n".join(lines)
            at_start = False
            continue
        if not _is_note(element):
            first_of_pair = False  # notes between a dual pair do not part it
        yield _paragraph(element, at_start)
        at_start = False
        i += 1


def _speech_follows(elements: list[ir.Element], i: int) -> bool:
    """Whether the notes from `i` on are followed by more of the same speech."""
    while i < len(elements) and _is_note(elements[i]):
        i += 1
    return i < len(elements) and isinstance(elements[i], _DIALOGUE_PARTS)


def _is_note(e: ir.Element) -> bool:
    """Notes and film annotations: the elements written as `[[...]]`."""
    return isinstance(e, (ir.Note, ir.CastDeclaration, ir.SetDeclaration, ir.Include, ir.ShotAnnotation,
                          ir.WardrobeChange, ir.MusicCue, ir.SoundCue))


def _paragraph(e: ir.Element, at_start: bool) -> str:
    if isinstance(e, ir.SceneHeading):
        plain = _styled_lines(e)[0] + (f" #{e.scene_number}#" if e.scene_number else "")
        return _first_that_reads_as(e, [plain, "." + plain], at_start)
    if isinstance(e, ir.Action):
        lines = [line if line.strip() else "  " for line in _styled_lines(e)]
        # A later line whose text starts with `!` keeps it by doubling it (the first line's
        # forcing is chosen below).
        lines[1:] = ["!" + line if line.lstrip(" \t").startswith("!") else line for line in lines[1:]]
        plain = "\n".join(lines)
        # Forced at the very start of the line, before any indent: every Fountain app reads
        # that (screenplain does not look for `!` after spaces).
        return _first_that_reads_as(e, [plain, "!" + plain], at_start)
    if isinstance(e, ir.Transition):
        return _first_that_reads_as(e, [_escape(e.text), "> " + _escape(e.text)], at_start)
    if isinstance(e, ir.Centered):
        return "\n".join(f"> {line} <" for line in _styled_lines(e))
    if isinstance(e, ir.Lyrics):
        return "\n".join("~" + line for line in _styled_lines(e))
    if isinstance(e, ir.Section):
        return "#" * e.level + " " + e.text
    if isinstance(e, ir.Synopsis):
        return "= " + e.text
    if isinstance(e, ir.PageBreak):
        return "==="
    # Notes and film annotations keep the text they were written with.
    return f"[[{e.text}]]"


def _cue(c: ir.Character, caret: bool) -> str:
    text = c.text + (" ^" if caret else "")
    return text if _reads_as_cue(text) else "@" + text


def _dialogue_part(e: ir.Element) -> list[str]:
    if isinstance(e, ir.Parenthetical):
        return [_styled_lines(e)[0]]
    if isinstance(e, ir.Lyrics):
        return ["~" + line for line in _styled_lines(e)]
    return [line if line else "  " for line in _styled_lines(e)]


_MARKERS = {"underline": "_", "bold": "**", "italic": "*"}
_ORDER = ("underline", "bold", "italic")  # outermost first


def _styled_lines(e: ir.Element) -> list[str]:
    """The element's text as lines, emphasis written back as markers.

    Styles open and close as the runs change, nested like the source wrote them; a marker can
    only close after a non-space character, so spaces at a style's end move outside it.
    """
    runs = getattr(e, "runs", ())
    if not runs:
        return [_escape(line) for line in e.text.split("\n")]
    lines: list[str] = []
    out: list[str] = []
    stack: list[str] = []

    def close_to(depth: int) -> None:
        text = "".join(out)
        body = text.rstrip(" \t")
        out[:] = [body]
        while len(stack) > depth:
            out.append(_MARKERS[stack.pop()])
        out.append(text[len(body):])

    for run in runs:
        pieces = run.text.split("\n")
        for k, piece in enumerate(pieces):
            if k:
                close_to(0)
                lines.append("".join(out))
                out = []
            if not piece:
                continue
            want = [s for s in _ORDER if getattr(run, s)]
            depth = next((d for d, style in enumerate(stack) if style not in want), len(stack))
            close_to(depth)
            body = piece.lstrip(" \t")
            out.append(piece[: len(piece) - len(body)])
            for style in want:
                if style not in stack:
                    stack.append(style)
                    out.append(_MARKERS[style])
            out.append(_escape(body))
    close_to(0)
    lines.append("".join(out))
    return lines


def _escape(text: str) -> str:
    if "*" not in text and "_" not in text and "\\" not in text:
        return text
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def _reads_as_cue(line: str) -> bool:
    from .driver import compile_text

    film = compile_text("\n" + line + "\nx\n").film
    elements = film.elements() if film else []
    return bool(elements) and isinstance(elements[0], ir.Character) and elements[0].text == line.removesuffix(" ^")


def _first_that_reads_as(e: ir.Element, candidates: list[str], at_start: bool) -> str:
    """The first spelling of a paragraph that parses back to an element like `e`.

    A paragraph is parsed where it will stand: at the start of the file, where a `Key: value`
    line would open a title page, or after a blank line.
    """
    from .driver import compile_text

    for candidate in candidates:
        film = compile_text(("" if at_start else "\n") + candidate + "\n").film
        elements = [x for x in film.elements() if not isinstance(x, ir.Note)] if film else []
        if len(elements) == 1 and same(elements[0], e) and not film.title_page:
            return candidate
    return candidates[-1]


def same(a: ir.Element, b: ir.Element) -> bool:
    """Whether two elements are equal but for where they are."""
    return a.content() == b.content()
