"""The writer prints a film back as .film text that parses to the same film."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmc.compiler.driver import compile_file, parse_text
from filmc.compiler.writer import write

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.film"))


def same_film(a, b) -> None:
    assert [e.content() for e in a.elements()] == [e.content() for e in b.elements()]
    assert [(t.key, t.values) for t in a.title_page] == [(t.key, t.values) for t in b.title_page]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_round_trip(path: Path) -> None:
    film = compile_file(path, checks=False).film
    same_film(film, parse_text(write(film)).film)


@pytest.mark.parametrize(
    ("source", "printed"),
    [
        ("!LOUD NOISES\nare heard\n", "!LOUD NOISES\nare heard\n"),
        ("!INT. THE MIND\n", "!INT. THE MIND\n"),
        (".FLASHBACK\n", ".FLASHBACK\n"),
        ("> Smash to black\n", "> Smash to black\n"),
        ("CUT TO:\n", "CUT TO:\n"),
        ("@McCLANE\nYippee.\n", "@McCLANE\nYippee.\n"),
        ("!Title: not a title page\n", "!Title: not a title page\n"),
        ("A \\*literal\\* star and *style*.\n", "A \\*literal\\* star and *style*.\n"),
        ("ADAM\nYes.\n\nEVE ^\nNo.\n", "ADAM\nYes.\n\nEVE ^\nNo.\n"),
        ("DEALER\nSeven.\n  \nHit?\n", "DEALER\nSeven.\n  \nHit?\n"),
    ],
)
def test_forces_only_where_needed(source: str, printed: str) -> None:
    film = parse_text(source).film
    assert write(film) == printed
    same_film(film, parse_text(printed).film)


def test_plain_spelling_when_forcing_was_not_needed() -> None:
    assert write(parse_text("!Plain action.\n").film) == "Plain action.\n"
