"""Lowering: syntax blocks and notes from `parse` → the IR, with spans and diagnostics.

This is where a line's inside is read: scene numbers, cue extensions, emphasis, the `!`, `@`,
`>`, `~` and `.` markers, and the film annotations in notes. Nothing here raises on bad input;
problems become diagnostics and the element is kept or dropped as the message says.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import diagnostics as codes
from . import ir
from .diagnostics import Reporter
from .emphasis import parse_emphasis
from .parse import (
    NOTE,
    AnnotationError,
    Block,
    Line,
    NoteText,
    Visible,
    is_annotation,
    parse_annotation,
    parse_screenplay,
)
from .source import SourceFile, Span

_SCENE_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")
_EXTENSION = re.compile(r"\(([^()]*)\)")

CAST_FIELDS = ("look", "wardrobe", "voice", "ref", "seed", "aka")
SET_FIELDS = ("look", "lighting", "ref", "seed", "aka")


def lower(source: SourceFile, reporter: Reporter) -> ir.Film:
    """Parse and lower one source file; every problem goes to `reporter`."""
    return _Lowering(source, reporter).run()


class _Lowering:
    def __init__(self, source: SourceFile, reporter: Reporter) -> None:
        self.source = source
        self.reporter = reporter
        self.visible: Visible | None = None

    # ---- positions

    def span(self, start: int, end: int) -> Span:
        """Span of visible offsets [start, end) (replaced by source.span when no boneyard was cut)."""
        to_source = self.visible.to_source
        return self.source.span(to_source(start), to_source(end))

    def line_span(self, line: Line) -> Span:
        return self.span(line.start_pos, line.start_pos + len(line.value))

    def lines_span(self, first: Line, last: Line) -> Span:
        return self.span(first.start_pos, last.start_pos + len(last.value))

    def report(self, code: str, start: int, end: int, message: str, hints=()) -> None:
        self.reporter.report(code, self.span(start, end), message, hints)

    # ---- driver

    def run(self) -> ir.Film:
        source = self.source
        whole = source.span(0, len(source.text))
        for problem in source.problems:
            if problem.kind == "binary":
                self.reporter.report(
                    codes.BINARY_FILE, source.span(problem.offset, problem.offset + 1),
                    "this file is not a text file (it holds a NUL byte)",
                    ("a .film script is plain UTF-8 text; check that this is the file you meant",),
                )
                return ir.Film(span=whole, path=source.path)
            self.reporter.report(
                codes.INVALID_UTF8, source.span(problem.offset, problem.offset + 1),
                f"this file is not valid UTF-8 ({problem.detail}); the bad bytes read as \ufffd",
                ("save the script as UTF-8 in your editor",),
            )

        screenplay, self.visible = parse_screenplay(source.text)
        if self.visible.identity:
            self.span = source.span  # visible offsets are source offsets
        for code, start, end, message in screenplay.problems:
            hint = {
                codes.UNCLOSED_BONEYARD: ("close it with `*/`, or remove the `/*`",),
                codes.UNCLOSED_NOTE: ("close the note with `]]`; a note cannot span an empty line (put two spaces on it)",),
            }.get(code, ())
            self.report(code, start, end, message, hint)

        title_page = tuple(self.title_entry(key, values) for key, values in screenplay.title_page)
        settings = self.settings(title_page, screenplay.title_page)

        items: list[ir.Element] = []
        for block in screenplay.blocks:
            self.block(block, items)
        for note in screenplay.notes:
            element = self.note(note)
            if element is not None:
                items.append(element)
        items.sort(key=lambda e: (e.span.line, e.span.column))

        declarations = tuple(e for e in items if isinstance(e, (ir.CastDeclaration, ir.SetDeclaration, ir.Include)))
        scenes = self.scenes([e for e in items if not isinstance(e, (ir.CastDeclaration, ir.SetDeclaration, ir.Include))])
        if not items and not title_page and not self.reporter.sorted():
            self.reporter.report(
                codes.EMPTY_SCRIPT, source.span(0, 0), "this script has no screenplay elements",
                ("start with a scene heading such as `INT. KITCHEN - NIGHT`",),
            )
        return ir.Film(
            span=whole, path=source.path, title_page=title_page, settings=settings,
            declarations=declarations, scenes=scenes,
        )

    def scenes(self, elements: list[ir.Element]) -> tuple[ir.Scene, ...]:
        scenes: list[ir.Scene] = []
        heading: ir.SceneHeading | None = None
        body: list[ir.Element] = []

        def close() -> None:
            if heading is None and not body:
                return
            first = heading or body[0]
            last = body[-1] if body else first
            span = Span(
                file=first.span.file, line=first.span.line, column=first.span.column,
                end_line=last.span.end_line, end_column=last.span.end_column,
            )
            scenes.append(ir.Scene(span=span, heading=heading, elements=tuple(body)))

        for element in elements:
            if isinstance(element, ir.SceneHeading):
                close()
                heading, body = element, []
            else:
                body.append(element)
        close()
        return tuple(scenes)

    # ---- title page

    def title_entry(self, key: Line, values: tuple[Line, ...]) -> ir.TitleEntry:
        name, _, inline = key.value.partition(":")
        texts = [t for t in (_clean(inline).strip(), *(_clean(v.value).strip() for v in values)) if t]
        last = values[-1] if values else key
        return ir.TitleEntry(
            span=self.lines_span(key, last), key=name.strip(),
            values=tuple(parse_emphasis(t)[0] for t in texts),
        )

    def settings(self, entries: tuple[ir.TitleEntry, ...], raw) -> ir.Settings:
        found: dict[str, str] = {}
        values_of = {id(key): values for key, values in raw}
        for entry, (key_line, _) in zip(entries, raw, strict=True):
            lowered = entry.key.lower()
            if lowered in ("title", "style") and entry.values:
                found.setdefault(lowered, " ".join(entry.values))
            elif lowered == "aspect":
                value = " ".join(entry.values)
                ratio = _aspect_ratio(value)
                if ratio is None:
                    rest = key_line.value.partition(":")[2]
                    where = key_line if rest.strip() or not values_of[id(key_line)] else values_of[id(key_line)][0]
                    text = rest if where is key_line else where.value
                    start = where.start_pos + len(where.value) - len(text.lstrip())
                    self.report(
                        codes.INVALID_TITLE_KEY, start, start + max(1, len(text.strip())),
                        f"`Aspect: {value}` is not an aspect ratio",
                        ("write width:height, such as `2.39:1` or `16:9`",),
                    )
                else:
                    found.setdefault("aspect", ratio)
        return ir.Settings(title=found.get("title"), style=found.get("style"), aspect=found.get("aspect"))

    # ---- screenplay blocks

    def block(self, block: Block, out: list[ir.Element]) -> None:
        handler: Callable = getattr(self, "b_" + block.rule)
        handler(block, out)
        # Read by the next block: a `^` cue pairs only with dialogue right before it.
        self._last_block_was_dialogue = block.rule == "dialogue"
        if block.rule != "dialogue":
            self._last_was_second_of_pair = False

    def _styled(self, cls, text_lines: list[str], span: Span, **extra) -> ir.Element:
        if len(text_lines) == 1:
            plain, runs = parse_emphasis(text_lines[0])
            return cls(span=span, text=plain, runs=runs, **extra)
        parsed = [parse_emphasis(text) for text in text_lines]
        plain = "\n".join(p for p, _ in parsed)
        if not any(runs for _, runs in parsed):
            return cls(span=span, text=plain, runs=(), **extra)
        runs: list[ir.Run] = []
        for k, (line_plain, line_runs) in enumerate(parsed):
            if k:
                runs.append(ir.Run(text="\n"))
            if line_runs:
                runs.extend(line_runs)
            elif line_plain:
                runs.append(ir.Run(text=line_plain))
        return cls(span=span, text=plain, runs=tuple(runs), **extra)

    def b_section(self, block: Block, out: list) -> None:
        line = block.children[0]
        text = _clean(line.value).strip()
        level = len(text) - len(text.lstrip("#"))
        out.append(ir.Section(span=self.line_span(line), text=text[level:].strip(), level=level))

    def b_synopsis(self, block: Block, out: list) -> None:
        line = block.children[0]
        out.append(ir.Synopsis(span=self.line_span(line), text=_clean(line.value).strip()[1:].strip()))

    def b_page_break(self, block: Block, out: list) -> None:
        out.append(ir.PageBreak(span=self.line_span(block.children[0]), text=""))

    def b_centered(self, block: Block, out: list) -> None:
        lines = block.children
        texts = [_clean(line.value).strip()[1:-1].strip() for line in lines]
        out.append(self._styled(ir.Centered, texts, self.lines_span(lines[0], lines[-1])))

    def b_lyrics(self, block: Block, out: list) -> None:
        line = block.children[0]
        text = _clean(line.value).strip()[1:].strip()
        out.append(self._styled(ir.Lyrics, [text], self.line_span(line)))

    def b_scene_heading(self, block: Block, out: list) -> None:
        line = block.children[0]
        text = _clean(line.value).strip()
        if line.type == "FORCED_SCENE":
            text = text[1:].lstrip()
        number = None
        m = _SCENE_NUMBER.search(text)
        if m and m.start() > 0:  # `.#1#` is a heading called `#1#`, not a number alone
            number = m.group(1)
            text = text[: m.start()].rstrip()
        out.append(self._styled(ir.SceneHeading, [text], self.line_span(line), scene_number=number))

    def b_transition(self, block: Block, out: list) -> None:
        line = block.children[0]
        text = _clean(line.value).strip()
        if line.type == "FORCED_TRANSITION":
            text = text[1:].strip()
        out.append(ir.Transition(span=self.line_span(line), text=parse_emphasis(text)[0]))

    def b_action(self, block: Block, out: list) -> None:
        lines: list[Line] = list(block.children)
        texts = []
        for line in lines:
            text = _clean(line.value)
            if line.type == "FORCED_ACTION":
                # The `!` goes before tabs are expanded: it takes no column of the text.
                indent = len(text) - len(text.lstrip(" \t"))
                text = text[:indent] + text[indent + 1 :]
            texts.append(text.expandtabs(4).rstrip())
        # Lines of spaces at the edges of a paragraph are spacing, not content.
        while texts and not texts[-1].strip():
            texts.pop()
            lines.pop()
        while texts and not texts[0].strip():
            texts.pop(0)
            lines.pop(0)
        if not texts:
            return
        out.append(self._styled(ir.Action, texts, self.lines_span(lines[0], lines[-1])))

    def b_dialogue(self, block: Block, out: list) -> None:
        cue, *parts = block.children
        text = _clean(cue.value).strip()
        if cue.type == "FORCED_CHARACTER":
            text = text[1:].lstrip()
        dual = text.endswith("^")
        if dual:
            text = text[:-1].rstrip()
        name = text.split("(", 1)[0].strip()
        extensions = tuple(e.strip() for e in _EXTENSION.findall(text, len(name))) if "(" in text else ()
        if dual:
            previous = next((k for k in range(len(out) - 1, -1, -1) if isinstance(out[k], ir.Character)), None)
            if previous is not None and self._last_block_was_dialogue and not self._last_was_second_of_pair:
                out[previous] = out[previous].model_copy(update={"dual": True})
            else:
                dual = False
                start = cue.start_pos + cue.value.rindex("^")
                why = ("the dialogue before it is already the second of a pair" if self._last_block_was_dialogue
                       else "the paragraph before it is not dialogue")
                self.report(
                    codes.LONE_DUAL_DIALOGUE, start, start + 1,
                    f"`{name} ^` asks for dual dialogue, but {why}",
                    ("dual dialogue puts two speeches side by side: put the `^` cue right after another character's dialogue",),
                )
        self._last_was_second_of_pair = dual
        out.append(ir.Character(
            span=self.line_span(cue), text=text, name=name, extensions=extensions, dual=dual,
        ))
        speech: list[Line] = []

        def flush() -> None:
            if speech:
                texts = [_clean(s.value).strip() for s in speech]
                out.append(self._styled(ir.Dialogue, texts, self.lines_span(speech[0], speech[-1])))
                speech.clear()

        # Every child after the cue is a speech line (a Token), a parenthetical or lyrics.
        for part in parts:
            if part.__class__ is not Block:
                speech.append(part)
                continue
            flush()
            if part.rule == "parenthetical":
                line = part.children[0]
                out.append(self._styled(ir.Parenthetical, [_clean(line.value).strip()], self.line_span(line)))
            else:
                self.b_lyrics(part, out)
        flush()

    _last_block_was_dialogue = False
    _last_was_second_of_pair = False

    # ---- notes and annotations

    def note(self, note: NoteText) -> ir.Element | None:
        text = note.text
        inner = note.start + 2
        if not is_annotation(text):
            self._check_capitalized_keyword(note, inner)
            return ir.Note(span=self.span(note.start, note.end), text=text.strip())
        parsed = parse_annotation(text.rstrip())  # `]]` may stand on a line of its own
        if isinstance(parsed, AnnotationError):
            self.report(codes.ANNOTATION_SYNTAX, inner + parsed.start, inner + parsed.end, parsed.message, parsed.hints)
            return None
        return getattr(self, "a_" + parsed.rule)(parsed, note, inner)

    def _check_capitalized_keyword(self, note: NoteText, inner: int) -> None:
        """A plain note that would be a valid annotation with its first letter lowercased."""
        text = note.text
        lead = len(text) - len(text.lstrip())
        if not text[lead : lead + 1].isupper():
            return
        lowered = text[:lead] + text[lead].lower() + text[lead + 1 :]
        if is_annotation(lowered) and not isinstance(parse_annotation(lowered.rstrip()), AnnotationError):
            word = lowered[lead:].split(None, 1)[0].rstrip(":")
            rest = lowered[lead + len(word) :].strip()
            if word == "include" and (" " in rest or not any(c in rest for c in "./")):
                return  # "Include more jokes" is a note; "Include cast.film" looks like a mistake
            self.report(
                codes.CAPITALIZED_KEYWORD, inner + lead, inner + lead + len(word),
                f"this note reads as a plain note, but it looks like {'an' if word[0] in 'aeiou' else 'a'} `{word}` annotation",
                (f"film annotations start with a lowercase keyword: write `[[{word} ...`",
                 "if it is meant as a note, ignore this warning"),
            )

    def _declaration(self, cls, parsed: Block, note: NoteText, inner: int, allowed: tuple[str, ...]):
        name_line = parsed.children[0]
        values: dict[str, str] = {"look": ""}
        seen: dict[str, Line] = {}
        fields: list[ir.Field_] = []
        current = "look"
        rest = parsed.children[1:]
        if rest and not isinstance(rest[0], Block):
            values["look"] = rest[0].value
            seen["look"] = rest[0]
            rest = rest[1:]
        for item in rest:
            if item.rule == "continuation":
                line = item.children[0]
                values[current] = (values.get(current, "") + " " + line.value).strip()
                continue
            key_line = item.children[0]
            value_line = item.children[1] if len(item.children) > 1 else None
            key = key_line.value
            value = value_line.value if value_line else ""
            key_start = inner + key_line.start_pos
            end = inner + (value_line.start_pos + len(value_line.value) if value_line else key_line.start_pos + len(key))
            if key not in allowed:
                close = codes.did_you_mean(key, allowed)
                self.report(
                    codes.UNKNOWN_FIELD, key_start, key_start + len(key),
                    f"`{key}` is not a field of a {cls.model_fields['type'].default} declaration; filmc ignores it",
                    ((f"did you mean `{close}`?",) if close else ()) + (f"the fields are {', '.join(allowed)}",),
                )
                current = key
                continue
            if key in seen:
                self.report(
                    codes.DUPLICATE_FIELD, key_start, key_start + len(key),
                    f"`{key}` is given twice in this declaration; the second one wins",
                    (f"the first is on line {self.span(inner + seen[key].start_pos, inner + seen[key].start_pos).line}",),
                )
            seen[key] = value_line or key_line
            values[key] = value
            current = key
            fields.append(ir.Field_(key=key, value=value, span=self.span(key_start, end)))
        seed = None
        if values.get("seed"):
            if values["seed"].isdigit():
                seed = int(values["seed"])
            else:
                line = seen["seed"]
                self.report(codes.INVALID_VALUE, inner + line.start_pos, inner + line.start_pos + len(line.value),
                            f"`seed: {values['seed']}` is not a whole number", ("seeds are whole numbers like `seed: 42`",))
        aka = tuple(a.strip() for a in values.get("aka", "").split(",") if a.strip())
        extra = {k: values.get(k, "") for k in allowed if k not in ("look", "ref", "seed", "aka")}
        return cls(
            span=self.span(note.start, note.end), text=text_of(note), name=name_line.value.strip(),
            look=values["look"], ref=values.get("ref") or None, seed=seed, aka=aka, fields=tuple(fields), **extra,
        )

    def a_cast(self, parsed: Block, note: NoteText, inner: int):
        return self._declaration(ir.CastDeclaration, parsed, note, inner, CAST_FIELDS)

    def a_set(self, parsed: Block, note: NoteText, inner: int):
        return self._declaration(ir.SetDeclaration, parsed, note, inner, SET_FIELDS)

    def a_shot(self, parsed: Block, note: NoteText, inner: int):
        terms: dict[str, object] = {}
        first: dict[str, str] = {}  # slot -> the term as written
        for term in parsed.children:
            slot = _SHOT_SLOTS[term.rule]
            tokens = [c for c in term.children if not isinstance(c, Block)]
            if term.rule in ("take", "seed", "continuous"):
                # Their keyword is not kept as a token: find it just before the number.
                at = note.text.rfind(term.rule, 0, tokens[0].start_pos if tokens else len(note.text))
                start = inner + max(at, 0)
            else:
                start = inner + tokens[0].start_pos
            end = inner + (tokens[-1].start_pos + len(tokens[-1].value) if tokens else start - inner + len(term.rule))
            written = note.text[start - inner : end - inner]
            if slot in terms:
                self.report(
                    codes.CONFLICTING_TERMS, start, end,
                    f"this shot is given two {_SHOT_PLURALS[slot]}: `{first[slot]}` and `{written}`",
                    ("keep one of them: a shot has one framing, camera move, lens, duration, transition, take, seed "
                     "and prompt",),
                )
                continue
            first[slot] = written
            if term.rule == "framing":
                terms["framing"] = _normal(tokens[0].value)
                terms["subjects"] = tuple(t.value for t in tokens[1:])
            elif term.rule in ("move", "transition"):
                terms[slot] = _normal(tokens[0].value)
            elif term.rule in ("lens", "duration"):
                number = _number(tokens[0].value)
                if number <= 0:
                    self.report(codes.INVALID_VALUE, start, end, f"a {term.rule} of `{written}` is not possible",
                                (f"give a {term.rule} above zero",))
                    continue
                terms[slot] = number
            elif term.rule == "continuous":
                terms["continuous"] = True
            elif term.rule in ("take", "seed"):
                terms[slot] = int(tokens[0].value)
            else:
                terms["prompt"] = re.sub(r"\\(.)", r"\1", tokens[0].value[1:-1])
        return ir.ShotAnnotation(span=self.span(note.start, note.end), text=text_of(note), **terms)

    def a_wardrobe(self, parsed: Block, note: NoteText, inner: int):
        name, value = parsed.children
        return ir.WardrobeChange(span=self.span(note.start, note.end), text=text_of(note),
                                 name=name.value.strip(), wardrobe=" ".join(value.value.split()))

    def a_music(self, parsed: Block, note: NoteText, inner: int):
        moods: list[str] = []
        tempo: float | None = None
        tempo_written = ""
        stop = False
        for term in parsed.children:
            token = term.children[0]
            start, end = inner + token.start_pos, inner + token.start_pos + len(token.value)
            if term.rule == "stop":
                stop = True
            elif term.rule == "mood":
                moods.append(token.value)
            elif tempo is not None:
                self.report(codes.CONFLICTING_TERMS, start, end,
                            f"this music cue is given two tempos: `{tempo_written}` and `{token.value}`",
                            ("keep one tempo; start a new cue where the tempo changes",))
            elif _number(token.value) <= 0:
                self.report(codes.INVALID_VALUE, start, end, f"a tempo of `{token.value}` is not possible",
                            ("give a tempo above zero, such as `96 bpm`",))
            else:
                tempo, tempo_written = _number(token.value), token.value
        return ir.MusicCue(span=self.span(note.start, note.end), text=text_of(note),
                           moods=tuple(moods), tempo_bpm=tempo, stop=stop)

    def a_sound(self, parsed: Block, note: NoteText, inner: int):
        return ir.SoundCue(span=self.span(note.start, note.end), text=text_of(note),
                           description=" ".join(parsed.children[0].value.split()))

    def a_include(self, parsed: Block, note: NoteText, inner: int):
        return ir.Include(span=self.span(note.start, note.end), text=text_of(note), path=parsed.children[0].value)


_SHOT_SLOTS = {
    "framing": "framing", "move": "move", "lens": "lens_mm", "duration": "duration_s", "transition": "transition",
    "continuous": "continuous", "take": "take", "seed": "seed", "prompt": "prompt",
}
_SHOT_PLURALS = {
    "framing": "framings", "move": "camera moves", "lens_mm": "lenses", "duration_s": "durations",
    "transition": "transitions", "continuous": "continuity terms", "take": "takes", "seed": "seeds", "prompt": "prompts",
}


def _number(text: str) -> float:
    """The number a term starts with: `2.5s` → 2.5, `96 bpm` → 96.0."""
    return float(re.match(r"\d+(?:\.\d+)?", text).group())


def _aspect_ratio(value: str) -> tuple[float, float] | None:
    """`2.39:1` → (2.39, 1.0); None when the value is not a ratio of two positive numbers."""
    parsed = parse_annotation(value, start="aspect_ratio")
    if isinstance(parsed, AnnotationError):
        return None
    width, height = (float(token.value) for token in parsed.children)
    return (width, height) if width > 0 and height > 0 else None


def text_of(note: NoteText) -> str:
    """An annotation's text as written, inner whitespace kept."""
    return note.text.strip()


def _clean(text: str) -> str:
    """A line's visible text: its inline notes taken out.

    A note that opens a line takes the spaces after it along, so `[[shot wide]] Waves.` reads
    `Waves.` rather than an indented ` Waves.`; elsewhere the spaces around a note stay.
    """
    if "[[" not in text:
        return text
    return NOTE.sub("", _LEADING_NOTES.sub(r"\1", text))


_LEADING_NOTES = re.compile(r"^([ \t]*)(?:" + NOTE.pattern + r"[ \t]*)+")


def _normal(words: str) -> str:
    """A multi-word term in one spelling: lowercase, single spaces, no hyphens."""
    return " ".join(words.lower().replace("-", " ").split())


