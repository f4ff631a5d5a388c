"""Names: fold keys, scene headings as real scripts write them, cue names and their helpers."""

from __future__ import annotations

import pytest

from filmc.compiler.names import (
    differs_only_in_numbers,
    fold,
    is_group_name,
    is_off_screen,
    is_voice_name,
    mention_words,
    parse_heading,
    speakers,
    without_article,
)

# ---- fold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("WILL’S BEDROOM", "WILL'S BEDROOM"),  # curly and straight apostrophes
        ("WILL‘S", "WILL'S"),
        ("WILLʼS", "WILL'S"),
        ("WILL`S", "WILL'S"),
        ("DR. BENNETT", "Dr Bennett"),
        ("DR.  BENNETT", "dr bennett"),
        ("BIG-TOP", "BIG TOP"),
        ("BIG_TOP", "big top"),
        ("  SEA   GOD ", "SEA GOD"),
        ("ÉMILE", "émile"),
    ],
)
def test_fold_gives_spellings_of_one_name_one_key(a: str, b: str) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("BIGTOP", "BIG TOP"),  # a missing space is a typo, not the same spelling
        ("WILLS", "WILL'S"),
        ("GUARD #1", "GUARD #2"),
        ("EDWARD", "EDWRAD"),
    ],
)
def test_fold_keeps_different_names_apart(a: str, b: str) -> None:
    assert fold(a) != fold(b)


def test_fold_key_form() -> None:
    assert fold("DR. JULIUS  BENNETT") == "dr julius bennett"
    assert fold("WILL’S BIG-TOP") == "will's big top"


@pytest.mark.parametrize(
    ("text", "place", "location", "time", "light", "continuous", "later"),
    [
        ("INT.  WILL’S BEDROOM - NIGHT (1973)", "int", "WILL’S BEDROOM", "NIGHT", "night", False, False),
        ("EXT. BY THE RIVER - NIGHT - CONTINUOUS", "ext", "BY THE RIVER", "NIGHT", "night", True, False),
        ("INT.  SANDRA’S BEDROOM - [THE NEXT] MORNING", "int", "SANDRA’S BEDROOM", "MORNING", "day", False, False),
        ("INT. EDWARD’S CAR - NIGHT - [THE STORM]", "int", "EDWARD’S CAR", "NIGHT", "night", False, False),
        ("INT./EXT.  BLOOM HOUSE - (PRESENT) DAY", "int/ext", "BLOOM HOUSE", "DAY", "day", False, False),
        ("INT. HALLWAY, SCOTT'S APARTMENT BUILDING, A MOMENT LATER", "int", "HALLWAY, SCOTT'S APARTMENT BUILDING",
         None, None, True, False),
        ("EXT. FIELD - PRE-DAWN", "ext", "FIELD", "PRE-DAWN", "dawn", False, False),
        ("INT. - NIGHT", "int", "", "NIGHT", "night", False, False),
        ("INT. HOUSE", "int", "HOUSE", None, None, False, False),
        ("EXT. SHORE - DAWN", "ext", "SHORE", "DAWN", "dawn", False, False),
        ("INT. BIG TOP - NIGHT [CONTINUOUS]", "int", "BIG TOP", "NIGHT", "night", True, False),
        ("INT. BLOOM HOUSE [CONTINUOUS]", "int", "BLOOM HOUSE", None, None, True, False),
        ("EXT. NIGHT", "ext", "", "NIGHT", "night", False, False),
        ("INT. KITCHEN - LATER", "int", "KITCHEN", None, None, False, True),
        ("INT. HOUSE - LATER THAT NIGHT", "int", "HOUSE", "NIGHT", "night", False, True),
        ("INT. KITCHEN - MOMENTS LATER", "int", "KITCHEN", None, None, True, False),
        ("EXT. STREET - SAME", "ext", "STREET", None, None, True, False),
        ("INT. HOUSE - MORNING (CONTINUOUS)", "int", "HOUSE", "MORNING", "day", True, False),
        ("EST. CITY - DAY", "ext", "CITY", "DAY", "day", False, False),
        ("I/E CAR - DAY", "int/ext", "CAR", "DAY", "day", False, False),
        ("INT HOUSE - DAY", "int", "HOUSE", "DAY", "day", False, False),
        ("int. house - night", "int", "house", "night", "night", False, False),
        ("INT. OFFICE -- NIGHT", "int", "OFFICE", "NIGHT", "night", False, False),
        ("INT. OFFICE – DUSK", "int", "OFFICE", "DUSK", "dusk", False, False),
        ("EXT. BEACH - SUNSET", "ext", "BEACH", "SUNSET", "dusk", False, False),
        ("INT. HOUSE - EARLY MORNING", "int", "HOUSE", "EARLY MORNING", "dawn", False, False),
        ("INT. LIVING ROOM - LATE NIGHT", "int", "LIVING ROOM", "LATE NIGHT", "night", False, False),
        ("INT. ROOM - NIGHT (FLASHBACK)", "int", "ROOM", "NIGHT", "night", False, False),
        # Time words inside a location name are part of the place, not its time.
        ("EXT. MIDNIGHT DINER - DAY", "ext", "MIDNIGHT DINER", "DAY", "day", False, False),
        ("EXT. DAY CARE - NIGHT", "ext", "DAY CARE", "NIGHT", "night", False, False),
        # A middle segment with no time in it still names the place.
        ("INT. CAR - MOVING - NIGHT", "int", "CAR - MOVING", "NIGHT", "night", False, False),
        ("INT. BLOOM HOUSE - KITCHEN - DAY", "int", "BLOOM HOUSE - KITCHEN", "DAY", "day", False, False),
        # The earliest time word wins: DAY TO NIGHT starts in daylight.
        ("INT. OFFICE - DAY TO NIGHT", "int", "OFFICE", "DAY", "day", False, False),
    ],
)
def test_parse_heading(text, place, location, time, light, continuous, later) -> None:
    heading = parse_heading(text)
    assert (heading.place, heading.location, heading.time, heading.light, heading.continuous, heading.later) == (
        place, location, time, light, continuous, later
    )


