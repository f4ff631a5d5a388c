"""Fountain emphasis within a line."""

from __future__ import annotations

import pytest

from filmc.compiler.emphasis import parse_emphasis


def styles(text: str) -> list[tuple[str, str]]:
    plain, runs = parse_emphasis(text)
    return [(r.text, "".join(s[0] for s in ("bold", "italic", "underline") if getattr(r, s))) for r in runs]


@pytest.mark.parametrize(
    ("text", "plain", "expected"),
    [
        ("no markup", "no markup", []),
        ("*it*", "it", [("it", "i")]),
        ("**bold** x", "bold x", [("bold", "b"), (" x", "")]),
        ("***both***", "both", [("both", "bi")]),
        ("_under_", "under", [("under", "u")]),
        ("_**BRICK & STEEL**_", "BRICK & STEEL", [("BRICK & STEEL", "bu")]),
        ("a * b * c", "a * b * c", []),
        ("\\*not\\* it", "*not* it", []),
        ("*unclosed", "*unclosed", []),
        ("_a *b* c_", "a b c", [("a ", "u"), ("b", "iu"), (" c", "u")]),
    ],
)
def test_emphasis(text: str, plain: str, expected: list) -> None:
    assert parse_emphasis(text)[0] == plain
    assert styles(text) == expected
