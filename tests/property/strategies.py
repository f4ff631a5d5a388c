"""Hypothesis strategies for .film screenplays that know the IR they must parse to.

A generated `Script` is a model of a screenplay: an optional title page, a pool of character
names and a list of paragraphs (scene headings, action, dialogue, transitions, centered text,
lyrics, sections, synopses, page breaks, notes and film annotations). `Script.render()` prints
it as .film text and, from the same model, gives the elements the compiler must produce, in the
shape of `Element.to_json()` (with the `line` of each element), and the title page as
`[(key, [values...])]`.

The model encodes the rules of Fountain 1.1 (https://fountain.io/syntax) as filmc reads them
(grammar/fountain.lark, compiler/lower.py, grammar/film.lark), independently of the compiler:

* a line is classified by its shape once its inline notes are taken out; a line that would
  read as something else than the element it stands for is forced (`!` action, `.` scene
  heading, `@` character, `>` transition) — the generator decides this itself with a
  deliberately conservative test (`needs_forced_action`), it never asks the compiler;
* the first paragraph of a file without a title page must not look like `Key: value`;
* paragraphs are separated by one blank line (an empty line or a single space);
* leading spaces and tabs are ignored in every element but action, where they are kept and
  tabs expand to stops every 4 columns (docs/LANGUAGE.md);
* notes on lines of their own are transparent, notes inside a line are cut out of it;
  annotations other than `cast`/`set` may wrap over lines, and `]]` may stand on its own line;
* a `^` cue pairs with the dialogue paragraph right before it (notes in between are
  transparent) unless that one is already the second of a pair;
* no emphasis markers (`*`, `_`, `\\`), no brackets and no boneyard in generated texts, so
  texts carry no `runs` (arbitrary text, emphasis included, is left to `fountainish_text`).

One spec-valid combination is left out because the compiler gets it wrong (reported): a line
forced with `!` that holds a tab (filmc counts the `!` as a column when expanding tabs).

Names are drawn so that no name of a script is a substring of another one; that is what lets
the renaming property map texts by plain substitution.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st

# ---- alphabets ------------------------------------------------------------------------------

LOWER = "abcdefghijklmnopqrstuvwxyz" + "éüöàçñß" + "абвгдежзийклмнопрстуфхцчшщыэюя"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "ÉÜÖÀÇÑ" + "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЫЭЮЯ"
CASELESS = "你好世界電影海山月中文"  # letters without case (category Lo)
DIGITS = "0123456789"
# Punctuation that is harmless inside a line (never `*`, `_`, `\` (emphasis), `[`, `]` (notes)).
PUNCT = ",.;:'\"!?-–—…()/&%$+=<>#~@^"
# Characters a line may start with without changing its shape.
START = LOWER + UPPER + CASELESS + DIGITS + "\"'¿¡-–…%$+&"
MID = START + PUNCT + " "
MID_TAB = MID + "\t"

ANNOTATION_KEYWORDS = ("cast", "set", "shot", "wardrobe", "music", "sound", "include")
_KEYWORD = re.compile(r"\s*(?:" + "|".join(ANNOTATION_KEYWORDS) + r")(?=[\s:]|$)")
_SCENE_PREFIX = re.compile(r"(?i)(?:int\.?/ext|i/e|int|ext|est)[. ]")
_FORCING_MARKS = "!@#=~>.([<^"


def _is_lower(ch: str) -> bool:
    return unicodedata.category(ch) in ("Ll", "Lt")


def needs_forced_action(visible: str) -> bool:
    """Whether an action line must be forced with `!` to stay action (conservative).

    True when the line starts with a marker, looks like a scene heading, ends like a
    transition, or has no lowercase letter before a `(` or `^` (an all-caps line is a
    character cue when lines follow it, and a cue may carry lowercase extensions).
    """
    s = visible.lstrip(" \t")
    if not s or s[0] in _FORCING_MARKS or _SCENE_PREFIX.match(s) or s.rstrip().endswith("TO:"):
        return True
    head = re.split(r"[(^]", s, maxsplit=1)[0]
    return not any(_is_lower(c) for c in head)


def text(first: str = START, rest: str = MID, max_size: int = 24) -> st.SearchStrategy[str]:
    """A non-empty text with no surrounding whitespace: one char of `first`, then `rest`."""
    return st.builds(lambda a, b: (a + b).rstrip(" \t"), st.sampled_from(first), st.text(rest, max_size=max_size))


def _words(alphabet: str, min_words: int = 1, max_words: int = 3, max_len: int = 8) -> st.SearchStrategy[str]:
    word = st.text(alphabet, min_size=1, max_size=max_len)
    return st.lists(word, min_size=min_words, max_size=max_words).map(" ".join)


# ---- expected elements ----------------------------------------------------------------------

# Every field of every element type in `to_json()` form (tuples as lists), with its default.
DEFAULTS: dict[str, dict[str, Any]] = {
    "scene_heading": {"scene_number": None},
    "action": {},
    "centered": {},
    "character": {"extensions": [], "dual": False},
    "parenthetical": {},
    "dialogue": {},
    "lyrics": {},
    "transition": {},
    "section": {},
    "synopsis": {},
    "note": {},
    "page_break": {},
    "cast": {"look": "", "wardrobe": "", "voice": "", "ref": None, "seed": None, "aka": []},
    "set": {"look": "", "lighting": "", "ref": None, "seed": None, "aka": []},
    "shot": {"framing": None, "subjects": [], "move": None, "lens_mm": None, "duration_s": None,
             "transition": None, "continuous": False, "take": None, "seed": None, "prompt": None},
    "wardrobe": {},
    "music": {"moods": [], "tempo_bpm": None, "stop": False},
    "sound": {},
    "include": {},
}


def element(type_: str, text_: str, col: int = 1, **fields: Any) -> dict:
    """An expected element: its to_json() form without `line` (set by Script.render) and
    with `_col`, the column it starts at (used only to order elements on one line)."""
    out = {"type": type_, "text": text_, **DEFAULTS[type_], **fields, "_col": col}
    return out


# A rendered chunk: raw text (one line, or several for a note spanning lines) and the elements
# that start in it (on its first line, or `_dline` lines below).
Chunk = tuple[str, list[dict]]


# ---- names ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """A character name; `at` when only a forced `@` cue can say it (lowercase, no case)."""

    text: str
    at: bool = False

    @property
    def subject_ok(self) -> bool:
        """Whether the name can be a shot subject: each word starts with a capital, a letter
        without case or a digit (docs/LANGUAGE.md, Subjects)."""
        return all(w[:1] and (unicodedata.category(w[0]) in ("Lu", "Lo") or w[0].isdigit()) for w in self.text.split(" "))


_NAME_WORD_FIRST = UPPER
_NAME_WORD_REST = UPPER + DIGITS + "'-."


def _ok_cue_name(name: str) -> bool:
    return not _SCENE_PREFIX.match(name) and not name.endswith(".") and " AND " not in f" {name} "


upper_names = st.builds(
    lambda parts: " ".join(parts),
    st.lists(st.builds(lambda a, b: a + b, st.sampled_from(_NAME_WORD_FIRST), st.text(_NAME_WORD_REST, max_size=7)),
             min_size=1, max_size=2),
).filter(_ok_cue_name)

# Names that need `@`: mixed case (McCLANE) or letters without case (CJK).
forced_names = st.one_of(
    st.builds(lambda a, b, c: a + b + c, st.sampled_from(UPPER), st.text(LOWER, min_size=1, max_size=3),
              st.text(UPPER, min_size=1, max_size=5)),
    st.text(CASELESS, min_size=1, max_size=3),
)

names = st.one_of(upper_names.map(Name), upper_names.map(Name), forced_names.map(lambda t: Name(t, at=True)))


def _keep_independent(pool: list[Name]) -> tuple[Name, ...]:
    """The names of `pool` in order, leaving out any that a kept name contains or is part of."""
    kept: list[Name] = []
    for n in pool:
        if all(n.text not in k.text and k.text not in n.text for k in kept):
            kept.append(n)
    return tuple(kept)


name_pools = st.lists(names, min_size=1, max_size=4).map(_keep_independent)


# ---- title page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TitleEntry:
    key: str
    inline: str  # "" when the values are indented below
    values: tuple[str, ...]
    indents: tuple[str, ...]

    def lines(self) -> list[str]:
        head = self.key + ":" + (" " + self.inline if self.inline else "")
        return [head] + [i + v for i, v in zip(self.indents, self.values)]

    def expected(self) -> tuple[str, list[str]]:
        return self.key, [v for v in (self.inline, *self.values) if v]


_KEY_FIRST = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÉéü" + CASELESS
_KEY_REST = _KEY_FIRST + DIGITS + ".'&/-"

# Keys are one to three words (`Draft date`), as in the spec's examples.
title_keys = st.one_of(
    st.sampled_from(["Title", "Credit", "Author", "Authors", "Source", "Draft date", "Contact", "Notes", "Copyright", "Style"]),
    st.lists(st.builds(lambda a, b: a + b, st.sampled_from(_KEY_FIRST), st.text(_KEY_REST, max_size=6)),
             min_size=1, max_size=3).map(" ".join),
).filter(lambda k: k.lower() != "aspect")


@st.composite
def title_entries(draw) -> TitleEntry:
    key = draw(title_keys)
    if draw(st.integers(0, 9)) == 0:
        ratio = draw(st.sampled_from(["2.39:1", "16:9", "1.85:1", "4:3", "1:1"]))
        return TitleEntry("Aspect", ratio, (), ())
    inline = draw(st.one_of(st.just(""), text()))
    values = tuple(draw(st.lists(text(), min_size=0 if inline else 1, max_size=3)))
    indents = tuple(draw(st.lists(st.sampled_from(["   ", "    ", "\t", "\t  "]), min_size=len(values), max_size=len(values))))
    return TitleEntry(key, inline, values, indents)


# ---- notes and annotations -----------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A note's inner text (between `[[` and `]]`) and the element it lowers to.

    `expected` is a function of the name pool (annotations refer to names by index).
    """

    render_inner: Any  # Callable[[tuple[Name, ...]], str]
    expect: Any  # Callable[[tuple[Name, ...], str], dict]  (names, inner) -> element

    def inner(self, names) -> str:
        return self.render_inner(names)

    def raw(self, names) -> str:
        return "[[" + self.inner(names) + "]]"

    def element(self, names, col: int) -> dict:
        inner = self.inner(names)
        e = self.expect(names, inner)
        e["_col"] = col
        return e


