"""Parsing: the only module that imports lark.

Two grammars live in `grammar/`: `fountain.lark` (the screenplay, over logical lines) and
`film.lark` (the film annotations inside notes). This module owns the line lexer that feeds
the first, runs both LALR parsers, and hands back plain syntax nodes with source offsets; no
lark type leaves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import regex
from lark import Lark, Tree, UnexpectedInput
from lark.exceptions import UnexpectedEOF, UnexpectedToken
from lark.lexer import Lexer

# ---- syntax nodes ------------------------------------------------------------------------


class Line:
    """One logical line, the token fed to the screenplay parser.

    `type` is its shape (a terminal of fountain.lark), `value` its raw text with its inline
    notes, `start_pos` its offset in the visible text. It has the attributes lark reads from a
    token, and is lighter to make than lark's own Token (there is one per line of a script).
    The annotation parser's leaves are lark Tokens, which have the same three attributes.
    """

    __slots__ = ("type", "value", "start_pos")
    # Read by lark only to place the end-of-input token.
    line = column = end_line = end_column = end_pos = None

    def __init__(self, type: str, value: str, start_pos: int) -> None:  # noqa: A002 - lark's name
        self.type = type
        self.value = value
        self.start_pos = start_pos

    def __repr__(self) -> str:
        return f"Line({self.type!r}, {self.value!r}, {self.start_pos})"


class Block:
    """A grammar rule's match: its rule name and its lines (Tokens) or sub-blocks, in order.

    lark builds these directly (as its tree class) at each reduction; `children` is a list
    because lark splices inlined `_rules` into it.
    """

    __slots__ = ("rule", "children")

    def __init__(self, rule: str, children: list) -> None:
        self.rule = rule
        self.children = children

    def __repr__(self) -> str:
        return f"Block({self.rule!r}, {self.children!r})"


@dataclass(frozen=True, slots=True)
class NoteText:
    """A note's inner text and the visible offsets of `[[` and just past `]]`."""

    text: str
    start: int
    end: int


@dataclass(slots=True)
class Screenplay:
    """What the screenplay layer produces: the title page, the blocks, the notes, problems."""

    title_page: tuple[tuple[Line, tuple[Line, ...]], ...]
    blocks: tuple[Block, ...]
    notes: list[NoteText] = field(default_factory=list)
    problems: list[tuple[str, int, int, str]] = field(default_factory=list)  # (code, start, end, message)


# ---- the visible text: boneyard cut out --------------------------------------------------


