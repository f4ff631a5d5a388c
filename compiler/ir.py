"""The IR: frozen pydantic models of a film, every node with its source span.

A `Film` is its title page, its film settings (from title-page keys), its declarations (cast,
sets, includes) and its scenes; each scene holds its heading and its elements in script
order. The models are the contract between the front end and every later pass: passes build
new trees, they never mutate one.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from .names import fold
from .source import Span


class Node(BaseModel):
    """Base of every IR node: frozen, no stray fields, and a span."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    span: Span

    def content(self) -> dict:
        """The node as data with every span left out (nested ones too): what it says, not
        where; two nodes with equal content are the same screenplay text."""
        return _without_spans(self.model_dump())


def _without_spans(value):
    if isinstance(value, dict):
        return {k: _without_spans(v) for k, v in value.items() if k != "span"}
    if isinstance(value, (list, tuple)):
        return [_without_spans(v) for v in value]
    return value


class Run(BaseModel):
    """A run of text with one emphasis style (Fountain's *, **, ***, _)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


class Element(Node):
    """A screenplay element. `type` is its name in `filmc parse --json`; for a film
    annotation, `text` is the annotation as written between its brackets.

    Elements say what a paragraph is, not how it was spelled: a forced `!`, `@`, `.` or `>`
    leaves no trace, and the writer forces exactly where the plain spelling would misread.
    """

    type: str
    text: str = ""

    # Keys left out of the JSON form (span is summarised as "line").
    _json_exclude: ClassVar[frozenset[str]] = frozenset({"span", "runs"})

    def to_json(self) -> dict:
        """The element as `filmc parse --json` prints it."""
        out = {"type": self.type, "text": self.text, "line": self.span.line}
        for name in type(self).model_fields:
            if name in out or name in self._json_exclude:
                continue
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        runs = getattr(self, "runs", ())
        if runs:
            out["runs"] = [r.model_dump(exclude_defaults=True) for r in runs]
        return out


class Styled(Element):
    """An element whose text may carry emphasis; `runs` is empty when it carries none."""

    runs: tuple[Run, ...] = ()


# ---- Fountain elements -------------------------------------------------------------------


class SceneHeading(Styled):
    type: Literal["scene_heading"] = "scene_heading"
    scene_number: str | None = None


class Action(Styled):
    type: Literal["action"] = "action"


class Centered(Styled):
    type: Literal["centered"] = "centered"


class Character(Element):
    """A character cue: `name` without extensions, `extensions` like ('V.O.', "CONT'D")."""

    type: Literal["character"] = "character"
    name: str
    extensions: tuple[str, ...] = ()
    dual: bool = False


class Parenthetical(Styled):
    type: Literal["parenthetical"] = "parenthetical"


class Dialogue(Styled):
    type: Literal["dialogue"] = "dialogue"


class Lyrics(Styled):
    type: Literal["lyrics"] = "lyrics"


class Transition(Element):
    type: Literal["transition"] = "transition"


class Section(Element):
    type: Literal["section"] = "section"
    level: int


class Synopsis(Element):
    type: Literal["synopsis"] = "synopsis"


class Note(Element):
    """A plain Fountain note (not a film annotation)."""

    type: Literal["note"] = "note"


class PageBreak(Element):
    type: Literal["page_break"] = "page_break"


# ---- film annotations ----------------------------------------------------------------------


class Field_(BaseModel):
    """One `key: value` line of a declaration, as written, with its span."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    value: str
    span: Span


class CastDeclaration(Element):
    """`[[cast NAME: look ...]]`: a character declared once, injected into every request."""

    type: Literal["cast"] = "cast"
    name: str
    look: str = ""
    wardrobe: str = ""
    voice: str = ""
    ref: str | None = None
    seed: int | None = None
    aka: tuple[str, ...] = ()
    fields: tuple[Field_, ...] = ()
    _json_exclude: ClassVar[frozenset[str]] = frozenset({"span", "fields"})