_NOTE_TEXT = text(LOWER + UPPER + CASELESS + DIGITS + "\"'-…%$+&!?.,:;()#=<>~@^/", MID_TAB, max_size=30)


@st.composite
def plain_notes(draw, multiline: bool = True) -> Note:
    lines = draw(st.lists(_NOTE_TEXT, min_size=1, max_size=3 if multiline else 1))
    lead = draw(st.sampled_from(["", "", " "]))
    trail = draw(st.sampled_from(["", "", " "]))
    indent = draw(st.sampled_from(["", "  "]))
    inner = lead + ("\n" + indent).join(lines) + trail
    if draw(st.integers(0, 15)) == 0:
        inner = draw(st.sampled_from(["", " "]))
    if _KEYWORD.match(inner):
        inner = "Note " + inner
    return Note(lambda names, s=inner: s, lambda names, s: element("note", s.strip()))


_VALUE = text(START + "(#", MID, max_size=30)  # a declaration value (may hold `:` and `,`)
_CONTINUATION = text(START + "(#", MID.replace(":", ""), max_size=20)
_FIELD_INDENTS = st.sampled_from(["  ", "  ", "    ", "\t", ""])


@st.composite
def declarations(draw, kind: str, n_names: int, multiline: bool = True) -> Note:
    """`[[cast NAME: look\\n  field: value ...]]` or `[[set NAME: ...]]`."""
    if kind == "cast":
        fields = ("wardrobe", "voice", "ref", "seed", "aka")
        name_idx = draw(st.integers(0, n_names - 1))
        set_name = None
    else:
        fields = ("lighting", "ref", "seed", "aka")
        name_idx = None
        set_name = draw(upper_names)
    look = draw(st.one_of(st.just(""), _VALUE))
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields) if multiline else 0))
    body: list[tuple[str, str | None]] = []  # (key or None for a continuation, value)
    if look and multiline and draw(st.booleans()):
        body.append((None, draw(_CONTINUATION)))
    for key in chosen:
        if key == "seed":
            value = draw(st.integers(0, 10**9).map(str))
        elif key == "aka":
            value = ", ".join(draw(st.lists(upper_names, min_size=1, max_size=3)))
        elif key == "ref":
            value = draw(st.from_regex(r"[a-z0-9/-]{1,12}\.(png|jpg|film)", fullmatch=True))
        else:
            value = draw(_VALUE)
        body.append((key, value))
        if key in ("wardrobe", "voice", "lighting") and draw(st.integers(0, 3)) == 0:
            body.append((None, draw(_CONTINUATION)))
    indents = draw(st.lists(_FIELD_INDENTS, min_size=len(body), max_size=len(body)))
    spaced = draw(st.booleans())

    def render(names, look=look, body=tuple(body), indents=tuple(indents)) -> str:
        name = names[name_idx].text if name_idx is not None else set_name
        out = f"{kind} {name}{' ' if spaced else ''}:" + (f" {look}" if look else "")
        for (key, value), indent in zip(body, indents):
            out += "\n" + indent + (f"{key}: {value}" if key else value)
        return out

    def expect(names, inner) -> dict:
        name = names[name_idx].text if name_idx is not None else set_name
        values = {"look": look}
        current = "look"
        for key, value in body:
            if key is None:
                values[current] = (values.get(current, "") + " " + value).strip()
            else:
                values[key] = value
                current = key
        extra = {k: values.get(k, "") for k in (("wardrobe", "voice") if kind == "cast" else ("lighting",))}
        return element(
            kind, inner.strip(), name=name, look=values["look"], ref=values.get("ref") or None,
            seed=int(values["seed"]) if values.get("seed") else None,
            aka=[a.strip() for a in values.get("aka", "").split(",") if a.strip()], **extra,
        )

    return Note(render, expect)


