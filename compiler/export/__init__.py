"""Exports of a film to other tools' formats: `filmc export FILE --to KIND -o OUT`.

Each kind is one module. The screenplay kinds need only the parsed script (`fountain`); the
others need the film's plan (`srt`, `vtt`, `shotlist`, `stats`) and, for the rendered material,
the build cache (`otio`, `edl`, `fcpxml`, `storyboard`, and the cache state of `shotlist`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..build import Prepared

# kind → (the file ending written by default, whether the output is text that may go to stdout)
KINDS: dict[str, tuple[str, bool]] = {
    "fountain": (".fountain", True),
    "otio": (".otio", True),
    "edl": (".edl", True),
    "fcpxml": (".fcpxml", True),
    "srt": (".srt", True),
    "vtt": (".vtt", True),
    "shotlist": (".shots.csv", True),
    "storyboard": (".storyboard.html", False),
    "stats": (".stats.txt", True),
}


def names(prepared: Prepared, shot) -> list[str]:
    """The names of the characters on screen in a shot, as the script writes them."""
    cast = prepared.result.symbols.cast
    return [cast[key].name if key in cast else key for key in shot.subjects]


def heading(prepared: Prepared, shot) -> str:
    """The scene heading a shot is under ("" in the prologue before the first one)."""
    headings = [scene.heading.text for scene in prepared.result.film.scenes if scene.heading is not None]
    return headings[shot.scene - 1] if 0 < shot.scene <= len(headings) else ""
