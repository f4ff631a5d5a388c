"""How a screenplay names things: characters, places and times of day, in the writer's spellings.

Screenwriters spell one name several ways (`WILL’S` and `WILL'S`, `BIG TOP` and `BIG-TOP`,
`DR. BENNETT` and `Dr Bennett`); `fold` gives every spelling of one name the same key (a cue's
extensions, `(CONT'D)`, are not part of its name: the IR keeps them apart). `parse_heading`
reads a scene heading the way a script supervisor does: `EXT. SHORE - DAWN` is the exterior of
SHORE at dawn, `INT. BIG TOP - NIGHT [CONTINUOUS]` continues the scene before it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import regex

from .diagnostics import edit_distance

_FOLD = re.compile(r"[\u2019\u2018\u02bc`.\-_]")
_FOLDED = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", ".": "", "-": " ", "_": " "}


@functools.lru_cache(maxsize=8192)
def fold(name: str) -> str:
    """The key of a name: case folded, one kind of apostrophe, no full stops, hyphens as
    spaces, single spaces (`DR. BENNETT` and `Dr Bennett` are one name)."""
    return " ".join(_FOLD.sub(lambda m: _FOLDED[m.group()], name.casefold()).split())


# ---- character cues ----------------------------------------------------------------------

# Extensions that put the voice off screen: the speaker need not be in the shot.
_OFF_SCREEN = re.compile(
    r"^(?:V\.?\s?O|O\.?\s?S|O\.?\s?C|PRE-?LAP|ON (?:THE )?(?:PHONE|RADIO|TV|SPEAKER|INTERCOM|SCREEN)|"
    r"OVER (?:THE )?(?:PHONE|RADIO|SPEAKER|INTERCOM)|FILTERED|INTO PHONE|OFF|OFF SCREEN|OFF-SCREEN)\.?$",
    re.I,
)
# Extensions a writer might misspell, in their usual spelling.
KNOWN_EXTENSIONS = ("V.O.", "O.S.", "O.C.", "CONT'D", "PRELAP")
_CONTINUED = re.compile(r"^CONT['’]?D\.?$|^CONTINUING$|^CONT\.?$", re.I)


def extension_parts(extensions: tuple[str, ...]) -> list[str]:
    """Every extension of a cue, `(O.S., PRELAP)` split at its commas."""
    return [part.strip() for ext in extensions for part in ext.split(",") if part.strip()]


def is_off_screen(extensions: tuple[str, ...]) -> bool:
    """True when a cue's extensions say the voice is heard, not seen (V.O., O.S., O.C., ...),
    a slip of one character included (`V.0.` is read as the V.O. it means)."""
    return any(_OFF_SCREEN.match(part) or off_screen_slip(part) for part in extension_parts(extensions))


def off_screen_slip(part: str) -> str | None:
    """The off-screen extension a slightly misspelt one means (`V.0.` → `V.O.`), if any."""
    if len(part) > 6:
        return None
    for known in ("V.O.", "O.S.", "O.C."):
        if edit_distance(part.upper(), known) <= 1 or edit_distance(part.upper(), known.rstrip(".")) <= 1:
            return known
    return None



def is_continued(part: str) -> bool:
    return bool(_CONTINUED.match(part))


def is_voice_name(name: str) -> bool:
    """A cue such as `A MAN'S VOICE` names a voice, never a person on screen."""
    return bool(re.search(r"\bvoices?\b|\bnarrator\b|\bannouncer\b", fold(name)))


def is_group_name(name: str, extensions: tuple[str, ...] = ()) -> bool:
    """A cue such as `THE CROWD` or `ALL` speaks for many people, not one character."""
    group = r"\b(?:all|everyone|everybody|both|crowd|various|chorus|audience|townfolk|townsfolk|people|kids|others|group)\b"
    return bool(re.search(group, fold(name))) or any(re.search(group, fold(p)) for p in extension_parts(extensions))


def without_article(key: str) -> str:
    """A folded name without a leading article: `the sea god` → `sea god`."""
    return re.sub(r"^(?:a|an|the) ", "", key)


_TOGETHER = re.compile(r"\s+(?:and|&)\s+", re.I)


def speakers(name: str) -> list[str]:
    """The names in a cue: `EDWARD AND WILL` is two speakers, `EDWARD` one."""
    parts = [p.strip() for p in _TOGETHER.split(name) if p.strip()]
    return parts or [name]


# Words that say what kind of person a name is rather than who: "THE MAN", "YOUNG WILL".
GENERIC_WORDS = frozenset(
    "a an the of and young old older younger adult little big mr mr. mrs mrs. ms ms. dr dr. man woman men women "
    "boy girl kid child voice guy lady sir miss".split()
)


def mention_words(name: str) -> list[str]:
    """The words of a name that mark its character in action text, in folded form.

    `DR. BENNETT` is mentioned by "Bennett"; `YOUNG EDWARD` by "Edward"; `THE MAN` only by
    "the man" as a whole.
    """
    key = fold(name)
    words = [w for w in key.split() if w not in GENERIC_WORDS and len(w.strip(".'")) >= 3]
    return [key] + [w for w in words if w != key]


def differs_only_in_numbers(a: str, b: str) -> bool:
    """`GUARD #1` and `GUARD #2` are two characters, not a typo (but `BIGTOP` and `BIG TOP`
    differ in a space, not a number)."""
    def strip(text: str) -> str:
        return " ".join(re.sub(r"[#\d]+", " ", text).split())

    return a != b and strip(a) == strip(b)


# ---- scene headings ----------------------------------------------------------------------

_PREFIX = re.compile(
    r"^(?P<place>INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|INT|EXT|EST|I\s*/\s*E)(?:\.|\s|$)\s*", re.I
)
# ` - `, ` -- `, a dash of any kind with or without spaces (`HOUSE—NIGHT`), or a comma; a plain
# hyphen only with spaces, so `BIG-TOP` stays one word.
_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]{1,2}\s+|\s*--\s*|\s*[\u2013\u2014]+\s*|\s+[-]$|\s*,\s+")
_TAG = re.compile(r"[\[(]([^\[\]()]*)[\])]")

# Times of day, by the light they give; a heading's words are matched longest first.
TIME_CLASSES = {
    "dawn": ("pre-dawn", "predawn", "dawn", "sunrise", "first light", "daybreak", "early morning"),
    "day": ("day", "daytime", "morning", "late morning", "afternoon", "late afternoon", "noon", "midday",
            "lunchtime", "another day", "present day", "the next morning", "next day", "same day"),
    "dusk": ("dusk", "sunset", "sundown", "twilight", "magic hour", "golden hour", "evening", "early evening"),
    "night": ("night", "nighttime", "midnight", "late night", "another night", "the next night"),
}
_TIME_OF = {word: cls for cls, words in TIME_CLASSES.items() for word in words}
# Words that say "the same moment as the scene before": its time of day carries over.
CONTINUOUS_WORDS = ("continuous", "continued", "same", "same time", "moments later", "seconds later",
                    "a moment later", "a second later", "minutes later")
# Words that say "later, but the same stretch of the day".
LATER_WORDS = ("later", "a little later")

_TIME_WORDS = regex.compile(
    r"(?<![\p{L}\p{N}])(?:"
    + "|".join(re.escape(w).replace(r"\ ", r"\s+").replace(r"\-", "[-\u2013]?")
               for w in sorted({*_TIME_OF, *CONTINUOUS_WORDS, *LATER_WORDS}, key=len, reverse=True))
    + r")(?![\p{L}\p{N}])",
    regex.I,
)


@dataclass(frozen=True, slots=True)
class Heading:
    """What a scene heading says: where (interior, exterior or both) and when.

    `time` is the time of day as written (`DAWN`), `light` its class (dawn, day, dusk, night);
    `continuous` is true for CONTINUOUS, SAME and MOMENTS LATER, `later` for LATER. `location`
    is the set's name as written, tags in brackets and parentheses left out.
    """

    place: str | None  # "int", "ext", "int/ext" or None (a forced heading without a prefix)
    location: str
    time: str | None
    light: str | None
    continuous: bool
    later: bool
    # Where the location and the time are in the heading text, as [start, end) offsets.
    location_at: tuple[int, int]
    time_at: tuple[int, int] | None


def parse_heading(text: str) -> Heading:
    """Read a scene heading's text (without scene number)."""
    place = None
    offset = 0
    m = _PREFIX.match(text)
    if m:
        raw = m.group("place").upper().replace(" ", "").replace(".", "")
        place = {"INT": "int", "EXT": "ext", "EST": "ext"}.get(raw, "int/ext")
        offset = m.end()
        lead = re.match(r"[-\u2013\u2014]+\s*", text[offset:])  # `INT. - NIGHT`: no location
        if lead:
            offset += lead.end()
    # Segments between ` - ` separators, with their offsets.
    segments: list[tuple[int, int]] = []
    start = offset
    for sep in _SEPARATOR.finditer(text, offset):
        segments.append((start, sep.start()))
        start = sep.end()
    segments.append((start, len(text)))
    segments = [(a, b) for a, b in segments if text[a:b].strip()] or [(offset, offset)]

    time = light = None
    time_at = None
    continuous = later = False
    first_time_segment = len(segments)
    # The first segment always names the place; later ones that hold a time word are timing.
    for k in range(len(segments) - 1, 0, -1):
        a, b = segments[k]
        found = list(_TIME_WORDS.finditer(text, a, b))
        if not found:
            if _TAG.sub("", text[a:b]).strip():
                break
            first_time_segment = k  # a segment of tags only, like `[THE STORM]`
            continue
        first_time_segment = k
        for word in found:
            key = " ".join(word.group().lower().replace("\u2013", "-").split())
            if key in CONTINUOUS_WORDS:
                continuous = True
            elif key in LATER_WORDS:
                later = True
            elif time_at is None or word.start() < time_at[0]:
                # The earliest time word wins: "DAY TO NIGHT" starts in daylight.
                time, light, time_at = word.group(), _TIME_OF[key], word.span()
    # Tags such as [CONTINUOUS] may also sit in the place segment ("NIGHT [CONTINUOUS]" is
    # covered above; "BLOOM HOUSE [CONTINUOUS]" is not).
    a, b = segments[0]
    if first_time_segment == 1 or len(segments) == 1:
        # `INT. - NIGHT` or `EXT. NIGHT`: the only place segment is a time, so no location.
        whole = _TIME_WORDS.fullmatch(text[a:b].strip())
        if whole:
            key = " ".join(whole.group().lower().split())
            if key in _TIME_OF and time is None:
                start = a + len(text[a:b]) - len(text[a:b].lstrip())
                time, light, time_at = whole.group(), _TIME_OF[key], (start, start + len(whole.group()))
            continuous |= key in CONTINUOUS_WORDS
            return Heading(place=place, location="", time=time, light=light, continuous=continuous, later=later,
                           location_at=(a, a), time_at=time_at)
    loc_a, loc_b = segments[0][0], segments[first_time_segment - 1][1]
    for tag in _TAG.finditer(text, loc_a, loc_b):
        key = " ".join(tag.group(1).lower().split())
        if key in CONTINUOUS_WORDS:
            continuous = True
        elif key in LATER_WORDS:
            later = True
    location = " ".join(_TAG.sub(" ", text[loc_a:loc_b]).split())
    return Heading(
        place=place, location=location, time=time, light=light, continuous=continuous, later=later,
        location_at=(loc_a, loc_b), time_at=time_at,
    )
