"""The screenplay front end: line shapes, context rules, notes, boneyard, title page, positions."""

from __future__ import annotations

import pytest

from filmc.compiler import ir
from filmc.compiler.driver import parse_text
from filmc.compiler.parse import ANNOTATION_KEYWORDS, _annotation_parser, _screenplay_parser, lex_lines


def kinds(text: str) -> list[tuple[str, str]]:
    film = parse_text(text).film
    return [(e.type, e.text) for e in film.elements()]


@pytest.mark.parametrize(
    ("line", "shape"),
    [
        ("INT. HOUSE - DAY", "SCENE_CAPS"),
        ("int. house - day", "SCENE"),
        ("EST HOUSE", "SCENE_CAPS"),
        ("I/E CAR", "SCENE_CAPS"),
        ("INTO THE WOODS", "CAPS"),
        (".KITCHEN", "FORCED_SCENE"),
        ("...and then", "TEXT"),
        ("ALIN", "CAPS"),
        ("EVE (cont'd)", "CAPS"),
        ("EVE ^", "CAPS"),
        ("ЕВА", "CAPS"),
        ("ÉMILE (V.O.)", "CAPS"),
        ("23 (O.S.)", "TEXT"),
        ("你好", "TEXT"),
        ("McDUCK", "TEXT"),
        ("@McDUCK", "FORCED_CHARACTER"),
        ("CUT TO:", "TRANSITION"),
        ("CUT TO:  ", "CAPS"),
        ("> Burn to white.", "FORCED_TRANSITION"),
        ("> THE END <", "CENTERED"),
        ("(quietly)", "PAREN"),
        ("~la la la", "LYRIC"),
        ("!SHOUTED ACTION", "FORCED_ACTION"),
        ("# Act One", "SECTION"),
        ("= a synopsis", "SYNOPSIS"),
        ("===", "PAGE_BREAK"),
        ("  ", "SPACER"),
        ("Plain action.", "TEXT"),
    ],
)
def test_line_shapes(line: str, shape: str) -> None:
    tokens, *_ = lex_lines("Before.\n" + line + "\nnext\n")
    assert tokens[1].type == shape


def test_caps_line_is_a_cue_only_with_speech_after_it() -> None:
    assert kinds("ALIN\nHello.\n") == [("character", "ALIN"), ("dialogue", "Hello.")]
    assert kinds("ALIN\n\nHello.\n") == [("action", "ALIN"), ("action", "Hello.")]
    assert kinds("Some action.\nALIN\nHello.\n") == [("action", "Some action.\nALIN\nHello.")]


def test_scene_heading_needs_its_own_paragraph() -> None:
    assert kinds("EXT. SHORE - DAWN\n\nWaves.\n")[0] == ("scene_heading", "EXT. SHORE - DAWN")
    assert kinds("ext. shore\nwaves\n") == [("action", "ext. shore\nwaves")]


def test_scene_number() -> None:
    film = parse_text("INT. HOUSE - DAY #12A#\n").film
    heading = film.scenes[0].heading
    assert (heading.text, heading.scene_number) == ("INT. HOUSE - DAY", "12A")


def test_character_parts_and_dual_dialogue() -> None:
    elements = parse_text("ADAM (V.O.)(CONT'D)\nYes.\n\nEVE ^\nNo.\n").film.elements()
    adam, eve = elements[0], elements[2]
    assert (adam.name, adam.extensions, adam.dual) == ("ADAM", ("V.O.", "CONT'D"), True)
    assert (eve.name, eve.dual) == ("EVE", True)


def test_lone_dual_cue_is_reported_and_not_dual() -> None:
    result = parse_text("Action first.\n\nEVE ^\nNo.\n")
    cue = result.film.elements()[1]
    assert cue.name == "EVE" and not cue.dual
    assert [d.code for d in result.diagnostics] == ["lone-dual-dialogue"]
    assert (result.diagnostics[0].span.line, result.diagnostics[0].span.column) == (3, 5)


def test_two_spaces_keep_dialogue_going() -> None:
    assert kinds("DEALER\nSeven.\n  \nHit or stand?\n") == [
        ("character", "DEALER"), ("dialogue", "Seven.\n\nHit or stand?"),
    ]


def test_note_only_lines_are_transparent() -> None:
    # A shot annotation glued above a cue does not stop it being a cue.
    text = "Action.\n\n[[shot close on ALIN]]\nALIN\nMother!\n"
    assert [e.type for e in parse_text(text).film.elements()] == ["action", "shot", "character", "dialogue"]


def test_inline_and_multiline_notes() -> None:
    elements = parse_text("Before [[one]] after.\n\nA [[two\nlines]] b\n").film.elements()
    assert [(e.type, e.text) for e in elements] == [
        ("action", "Before  after."), ("note", "one"), ("action", "A  b"), ("note", "two\nlines"),
    ]
    assert (elements[1].span.line, elements[1].span.column) == (1, 8)
    assert (elements[3].span.line, elements[3].span.end_line) == (3, 4)


