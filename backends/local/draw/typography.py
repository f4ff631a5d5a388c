"""Type: Lato at any size and weight, letter-spaced text, and lines wrapped (with an ellipsis) or
balanced to a width.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from PIL import ImageDraw, ImageFont

from .base import Colour, Point

_WEIGHTS = {
    "regular": "Regular", "bold": "Bold", "black": "Black", "italic": "Italic", "light": "Light", "thin": "Thin",
    "bolditalic": "BoldItalic", "blackitalic": "BlackItalic", "lightitalic": "LightItalic", "thinitalic": "ThinItalic",
}


@lru_cache(maxsize=128)
def font(size: int, weight: str = "regular") -> ImageFont.FreeTypeFont:
    """Lato at `size` pixels; `weight` is regular, bold, black, italic, light, thin or a
    combination such as "bold italic"."""
    name = _WEIGHTS.get(re.sub(r"[\s_-]", "", weight.lower()))
    if name is None:
        raise ValueError(f"no Lato weight {weight!r}; use one of {', '.join(_WEIGHTS)}")
    with resources.as_file(resources.files("font_lato") / "files" / f"Lato-{name}.ttf") as path:
        return ImageFont.truetype(str(path), max(1, int(size)))


def _text(draw: ImageDraw.ImageDraw, xy: Point, text: str, face: ImageFont.FreeTypeFont, fill: Colour | tuple[int, ...],
          anchor: str = "la", spacing: float = 0.0, **kwargs: Any) -> None:
    """Draw text, optionally letter-spaced (`spacing` in ems), at an anchor like Pillow's."""
    if not spacing:
        draw.text(xy, text, font=face, fill=fill, anchor=anchor, **kwargs)
        return
    gap = face.size * spacing
    width = _spaced_width(face, text, spacing)
    x = xy[0] - {"l": 0, "m": width / 2, "r": width}[anchor[0]]
    for char in text:
        draw.text((x, xy[1]), char, font=face, fill=fill, anchor="l" + anchor[1], **kwargs)
        x += face.getlength(char) + gap


def _spaced_width(face: ImageFont.FreeTypeFont, text: str, spacing: float) -> float:
    return sum(face.getlength(c) for c in text) + face.size * spacing * max(0, len(text) - 1)


def _wrap(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: float, max_lines: int) -> list[str]:
    """Words wrapped to `width` pixels, at most `max_lines` lines, the last ending in an ellipsis
    if the text does not fit."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and face.getlength(f"{line} {words[0]}") <= width:
            line += " " + words.pop(0)
        lines.append(line)
    if words or (lines and face.getlength(lines[-1]) > width):
        last = lines[-1]
        while last and face.getlength(last + "…") > width:
            last = last[:-1].rstrip()
        lines[-1] = last.rstrip(",;:.") + "…"
    return lines


def _balanced(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Text on one line if it fits, else on two of about equal length (as subtitles are set);
    wrapped with an ellipsis if even two are not enough."""
    words = text.split()
    if face.getlength(text) <= width or len(words) < 2:
        return _wrap(draw, text, face, width, 1)
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    best = min(splits, key=lambda pair: max(face.getlength(pair[0]), face.getlength(pair[1])))
    if max(face.getlength(best[0]), face.getlength(best[1])) <= width:
        return list(best)
    return _wrap(draw, text, face, width, 2)


def _fit_text(draw: ImageDraw.ImageDraw, xy: Point, text: str, weight: str, size: int, width: float, fill: Colour) -> float:
    """One line of text shrunk until it fits `width`; returns the y below it."""
    while size > 8 and font(size, weight).getlength(text) > width:
        size -= 2
    draw.text(xy, text, font=font(size, weight), fill=fill)
    return xy[1] + size * 1.15
