"""Property tests of `filmc fmt`: idempotent and meaning-preserving.

On generated screenplays (annotations of every kind, wrapped and padded), on arbitrary
Fountain-flavoured text, and on every file of the shared corpus: formatting never takes its
safety exit (the formatted text reads as the same screenplay, checked independently here),
and formatting the result again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES, corpus_files, corpus_id
from hypothesis import example, given, note

from filmc.compiler.driver import parse_text
from filmc.compiler.fmt import format_text, meaning
from filmc.compiler.source import SourceFile

from .strategies import fountainish_text, scripts
from .test_parse_properties import budget


def assert_formats(text: str) -> str:
    first = format_text(text)
    if SourceFile.from_bytes("x", text.encode("utf-8", errors="surrogatepass")).problems:
        assert not first.changed  # not text (a NUL, a lone surrogate): never touched
        return text
    assert first.unsafe is None, first.text
    assert meaning(parse_text(first.text)) == meaning(parse_text(text))
    again = format_text(first.text)
    assert again.unsafe is None
    assert again.text == first.text
    assert not again.changed
    return first.text


@budget(200)
@given(scripts())
def test_fmt_of_generated_screenplays(script) -> None:
    text = script.render().text
    note(f"text: {text!r}")
    assert_formats(text)


@budget(600)
@given(fountainish_text)
@example("CUT TO:  \n")  # trailing spaces make it action: they stay
@example("Title: A\n\n\n[[shot close-up on ALIN,3 secs]]\n")
@example("[[cast A: x\n  eyes: green]]\n")  # an unknown field: kept as written
@example("a /* x\n\n\n*/ b\n")
@example("\nKey: not a title page\n")
def test_fmt_of_arbitrary_text(text: str) -> None:
    assert_formats(text)


@pytest.mark.parametrize("path", corpus_files() + sorted(EXAMPLES.glob("*.film")),
                         ids=lambda p: corpus_id(p) if "corpus" in str(p) else p.name)
def test_fmt_of_corpus_and_examples(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    assert_formats(text.replace("\r\n", "\n"))


def test_examples_are_formatted() -> None:
    """The examples are written the way fmt writes them (as a project's CI would check)."""
    for path in sorted(EXAMPLES.glob("*.film")):
        assert not format_text(path.read_text(encoding="utf-8")).changed, path.name