def test_unclosed_note_is_text_with_a_warning() -> None:
    result = parse_text("Look [[at this\n\nNext.\n")
    assert [(e.type, e.text) for e in result.film.elements()] == [("action", "Look [[at this"), ("action", "Next.")]
    (d,) = result.diagnostics
    assert (d.code, d.span.line, d.span.column, d.span.end_column) == ("unclosed-note", 1, 6, 8)


def test_boneyard_inline_multiline_nested() -> None:
    text = "A /* gone */ b.\n\n/* a\n/* nested */\nstill gone */\nAfter.\n\nBROKEN [[x]] line\n"
    result = parse_text(text)
    assert [(e.type, e.text) for e in result.film.elements()][:2] == [("action", "A  b."), ("action", "After.")]
    # Positions after a boneyard are still those of the source file.
    assert [e.span.line for e in result.film.elements()] == [1, 6, 8, 8]


def test_unclosed_boneyard_drops_the_rest_with_a_warning() -> None:
    result = parse_text("Kept.\n\n/* never closed\n\nLost.\n")
    assert kinds("Kept.\n\n/* never closed\n\nLost.\n") == [("action", "Kept.")]
    (d,) = result.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("unclosed-boneyard", 3, 1)


def test_title_page() -> None:
    film = parse_text("Title: Big\nContact:\n    me@example.com\n\tsecond line\n\nINT. A - DAY\n").film
    assert film.to_json()["title_page"] == {"Title": ["Big"], "Contact": ["me@example.com", "second line"]}
    assert film.settings.title == "Big"


@pytest.mark.parametrize("first", ["CUT TO:\n\nx\n", "A clock reads 6:24 am.\n\nx\n", "Hello [[cast A: x\n\nx\n"])
def test_not_a_title_page(first: str) -> None:
    assert parse_text(first).film.title_page == ()


def test_crlf_and_bom() -> None:
    data = "\ufeffINT. A - DAY\r\n\r\nALIN\r\nHi.\r\n".encode()
    from filmc.compiler.diagnostics import Reporter
    from filmc.compiler.lower import lower
    from filmc.compiler.source import SourceFile

    film = lower(SourceFile.from_bytes("x", data), Reporter())
    assert [(e.type, e.text, e.span.line) for e in film.elements()] == [
        ("scene_heading", "INT. A - DAY", 1), ("character", "ALIN", 3), ("dialogue", "Hi.", 4),
    ]


def test_scenes_group_elements() -> None:
    film = parse_text("Cold open.\n\nINT. A - DAY\n\nOne.\n\nEXT. B - NIGHT\n\nTwo.\n").film
    assert [(s.heading.text if s.heading else None, [e.text for e in s.elements]) for s in film.scenes] == [
        (None, ["Cold open."]), ("INT. A - DAY", ["One."]), ("EXT. B - NIGHT", ["Two."]),
    ]


def test_annotation_keywords_match_the_grammar() -> None:
    anonymous = {t.name: t.pattern.value for t in _annotation_parser().terminals}
    starts = {r.expansion[0].name for r in _annotation_parser().rules
              if r.origin.name in ANNOTATION_KEYWORDS and r.expansion}
    assert {anonymous[name] for name in starts} == set(ANNOTATION_KEYWORDS)


def test_screenplay_grammar_loads_every_shape() -> None:
    lark, shapes, *_ = _screenplay_parser()
    names = {t.name for t in lark.terminals if not t.name.startswith(("_", "TITLE"))}
    assert set(shapes.master.groupindex) == names


def test_narrowed_classification_agrees_with_the_full_alternation() -> None:
    """The per-first-character shortcut never changes a line's shape."""
    _, shapes, *_ = _screenplay_parser()
    samples = [chr(c) + rest for c in range(32, 0x500) for rest in ("", "NT. X", "UT TO:", "x", ")", "<", " ^")]
    samples += ["  " + s for s in samples[:2000]] + ["\t@x", " .X", "ÉMILE", "ÉMILE (V.O.)", "你好", "ЕВА"]
    for line in samples:
        if not line.strip():
            continue
        m = shapes.master.match(line)
        assert shapes.classify(line) == (m.lastgroup if m else "TEXT"), repr(line)


def test_centered_lines_join() -> None:
    assert kinds(">ONE<\n> TWO <\n") == [("centered", "ONE\nTWO")]


def test_action_keeps_indentation_and_expands_tabs() -> None:
    assert kinds("    Four.\n\n\tTab.\n") == [("action", "    Four."), ("action", "    Tab.")]


def test_forced_marks_are_removed() -> None:
    assert kinds("!LOUD NOISES\n\n.FLASHBACK\n\n> Smash cut\n\n@McCLANE\nYippee.\n") == [
        ("action", "LOUD NOISES"), ("scene_heading", "FLASHBACK"), ("transition", "Smash cut"),
        ("character", "McCLANE"), ("dialogue", "Yippee."),
    ]


def test_emphasis_runs_in_json() -> None:
    (action,) = parse_text("A *tiny* **bold** move.\n").film.elements()
    assert action.text == "A tiny bold move."
    assert action.to_json()["runs"] == [
        {"text": "A "}, {"text": "tiny", "italic": True}, {"text": " "}, {"text": "bold", "bold": True},
        {"text": " move."},
    ]
    assert isinstance(action, ir.Action)
