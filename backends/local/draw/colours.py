"""Colour words and mixing: the named colours, materials and modifiers a description uses ("dark
green", "linen tunic"), the arithmetic that mixes, scales and shades colours, and reading colour
words out of a text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .base import Colour

COLOURS: dict[str, Colour] = {
    "white": (240, 238, 232), "ivory": (236, 228, 204), "cream": (238, 226, 196), "off-white": (230, 224, 208),
    "pearl": (234, 230, 222), "bone": (226, 214, 186), "shell": (238, 212, 196),
    "black": (30, 30, 34), "ebony": (36, 30, 28), "charcoal": (56, 58, 62), "jet": (22, 22, 26),
    "grey": (128, 130, 134), "gray": (128, 130, 134), "silver": (190, 194, 200), "slate": (94, 106, 120), "ash": (160, 158, 152),
    "red": (196, 38, 42), "crimson": (168, 22, 46), "scarlet": (222, 46, 34), "maroon": (112, 28, 36), "burgundy": (118, 28, 50),
    "rust": (168, 80, 40), "blood": (140, 16, 20), "ruby": (170, 16, 60), "cherry": (190, 30, 50),
    "orange": (232, 124, 34), "amber": (232, 160, 40), "gold": (214, 170, 58), "golden": (214, 170, 58), "yellow": (238, 200, 56),
    "mustard": (200, 160, 40), "ochre": (196, 140, 52), "saffron": (240, 170, 40), "lemon": (246, 226, 90),
    "green": (62, 138, 72), "emerald": (22, 138, 92), "olive": (110, 112, 50), "sage": (148, 166, 128), "moss": (96, 112, 56),
    "lime": (150, 200, 60), "jade": (60, 156, 118), "mint": (160, 220, 180), "bottle": (30, 80, 50),
    "teal": (24, 128, 130), "turquoise": (58, 188, 186), "cyan": (60, 190, 220), "aqua": (90, 200, 210),
    "blue": (44, 88, 178), "navy": (30, 40, 82), "indigo": (60, 46, 122), "cobalt": (30, 70, 170), "azure": (60, 130, 220),
    "sapphire": (20, 60, 150), "denim": (72, 100, 140), "cerulean": (40, 120, 190),
    "purple": (110, 50, 140), "violet": (132, 82, 190), "lavender": (180, 160, 220), "plum": (112, 50, 90),
    "magenta": (200, 40, 140), "mauve": (170, 120, 150), "lilac": (190, 160, 210),
    "pink": (236, 150, 172), "rose": (208, 108, 128), "coral": (242, 118, 88), "salmon": (240, 140, 118), "peach": (246, 190, 150),
    "brown": (112, 74, 44), "tan": (196, 160, 116), "beige": (214, 196, 160), "khaki": (182, 166, 112), "chocolate": (82, 50, 30),
    "chestnut": (122, 62, 36), "auburn": (140, 62, 36), "copper": (186, 104, 52), "bronze": (162, 112, 52), "umber": (100, 70, 46),
    "blonde": (222, 190, 120), "blond": (222, 190, 120), "sandy": (202, 172, 122), "ginger": (192, 92, 42), "brunette": (92, 60, 40),
    "sand": (214, 190, 146), "sepia": (112, 66, 20), "taupe": (140, 124, 110), "steel": (110, 122, 136), "storm": (96, 104, 112),
}

# Materials that say a colour when no colour word does ("linen tunic" is off-white).
MATERIALS: dict[str, Colour] = {
    "linen": (226, 216, 192), "denim": (72, 100, 140), "leather": (104, 66, 40), "canvas": (196, 182, 150),
    "khaki": (182, 166, 112), "wool": (140, 124, 104), "tweed": (120, 104, 84), "burlap": (170, 140, 96),
    "gold": (214, 170, 58), "silver": (190, 194, 200), "shell": (238, 212, 196), "bone": (226, 214, 186),
    "pearl": (234, 230, 222), "coral": (242, 118, 88), "fur": (130, 100, 70), "straw": (214, 186, 110),
}

# A word before a colour changes it: "dark green", "pale blue", "storm grey".
MODIFIERS: dict[str, Callable[[Colour], Colour]] = {
    "dark": lambda c: _scale(c, 0.6), "deep": lambda c: _scale(c, 0.72), "dim": lambda c: _scale(c, 0.7),
    "light": lambda c: _mix(c, (255, 255, 255), 0.4), "pale": lambda c: _mix(c, (255, 255, 255), 0.5),
    "soft": lambda c: _mix(c, (255, 255, 255), 0.2), "bright": lambda c: _saturate(c, 1.35),
    "vivid": lambda c: _saturate(c, 1.4), "muted": lambda c: _saturate(c, 0.55), "dusty": lambda c: _saturate(c, 0.6),
    "faded": lambda c: _mix(_saturate(c, 0.6), (235, 230, 220), 0.3), "dull": lambda c: _saturate(c, 0.6),
    "storm": lambda c: _saturate(_scale(c, 0.8), 0.6), "stormy": lambda c: _saturate(_scale(c, 0.8), 0.6),
    "burnt": lambda c: _scale(c, 0.78), "warm": lambda c: _mix(c, (236, 150, 60), 0.25),
    "cold": lambda c: _mix(c, (90, 140, 200), 0.25), "cool": lambda c: _mix(c, (90, 140, 200), 0.2),
    "sea": lambda c: _mix(c, (30, 140, 130), 0.35), "forest": lambda c: _scale(c, 0.65), "sky": lambda c: _mix(c, (255, 255, 255), 0.45),
}


def _clamp(v: float) -> int:
    return max(0, min(255, round(v)))


def _mix(a: Sequence[float], b: Sequence[float], t: float) -> Colour:
    return tuple(_clamp(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _scale(c: Sequence[float], f: float) -> Colour:
    return tuple(_clamp(x * f) for x in c)  # type: ignore[return-value]


def _luma(c: Sequence[float]) -> float:
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def _saturate(c: Sequence[float], f: float) -> Colour:
    grey = _luma(c)
    return tuple(_clamp(grey + (x - grey) * f) for x in c)  # type: ignore[return-value]


def _ink(c: Colour) -> Colour:
    """The outline colour of a fill: a darker, cooler version of it."""
    return _mix(_scale(c, 0.42), (18, 16, 30), 0.35)


def _shade(c: Colour) -> Colour:
    """The flat shadow tone of a fill, on the side away from the light."""
    return _mix(_scale(c, 0.74), (40, 30, 70), 0.08)


def _distance(a: Sequence[float], b: Sequence[float]) -> float:
    return math.dist(a, b)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['-][a-z0-9]+)*", text.lower())


def _phrases(text: str) -> list[list[str]]:
    """A description cut at commas and conjunctions, each part as words."""
    parts = re.split(r"[,;.:()]|\band\b|\bwith\b|\bin\b", text.lower())
    return [w for w in (_words(p) for p in parts) if w]


def _colour_word(word: str) -> Colour | None:
    if word in COLOURS:
        return COLOURS[word]
    if word.endswith("s") and word[:-1] in COLOURS:  # "greens", "greys"
        return COLOURS[word[:-1]]
    if "-" in word:  # "blue-grey", "blood-red", "sea-green"
        parts = [p for p in word.split("-") if p in COLOURS]
        if len(parts) == 2:
            return _mix(COLOURS[parts[0]], COLOURS[parts[1]], 0.5)
        if parts and word.endswith(parts[-1]):
            head = word[: -len(parts[-1]) - 1]
            return MODIFIERS[head](COLOURS[parts[-1]]) if head in MODIFIERS else COLOURS[parts[-1]]
    return None


def _colour_at(words: Sequence[str], i: int) -> Colour | None:
    """The colour word at `words[i]`, with the modifiers before it applied."""
    colour = _colour_word(words[i])
    j = i - 1
    while colour is not None and j >= 0 and words[j] in MODIFIERS:
        colour = MODIFIERS[words[j]](colour)
        j -= 1
    return colour


def _colour_words(text: str) -> list[Colour]:
    """Every colour a text names, in order ("muted greens and storm greys": two)."""
    words = _words(text)
    return [c for i in range(len(words)) if (c := _colour_at(words, i)) is not None]


def _described(words: Sequence[str], i: int, nouns: Mapping[str, Any], materials: Mapping[str, Colour] = MATERIALS) -> Colour | None:
    """The colour a phrase gives the noun at `words[i]`: a colour word before it ("short black
    hair"), after "of" ("crown of coral"), else a material ("linen tunic")."""
    for j in range(i - 1, max(-1, i - 5), -1):
        if words[j] in nouns:
            break
        if (colour := _colour_at(words, j)) is not None:
            return colour
    if i + 2 < len(words) and words[i + 1] == "of" and (colour := _colour_at(words, i + 2)):
        return colour
    for j in range(i - 1, max(-1, i - 4), -1):
        if words[j] in materials:
            return materials[words[j]]
    return None
