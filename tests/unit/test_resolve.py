"""Name resolution and includes: inferred cast and sets, misspellings, light, and declarations from other files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import codes, write

from filmc.compiler.driver import compile_file, compile_text
from filmc.compiler.source import SourceFile


def of(result, code: str) -> list:
    return [d for d in result.diagnostics if d.code == code]


# ---- an undeclared, plain Fountain script ---------------------------------------------------

PLAIN = """EXT. RIVER BANK - DAWN

Mist on the water. ALIN (19), a lean fisherman with a sunburnt face, hauls a net. An OLD WOMAN (70s) watches from the reeds.

ALIN
Nothing again.

EDWARD
Keep at it.

EXT. RIVER BANK - CONTINUOUS

EDWARD wades in.

ALNI
Look!

EDWARD
What?

ALIN
A fish.
"""


@pytest.fixture(scope="module")
def plain():
    return compile_text(PLAIN, "plain.film")


def test_cast_is_inferred_from_cues_and_introductions(plain) -> None:
    assert set(plain.symbols.cast) == {"alin", "edward", "old woman"}
    assert not any(member.declared for member in plain.symbols.cast.values())


def test_an_inferred_look_is_the_introducing_sentence(plain) -> None:
    alin = plain.symbols.cast["alin"]
    assert alin.name == "ALIN"
    assert alin.look == "ALIN (19), a lean fisherman with a sunburnt face, hauls a net."
    assert (alin.span.line, alin.span.column) == (3, 20)


def test_a_speaker_first_named_without_an_age_takes_that_sentence(plain) -> None:
    edward = plain.symbols.cast["edward"]
    assert edward.look == "EDWARD wades in."
    assert edward.span.line == 13


def test_a_non_speaking_character_introduced_with_an_age(plain) -> None:
    woman = plain.symbols.cast["old woman"]
    assert woman.name == "OLD WOMAN"  # the article is not part of the name
    assert woman.look == "An OLD WOMAN (70s) watches from the reeds."


def test_a_one_off_misspelled_cue_resolves_to_the_recurring_character(plain) -> None:
    (diagnostic,) = of(plain, "misspelled-name")
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (15, 1, 5)
    assert diagnostic.message == "`ALNI` is probably a misspelling of `ALIN`"
    assert diagnostic.hints[0] == "did you mean `ALIN`? (first named on line 3)"
    assert "alni" not in plain.symbols.cast
    assert plain.symbols.spellings["alni"] == "alin"
    assert plain.symbols.character("ALNI") is plain.symbols.cast["alin"]


def test_character_lookup_folds_the_name(plain) -> None:
    assert plain.symbols.character("Alin").key == "alin"
    assert plain.symbols.character("old-woman").key == "old woman"
    assert plain.symbols.character("NOBODY") is None


def test_sets_are_inferred_from_headings(plain) -> None:
    (river,) = plain.symbols.sets.values()
    assert (river.key, river.name, river.declared) == ("river bank", "RIVER BANK", False)
    assert river.look == "Mist on the water."


def test_scene_settings_of_a_plain_script(plain) -> None:
    first, second = plain.symbols.settings
    assert (first.set_key, first.place, first.time, first.light, first.light_from, first.continuous) == (
        "river bank", "ext", "DAWN", "dawn", "heading", False)
    assert (second.set_key, second.time, second.light, second.light_from, second.continuous) == (
        "river bank", None, "dawn", "previous", True)


def test_a_plain_script_with_introduced_speakers_has_no_other_warnings(plain) -> None:
    assert codes(plain) == ["misspelled-name"]


def test_a_misspelling_used_twice_is_a_character_of_its_own() -> None:
    text = PLAIN + "\nALNI\nAgain.\n"
    result = compile_text(text, "plain.film")
    assert "misspelled-name" not in codes(result)
    assert "alni" in result.symbols.cast


def test_a_speaker_never_introduced_is_undeclared_on_screen_but_not_off() -> None:
    result = compile_text("""EXT. PIER - DAY

Gulls.

STRANGER
Hello?

NARRATOR (V.O.)
It was cold.

CALLER (O.S.)
Anyone?

ALL
Hey!
""", "p.film")
    (diagnostic,) = of(result, "undeclared-character")
    assert diagnostic.message.startswith("`STRANGER` speaks on screen but no action line introduces them")
    assert (diagnostic.span.line, diagnostic.span.column) == (5, 1)


def test_a_cue_of_two_speakers_is_two_characters() -> None:
    result = compile_text("""INT. BLOOM HOUSE - NIGHT

EDWARD (60s) and WILL (30s) sit at the table.

EDWARD AND WILL
Cheers.

EDWARD
To you.

