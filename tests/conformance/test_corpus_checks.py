"""`filmc check` on real screenplays: no errors on any of them, and on Big Fish exactly the
warnings we would defend to its writer (listed, with why, below)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_files, corpus_id, needs_corpus

from filmc.compiler.diagnostics import Severity
from filmc.compiler.driver import compile_file

BIG_FISH = CORPUS / "nyousefi-Fountain" / "FountainTests" / "Big Fish.fountain"

# Every warning filmc gives on Big Fish, by line. Each is true of the script as written:
BIG_FISH_WARNINGS = {
    # Speaking parts no action line introduces in capitals, so the film has no description of
    # them to keep consistent (walk-ons in the town montage, the young versions of characters).
    ("undeclared-character", 49),  # LITTLE BRAVE
    ("undeclared-character", 260),  # YOUNG DR. BENNETT
    ("undeclared-character", 912),  # YOUNG WILL
    ("undeclared-character", 1030),  # SHARECROPPER
    ("undeclared-character", 1033),  # LITTLE GIRL
    ("undeclared-character", 1036),  # HOT-BLOODED SHOTGUN TOTER
    ("undeclared-character", 1042),  # SOME FARMER
    ("undeclared-character", 1045),  # SHEPHARD
    ("undeclared-character", 4604),  # KID
    # `EDWARD (V.0.)`: a zero for the letter O.
    ("misspelled-extension", 965),
    # Master scene headings with no time of day (`EXT. APPROACHING THE HOUSE`, `EXT. ON STAGE`,
    # `... - VARIOUS SHOTS`): filmc carries the light over and says so.
    ("incomplete-heading", 511),
    ("incomplete-heading", 1284),
    ("incomplete-heading", 2740),
    ("incomplete-heading", 3658),
    ("incomplete-heading", 4205),
}


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=corpus_id)
def test_no_errors_on_a_real_screenplay(path: Path) -> None:
    result = compile_file(path, corpus_id(path))
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert errors == []


@needs_corpus
def test_big_fish_warnings_are_the_defensible_ones() -> None:
    result = compile_file(BIG_FISH, "Big Fish.fountain")
    found = {(d.code, d.span.line) for d in result.diagnostics}
    assert found == BIG_FISH_WARNINGS
    assert Counter(d.code for d in result.diagnostics) == Counter(code for code, _ in BIG_FISH_WARNINGS)


@needs_corpus
def test_big_fish_cast_and_sets_are_inferred() -> None:
    """An unannotated feature still gets one canonical description per character and a set per
    location."""
    result = compile_file(BIG_FISH)
    symbols = result.symbols
    edward = symbols.character("Edward")
    assert edward is not None and not edward.declared
    assert "EDWARD BLOOM, 40’s and handsome" in edward.look
    assert symbols.character("DR BENNETT").look.startswith("DR. JULIUS BENNETT (85) enters from the foyer")
    assert symbols.character("WILL’S DATE") is not None
    # The same place spelt `BIG TOP` and `BIG-TOP` is one set.
    assert "big top" in symbols.sets and "big-top" not in symbols.sets
    # One setting per scene: the cold open before the first heading, then 190 headings.
    assert len(symbols.settings) == len(result.film.scenes) == 191
    assert sum(s.set_key is not None for s in symbols.settings) == 190
    assert {s.light for s in symbols.settings} == {"dawn", "day", "dusk", "night"}