_FRAMINGS = {  # as written -> normalised
    "extreme wide": "extreme wide", "wide": "wide", "full": "full", "medium wide": "medium wide",
    "medium close-up": "medium close up", "medium close up": "medium close up", "medium close": "medium close",
    "medium": "medium", "close-up": "close up", "close up": "close up", "extreme close-up": "extreme close up",
    "extreme close": "extreme close", "close": "close", "over-the-shoulder": "over the shoulder",
    "over the shoulder": "over the shoulder", "ots": "ots", "two-shot": "two shot", "two shot": "two shot",
    "insert": "insert", "pov": "pov", "establishing": "establishing", "aerial": "aerial",
}
_MOVES = ["static", "locked off", "push in", "pull out", "pull back", "dolly in", "dolly out", "pan left",
          "pan right", "tilt up", "tilt down", "handheld", "crane up", "crane down", "track left",
          "track right", "orbit", "zoom in", "zoom out"]
_SHOT_TRANSITIONS = ["smash cut", "match cut", "cut", "dissolve", "fade in", "fade out", "wipe"]
_NUMBER = st.one_of(st.integers(1, 300).map(str), st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 99), st.integers(1, 9)))


@st.composite
def shots(draw, pool: tuple[Name, ...], multiline: bool = True) -> Note:
    """`[[shot close on NAME, push in, 50mm, 4s, ...]]`: terms in any order, each slot once."""
    subject_ids = [k for k, n in enumerate(pool) if n.subject_ok]
    terms: list[tuple[str, Any]] = []  # (slot, data)
    if draw(st.booleans()):
        written = draw(st.sampled_from(sorted(_FRAMINGS)))
        subjects = []
        if subject_ids and draw(st.booleans()):
            subjects = draw(st.lists(st.sampled_from(subject_ids), min_size=1, max_size=3, unique=True))
        seps = draw(st.lists(st.sampled_from([" and ", " & "]), min_size=len(subjects), max_size=len(subjects)))
        terms.append(("framing", (written, tuple(subjects), tuple(seps))))
    if draw(st.booleans()):
        terms.append(("move", draw(st.sampled_from(_MOVES))))
    if draw(st.booleans()):
        terms.append(("lens", draw(_NUMBER) + draw(st.sampled_from(["mm", " mm"]))))
    if draw(st.booleans()):
        terms.append(("duration", draw(_NUMBER) + draw(st.sampled_from(["s", " s", "sec", " secs", " seconds", "s"]))))
    if draw(st.integers(0, 3)) == 0:
        terms.append(("transition", draw(st.sampled_from(_SHOT_TRANSITIONS))))
    if draw(st.integers(0, 4)) == 0:
        terms.append(("continuous", None))
    if draw(st.integers(0, 4)) == 0:
        terms.append(("take", draw(st.integers(0, 99))))
    if draw(st.integers(0, 4)) == 0:
        terms.append(("seed", draw(st.integers(0, 10**6))))
    if draw(st.integers(0, 4)) == 0:
        # Prompts hold no capitals, so names appear in a shot only as subjects.
        chars = draw(st.lists(st.one_of(st.sampled_from(LOWER + DIGITS + " ,.:;!?'-"), st.sampled_from(['\\"', "\\\\"])),
                              max_size=20))
        terms.append(("prompt", "".join(chars)))
    terms = draw(st.permutations(terms))
    # Annotations other than declarations may wrap: a line break reads as a space.
    sep = draw(st.sampled_from([", ", ",", " , "] + ([",\n  ", ",\n"] if multiline else [])))
    nonzero = all(float(re.match(r"[\d.]+", d).group()) > 0 for s, d in terms if s in ("lens", "duration"))
    if not nonzero:
        terms = [t for t in terms if t[0] not in ("lens", "duration")]

    def term_text(names, slot, data) -> str:
        if slot == "framing":
            written, subjects, seps = data
            if not subjects:
                return written
            out = written + " on " + names[subjects[0]].text
            for s, k in zip(seps, subjects[1:]):
                out += s + names[k].text
            return out
        if slot in ("take", "seed"):
            return f"{slot} {data}"
        if slot == "continuous":
            return "continuous"
        if slot == "prompt":
            return f'"{data}"'
        return data

    def render(names, terms=tuple(terms)) -> str:
        body = sep.join(term_text(names, s, d) for s, d in terms)
        return "shot" + (" " + body if body else "")

    def expect(names, inner) -> dict:
        fields: dict[str, Any] = {}
        for slot, data in terms:
            if slot == "framing":
                fields["framing"] = _FRAMINGS[data[0]]
                fields["subjects"] = [names[k].text for k in data[1]]
            elif slot == "move":
                fields["move"] = data
            elif slot == "lens":
                fields["lens_mm"] = float(re.match(r"[\d.]+", data).group())
            elif slot == "duration":
                fields["duration_s"] = float(re.match(r"[\d.]+", data).group())
            elif slot == "transition":
                fields["transition"] = data
            elif slot == "continuous":
                fields["continuous"] = True
            elif slot in ("take", "seed"):
                fields[slot] = data
            else:
                fields["prompt"] = re.sub(r"\\(.)", r"\1", data)
        return element("shot", inner.strip(), **fields)

    return Note(render, expect)