WILL
And you.
""", "two.film")
    assert set(result.symbols.cast) == {"edward", "will"}
    assert result.symbols.character("EDWARD") is not None and result.symbols.character("WILL") is not None
    assert result.diagnostics == ()


def test_dr_abbreviation_and_spelling_resolve_to_one_character() -> None:
    result = compile_text("""EXT. FIELD - NIGHT

Cold wind. DR. BENNETT (60s), a kindly doctor in a rumpled coat, walks.

DR BENNETT
Cold.

DR. BENNETT
Colder.
""", "dr.film")
    (bennett,) = result.symbols.cast.values()
    assert bennett.key == "dr bennett"
    assert bennett.look == "DR. BENNETT (60s), a kindly doctor in a rumpled coat, walks."
    assert result.symbols.character("Dr. Bennett") is bennett
    assert "misspelled-name" not in codes(result)


def test_an_introduction_runs_past_an_abbreviation() -> None:
    result = compile_text("""EXT. PIER - DAY

ALIN (19), a lean fisherman, greets Mr. Tanaka at the pier.

ALIN
Morning.
""", "mr.film")
    assert result.symbols.cast["alin"].look == "ALIN (19), a lean fisherman, greets Mr. Tanaka at the pier."


def test_a_set_look_runs_past_an_abbreviation() -> None:
    result = compile_text("""EXT. FIELD - NIGHT

DR. BENNETT (60s) crosses the wet grass.
""", "field.film")
    assert result.symbols.sets["field"].look == "DR. BENNETT (60s) crosses the wet grass."


def test_numbered_characters_are_not_misspellings() -> None:
    result = compile_text("""INT. GATEHOUSE - NIGHT

GUARD #1 (30s) and GUARD #2 (40s) stand by the gate.

GUARD #1
Halt.

GUARD #2
Who goes there?

GUARD #2
Answer!
""", "g.film")
    assert "misspelled-name" not in codes(result)
    assert {"guard #1", "guard #2"} <= set(result.symbols.cast)
    assert result.symbols.character("GUARD #1").key == "guard #1"
    assert result.symbols.character("GUARD #2").key == "guard #2"


TWINS = """EXT. MARKET - DAY

PING (8) and JING (8), twin sisters, run through the stalls.

PING
Faster!

JING
I am!

PING
Faster!

JING
Wait!
"""


def test_twins_a_letter_apart_are_not_misspellings() -> None:
    result = compile_text(TWINS, "twins.film")
    assert "misspelled-name" not in codes(result)
    assert result.symbols.character("JING").key == "jing"
    assert result.symbols.character("PING").key == "ping"


def test_a_recurring_introduced_twin_is_not_a_misspelling_of_a_declared_one() -> None:
    result = compile_text("[[cast PING: girl of eight, red ribbons]]\n\n" + TWINS, "twins.film")
    assert "misspelled-name" not in codes(result)
    assert result.symbols.character("JING").key == "jing"


def test_a_one_off_misspelling_of_a_declared_character() -> None:
    result = compile_text("""[[cast ALIN: lean fisherman]]

EXT. SHORE - DAWN

ALIN runs.

ALNI
Mother!
""", "d.film")
    (diagnostic,) = of(result, "misspelled-name")
    assert "declared on line 1" in diagnostic.hints[0]
    assert result.symbols.character("ALNI").declared


def test_aliases_resolve_to_the_declared_character() -> None:
    result = compile_text("""[[cast SEA GOD: a towering figure of dark water
  aka: THE SEA GOD]]

EXT. SEA - DAY

Waves rise.

THE SEA GOD (V.O.)
Boy.
""", "aka.film")
    member = result.symbols.character("THE SEA GOD")
    assert member is not None and member.key == "sea god" and member.declared
    assert result.symbols.spellings["the sea god"] == "sea god"
    assert "undeclared-character" not in codes(result)


# ---- sets and light ------------------------------------------------------------------------


def test_spellings_of_one_location_are_one_set() -> None:
    result = compile_text("""INT.  WILL’S BEDROOM - NIGHT (1973)

Dark.

INT. WILL'S BEDROOM - DAY

Light.

EXT. BIG TOP - NIGHT

A tent.

EXT. BIG-TOP - DUSK

The tent.
""", "sets.film")
    assert set(result.symbols.sets) == {"will's bedroom", "big top"}
    assert result.symbols.sets["will's bedroom"].name == "WILL’S BEDROOM"  # as first written
    assert [s.set_key for s in result.symbols.settings] == ["will's bedroom", "will's bedroom", "big top", "big top"]
    assert "misspelled-name" not in codes(result)


def test_a_one_off_misspelled_location_resolves_to_the_recurring_set() -> None:
    result = compile_text("""EXT. RIVER BANK - DAY

Reeds.

EXT. RIVR BANK - DAY

