"""Statistics of a script: scenes, pages, runtime, and each character's and place's share.

Pages are estimated the way screenplay software counts them: each element wrapped at its
column width in 12-point Courier (action 61 characters, dialogue 35, parentheticals 26), a blank
line between elements, 55 lines a page, and a new page at each `===`. Screen time is the
length of the shots a character is in frame; lines and words count their speeches (a voice
off screen included); a place's screen time is the length of its shots.
"""

from __future__ import annotations

import json
import textwrap
from collections import defaultdict

from .. import ir
from ..build import Prepared

LINES_A_PAGE = 55
_WIDTH = {"action": 61, "dialogue": 35, "parenthetical": 26, "lyrics": 35, "centered": 61, "character": 38,
          "scene_heading": 61, "transition": 61}
_SPEECH = ("parenthetical", "dialogue", "lyrics")


def pages(film: ir.Film) -> float:
    """The script's length in pages, to an eighth (as shooting schedules count them)."""
    filled, done = 0, 0
    previous = None
    for e in film.elements():
        if e.type == "page_break":
            done += 1
            filled, previous = 0, None
            continue
        width = _WIDTH.get(e.type)
        if width is None:
            continue  # notes, sections, synopses and annotations are not printed
        lines = sum(max(1, len(textwrap.wrap(line, width)) if line.strip() else 1) for line in e.text.split("\n"))
        gap = 0 if previous is None or (e.type in _SPEECH and previous in ("character", *_SPEECH)) else 1
        if e.type == "scene_heading" and previous is not None:
            gap = 2
        if filled + gap + lines > LINES_A_PAGE and filled:
            done += 1
            filled, gap = 0, 0
        filled += gap + lines
        previous = e.type
    total = done + filled / LINES_A_PAGE
    return round(total * 8) / 8


def stats(prepared: Prepared) -> dict:
    film, plan, symbols = prepared.result.film, prepared.plan, prepared.result.symbols
    shots = plan.shots.shots
    cast = symbols.cast
    characters: dict[str, dict] = defaultdict(lambda: {"screen_time_s": 0.0, "lines": 0, "words": 0, "scenes": set(),
                                                        "shots": 0})
    for shot in shots:
        for key in shot.subjects:
            entry = characters[cast[key].name if key in cast else key]
            entry["screen_time_s"] += shot.duration_s
            entry["shots"] += 1
            entry["scenes"].add(shot.scene)
        for speech in shot.speeches:
            entry = characters[cast[speech.character].name if speech.character in cast else speech.name]
            entry["lines"] += 1
            entry["words"] += speech.words
            entry["scenes"].add(shot.scene)
    places: dict[str, dict] = defaultdict(lambda: {"screen_time_s": 0.0, "scenes": set(), "shots": 0})
    headings = [scene.heading for scene in film.scenes if scene.heading is not None]
    for shot in shots:
        if shot.card is not None:
            continue
        sets = symbols.sets
        name = sets[shot.set_key].name if shot.set_key in sets else (
            headings[shot.scene - 1].text if 0 < shot.scene <= len(headings) else "(no heading)")
        places[name]["screen_time_s"] += shot.duration_s
        places[name]["shots"] += 1
        places[name]["scenes"].add(shot.scene)

    def finish(table: dict) -> list[dict]:
        rows = [{"name": name, **{k: (len(v) if isinstance(v, set) else round(v, 3) if isinstance(v, float) else v)
                                  for k, v in values.items()}} for name, values in table.items()]
        return sorted(rows, key=lambda r: (-r["screen_time_s"], -r.get("lines", 0), r["name"]))

    return {
        "title": film.settings.title or prepared.script.stem,
        "scenes": len(headings),
        "pages": pages(film),
        "shots": len(shots),
        "runtime_s": plan.runtime_s,
        "words_spoken": sum(s.words for shot in shots for s in shot.speeches),
        "characters": finish(characters),
        "locations": finish(places),
    }


def text(prepared: Prepared, as_json: bool) -> str:
    found = stats(prepared)
    if as_json:
        return json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    out = [
        found["title"],
        "",
        f"scenes     {found['scenes']}",
        f"pages      {eighths(found['pages'])} (estimated)",
        f"shots      {found['shots']}",
        f"runtime    {_clock(found['runtime_s'])}",
        f"words      {found['words_spoken']} spoken",
        "",
        _table("character", found["characters"], ("screen_time_s", "shots", "lines", "words", "scenes")),
        "",
        _table("location", found["locations"], ("screen_time_s", "shots", "scenes")),
    ]
    return "\n".join(out) + "\n"


def eighths(pages: float) -> str:
    """Pages as a schedule writes them: `1 5/8`, `3`, `7/8`."""
    whole, part = divmod(round(pages * 8), 8)
    fraction = f"{part // _gcd(part)}/{8 // _gcd(part)}" if part else ""
    return " ".join(p for p in (str(whole) if whole or not part else "", fraction) if p)


def _gcd(part: int) -> int:
    from math import gcd

    return gcd(part, 8)


def _table(title: str, rows: list[dict], columns: tuple[str, ...]) -> str:
    heads = {"screen_time_s": "on screen", "shots": "shots", "lines": "lines", "words": "words", "scenes": "scenes"}
    body = [[r["name"], *(_clock(r[c]) if c == "screen_time_s" else str(r[c]) for c in columns)] for r in rows]
    header = [title, *(heads[c] for c in columns)]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in [header, *body]]
    return "\n".join(line.rstrip() for line in lines) if body else f"{title}: none"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds, 1), 60)
    return f"{int(minutes)}:{rest:04.1f}"