_MOOD = _words(LOWER + "éü-'", 1, 3).filter(lambda m: m != "stop" and "bpm" not in m)


@st.composite
def music_cues(draw, multiline: bool = True) -> Note:
    if draw(st.integers(0, 4)) == 0:
        inner = "music: stop"
        return Note(lambda names, s=inner: s, lambda names, s: element("music", s.strip(), stop=True))
    moods = draw(st.lists(_MOOD, max_size=3))
    tempo = draw(st.one_of(st.none(), st.integers(1, 240)))
    if not moods and tempo is None:
        tempo = 96
    terms = list(moods)
    if tempo is not None:
        terms.insert(draw(st.integers(0, len(terms))), f"{tempo}{draw(st.sampled_from([' bpm', 'bpm']))}")
    inner = "music: " + draw(st.sampled_from([", ", ","] + ([",\n  "] if multiline else []))).join(terms)
    return Note(lambda names, s=inner: s,
                lambda names, s: element("music", s.strip(), moods=moods, tempo_bpm=None if tempo is None else float(tempo)))


@st.composite
def sound_cues(draw) -> Note:
    value = draw(_VALUE)
    inner = f"sound: {value}"
    return Note(lambda names, s=inner: s, lambda names, s: element("sound", s.strip(), description=value))


@st.composite
def wardrobe_changes(draw, n_names: int) -> Note:
    idx = draw(st.integers(0, n_names - 1))
    value = draw(_VALUE)
    return Note(lambda names: f"wardrobe {names[idx].text}: {value}",
                lambda names, s: element("wardrobe", s.strip(), name=names[idx].text, wardrobe=value))


@st.composite
def includes(draw) -> Note:
    path = draw(st.from_regex(r"[a-z][a-z0-9/_-]{0,15}\.film", fullmatch=True))
    inner = f"include {path}"
    return Note(lambda names, s=inner: s, lambda names, s: element("include", s.strip(), path=path))


