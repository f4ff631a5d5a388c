"""screenplain as an oracle: its parse of a Fountain file in filmc's element vocabulary.

screenplain keeps less than filmc (no notes, no lyrics, synopses attached to the section or
heading before them), so `comparable()` reduces filmc's elements to what screenplain sees.
"""

from __future__ import annotations

import io

from screenplain.parsers import fountain
from screenplain.types import Action, Dialog, DualDialog, PageBreak, Section, Slug, Transition


def _dialog(dialog: Dialog, dual: bool) -> list[tuple]:
    out = [("character", str(dialog.character).strip().removeprefix("@"), dual)]
    speech: list[str] = []
    for is_paren, text in dialog.blocks:
        if is_paren:
            if speech:
                out.append(("dialogue", "\n".join(speech)))
                speech = []
            out.append(("parenthetical", str(text)))
        else:
            speech.append(str(text))
    if speech:
        out.append(("dialogue", "\n".join(speech)))
    return out


def screenplain_elements(text: str) -> tuple[dict, list[tuple]]:
    """(title page, elements) as screenplain parses `text`."""
    play = fountain.parse(io.StringIO(text))
    out: list[tuple] = []
    for p in play:
        if isinstance(p, Slug):
            out.append(("scene_heading", str(p.line).upper(), str(p.scene_number) if p.scene_number else None))
            if p.synopsis:
                out.append(("synopsis", str(p.synopsis)))
        elif isinstance(p, Section):
            out.append(("section", str(p.text), p.level))
            if p.synopsis:
                out.append(("synopsis", str(p.synopsis)))
        elif isinstance(p, DualDialog):
            out.extend(_dialog(p.left, True))
            out.extend(_dialog(p.right, True))
        elif isinstance(p, Dialog):
            out.extend(_dialog(p, False))
        elif isinstance(p, Action):
            out.append(("centered" if p.centered else "action", "\n".join(str(line) for line in p.lines)))
        elif isinstance(p, Transition):
            out.append(("transition", str(p.line)))
        elif isinstance(p, PageBreak):
            out.append(("page_break",))
    title = {k: [str(v) for v in vs] for k, vs in play.title_page.items()}
    return title, out


def comparable(elements: list[dict], keep_lyrics: bool = False) -> list[tuple]:
    """filmc's `parse --json` elements in the oracle's shape (notes and the like dropped)."""
    out: list[tuple] = []
    for e in elements:
        t = e["type"]
        if t == "scene_heading":
            out.append((t, e["text"].upper(), e["scene_number"]))
        elif t == "section":
            out.append((t, e["text"], e["level"]))
        elif t == "character":
            out.append((t, e["text"], e["dual"]))
        elif t == "page_break":
            out.append((t,))
        elif t in ("action", "centered", "dialogue", "parenthetical", "transition", "synopsis"):
            out.append((t, e["text"]))
        elif t == "lyrics" and keep_lyrics:
            out.append((t, e["text"]))
    return out