Mud.

EXT. RIVER BANK - NIGHT

Stars.
""", "river.film")
    (diagnostic,) = of(result, "misspelled-name")
    assert diagnostic.message == "the set `RIVR BANK` is probably a misspelling of `RIVER BANK`"
    assert (diagnostic.span.line, diagnostic.span.column) == (5, 6)
    assert set(result.symbols.sets) == {"river bank"}
    assert [s.set_key for s in result.symbols.settings] == ["river bank"] * 3
    assert result.symbols.set_spellings["rivr bank"] == "river bank"


def test_a_location_missing_a_space_is_a_misspelling() -> None:
    result = compile_text("""EXT. BIG TOP - NIGHT

A tent.

EXT. BIGTOP - NIGHT

The tent.

EXT. BIG TOP - DUSK

The tent again.
""", "top.film")
    assert len(of(result, "misspelled-name")) == 1
    assert set(result.symbols.sets) == {"big top"}


def test_light_comes_from_the_heading_the_scene_before_or_the_default() -> None:
    result = compile_text("""INT. HOUSE

Quiet.

EXT. FIELD - PRE-DAWN

Frost.

INT. HOUSE

Kettle.

EXT. BY THE RIVER - NIGHT - CONTINUOUS

Water.

INT.  SANDRA’S BEDROOM - [THE NEXT] MORNING

Sun.

INT. EDWARD’S CAR - NIGHT - [THE STORM]

Rain.

INT./EXT.  BLOOM HOUSE - (PRESENT) DAY

Porch.

INT. HALLWAY, SCOTT'S APARTMENT BUILDING, A MOMENT LATER

Steps.

INT. - NIGHT

Dark.
""", "light.film")
    got = [(s.place, s.light, s.light_from, s.continuous) for s in result.symbols.settings]
    assert got == [
        ("int", "day", "default", False),
        ("ext", "dawn", "heading", False),
        ("int", "dawn", "previous", False),
        ("ext", "night", "heading", True),
        ("int", "day", "heading", False),
        ("int", "night", "heading", False),
        ("int/ext", "day", "heading", False),
        ("int", "day", "previous", True),
        ("int", "night", "heading", False),
    ]
    keys = [s.set_key for s in result.symbols.settings]
    assert keys == ["house", "field", "house", "by the river", "sandra's bedroom", "edward's car", "bloom house",
                    "hallway, scott's apartment building", None]


def test_the_part_before_the_first_heading_has_default_light() -> None:
    result = compile_text("FADE IN:\n\nBlack.\n\nEXT. SEA - NIGHT\n\nWaves.\n", "pre.film")
    before, sea = result.symbols.settings
    assert (before.set_key, before.light, before.light_from) == (None, "day", "default")
    assert (sea.set_key, sea.light) == ("sea", "night")


BLOOM = """[[set BLOOM HOUSE: white clapboard house, green shutters]]

INT./EXT.  BLOOM HOUSE - (PRESENT) DAY

Rain on the porch.

INT. BLOOM HOUSE - KITCHEN - DAY

Sandra cooks.

INT. BLOOM HOUSE/GARAGE - NIGHT