def annotations(pool: tuple[Name, ...], multiline: bool = True) -> st.SearchStrategy[Note]:
    n = len(pool)
    return st.one_of(
        declarations("cast", n, multiline), declarations("set", n, multiline), shots(pool, multiline),
        wardrobe_changes(n), music_cues(multiline), sound_cues(), includes(),
    )


def any_notes(pool, multiline: bool = True) -> st.SearchStrategy[Note]:
    """A plain note or a film annotation; with `multiline`, one that may span lines."""
    # (one_of flattens, and counts a strategy object once: three plain-note strategies for
    # seven kinds of annotation)
    return st.one_of(*(plain_notes(multiline) for _ in range(3)), annotations(pool, multiline))


def padded(note_strategy: st.SearchStrategy[Note], multiline: bool = True) -> st.SearchStrategy[Note]:
    """Sometimes a space inside the brackets, `[[ shot wide ]]`, or with `multiline` the
    closing `]]` alone on the next line (the text is stripped)."""

    def pad(args):
        note, left, right = args
        return Note(lambda names, n=note: left + n.inner(names) + right, note.expect)

    rights = ["", "", " "] + (["\n"] if multiline else [])
    return st.tuples(note_strategy, st.sampled_from(["", "", " "]), st.sampled_from(rights)).map(pad)


# ---- paragraphs ----------------------------------------------------------------------------


# Leading tabs and spaces are ignored in every element but action (the Fountain spec,
# "Indenting"); mostly none.
INDENTS = st.sampled_from(["", "", "", "", "", "", "  ", "\t", "    "])


@dataclass
class Ctx:
    names: tuple[Name, ...]
    at_start: bool  # first paragraph of a file with no title page: must not read as `Key: value`
    dual_ok: bool  # the previous block was dialogue


class Para:
    """A paragraph of the model. `render` gives its chunks (raw lines and the elements that
    start on them); `block` is False for a paragraph of notes only (notes are transparent)."""

    block = True
    dialogue = False

    def render(self, ctx: Ctx) -> list[Chunk]:  # pragma: no cover - interface
        raise NotImplementedError


def _note_chunk(notes: list[Note], names) -> Chunk:
    """Notes on a line of their own, separated by a space (a note may span lines, and then
    the next one starts on its last line)."""
    raw = ""
    elements = []
    for note in notes:
        if raw:
            raw += " "
        line, _, last = raw.rpartition("\n")
        e = note.element(names, len(last) + 1)
        e["_dline"] = raw.count("\n")
        elements.append(e)
        raw += note.raw(names)
    return raw, elements


@dataclass
class NotePara(Para):
    notes: list[Note]
    block = False

    def render(self, ctx):
        return [_note_chunk(self.notes, ctx.names)]


@dataclass
class Heading(Para):
    prefix: str  # "" when forced with `.`
    body: str
    number: str | None
    forced: bool
    indent: str = ""  # leading spaces or tabs, ignored outside action

    def render(self, ctx):
        visible = (self.prefix + " " + self.body) if self.prefix else self.body
        raw = visible + (f" #{self.number}#" if self.number else "")
        if self.forced or not self.prefix or (ctx.at_start and ":" in raw):
            raw = "." + raw
        return [(self.indent + raw, [element("scene_heading", visible, scene_number=self.number)])]


_SCENE_PREFIXES = ["INT.", "EXT.", "EST.", "INT./EXT.", "INT/EXT", "INT/EXT.", "I/E", "I/E.", "int.", "Ext.", "INT", "EXT"]
_HEADING_BODY = text(START, MID.replace("#", ""), max_size=24).filter(lambda b: not b.endswith("TO:"))


@st.composite
def headings(draw) -> Heading:
    number = draw(st.one_of(st.none(), st.from_regex(r"[0-9]{1,3}[A-Z]?|[A-Z]-?[0-9]|[0-9]+\.[0-9]", fullmatch=True)))
    if draw(st.integers(0, 4)) == 0:
        body = draw(text(START, MID.replace("#", ""), max_size=24).filter(lambda b: not b.endswith("TO:")))
        return Heading("", body, number, True, draw(INDENTS))
    prefix = draw(st.sampled_from(_SCENE_PREFIXES))
    place = draw(st.one_of(_words(UPPER + "'-", 1, 3), _HEADING_BODY))
    time = draw(st.one_of(st.none(), st.sampled_from(["DAY", "NIGHT", "DAWN", "CONTINUOUS", "LATER", "día"])))
    body = place + (f" - {time}" if time else "")
    return Heading(prefix, body, number, draw(st.integers(0, 6)) == 0, draw(INDENTS))


@dataclass
class ActionLine:
    text: str  # visible text (no indentation)
    indent: str = ""
    forced: bool = False
    note: Note | None = None  # an inline note at the end of the line


@dataclass
class Action(Para):
    # Items: ActionLine, "spacer" (a line of two spaces: an empty line of the action), or a
    # list of notes on a line of their own (transparent).
    items: list

    def render(self, ctx):
        chunks: list[Chunk] = []
        texts: list[str] = []
        action: dict | None = None
        first = True
        for item in self.items:
            if item == "spacer":
                chunks.append(("  ", []))
                texts.append("")
                continue
            if isinstance(item, list):
                chunks.append(_note_chunk(item, ctx.names))
                continue
            visible = item.indent + item.text
            forced = item.forced or (first and (needs_forced_action(item.text)
                                                or (ctx.at_start and ":" in item.text + (item.note.inner(ctx.names) if item.note else ""))))
            raw = item.indent + ("!" if forced else "") + item.text
            elements = []
            if first:
                action = element("action", "")
                elements.append(action)
            if item.note is not None:
                raw += " "
                elements.append(item.note.element(ctx.names, len(raw) + 1))
                raw += item.note.raw(ctx.names)
            chunks.append((raw, elements))
            texts.append(visible.expandtabs(4).rstrip())
            first = False
        action["text"] = "\n".join(texts)
        return chunks


