"""Properties of the consistency checks on generated films.

- One misspelt cue of a recurring (or declared) character gives exactly one `misspelled-name`
  diagnostic, at that cue, and resolves to the character: nothing else changes (but what the
  new speech itself says, if its scene does not show that character).
- Renaming a character everywhere (cues, declarations, introductions, shots, wardrobe) changes
  no diagnostic but the names in its messages.
- The checks are deterministic.

Names are generated far apart from one another (no two a typo apart), as a writer's cast is.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass

from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from filmc.compiler.diagnostics import did_you_mean
from filmc.compiler.driver import compile_text
from filmc.compiler.names import fold

_SCALE = float(os.environ.get("FILMC_PROPERTY_SCALE", "1"))


def budget(n: int) -> settings:
    return settings(max_examples=max(1, int(n * _SCALE)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


LETTERS = "ABCDEFGHIJKLMNOPRSTUVWY"
WORDS = ["the", "boat", "waves", "sand", "rope", "light", "slowly", "turns", "waits", "storm", "nets", "door"]
LINES = ["We go now.", "Not yet.", "The tide is turning, and we are late.", "Hold the rope!", "Why?"]
HEADINGS = ["EXT. SHORE - DAWN", "INT. BOATHOUSE - NIGHT", "EXT. HARBOUR - DAY", "INT. KITCHEN - NIGHT"]

names = st.text(LETTERS, min_size=4, max_size=9)


def _far_apart(pool: list[str]) -> bool:
    return all(did_you_mean(a, [b]) is None for a in pool for b in pool if a != b)


@dataclass
class Film:
    """A generated film as paragraphs; `{N}` in a paragraph stands for character N's name."""

    cast: list[str]
    declared: bool
    paragraphs: list[str]

    def render(self, cast: list[str] | None = None) -> str:
        cast = cast or self.cast
        text = "\n\n".join(p.format(*cast) for p in self.paragraphs) + "\n"
        if self.declared:
            text = "".join(f"[[cast {n}: a person of the film\n  wardrobe: grey coat]]\n\n" for n in cast) + text
        return text


@st.composite
def films(draw) -> Film:
    cast = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    assume(_far_apart(cast))
    declared = draw(st.booleans())
    paragraphs: list[str] = []
    introduced: set[int] = set()
    for _ in range(draw(st.integers(1, 3))):
        paragraphs.append(draw(st.sampled_from(HEADINGS)))
        for _ in range(draw(st.integers(1, 5))):
            who = draw(st.integers(0, len(cast) - 1))
            kind = draw(st.sampled_from(["action", "cue", "shot", "wardrobe"]))
            words = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6)))
            if kind == "action" or who not in introduced:
                age = draw(st.integers(8, 80))
                paragraphs.append(f"{{{who}}} ({age}) {words}." if who not in introduced else f"{{{who}}} {words}.")
                introduced.add(who)
            if kind == "cue":
                paragraphs.append(f"{{{who}}}\n{draw(st.sampled_from(LINES))}")
            elif kind == "shot":
                paragraphs.append(f"[[shot close on {{{who}}}, static]]\n\n{{{who}}} {words}.")
            elif kind == "wardrobe":
                paragraphs.append(f"[[wardrobe {{{who}}}: a {draw(st.sampled_from(WORDS))} coat]]")
    # Every character speaks at least twice, so each name recurs.
    for who in range(len(cast)):
        paragraphs.append(f"{{{who}}}\n{draw(st.sampled_from(LINES))}")
        paragraphs.append(f"{{{who}}}\n{draw(st.sampled_from(LINES))}")
    return Film(cast, declared, paragraphs)


@st.composite
def misspellings(draw, name: str) -> str:
    """A one-edit slip of `name`: two neighbouring letters swapped, or one letter replaced."""
    i = draw(st.integers(0, len(name) - 2))
    if draw(st.booleans()) and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    letter = draw(st.sampled_from(LETTERS).filter(lambda c: c != name[i]))
    return name[:i] + letter + name[i + 1 :]


def _diagnostics(text: str) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in compile_text(text, "film.film").diagnostics]


@budget(120)
@given(films(), st.data())
def test_one_misspelt_cue_is_one_misspelling_at_its_line(film: Film, data) -> None:
    who = data.draw(st.integers(0, len(film.cast) - 1))
    slip = data.draw(misspellings(film.cast[who]))
    others = [n for k, n in enumerate(film.cast) if k != who]
    assume(slip not in film.cast and did_you_mean(slip, others) is None)
    before_text = film.render()
    assume(fold(slip) not in re.findall(r"[\w']+", fold(before_text)))
    # The slip goes in as a new speech after the first heading.
    at = data.draw(st.integers(1, len(film.paragraphs)))
    slipped = Film(film.cast, film.declared, film.paragraphs[:at] + [f"{slip}\nWait for me."] + film.paragraphs[at:])
    text = slipped.render()
    note(text)
    line = text[: text.index(f"\n\n{slip}\nWait for me.")].count("\n") + 3
    before = _diagnostics(before_text)
    after = compile_text(text, "film.film")
    misspelt = [d for d in after.diagnostics if d.code == "misspelled-name"]
    assert [(d.span.line, d.span.column) for d in misspelt] == [(line, 1)]
    assert f"`{film.cast[who]}`" in misspelt[0].message
    assert after.symbols.character(slip).key == fold(film.cast[who])
    # Nothing else changes: the other diagnostics are those of the film without the slip, but
    # for one about the slip's own speech: in a framed scene its character is not in, it may
    # add (or move to the slip) a speaker-not-present.
    others = Counter(d.code for d in after.diagnostics if d.code != "misspelled-name")
    assert not Counter(c for c, _ in before) - others
    assert others - Counter(c for c, _ in before) in (Counter(), Counter({"speaker-not-present": 1}))


@budget(120)
@given(films(), st.data())
def test_renaming_a_character_everywhere_changes_only_names(film: Film, data) -> None:
    who = data.draw(st.integers(0, len(film.cast) - 1))
    new = data.draw(names)
    renamed_cast = [new if k == who else n for k, n in enumerate(film.cast)]
    assume(new not in film.cast and _far_apart(renamed_cast))
    before_text, after_text = film.render(), film.render(renamed_cast)
    assume(fold(new) not in re.findall(r"[\w']+", fold(before_text)))
    before = compile_text(before_text, "film.film").diagnostics
    after = compile_text(after_text, "film.film").diagnostics
    old = film.cast[who]
    assert [(d.code, d.span.line, d.span.column) for d in after] == [(d.code, d.span.line, d.span.column) for d in before]
    assert [d.message for d in after] == [d.message.replace(old, new) for d in before]


@budget(60)
@given(films())
def test_checks_are_deterministic(film: Film) -> None:
    text = film.render()
    first = compile_text(text, "film.film")
    again = compile_text(text, "film.film")
    assert first.diagnostics == again.diagnostics
    assert first.symbols == again.symbols