Dark.
"""


def test_a_declared_set_is_used_for_its_own_heading() -> None:
    result = compile_text(BLOOM, "bloom.film")
    first = result.symbols.settings[0]
    assert (first.set_key, first.place, first.time) == ("bloom house", "int/ext", "DAY")
    assert result.symbols.sets["bloom house"].declared
    assert result.symbols.sets["bloom house"].look == "white clapboard house, green shutters"


def test_a_declared_set_covers_a_slash_sublocation() -> None:
    result = compile_text(BLOOM, "bloom.film")
    assert result.symbols.settings[2].set_key == "bloom house"


def test_a_declared_set_covers_a_dash_sublocation() -> None:
    result = compile_text(BLOOM, "bloom.film")
    assert result.symbols.settings[1].set_key == "bloom house"
    assert "undeclared-set" not in codes(result)
    assert set(result.symbols.sets) == {"bloom house"}


def test_an_undeclared_location_beside_declared_sets_is_reported_once() -> None:
    result = compile_text(BLOOM + "\nEXT. HARBOUR - DAY\n\nBoats.\n\nEXT. HARBOUR - NIGHT\n\nLights.\n", "bloom.film")
    harbour = [d for d in of(result, "undeclared-set") if "HARBOUR" in d.message]
    assert len(harbour) == 1 and harbour[0].span.line == 15
    assert not result.symbols.sets["harbour"].declared


# ---- includes ------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root / "film.toml", "")
    return root


SCENE = "\nEXT. SHORE - DAWN\n\nALIN runs across the sand.\n\nALIN\nMother!\n"


def test_declarations_of_an_include_in_a_subfolder(project: Path) -> None:
    write(project / "cast" / "people.film", "[[cast ALIN: a lean fisherman\n  aka: THE BOY]]\n[[include places.film]]\n")
    write(project / "cast" / "places.film", "[[set SHORE: black volcanic beach]]\n")  # beside people.film
    result = compile_file(write(project / "episodes" / "one.film", "[[include ../cast/people.film]]\n" + SCENE))
    assert result.diagnostics == ()
    alin = result.symbols.cast["alin"]
    assert alin.declared and alin.look == "a lean fisherman"
    assert alin.span.file.endswith("people.film") and alin.span.line == 1
    assert result.symbols.character("THE BOY") is alin
    assert result.symbols.sets["shore"].declared and result.symbols.settings[0].set_key == "shore"


def test_an_include_relative_to_the_including_file_not_the_script(project: Path) -> None:
    write(project / "cast" / "people.film", "[[include places.film]]\n")
    write(project / "places.film", "[[set SHORE: wrong file]]\n")  # beside the script, not beside people.film
    result = compile_file(write(project / "s.film", "[[include cast/people.film]]\n" + SCENE))
    (diagnostic,) = of(result, "missing-file")
    assert diagnostic.span.file.endswith("people.film")
    assert not result.symbols.sets["shore"].declared


def test_the_same_file_included_twice_is_read_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = write(project / "cast.film", "[[cast ALIN: a lean fisherman]]\n").resolve()
    write(project / "alias.film", "[[include cast.film]]\n")
    reads: list[Path] = []
    real_read = SourceFile.read.__func__

    def read(cls, path, display=None):
        reads.append(Path(path).resolve())
        return real_read(cls, path, display)

    monkeypatch.setattr(SourceFile, "read", classmethod(read))
    script = write(project / "s.film", "[[include cast.film]]\n[[include ./cast.film]]\n[[include alias.film]]\n" + SCENE)
    result = compile_file(script)
    assert reads.count(sheet) == 1
    assert result.diagnostics == ()  # no duplicate-declaration from a second reading
    assert result.symbols.cast["alin"].declared


def test_an_include_cycle_ends(project: Path) -> None:
    write(project / "a.film", "[[cast ALIN: a lean fisherman]]\n[[include b.film]]\n")
    write(project / "b.film", "[[set SHORE: black sand]]\n[[include a.film]]\n[[include ../proj/s.film]]\n")
    result = compile_file(write(project / "s.film", "[[include a.film]]\n" + SCENE))
    assert result.diagnostics == ()
    assert result.symbols.cast["alin"].declared and result.symbols.sets["shore"].declared


def test_a_script_including_itself_is_not_read_again(project: Path) -> None:
    result = compile_file(write(project / "s.film", "[[cast ALIN: a lean fisherman]]\n[[include s.film]]\n" + SCENE))
    assert result.diagnostics == ()


def test_included_declarations_are_spliced_in_where_included(project: Path) -> None:
    write(project / "cast.film", "[[cast ALIN: from the sheet]]\n")
    result = compile_file(write(project / "s.film", "[[include cast.film]]\n[[cast ALIN: from the script]]\n" + SCENE))
    (diagnostic,) = of(result, "conflicting-look")
    assert diagnostic.span.file.endswith("s.film") and diagnostic.span.line == 2
    assert result.symbols.cast["alin"].look == "from the sheet"

    result = compile_file(write(project / "s.film", "[[cast ALIN: from the script]]\n[[include cast.film]]\n" + SCENE))
    (diagnostic,) = of(result, "conflicting-look")
    assert diagnostic.span.file.endswith("cast.film")
    assert result.symbols.cast["alin"].look == "from the script"


def test_screenplay_text_in_an_included_file_is_a_warning_and_left_out(project: Path) -> None:
    write(project / "cast.film", "[[cast ALIN: a lean fisherman]]\n\nINT. HOUSE - DAY\n\nZED (40) waits.\n")
    result = compile_file(write(project / "s.film", "[[include cast.film]]\n" + SCENE))
    (diagnostic,) = result.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("include-content", 3, 1)
    assert diagnostic.span.file.endswith("cast.film")
    assert "scene heading" in diagnostic.message
    assert "zed" not in result.symbols.cast and "house" not in result.symbols.sets
    assert result.symbols.cast["alin"].declared


def test_included_sources_are_kept_for_rendering(project: Path) -> None:
    write(project / "cast" / "people.film", "[[cast ALIN: a lean fisherman\n  ref: nope.png]]\n")
    result = compile_file(write(project / "s.film", "[[include cast/people.film]]\n" + SCENE))
    (diagnostic,) = of(result, "missing-file")
    assert diagnostic.span.file in result.sources
    assert diagnostic.span.line == 2