@st.composite
def actions(draw, pool) -> Action:
    def line(first: bool):
        shape = draw(st.integers(0, 9))
        if shape == 0:  # shouting: capitals only, forced when first
            t = draw(text(UPPER + CASELESS + DIGITS, UPPER + DIGITS + " ,.!?'-", max_size=20))
        elif shape == 1:  # looks like a heading or transition
            t = draw(st.sampled_from(["INT. HOUSE", "ext. road - day", "Est. 1999, the shop opens.", "I/E car",
                                      "CUT TO:", "(beat)", "(he waits) then runs", "BOB (V.O.)", "ALIN ^"]))
        elif shape in (2, 3):
            # Tabs inside, expanded to stops every 4 columns. Such a line is never forced: the
            # compiler counts a forcing `!` as a column (reported bug), so it starts lowercase
            # and holds no colon (which would force it at the start of a file).
            words = draw(st.lists(text(max_size=6).map(lambda w: w.replace(":", ".")), min_size=1, max_size=3))
            t = draw(st.sampled_from(["she", "the", "и", "où", "über", "a"]))
            for w in words:
                t += draw(st.sampled_from(["\t", " \t", "\t\t", "  ", "\t "])) + w
            return ActionLine(t, draw(st.sampled_from(["", "", "  ", "\t"])), False, None)
        else:
            t = draw(text())
        indent = draw(st.sampled_from(["", "", "", "", "  ", "    ", "\t"]))
        forced = draw(st.integers(0, 4)) == 0
        note = draw(st.one_of(st.none(), st.none(), st.none(), padded(any_notes(pool, multiline=False), multiline=False)))
        return ActionLine(t, indent, forced, note)

    items: list = [line(True)]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 7))
        if kind == 0:
            items.append("spacer")
        elif kind == 1:
            items.append(draw(st.lists(padded(any_notes(pool)), min_size=1, max_size=1)))
        items.append(line(False))
    return Action(items)


@dataclass
class Speech:
    lines: list  # (indent, text, inline note or None) or "spacer" (never first or last)


@dataclass
class Dialogue(Para):
    name: int
    at: bool
    extensions: tuple[str, ...]
    dual: bool
    # Items: Speech, ("paren", indent, text), ("lyric", text), or a list of notes on a line
    # of their own.
    items: list
    indent: str = ""  # before the cue
    dialogue = True
    cue: dict | None = field(default=None, repr=False)  # the expected cue of the last render

    def render(self, ctx):
        name = ctx.names[self.name]
        cue_text = name.text + "".join(f" ({e})" for e in self.extensions)
        dual = self.dual and ctx.dual_ok
        raw = self.indent + ("@" if self.at or name.at else "") + cue_text + (" ^" if dual else "")
        self.cue = element("character", cue_text, name=name.text, extensions=list(self.extensions), dual=dual)
        chunks: list[Chunk] = [(raw, [self.cue])]
        for item in self.items:
            if isinstance(item, list):
                chunks.append(_note_chunk(item, ctx.names))
            elif isinstance(item, Speech):
                texts = []
                for k, part in enumerate(item.lines):
                    if part == "spacer":
                        chunks.append(("  ", []))
                        texts.append("")
                        continue
                    indent, t, note = part
                    elements = [element("dialogue", "")] if k == 0 else []
                    line_raw = indent + t
                    if note is not None:
                        line_raw += " "
                        elements.append(note.element(ctx.names, len(line_raw) + 1))
                        line_raw += note.raw(ctx.names)
                    chunks.append((line_raw, elements))
                    texts.append(t)
                chunks[-len(item.lines)][1][0]["text"] = "\n".join(texts)
            elif item[0] == "paren":
                _, indent, t = item
                chunks.append((indent + t, [element("parenthetical", t)]))
            else:
                _, t, spaced = item
                chunks.append(("~" + (" " if spaced else "") + t, [element("lyrics", t)]))
        return chunks


_EXTENSIONS = ["V.O.", "O.S.", "O.C.", "CONT'D", "cont'd", "ON PHONE", "V.O", "into radio"]
# A speech line: any start that is not a marker; capitals are fine inside dialogue.
_SPEECH = st.one_of(
    text(START, MID_TAB, max_size=30),
    text(UPPER, UPPER + DIGITS + " !?.,'-", max_size=16),  # shouting
    st.sampled_from(["INT. HOUSE", "Ext. what?", "CUT TO:", "BOB (V.O.)", "ALIN ^", "Hello (beat) there"]),
)
_PAREN_INNER = text(START, MID.replace("(", "").replace(")", ""), max_size=16)
_LYRIC = text(START + "~!#=>.@", MID, max_size=20)