class Visible:
    """The source text with every boneyard cut out, and the map back to source offsets.

    Cutting keeps the text on either side of the boneyard, so `a /* x */ b` reads `a  b` and a
    boneyard filling whole lines leaves the line break after `*/`, as Fountain apps read it.
    """

    __slots__ = ("text", "_vis", "_orig", "problems", "identity", "cuts")

    def __init__(self, source: str) -> None:
        self.problems: list[tuple[str, int, int, str]] = []
        self.cuts: list[tuple[int, int]] = []  # the boneyards, as source offsets [start, end)
        if "/*" not in source:
            self.text, self._vis, self._orig = source, [0], [0]
            self.identity = True
            return
        pieces: list[str] = []
        vis: list[int] = [0]
        orig: list[int] = [0]
        kept = 0  # length of visible text so far
        pos = 0
        for opener in _BONEYARD_OPEN.finditer(source):
            if opener.start() < pos:
                continue  # inside a boneyard already cut
            start = opener.start()
            depth, scan = 1, opener.end()
            while depth:
                m = _BONEYARD_MARK.search(source, scan)
                if m is None:
                    break
                depth += 1 if m.group() == "/*" else -1
                scan = m.end()
            pieces.append(source[pos:start])
            kept += start - pos
            if depth:
                # Problems are in visible offsets, like every other: here the cut starts at `kept`.
                self.problems.append(("unclosed-boneyard", kept, kept + 2,
                                      "this boneyard `/*` is never closed, so everything after it is left out"))
                self.cuts.append((start, len(source)))
                pos = len(source)
                break
            self.cuts.append((start, scan))
            pos = scan
            vis.append(kept)
            orig.append(pos)
        pieces.append(source[pos:])
        self.text = "".join(pieces)
        self._vis, self._orig = vis, orig
        self.identity = len(vis) == 1

    def to_source(self, offset: int) -> int:
        """The source offset of a visible offset."""
        vis = self._vis
        if len(vis) == 1:
            return offset
        lo, hi = 0, len(vis) - 1
        while lo < hi:  # last segment whose visible start <= offset
            mid = (lo + hi + 1) // 2
            if vis[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self._orig[lo] + offset - vis[lo]


_BONEYARD_OPEN = re.compile(r"/\*")
_BONEYARD_MARK = re.compile(r"/\*|\*/")
# A note cannot contain `[[`, which keeps finding notes linear on any input.
NOTE = re.compile(r"\[\[((?:[^\[\]]|\[(?!\[)|\](?!\]))*)\]\]")
_NOTE_MAX_LINES = 400  # a note spanning more lines than this is taken as unclosed

# ---- the line lexer ----------------------------------------------------------------------

_TITLE_TERMINALS = ("TITLE_KEY", "TITLE_VALUE")


@cache
def _grammar_text(name: str) -> str:
    return resources.files("filmc.grammar").joinpath(name).read_text(encoding="utf-8")


class _PreLexed(Lexer):
    """Hands lark the tokens `lex_lines` made; lark's own lexers are not used."""

    def __init__(self, lexer_conf) -> None:  # noqa: D107 - lark's signature
        pass

    def lex(self, tokens):
        return iter(tokens)


class _Shapes:
    """Classifies a line by the first line-shape terminal of fountain.lark that matches it.

    Trying every shape in priority order is one regex alternation; most lines are decided by
    their first visible character, so the alternation is narrowed per character to the shapes
    that can start with it (found by partial matching against each terminal's own pattern, so
    the grammar stays the only place the shapes are written).
    """

    def __init__(self, terminals) -> None:
        self.terminals = sorted(terminals, key=lambda t: -t.priority)
        self.master = self._alternation(self.terminals)
        self._compiled = {t.name: regex.compile(t.pattern.to_regexp()) for t in self.terminals}
        self._by_first: dict[str, regex.Pattern | str] = {}

    @staticmethod
    def _alternation(terminals) -> regex.Pattern:
        return regex.compile("|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals))

    def _for_first(self, char: str) -> regex.Pattern | str:
        found = self._by_first.get(char)
        if found is None:
            able = [t for t in self.terminals if self._compiled[t.name].match(char, partial=True)]
            # A single candidate matches any line starting with `char`: no regex needed.
            found = able[0].name if len(able) == 1 and able[0].name == "TEXT" else self._alternation(able)
            self._by_first[char] = found
        return found

    def classify(self, line: str) -> str:
        first = line[0]
        if first == " " or first == "\t":
            first = line.lstrip(" \t")[:1]
        pattern = self._for_first(first) if first else self.master
        if pattern.__class__ is str:
            return pattern
        m = pattern.match(line)
        return m.lastgroup if m else "TEXT"


@cache
def _screenplay_parser() -> tuple[Lark, _Shapes, regex.Pattern, regex.Pattern]:
    lark = Lark(
        _grammar_text("fountain.lark"),
        parser="lalr",
        lexer=_PreLexed,
        regex=True,
        maybe_placeholders=False,
        tree_class=Block,
        cache=True,
    )
    terminals = {t.name: t for t in lark.terminals}
    # Line shapes in the grammar's priority order; the title-page shapes are a lexer mode.
    shapes = _Shapes(t for t in lark.terminals if t.name not in _TITLE_TERMINALS and not t.name.startswith("_"))
    title_key = regex.compile(terminals["TITLE_KEY"].pattern.to_regexp())
    title_value = regex.compile(terminals["TITLE_VALUE"].pattern.to_regexp())
    return lark, shapes, title_key, title_value


def _is_blank(line: str) -> bool:
    return line == "" or line == " "


def lex_lines(visible: str) -> tuple[list[Line], list[tuple[Line, list[Line]]], list[NoteText], list[tuple[str, int, int, str]]]:
    """Split visible text into classified logical lines.

    Returns the token stream for fountain.lark, the title page entries, every note and the
    lexical problems (unclosed notes).
    """
    _, shapes_of, title_key, title_value = _screenplay_parser()
    classify = shapes_of.classify
    lines = visible.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1

    notes: list[NoteText] = []
    problems: list[tuple[str, int, int, str]] = []
    tokens: list[Line] = []
    n = len(lines)
    i = 0

    # Title page: the first block, when every line of it is a key or an indented value and
    # every key left empty on its line has a value below it.
    title: list[tuple[Line, list[Line]]] = []
    block_end = 0
    while block_end < n and not _is_blank(lines[block_end]):
        block_end += 1
    if block_end and title_key.match(lines[0]) and not lines[0].startswith((" ", "\t")):
        entries: list[tuple[Line, list[Line]]] = []
        ok = True
        for k in range(block_end):
            text = lines[k]
            if title_value.match(text) and entries:
                entries[-1][1].append(Line("TITLE_VALUE", text, starts[k]))
            elif title_key.match(text) and not text.startswith((" ", "\t")):
                entries.append((Line("TITLE_KEY", text, starts[k]), []))
            else:
                ok = False
                break
        if ok and all(values or key.value.split(":", 1)[1].strip() for key, values in entries):
            title = entries
            i = block_end
            for key, values in title:
                tokens.append(key)
                tokens.extend(values)

    blank_pending = False
    shapes: dict[str, str] = {}  # cues and transitions repeat: classify each text once
    while i < n:
        text = lines[i]
        start = starts[i]
        i += 1
        if text == "" or text == " ":
            blank_pending = True
            continue
        if "[[" in text:
            shape_text, text, i = _take_notes(lines, starts, i, text, start, notes, problems)
            if shape_text is None:  # nothing but notes: transparent
                continue
            kind = classify(shape_text) if shape_text else "TEXT"
        else:
            kind = shapes.get(text)
            if kind is None:
                kind = shapes[text] = classify(text)
        if blank_pending:
            if kind == "SPACER":
                continue  # spaces after a blank line are more blank
            if tokens:
                tokens.append(Line("_BLANK", "", start))
            blank_pending = False
        elif kind == "SPACER" and (not tokens or tokens[-1].type in _TITLE_TERMINALS):
            continue
        tokens.append(Line(kind, text, start))
    return tokens, title, notes, problems


def _take_notes(lines, starts, i, text, start, notes, problems):
    """Handle a line holding `[[`: join the lines a note spans, collect the notes.

    Returns (shape text or None when the line is only notes, the line's raw text, next index).
    A note may span lines but not an empty one; an unclosed `[[` is literal text.
    """
    joined, j = text, i
    if "[[" in NOTE.sub("", text):
        # Look ahead in the paragraph for a `]]`; only lines holding one can close the note.
        k = i
        while k < len(lines) and k - i < _NOTE_MAX_LINES and not _is_blank(lines[k]):
            if "]]" in lines[k]:
                candidate = "\n".join(lines[i - 1 : k + 1])
                if "[[" not in NOTE.sub("", candidate):
                    joined, j = candidate, k + 1
                    break
            k += 1
        else:
            masked = NOTE.sub(lambda m: " " * len(m.group()), text)
            opener = masked.find("[[")
            problems.append(("unclosed-note", start + opener, start + opener + 2,
                             "this note `[[` is never closed in its paragraph, so it reads as text"))
    found = list(NOTE.finditer(joined))
    if not found:
        return joined, joined, j
    shape_text = NOTE.sub("", joined)
    only_notes = shape_text.strip() == ""
    for m in found:
        notes.append(NoteText(m.group(1), start + m.start(), start + m.end()))
    if only_notes:
        return None, joined, j
    return shape_text, joined, j


# ---- the screenplay parser ---------------------------------------------------------------


def parse_screenplay(source_text: str) -> tuple[Screenplay, Visible]:
    """Parse screenplay text (already decoded and LF-normalised) into blocks.

    Never raises on any text: the grammar accepts every sequence of line shapes.
    """
    visible = Visible(source_text)
    tokens, title, notes, problems = lex_lines(visible.text)
    children = _screenplay_parser()[0].parse(tokens).children if tokens else []
    blocks = tuple(c for c in children if c.rule != "title_page")
    title_page = tuple((key, tuple(values)) for key, values in title)
    return Screenplay(title_page, blocks, notes, visible.problems + problems), visible


# ---- the annotation parser ---------------------------------------------------------------

ANNOTATION_KEYWORDS = ("cast", "set", "shot", "wardrobe", "music", "sound", "include")
_KEYWORD = re.compile(r"\s*(" + "|".join(ANNOTATION_KEYWORDS) + r")(?=[\s:]|$)")

# What a terminal is called in a message to a writer.
_EXPECTED_WORDS = {
    "NAME": "a name in capitals",
    "VALUE": "a description",
    "KEY": "a field name",
    "SUBJECT": "a character name starting with a capital",
    "FRAMING": "a framing (wide, medium, close, ...)",
    "MOVE": "a camera move (static, push in, pan left, ...)",
    "LENS": "a lens like 35mm",
    "DURATION": "a duration like 4s",
    "TRANSITION": "a transition (cut, dissolve, ...)",
    "TEMPO": "a tempo like 96 bpm",
    "MOOD": "a mood",
    "STOP": "stop",
    "STRING": 'a "quoted prompt"',
    "AND": "`and`",
    "AMPERSAND": "`&`",
    "ON": "`on`",
    "INT": "a whole number",
    "NUMBER": "a number",
    "PATH": "a file path",
    "COLON": "`:`",
    "COMMA": "`,`",
    "$END": "the end of the note",
}


@dataclass(frozen=True, slots=True)
class AnnotationError:
    """Why an annotation did not parse: offsets within the note text, message and hints."""

    start: int
    end: int
    message: str
    hints: tuple[str, ...]


def is_annotation(note_text: str) -> bool:
    """Whether a note's text is a film annotation (starts with an annotation keyword)."""
    return _KEYWORD.match(note_text) is not None


@cache
def _annotation_parser() -> Lark:
    return Lark(
        _grammar_text("film.lark"),
        parser="lalr",
        lexer="contextual",
        regex=True,
        start=["annotation", "aspect_ratio"],
        maybe_placeholders=False,
        cache=True,
    )


@cache
def shot_vocabulary() -> dict[str, tuple[str, ...]]:
    """The words of each shot-term terminal in film.lark, for hints and documentation."""
    out = {}
    for term in _annotation_parser().terminals:
        if term.name in ("FRAMING", "MOVE", "TRANSITION"):
            body = re.match(r"\(\?:(.*?)\)\(\?!", term.pattern.value).group(1)
            out[term.name] = tuple(w.replace("[- ]", " ") for w in body.split("|"))
    return out


def parse_annotation(text: str, start: str = "annotation") -> Block | AnnotationError:
    """Parse a note's text (or a title-page value, with start="aspect_ratio").

    Token offsets in the result are relative to `text`.
    """
    keyword = _KEYWORD.match(text)
    if keyword and keyword.group(1) not in ("cast", "set"):
        # Only declarations have lines of their own; elsewhere a line break is a space.
        text = text.replace("\n", " ")
    try:
        tree = _annotation_parser().parse(text, start=start)
    except UnexpectedInput as exc:
        pos = getattr(exc, "pos_in_stream", None)
        if pos is None or isinstance(exc, UnexpectedEOF):
            pos = len(text.rstrip())
        token = getattr(exc, "token", None)
        if isinstance(exc, UnexpectedToken) and token is not None and token.type == "$END":
            pos = len(text.rstrip())
        word_end = pos + 1
        while word_end < len(text) and text[word_end] not in ",\n]":
            word_end += 1
        found = text[pos:word_end].strip() if pos < len(text.rstrip()) else ""
        expected = sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ())
        return _annotation_error(text, pos, max(pos + 1, pos + len(found)), found, expected)

    def convert(node):
        if isinstance(node, Tree):
            return Block(str(node.data), [convert(c) for c in node.children])
        return node

    return convert(tree)


def _annotation_error(text: str, pos: int, end: int, found: str, expected: list[str]) -> AnnotationError:
    from .diagnostics import did_you_mean

    words = [_EXPECTED_WORDS.get(e, f"`{e.lower()}`") for e in expected if not e.startswith("__")]
    words = ["the end of the note" if w in ("`$end`", "`<end-of-file>`") else w for w in words]
    words = list(dict.fromkeys(words))
    keyword = _KEYWORD.match(text)
    hints: list[str] = []
    if keyword and keyword.group(1) == "shot" and {"FRAMING", "MOVE"} & set(expected) and found:
        vocabulary = [w for ws in shot_vocabulary().values() for w in ws]
        vocabulary += ["continuous", "take N", "seed N"]
        message = f"`{found}` is not a shot term"
        close = did_you_mean(found, vocabulary)
        if close:
            hints.append(f"did you mean `{close}`?")
        hints.append("shot terms are a framing (wide, medium, close on NAME, ...), a camera move "
                     "(push in, pan left, handheld, ...), a lens (35mm), a duration (4s), a transition "
                     "(dissolve, ...), continuous, take N, seed N or a \"quoted prompt\", separated by commas")
    elif "NAME" in expected and keyword:
        message = f"`{keyword.group(1)}` wants a name in capitals and a `:` here"
        hints.append(f"write it as `[[{keyword.group(1)} NAME: ...]]`, for example `[[{keyword.group(1)} ALIN: ...]]`")
    elif not found:
        message = "this annotation ends too early"
        if words:
            hints.append("expected " + _or(words))
    else:
        message = f"unexpected `{found}` in this annotation"
        if words:
            hints.append("expected " + _or(words))
        if "SUBJECT" in expected and found[:1].islower():
            hints.append("write character names in capitals, as in their cues")
    if keyword:
        hints.append(f"if this is a plain note, not a film annotation, start it with a capital: `[[{keyword.group(1).capitalize()} ...`")
    return AnnotationError(pos, end, message, tuple(hints))


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