class SetDeclaration(Element):
    """`[[set NAME: look ...]]`: a location declared once."""

    type: Literal["set"] = "set"
    name: str
    look: str = ""
    lighting: str = ""
    ref: str | None = None
    seed: int | None = None
    aka: tuple[str, ...] = ()
    fields: tuple[Field_, ...] = ()
    _json_exclude: ClassVar[frozenset[str]] = frozenset({"span", "fields"})


class ShotAnnotation(Element):
    """`[[shot ...]]`: how the next shot is filmed. Unset terms are inferred later."""

    type: Literal["shot"] = "shot"
    framing: str | None = None
    subjects: tuple[str, ...] = ()
    move: str | None = None
    lens_mm: float | None = None
    duration_s: float | None = None
    transition: str | None = None
    continuous: bool = False
    take: int | None = None
    seed: int | None = None
    prompt: str | None = None


class WardrobeChange(Element):
    """`[[wardrobe NAME: ...]]`: what a character wears from here on."""

    type: Literal["wardrobe"] = "wardrobe"
    name: str
    wardrobe: str


class MusicCue(Element):
    """`[[music: mood, tempo]]` starts a cue; `[[music: stop]]` ends the current one."""

    type: Literal["music"] = "music"
    moods: tuple[str, ...] = ()
    tempo_bpm: float | None = None
    stop: bool = False


class SoundCue(Element):
    """`[[sound: ...]]`: a sound effect at this point."""

    type: Literal["sound"] = "sound"
    description: str


class Include(Element):
    """`[[include path]]`: declarations (cast, sets) from another file of the project."""

    type: Literal["include"] = "include"
    path: str


AnyElement = Annotated[
    SceneHeading | Action | Centered | Character | Parenthetical | Dialogue | Lyrics | Transition
    | Section | Synopsis | Note | PageBreak | ShotAnnotation | WardrobeChange | MusicCue | SoundCue,
    Field(discriminator="type"),
]
Declaration = Annotated[CastDeclaration | SetDeclaration | Include, Field(discriminator="type")]


# ---- the film ------------------------------------------------------------------------------


class TitleEntry(Node):
    """One title-page key with its values (inline and indented), emphasis removed."""

    key: str
    values: tuple[str, ...]


class Settings(BaseModel):
    """Film-wide settings from title-page keys (Title, Style, Aspect)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = None
    style: str | None = None
    aspect: tuple[float, float] | None = None


class Scene(Node):
    """A scene: its heading (None for what comes before the first one) and its elements."""

    heading: SceneHeading | None
    elements: tuple[AnyElement, ...]


class Film(Node):
    """A whole screenplay: title page, settings, declarations, scenes."""

    path: str
    title_page: tuple[TitleEntry, ...] = ()
    settings: Settings = Settings()
    declarations: tuple[Declaration, ...] = ()
    scenes: tuple[Scene, ...] = ()

    def elements(self) -> list[Element]:
        """Every element, declarations and headings included, in source order."""
        items: list[Element] = list(self.declarations)
        for scene in self.scenes:
            if scene.heading is not None:
                items.append(scene.heading)
            items.extend(scene.elements)
        items.sort(key=lambda e: (e.span.line, e.span.column))
        return items

    def to_json(self) -> dict:
        """The shape `filmc parse --json` prints: title page and the flat element list."""
        title: dict[str, list[str]] = {}
        for entry in self.title_page:
            title.setdefault(entry.key, []).extend(entry.values)
        return {"title_page": title, "elements": [e.to_json() for e in self.elements()]}


# ---- resolved names ------------------------------------------------------------------------
#
# What the resolve pass learns from a film and its includes: one entry per character and per
# set, whether declared or inferred from a plain screenplay, and where each scene happens.
# Later passes (shot inference, prompts) read these instead of the raw declarations.


class _Entity(BaseModel):
    """What characters and sets have alike: a key (the folded name), the name as first
    written, whether it was declared, where it is declared or first met, and its description."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    name: str
    declared: bool
    span: Span
    look: str = ""
    ref: str | None = None
    seed: int | None = None
    aka: tuple[str, ...] = ()