@st.composite
def dialogues(draw, n_names: int, pool, notes: bool = True) -> Dialogue:
    """A cue and its speech, parentheticals and lyrics; with `notes`, notes inside too (at
    the end of speech lines and on lines of their own between the parts)."""
    idx = draw(st.integers(0, n_names - 1))
    extensions = tuple(draw(st.lists(st.sampled_from(_EXTENSIONS), max_size=2)))
    items: list = []
    last = None
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["speech", "speech", "speech", "paren", "lyric", "notes"]))
        if kind == "speech" and last != "speech":
            lines: list = []
            for k in range(draw(st.integers(1, 3))):
                if k and draw(st.integers(0, 5)) == 0:
                    lines.append("spacer")
                indent = draw(st.sampled_from(["", "", "", "  ", "\t"]))
                note = draw(st.one_of(st.none(), st.none(), st.none(), padded(any_notes(pool, multiline=False), multiline=False))) if notes else None
                lines.append((indent, draw(_SPEECH), note))
            items.append(Speech(lines))
        elif kind == "paren":
            items.append(("paren", draw(st.sampled_from(["", "", "  "])), "(" + draw(_PAREN_INNER) + ")"))
        elif kind == "lyric":
            items.append(("lyric", draw(_LYRIC), draw(st.booleans())))
        elif kind == "notes" and items and notes:
            items.append(draw(st.lists(padded(any_notes(pool)), min_size=1, max_size=2)))
        else:
            continue
        if kind != "notes":  # notes on lines of their own are transparent: speech around them is one
            last = kind
    if not any(not isinstance(i, list) for i in items):
        items.append(Speech([("", draw(_SPEECH), None)]))
    return Dialogue(idx, draw(st.integers(0, 5)) == 0, extensions, draw(st.integers(0, 2)) == 0, items, draw(INDENTS))


@dataclass
class Transition(Para):
    text: str
    forced: bool
    spaced: bool = True
    indent: str = ""

    def render(self, ctx):
        raw = (">" + (" " if self.spaced else "") + self.text) if self.forced else self.text
        return [(self.indent + raw, [element("transition", self.text)])]


_TRANSITION_WORD = text(UPPER, UPPER + " '-", max_size=12)


@st.composite
def transitions(draw) -> Transition:
    if draw(st.booleans()):
        words = draw(st.one_of(st.sampled_from(["CUT", "SMASH CUT", "DISSOLVE", "MATCH CUT", "JUMP CUT", "BACK"]), _TRANSITION_WORD))
        return Transition(words + " TO:", draw(st.integers(0, 5)) == 0, True, draw(INDENTS))
    t = draw(st.one_of(st.sampled_from(["FADE OUT.", "FADE IN:", "Burn to white.", "THE END"]),
                       text(START, MID.replace("<", ""), max_size=20)))
    return Transition(t, True, draw(st.booleans()), draw(INDENTS))


@dataclass
class Centered(Para):
    lines: list[tuple[str, str, str]]  # (left space, text, right space)
    indent: str = ""

    def render(self, ctx):
        chunks = []
        for k, (left, t, right) in enumerate(self.lines):
            chunks.append((self.indent + ">" + left + t + right + "<", [element("centered", "\n".join(x[1] for x in self.lines))] if k == 0 else []))
        return chunks


@st.composite
def centereds(draw) -> Centered:
    line = st.tuples(st.sampled_from([" ", "", "  "]), text(START + "<>", MID, max_size=20), st.sampled_from([" ", ""]))
    return Centered(draw(st.lists(line, min_size=1, max_size=3)), draw(INDENTS))


@dataclass
class Lead(Para):
    """A one-line element: lyrics, section, synopsis or page break (several lyrics lines
    make several elements)."""

    lines: list[tuple[str, dict]]

    def render(self, ctx):
        return [(raw, [dict(e)]) for raw, e in self.lines]


@st.composite
def lyrics_paras(draw) -> Lead:
    lines = []
    for t in draw(st.lists(_LYRIC, min_size=1, max_size=3)):
        lines.append((draw(INDENTS) + "~" + draw(st.sampled_from(["", " "])) + t, element("lyrics", t)))
    return Lead(lines)


@st.composite
def sections(draw) -> Lead:
    level = draw(st.integers(1, 4))
    t = draw(text(START + "=~>.!@(", MID, max_size=20))
    raw = draw(INDENTS) + "#" * level + draw(st.sampled_from([" ", "", "  "])) + t
    return Lead([(raw, element("section", t, level=level))])


@st.composite
def synopses(draw) -> Lead:
    t = draw(text(START + "#~>.!@(", MID, max_size=30))
    return Lead([(draw(INDENTS) + "=" + draw(st.sampled_from([" ", ""])) + t, element("synopsis", t))])


page_breaks = st.sampled_from(["===", "====", "=====", " ===", "=== "]).map(lambda raw: Lead([(raw, element("page_break", ""))]))


def paragraphs(pool: tuple[Name, ...], notes_in_dialogue: bool = True) -> st.SearchStrategy[Para]:
    n = len(pool)
    # (one_of counts a strategy object once: weights come from distinct objects)
    return st.one_of(
        headings(), actions(pool), actions(pool), *(dialogues(n, pool, notes_in_dialogue) for _ in range(3)),
        transitions(), centereds(), lyrics_paras(), sections(), synopses(), page_breaks,
        st.lists(padded(any_notes(pool)), min_size=1, max_size=1).map(NotePara),
        st.lists(padded(any_notes(pool, multiline=False), multiline=False), min_size=2, max_size=3).map(NotePara),
        st.lists(padded(annotations(pool)), min_size=1, max_size=1).map(NotePara),
    )


# ---- scripts -------------------------------------------------------------------------------


