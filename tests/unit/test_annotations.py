"""Film annotations inside notes: declarations, shots, cues, and their diagnostics."""

from __future__ import annotations

import pytest

from filmc.compiler import ir
from filmc.compiler.driver import parse_text


def only(text: str):
    result = parse_text(text)
    elements = result.film.elements()
    assert len(elements) == 1, elements
    return elements[0], result.diagnostics


def test_cast_declaration_with_fields_and_continuation() -> None:
    cast, diags = only(
        "[[cast ALIN: 19-year-old fisherman,\n  lean and sunburnt\n  wardrobe: white tunic, red sash\n"
        "  voice: young male\n  seed: 42\n  aka: YOUNG ALIN, THE FISHERMAN\n  ref: refs/alin.png]]\n"
    )
    assert diags == ()
    assert isinstance(cast, ir.CastDeclaration)
    assert (cast.name, cast.look, cast.wardrobe, cast.voice, cast.seed, cast.ref) == (
        "ALIN", "19-year-old fisherman, lean and sunburnt", "white tunic, red sash", "young male", 42, "refs/alin.png",
    )
    assert cast.aka == ("YOUNG ALIN", "THE FISHERMAN")
    film = parse_text("[[cast ALIN: x]]\n").film
    assert film.declarations[0].name == "ALIN" and film.scenes == ()


def test_set_declaration() -> None:
    decl, diags = only("[[set SHORE: black volcanic beach\n  lighting: grey dawn]]\n")
    assert isinstance(decl, ir.SetDeclaration)
    assert (decl.name, decl.look, decl.lighting, diags) == ("SHORE", "black volcanic beach", "grey dawn", ())


def test_shot_terms() -> None:
    shot, diags = only('[[shot close-up on ALIN and SEA GOD, push in, 35mm, 2.5s, dissolve, continuous, take 3, seed 7, "rain"]]\n')
    assert diags == ()
    assert (shot.framing, shot.subjects, shot.move, shot.lens_mm, shot.duration_s) == (
        "close up", ("ALIN", "SEA GOD"), "push in", 35.0, 2.5,
    )
    assert (shot.transition, shot.continuous, shot.take, shot.seed, shot.prompt) == ("dissolve", True, 3, 7, "rain")


def test_music_sound_wardrobe_include() -> None:
    music, _ = only("[[music: taiko drums, tense, 96 bpm]]\n")
    assert (music.moods, music.tempo_bpm, music.stop) == (("taiko drums", "tense"), 96.0, False)
    stop, _ = only("[[music: stop]]\n")
    assert stop.stop and stop.moods == ()
    sound, _ = only("[[sound: thunder]]\n")
    assert (sound.description, sound.text) == ("thunder", "sound: thunder")
    change, _ = only("[[wardrobe ALIN: soaked tunic]]\n")
    assert (change.name, change.wardrobe) == ("ALIN", "soaked tunic")
    include, _ = only("[[include cast/family.film]]\n")
    assert include.path == "cast/family.film"


def test_plain_notes_are_not_annotations() -> None:
    note, diags = only("[[Shot this in one take, it was great]]\n")
    assert (note.type, diags) == ("note", ())
    note, _ = only("[[settle the ending]]\n")
    assert note.type == "note"


@pytest.mark.parametrize(
    ("text", "column", "message", "hint"),
    [
        ("[[shot wdie, push in]]", 8, "`wdie` is not a shot term", "did you mean `wide`?"),
        ("[[shot wide, psuh in]]", 14, "`psuh in` is not a shot term", "did you mean `push in`?"),
        ("[[shot close on alin]]", 17, "unexpected `alin` in this annotation", "write character names in capitals"),
        ("[[music:]]", 9, "this annotation ends too early", "expected"),
        ("[[cast : nobody]]", 8, "`cast` wants a name in capitals and a `:` here", "[[cast ALIN: ...]]"),
    ],
)
def test_annotation_syntax_errors_point_at_the_column(text: str, column: int, message: str, hint: str) -> None:
    result = parse_text("Before.\n\n" + text + "\n")
    (d,) = result.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("annotation-syntax", 3, column)
    assert d.message.startswith(message)
    assert any(hint in h for h in d.hints), d.hints
    # The broken annotation is left out; the rest of the script is still there.
    assert [e.type for e in result.film.elements()] == ["action"]


def test_unknown_and_duplicate_fields() -> None:
    result = parse_text("[[cast ALIN: x\n  wardobe: red\n  voice: a\n  voice: b]]\n")
    codes = [(d.code, d.span.line, d.span.column) for d in result.diagnostics]
    assert codes == [("unknown-field", 2, 3), ("duplicate-field", 4, 3)]
    assert "did you mean `wardrobe`?" in result.diagnostics[0].hints
    assert result.film.declarations[0].voice == "b"


def test_invalid_values() -> None:
    result = parse_text("[[cast ALIN: x\n  seed: lucky]]\n\n[[shot wide, 0s]]\n\nAspect: nope\n")
    assert [d.code for d in result.diagnostics] == ["invalid-value", "invalid-value"]
    result = parse_text("Title: T\nAspect: wide\n\nx\n")
    (d,) = result.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("invalid-title-key", 2, 9)
    assert parse_text("Title: T\nAspect: 2.39:1\n\nx\n").film.settings.aspect == (2.39, 1.0)


def test_conflicting_shot_terms() -> None:
    result = parse_text("[[shot wide, close, 4s]]\n")
    (d,) = result.diagnostics
    assert (d.code, d.span.column) == ("conflicting-terms", 14)
    assert d.message == "this shot is given two framings: `wide` and `close`"
    assert result.film.elements()[0].framing == "wide"