@pytest.mark.parametrize(
    "text",
    [
        "INT.  WILL’S BEDROOM - NIGHT (1973)",
        "EXT. BY THE RIVER - NIGHT - CONTINUOUS",
        "INT.  SANDRA’S BEDROOM - [THE NEXT] MORNING",
        "INT. EDWARD’S CAR - NIGHT - [THE STORM]",
        "EXT. FIELD - PRE-DAWN",
        "INT. CAR - MOVING - NIGHT",
        "EXT. SEA - MAGIC HOUR",
    ],
)
def test_heading_offsets_point_at_location_and_time(text: str) -> None:
    heading = parse_heading(text)
    a, b = heading.location_at
    assert text[a:b] == heading.location
    assert heading.time_at is not None
    a, b = heading.time_at
    assert text[a:b] == heading.time


def test_heading_without_location_points_at_its_time() -> None:
    text = "INT. - NIGHT"
    heading = parse_heading(text)
    assert heading.location_at[0] == heading.location_at[1]
    a, b = heading.time_at
    assert text[a:b] == "NIGHT"


def test_heading_without_prefix_has_no_place() -> None:
    heading = parse_heading("BIG TOP")
    assert heading.place is None and heading.location == "BIG TOP" and heading.time is None


def test_heading_prefix_needs_a_word_break() -> None:
    # INTO and EXTRA are words, not INT and EXT.
    assert parse_heading("INTO THE WOODS - NIGHT").place is None
    assert parse_heading("EXTRA ROOM - DAY").place is None


def test_heading_unspaced_em_dash_separates_time() -> None:
    heading = parse_heading("INT. HOUSE—NIGHT")
    assert (heading.location, heading.time, heading.light) == ("HOUSE", "NIGHT", "night")


# ---- cues ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extensions", "off"),
    [
        (("V.O.",), True),
        (("O.S.",), True),
        (("O.C.",), True),
        (("VO",), True),
        (("V.0.",), True),  # a zero for an O
        (("PRELAP",), True),
        (("PRE-LAP",), True),
        (("ON THE PHONE",), True),
        (("INTO PHONE",), True),
        (("CONT'D", "V.O."), True),
        (("O.S., CONT'D",), True),
        (("CONT'D",), False),
        (("WHISPERING",), False),
        (("VOICE",), False),
        ((), False),
    ],
)
def test_is_off_screen(extensions: tuple[str, ...], off: bool) -> None:
    assert is_off_screen(extensions) is off


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("THE CROWD", True),
        ("ALL", True),
        ("EVERYONE", True),
        ("BOTH", True),
        ("KIDS", True),
        ("ALLISON", False),
        ("CROWDER", False),
        ("EDWARD", False),
    ],
)
def test_is_group_name(name: str, group: bool) -> None:
    assert is_group_name(name) is group


def test_is_group_name_reads_extensions() -> None:
    assert is_group_name("STUDENTS", ("ALL",))
    assert not is_group_name("STUDENT", ("V.O.",))


@pytest.mark.parametrize(
    ("name", "voice"),
    [
        ("A MAN'S VOICE", True),
        ("VOICES", True),
        ("NARRATOR", True),
        ("RADIO ANNOUNCER", True),
        ("VOICELESS MONK", False),
        ("EDWARD", False),
    ],
)
def test_is_voice_name(name: str, voice: bool) -> None:
    assert is_voice_name(name) is voice


@pytest.mark.parametrize(
    ("cue", "names"),
    [
        ("EDWARD AND WILL", ["EDWARD", "WILL"]),
        ("EDWARD & WILL", ["EDWARD", "WILL"]),
        ("EDWARD and WILL", ["EDWARD", "WILL"]),
        ("PING AND JING AND MEI", ["PING", "JING", "MEI"]),
        ("SANDRA", ["SANDRA"]),  # "and" inside a word
        ("ANDY", ["ANDY"]),
        ("EDWARD", ["EDWARD"]),
    ],
)
def test_speakers(cue: str, names: list[str]) -> None:
    assert speakers(cue) == names


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("DR. BENNETT", ["dr bennett", "bennett"]),
        ("YOUNG EDWARD", ["young edward", "edward"]),
        ("THE MAN", ["the man"]),
        ("SEA GOD", ["sea god", "sea", "god"]),
        ("ALIN", ["alin"]),
        ("AL", ["al"]),
    ],
)
def test_mention_words(name: str, words: list[str]) -> None:
    assert mention_words(name) == words


@pytest.mark.parametrize(
    ("a", "b", "numbers_only"),
    [
        ("guard #1", "guard #2", True),
        ("cop 1", "cop 2", True),
        ("guard #1", "guard #1", False),  # the same name
        ("edward", "edwrad", False),
        ("ping", "jing", False),
    ],
)
def test_differs_only_in_numbers(a: str, b: str, numbers_only: bool) -> None:
    assert differs_only_in_numbers(a, b) is numbers_only


def test_names_differing_in_a_space_do_not_differ_only_in_numbers() -> None:
    assert not differs_only_in_numbers("bigtop", "big top")


@pytest.mark.parametrize(
    ("key", "bare"),
    [
        ("the sea god", "sea god"),
        ("a voice", "voice"),
        ("an old man", "old man"),
        ("theodore", "theodore"),
        ("anna bell", "anna bell"),
        ("sea god", "sea god"),
    ],
)
def test_without_article(key: str, bare: str) -> None:
    assert without_article(key) == bare