@dataclass
class Rendered:
    text: str
    elements: list[dict]  # to_json() forms, `line` included
    title_page: list[tuple[str, list[str]]]


@dataclass
class Script:
    names: tuple[Name, ...]
    title: tuple[TitleEntry, ...]
    paras: tuple[Para, ...]
    leading_blank: bool = False
    blank: str = ""
    blanks: tuple[str, ...] = ()  # the blank line before each paragraph but the first
    ending: str = "\n"
    # Whether a `^` cue pairs with dialogue across paragraphs of notes (it does: notes are
    # transparent); False models no pair there, for the writer's sake (test_parse_properties).
    dual_across_notes: bool = True

    def render(self) -> Rendered:
        raws: list[str] = []
        expected: list[dict] = []
        line_no = 1

        def emit(raw: str, elements: list[dict]) -> None:
            nonlocal line_no
            for e in elements:
                e["line"] = line_no + e.pop("_dline", 0)
            expected.extend(elements)
            raws.append(raw)
            line_no += raw.count("\n") + 1

        for entry in self.title:
            for raw in entry.lines():
                emit(raw, [])
        if self.title and self.paras:
            emit("", [])
        if not self.title and self.leading_blank:
            emit("", [])
        at_start = not self.title and not self.leading_blank
        previous_block: Para | None = None
        second_of_pair = False
        for k, para in enumerate(self.paras):
            if k:
                emit(self.blanks[(k - 1) % len(self.blanks)] if self.blanks else self.blank, [])
            # Dual dialogue is a pair: `^` pairs a cue with the dialogue right before it, unless
            # that one is already the second of a pair.
            dual_ok = previous_block is not None and previous_block.dialogue and not second_of_pair
            for raw, elements in para.render(Ctx(self.names, at_start and k == 0, dual_ok)):
                emit(raw, elements)
            if para.dialogue and para.cue["dual"]:
                previous_block.cue["dual"] = True
            if not para.block and not self.dual_across_notes:
                previous_block = None
            if para.block:
                second_of_pair = para.dialogue and para.cue["dual"] and dual_ok
                previous_block = para
        expected.sort(key=lambda e: (e["line"], e["_col"]))
        for e in expected:
            del e["_col"]
        text_ = "\n".join(raws) + (self.ending if raws else "")
        return Rendered(text_, expected, [e.expected() for e in self.title])

    def renamed(self, index: int, new: Name) -> Script:
        names = list(self.names)
        names[index] = new
        return replace(self, names=tuple(names))


@st.composite
def scripts(draw, max_paras: int = 12, pool: tuple[Name, ...] | None = None, notes_in_dialogue: bool = True) -> Script:
    """A whole screenplay model. `notes_in_dialogue=False` keeps notes out of dialogue
    paragraphs and out of dual-dialogue pairs (the writer cannot print those back yet; see
    test_parse_properties)."""
    pool = tuple(draw(name_pools)) if pool is None else pool
    title = tuple(draw(st.lists(title_entries(), max_size=4))) if draw(st.integers(0, 2)) == 0 else ()
    # (a uniform count: hypothesis's lists favour short ones, and paragraphs interact)
    paragraph = paragraphs(pool, notes_in_dialogue)
    paras = tuple(draw(paragraph) for _ in range(draw(st.integers(0, max_paras))))
    return Script(
        names=pool, title=title, paras=paras,
        leading_blank=draw(st.integers(0, 9)) == 0,
        blanks=tuple(draw(st.lists(st.sampled_from(["", "", "", " "]), min_size=1, max_size=3))),
        ending=draw(st.sampled_from(["\n", "\n", "", "\n\n"])),
        dual_across_notes=notes_in_dialogue,
    )


# ---- arbitrary, Fountain-flavoured text ----------------------------------------------------

SPECIALS = "\n[]*_\\/#=><~!@.^():\t ABCXYZabcxyzÉé"
_FRAGMENTS = [
    "INT. HOUSE - DAY", "EXT. ROAD", "int. kitchen", "I/E CAR", ".POV", "CUT TO:", "> FADE OUT", "> THE END <",
    "BOB", "BOB ^", "@McCLANE", "ALIN (V.O.)", "(beat)", "~la la", "# Act", "## Scene", "= synopsis", "===",
    "[[", "]]", "[[note]]", "[[cast ALIN: tall\n  voice: low]]", "[[shot close on ALIN, 4s]]",
    "[[music: stop]]", "[[sound: rain]]", "[[set SHORE: sand]]", "[[wardrobe ALIN: red]]", "[[shot wibble]]",
    "/*", "*/", "*bold*", "**b**", "_u_", "\\*", "Title: X", "Author:", "    value", "\t", "  ", " ", "\n", "\n\n",
    "!", "@", "^", "He walks.", "Hello there.", "Aspect: 2.39:1", "Aspect: 0:1", "[[cast A:\n  seed: x]]",
]

fountainish_text = st.one_of(
    st.text(st.sampled_from(SPECIALS), max_size=120),
    st.text(st.one_of(st.sampled_from(SPECIALS), st.characters()), max_size=120),
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(st.sampled_from(SPECIALS), max_size=6)), max_size=25).map("".join),
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(st.sampled_from(SPECIALS), max_size=6)), max_size=15).map("\n".join),
)


# ---- what the writer cannot print back (reported; see test_parse_properties) ---------------

NOTE_TYPES = frozenset({"note", "cast", "set", "shot", "wardrobe", "music", "sound", "include"})