class CastMember(_Entity):
    """One character. `declared` is false for a character filmc inferred from the screenplay;
    then `look` is the action sentence that introduces them ("ALIN (19), a lean fisherman...")."""

    wardrobe: str = ""
    voice: str = ""


class FilmSet(_Entity):
    """One set (a location). Inferred sets take their name from scene headings, and their look
    from the first sentence of the first scene there."""

    lighting: str = ""


class SceneSetting(BaseModel):
    """Where and when a scene happens: its set, interior or exterior, and its light.

    `light` is dawn, day, dusk or night; `light_from` says whether the heading gave it
    ("heading"), it carries over from the scene before ("previous"), or filmc assumed day
    ("default").
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    set_key: str | None
    place: Literal["int", "ext", "int/ext"] | None
    time: str | None
    light: Literal["dawn", "day", "dusk", "night"]
    light_from: Literal["heading", "previous", "default"]
    continuous: bool


class Symbols(BaseModel):
    """The film's names resolved: cast and sets by key, each scene's setting (one per scene,
    in order), and every spelling that resolves to a key (cue names, aliases, misspellings)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cast: dict[str, CastMember] = {}
    sets: dict[str, FilmSet] = {}
    settings: tuple[SceneSetting, ...] = ()
    spellings: dict[str, str] = {}
    set_spellings: dict[str, str] = {}

    def character(self, name: str) -> CastMember | None:
        """The character a name (as written in a cue or an annotation) resolves to."""
        key = self.spellings.get(fold(name))
        return self.cast.get(key) if key else None


# ---- the shot list -------------------------------------------------------------------------
#
# What shot inference (passes/shots.py) makes of a film: every shot in order, annotated or
# inferred, timed, with who is on screen and what is said over it. The planner turns it into
# generation tasks.


class Speech(BaseModel):
    """One speech: a character cue and the lines under it, said as one voice line.

    `character` is the cast key it resolves to (None for a voice nobody plays, like THE CROWD);
    `start_s` is where the line begins on the film's timeline.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    span: Span
    name: str
    character: str | None
    text: str
    direction: str = ""
    off_screen: bool = False
    sung: bool = False
    words: int
    duration_s: float
    start_s: float = 0.0


class Shot(BaseModel):
    """One shot of the film.

    `id` is `SCENE.N` (the prologue before the first heading is scene 0). `subjects` are the
    cast keys on screen, `wardrobe` what each of them wears in this shot. `timed_by` says
    what set the duration: the annotation, the speech, the action, or the shortest shot.
    `annotated` is false for a shot filmc inferred; `card` holds the text of a centered card.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    scene: int
    span: Span
    annotated: bool
    set_key: str | None
    place: Literal["int", "ext", "int/ext"] | None
    light: Literal["dawn", "day", "dusk", "night"]
    framing: str
    subjects: tuple[str, ...] = ()
    wardrobe: tuple[tuple[str, str], ...] = ()
    move: str = "static"
    lens_mm: float | None = None
    duration_s: float
    timed_by: Literal["annotation", "speech", "action", "minimum"]
    transition: str | None = None
    fade_out: bool = False
    continuous: bool = False
    take: int | None = None
    seed: int | None = None
    prompt: str | None = None
    action: str = ""
    card: str | None = None
    speeches: tuple[Speech, ...] = ()
    sounds: tuple[str, ...] = ()
    start_s: float = 0.0


class MusicSpan(BaseModel):
    """A music cue and the shots it plays under: from `first` up to, not including, `end`
    (indices into the shot list)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    span: Span
    moods: tuple[str, ...]
    tempo_bpm: float | None
    first: int
    end: int
    start_s: float
    duration_s: float


class ShotList(BaseModel):
    """A film's shots in order, its music, and its length (title and end cards included)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shots: tuple[Shot, ...]
    music: tuple[MusicSpan, ...] = ()
    title_card_s: float = 0.0
    end_card_s: float = 0.0

    @property
    def runtime_s(self) -> float:
        return self.title_card_s + sum(s.duration_s for s in self.shots) + self.end_card_s
