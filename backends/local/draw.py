"""The `local` backend's drawings: an animatic of flat-shaded Pillow illustrations.

Every image here is a pure function of its parameters: randomness comes from a `random.Random`
seeded with a sha256 of `params["seed"]`, and defaults a description leaves open (a tunic's
colour, a skin tone) from a sha256 of the character's key, so a rebuild repaints the same pixels.

- A *character sheet* reads the look and wardrobe words ("white linen tunic, red sash") into a
  figure spec: colours by role (skin, hair, top, bottom, accent, ...) and features (hair
  style, build, age, garment cut, which accessory). Elemental looks ("a figure of dark water",
  "a god of flame") get a legless elemental body with glowing eyes instead. The sheet shows the
  figure from the front, three-quarter and side with its palette, and carries the spec in its
  `info["filmc"]`, which `save_png` stores in the PNG: keyframes redraw the figure from the
  sheet file, crisply at any scale, so consistency flows from the sheet and is never recomputed.
- Figures are built in a small 2.5D model: heads are ellipsoids and limbs and torsos are
  elliptic cross-sections around a spine, turned about the vertical axis and projected, so one
  description gives every view (a hairline, a nose or a necklace lands where the turn puts it)
  and parts are painted far to near. They are supersampled, and their fills are exact palette
  colours, never graded or blurred, so a character measures the same in every shot. A caption
  can pose them: "ALIN sprints" runs, "lifts both hands" raises the arms.
- A *set plate* composes a place from its look words (sea, basalt, city, kitchen, underwater
  palace...) under a sky or in a room lit by the time of day, then tints it with the colour words
  of its lighting and the film's style. Its meta (horizon and ground lines) tells keyframes where
  people stand.
- A *keyframe* crops the plate for the framing (tighter and softer for close shots), stages
  the cast on its ground line by the grammar of the framing (two-shot, over-the-shoulder...),
  and poses it by the action. The action's caption (`caption`) is a separate transparent band
  that the clip lays over the moving picture, at the top, leaving the bottom fifth to subtitles.
- Cards and subtitles are typography in Lato. A draft (`draft` in the params) draws without
  supersampling.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont
from PIL.PngImagePlugin import PngInfo

SHEET_SIZE = (1536, 1024)
PLATE_SIZE = (2048, 1024)

Colour = tuple[int, int, int]
Point = tuple[float, float]

SPEC_VERSION = 1  # of the figure spec a sheet stores; a keyframe ignores a spec of another version
META_KEY = "filmc"
SUPERSAMPLE = 2


def _supersample(params: Mapping[str, Any]) -> int:
    """How many times larger to draw before shrinking (smooth edges); a draft draws at size."""
    return 1 if params.get("draft") else SUPERSAMPLE

# ---------------------------------------------------------------------------------------------
# Fonts and colours
# ---------------------------------------------------------------------------------------------

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


def _digest(*parts: object) -> int:
    """A stable number from parts (sha256, not `hash()`, which changes between runs)."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _pick(options: Sequence[Any], *parts: object) -> Any:
    return options[_digest(*parts) % len(options)]


def _seed(params: Mapping[str, Any], *salt: object) -> int:
    seed = params.get("seed")
    return _digest(seed if isinstance(seed, int) else json.dumps(params, sort_keys=True, default=str), *salt)


# ---------------------------------------------------------------------------------------------
# Reading descriptions
# ---------------------------------------------------------------------------------------------

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


# Garment and feature nouns: the palette role each colours and the cut it names.
NOUNS: dict[str, tuple[str, str]] = {
    **{w: ("top", w) for w in (
        "tunic", "shirt", "blouse", "t-shirt", "tee", "jacket", "coat", "overcoat", "suit", "dress", "gown", "robe", "robes",
        "sweater", "jumper", "hoodie", "cardigan", "kimono", "wrap", "uniform", "armor", "armour", "vest", "waistcoat", "tank",
        "smock", "kaftan", "sari", "poncho", "parka", "blazer", "top", "jersey", "habit", "toga", "overalls", "scrubs", "tux",
        "tuxedo", "raincoat", "trenchcoat", "frock", "doublet", "bodice", "chemise", "shift", "coveralls")},
    **{w: ("bottom", w) for w in (
        "trousers", "pants", "jeans", "skirt", "shorts", "leggings", "slacks", "breeches", "kilt", "sarong", "chinos")},
    **{w: ("accent", w) for w in (
        "sash", "belt", "scarf", "necklace", "tie", "necktie", "bowtie", "hat", "cap", "beret", "hood", "crown", "tiara",
        "headband", "bandana", "headscarf", "turban", "cape", "cloak", "shawl", "mantle", "apron", "gloves", "ribbon", "collar",
        "pendant", "amulet", "beads", "choker", "circlet", "diadem", "stole", "cravat", "bandanna", "fedora", "helmet")},
    **{w: ("shoes", w) for w in ("boots", "shoes", "sandals", "sneakers", "heels", "slippers", "loafers", "trainers", "clogs")},
    **{w: ("hair", w) for w in (
        "hair", "braid", "braids", "plait", "plaits", "ponytail", "bun", "curls", "locks", "mane", "dreadlocks", "afro",
        "mohawk", "bob")},
    **{w: ("beard", w) for w in ("beard", "moustache", "mustache", "stubble", "goatee", "whiskers")},
    **{w: ("eyes", w) for w in ("eyes", "eye", "gaze")},
    **{w: ("skin", w) for w in ("skin", "complexion")},
}

OUTER = {"coat", "overcoat", "suit", "jacket", "blazer", "robe", "robes", "gown", "dress", "parka", "raincoat", "trenchcoat",
         "uniform", "armor", "armour", "tux", "tuxedo", "kimono", "wrap", "poncho", "habit", "toga"}
# How far down a top reaches (fraction of the figure's height from the top of the head).
HEMS = {"tunic": 0.6, "coat": 0.74, "overcoat": 0.8, "trenchcoat": 0.8, "raincoat": 0.76, "parka": 0.62, "jacket": 0.55,
        "blazer": 0.55, "suit": 0.55, "tux": 0.55, "tuxedo": 0.55, "dress": 0.8, "gown": 0.95, "robe": 0.93, "robes": 0.93,
        "kimono": 0.93, "wrap": 0.84, "habit": 0.95, "toga": 0.88, "sari": 0.93, "kaftan": 0.9, "poncho": 0.6, "smock": 0.62,
        "frock": 0.78, "shift": 0.74, "overalls": 0.52, "coveralls": 0.52, "armor": 0.58, "armour": 0.58}
SHORT_SLEEVES = {"tunic", "t-shirt", "tee", "jersey", "smock", "toga", "poncho", "shift"}
NO_SLEEVES = {"tank", "vest", "waistcoat", "bodice", "sari"}

FEMININE = {"woman", "women", "girl", "mother", "mom", "mum", "grandmother", "grandma", "she", "her", "lady", "queen",
            "princess", "wife", "sister", "daughter", "aunt", "witch", "goddess", "nun", "bride", "actress", "waitress",
            "heroine", "widow", "matriarch", "empress", "priestess", "fisherwoman", "mistress", "niece", "granddaughter"}
MASCULINE = {"man", "men", "boy", "father", "dad", "grandfather", "grandpa", "he", "his", "king", "prince", "husband",
             "brother", "son", "uncle", "fisherman", "monk", "priest", "lord", "sir", "emperor", "widower", "nephew", "guy",
             "gentleman", "patriarch", "grandson", "hero", "god"}
HUMANS = FEMININE | MASCULINE | {"person", "child", "kid", "baby", "teen", "teenager", "sailor", "soldier", "doctor", "nurse",
                                 "farmer", "detective", "officer", "student", "worker", "chef", "cook", "driver", "pilot"}
CREATURES = {"god", "goddess", "spirit", "creature", "dragon", "serpent", "demon", "ghost", "elemental", "monster", "golem",
             "phantom", "wraith", "djinn", "jinn", "titan", "kraken", "beast", "deity", "specter", "spectre", "apparition"}
ELEMENTS = {"water": "water", "waves": "water", "wave": "water", "tide": "water", "sea": "water", "ocean": "water", "ice": "water",
            "fire": "fire", "flame": "fire", "flames": "fire", "ember": "fire", "embers": "fire", "lava": "fire", "magma": "fire",
            "smoke": "smoke", "mist": "smoke", "fog": "smoke", "cloud": "smoke", "steam": "smoke", "ash": "smoke",
            "shadow": "shadow", "shadows": "shadow", "darkness": "shadow", "night": "shadow", "void": "shadow",
            "stone": "stone", "rock": "stone", "granite": "stone", "marble": "stone", "basalt": "stone", "clay": "stone",
            "coral": "coral", "light": "light", "starlight": "light", "moonlight": "light", "sunlight": "light"}
CREATURE_ELEMENT = {"dragon": "fire", "demon": "fire", "djinn": "fire", "jinn": "fire", "serpent": "water", "kraken": "water",
                    "golem": "stone", "titan": "stone", "ghost": "smoke", "phantom": "smoke", "specter": "smoke",
                    "spectre": "smoke", "apparition": "smoke", "wraith": "shadow"}
# Body, lower body, head, eye glow and highlight colours of each elemental kind.
ELEMENTAL: dict[str, dict[str, Colour]] = {
    "water": {"top": (30, 98, 122), "bottom": (14, 54, 80), "skin": (38, 116, 140), "eyes": (255, 216, 120), "highlight": (130, 206, 216)},
    "fire": {"top": (236, 108, 28), "bottom": (168, 36, 22), "skin": (246, 148, 44), "eyes": (255, 250, 214), "highlight": (255, 214, 86)},
    "smoke": {"top": (112, 112, 122), "bottom": (70, 70, 80), "skin": (132, 132, 142), "eyes": (220, 236, 255),
              "highlight": (176, 176, 186)},
    "shadow": {"top": (40, 34, 52), "bottom": (20, 18, 28), "skin": (50, 44, 64), "eyes": (240, 66, 60), "highlight": (92, 80, 116)},
    "stone": {"top": (122, 116, 104), "bottom": (84, 78, 70), "skin": (134, 128, 116), "eyes": (255, 186, 72),
              "highlight": (170, 162, 148)},
    "coral": {"top": (214, 96, 78), "bottom": (150, 56, 60), "skin": (230, 120, 96), "eyes": (255, 244, 190), "highlight": (250, 176, 150)},
    "light": {"top": (226, 230, 238), "bottom": (168, 186, 216), "skin": (238, 240, 246), "eyes": (110, 196, 255),
              "highlight": (255, 255, 255)},
}
GLOW_WORDS = {"lantern": (255, 206, 110), "lanterns": (255, 206, 110), "embers": (255, 120, 40), "ember": (255, 120, 40),
              "fire": (255, 150, 50), "stars": (220, 236, 255), "moons": (236, 240, 255), "moon": (236, 240, 255),
              "coals": (255, 96, 40), "lightning": (200, 230, 255), "pearls": (238, 236, 228)}

SKIN_WORDS = {"sunburnt": (206, 124, 92), "sunburned": (206, 124, 92), "tanned": (192, 138, 98), "tan": (192, 140, 100),
              "bronzed": (184, 128, 84), "pale": (242, 212, 194), "fair": (244, 214, 192), "weathered": (178, 128, 94),
              "olive": (190, 152, 108), "ruddy": (214, 146, 116), "freckled": (230, 180, 148), "swarthy": (150, 104, 70),
              "dark-skinned": (112, 72, 50), "brown-skinned": (140, 94, 64), "black-skinned": (88, 58, 42), "ashen": (196, 190, 184),
              "pallid": (226, 214, 204), "rosy": (236, 186, 170), "sallow": (214, 190, 150), "ebony": (76, 50, 38)}
SKIN_TONES: tuple[Colour, ...] = ((242, 208, 182), (226, 180, 142), (200, 148, 106), (164, 112, 76), (122, 80, 54), (94, 62, 44))
HAIR_COLOURS: tuple[Colour, ...] = ((32, 28, 26), (66, 44, 32), (104, 70, 44), (136, 62, 36), (204, 168, 100), (48, 36, 30))
TOPS: tuple[Colour, ...] = ((196, 70, 56), (64, 104, 150), (92, 130, 84), (210, 176, 88), (120, 82, 140), (220, 210, 190), (60, 120, 124))
BOTTOMS: tuple[Colour, ...] = ((64, 60, 56), (86, 70, 54), (52, 58, 74), (96, 90, 78), (44, 44, 48), (110, 96, 70))
ACCENTS: tuple[Colour, ...] = ((186, 44, 48), (214, 150, 40), (36, 112, 156), (124, 60, 136), (36, 128, 88), (222, 110, 60))
SHOES: tuple[Colour, ...] = ((56, 40, 32), (32, 30, 30), (92, 64, 44), (70, 60, 52))

AGE_WORDS = {"teens": 16, "twenties": 25, "thirties": 35, "forties": 45, "fifties": 55, "sixties": 65, "seventies": 75,
             "eighties": 85, "nineties": 92, "old": 70, "elderly": 74, "aged": 70, "ancient": 80, "grandmother": 70,
             "grandfather": 70, "grandma": 70, "grandpa": 70, "crone": 78, "middle-aged": 48, "young": 24, "teen": 16,
             "teenage": 16, "teenager": 16, "adolescent": 15, "child": 9, "kid": 9, "toddler": 4, "baby": 2, "boy": 12,
             "girl": 12, "youth": 18}
EXPRESSIONS = {
    "fierce": "fierce", "angry": "fierce", "stern": "fierce", "determined": "fierce", "grim": "fierce", "furious": "fierce",
    "intense": "fierce", "wild": "fierce", "scowling": "fierce", "calm": "calm", "gentle": "calm", "kind": "calm",
    "serene": "calm", "unafraid": "calm", "warm": "calm", "wise": "calm", "tired": "sad", "sad": "sad", "weary": "sad",
    "mournful": "sad", "grieving": "sad", "laughs": "smile", "laughing": "smile", "smiling": "smile", "smiles": "smile",
    "cheerful": "smile", "jolly": "smile", "happy": "smile", "grinning": "smile",
}


def _age(words: Sequence[str], text: str) -> int:
    if m := re.search(r"(\d{1,3})[- ]?(?:years?|yrs?)[- ]?old", text):
        return int(m.group(1))
    if m := re.search(r"\((\d{1,3})\)|\b(\d)0s\b", text):
        return int(m.group(1)) if m.group(1) else int(m.group(2)) * 10 + 5
    return next((AGE_WORDS[w] for w in words if w in AGE_WORDS), 35)


def _kind(words: Sequence[str], text: str) -> str:
    """"human", or the element of a non-human figure ("water" for "a figure of dark water")."""
    creature = next((w for w in words if w in CREATURES), None)
    if creature is None and (any(w in HUMANS for w in words) or not any(w in ELEMENTS for w in words)):
        return "human"
    if m := re.search(r"\b(?:of|from|in)\s+(?:\w+\s+){0,2}?(" + "|".join(ELEMENTS) + r")\b", text):
        return ELEMENTS[m.group(1)]
    element = next((ELEMENTS[w] for w in words if w in ELEMENTS and w != "sea"), None)
    return element or CREATURE_ELEMENT.get(creature or "", "light")


def _garments(text: str) -> dict[str, tuple[str, Colour | None]]:
    """Role → (noun, colour or None) for each garment or feature a text names; an outer garment
    (coat, robe) wins the top over an inner one, a coloured mention over a plain one."""
    found: dict[str, tuple[str, Colour | None]] = {}
    for words in _phrases(text):
        for i, word in enumerate(words):
            if word not in NOUNS:
                continue
            role, noun = NOUNS[word]
            colour = _described(words, i, NOUNS)
            old = found.get(role)
            if (old is None or (role == "top" and noun in OUTER and old[0] not in OUTER)
                    or (old[1] is None and colour is not None and old[0] == noun)):
                found[role] = (noun, colour)
    return found


def _skin(words: Sequence[str], key: str) -> Colour:
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if word in SKIN_WORDS and (after in {"skin", "complexion", "", "face"} or after in HUMANS or not (
                after in NOUNS or _colour_word(after))):
            return SKIN_WORDS[word]
        if word == "dark" and after in {"skin", "skinned", "complexion"}:
            return SKIN_WORDS["dark-skinned"]
    return _pick(SKIN_TONES, key, "skin")


def _hair_style(words: Sequence[str], garments: Mapping[str, tuple[str, Colour | None]], feminine: bool, key: str) -> str:
    said = set(words)
    if said & {"bald", "shaved", "shaven", "hairless"}:
        return "bald"
    for style, names in (("braid", {"braid", "braids", "braided", "plait", "plaits", "plaited"}), ("ponytail", {"ponytail"}),
                         ("bun", {"bun"}), ("curly", {"curly", "curls", "afro", "curled"})):
        if said & names:
            return style
    hair = [i for i, w in enumerate(words) if w in {"hair", "haired", "locks", "mane"}]
    for i in hair:
        near = set(words[max(0, i - 4):i])
        if near & {"long", "flowing", "wild"}:
            return "long"
        if near & {"short", "cropped", "close-cropped", "buzzed", "crew-cut"}:
            return "short"
    return _pick(("long", "bun", "long"), key, "hair") if feminine else "short"


def _hair_colour(words: Sequence[str], garments: Mapping[str, tuple[str, Colour | None]], age: int, key: str) -> Colour:
    if (said := garments.get("hair")) and said[1]:
        return said[1]
    for word in words:  # "silver-haired", "red-headed", "a blonde"
        if m := re.fullmatch(r"([a-z]+)-(?:haired|headed)", word):
            if m.group(1) == "red":
                return COLOURS["ginger"]
            if m.group(1) in COLOURS:
                return COLOURS[m.group(1)]
        if word in {"blonde", "blond", "redhead", "brunette", "ginger"}:
            return COLOURS["ginger" if word == "redhead" else word]
    if age >= 62:
        return (206, 206, 210)
    if age >= 48:
        return (126, 124, 126)
    return _pick(HAIR_COLOURS, key, "hair colour")


def _build(words: Sequence[str], age: int) -> tuple[float, float]:
    """Height and width factors from build words and age."""
    said = set(words)
    height = 1.3 if said & {"towering", "giant", "colossal", "huge", "vast", "gigantic", "enormous"} else 1.0
    if said & {"tall", "lanky", "long-limbed"}:
        height = 1.08
    elif said & {"small", "little", "tiny", "petite", "diminutive", "slight"}:
        height = 0.88
    if age < 14:
        height *= 0.5 + age * 0.033
    width = 1.0
    if said & {"lean", "thin", "slim", "skinny", "wiry", "slender", "gaunt", "lanky", "bony", "willowy"}:
        width = 0.88
    elif said & {"stout", "heavy", "fat", "portly", "burly", "broad", "stocky", "big", "muscular", "heavyset", "hulking", "plump",
                 "rotund", "barrel-chested", "brawny"}:
        width = 1.22
    return height, width


def _default(options: Sequence[Colour], key: str, role: str, avoid: Iterable[Colour] = ()) -> Colour:
    """A colour the description leaves open: chosen from `options` by the key, skipping any too
    close to a colour already used."""
    avoid = list(avoid)
    start = _digest(key, role)
    for k in range(len(options)):
        colour = options[(start + k) % len(options)]
        if all(_distance(colour, a) > 70 for a in avoid):
            return colour
    return options[start % len(options)]


def _style_defaults(style: str) -> tuple[Colour, ...]:
    """Colours a film's style names ("muted greens and storm greys"), for clothes left uncoloured."""
    named = _colour_words(style)
    return tuple(named) if len(named) >= 2 else TOPS


def figure_spec(params: Mapping[str, Any]) -> dict[str, Any]:
    """The figure a character sheet draws: its kind, palette and features, as JSON values."""
    key = str(params.get("key") or params.get("name") or "someone")
    name = str(params.get("name") or key.replace("_", " "))
    look = re.sub(re.escape(name), " ", str(params.get("look") or ""), flags=re.IGNORECASE)  # "BIG FISH (40s), a tall man"
    wardrobe = str(params.get("wardrobe") or "")
    text = f"{look}, {wardrobe}".lower()
    words = _words(text)
    kind = _kind(words + _words(name), text)
    height, width = _build(words, _age(words, text))
    spec: dict[str, Any] = {"v": SPEC_VERSION, "kind": kind, "height": height, "width": width}
    if kind == "human":
        spec.update(_human_spec(key, look, wardrobe, str(params.get("style") or ""), words + _words(name)))
    else:
        spec.update(_elemental_spec(key, kind, text, words))
        spec["height"] = max(height, 1.12)
        spec["width"] = max(width, 1.1)
    return spec


def _human_spec(key: str, look: str, wardrobe: str, style: str, words: Sequence[str]) -> dict[str, Any]:
    text = f"{look}, {wardrobe}".lower()
    age = _age(words, text)
    garments = {**_garments(look), **_garments(wardrobe)}
    said = set(words)
    feminine = bool(said & FEMININE) or (not said & MASCULINE and _digest(key, "feminine") % 2 == 1)
    top, top_colour = garments.get("top", ("shirt", None))
    bottom_noun, bottom_colour = garments.get("bottom", ("trousers", None))
    accent, accent_colour = garments.get("accent", ("tie" if top in {"suit", "tux", "tuxedo", "blazer"} else "belt", None))
    skin = _skin(words, key)
    top_colour = top_colour or _default(_style_defaults(style), key, "top", [skin])
    if bottom_colour is None and top in {"suit", "tux", "tuxedo", "uniform", "overalls", "coveralls", "scrubs"}:
        bottom_colour = top_colour
    bottom_colour = bottom_colour or _default(BOTTOMS, key, "bottom", [top_colour])
    palette = {
        "skin": skin, "hair": _hair_colour(words, garments, age, key), "top": top_colour, "bottom": bottom_colour,
        "accent": accent_colour or _default(ACCENTS, key, "accent", [top_colour, bottom_colour, skin]),
        "shoes": (garments.get("shoes") or ("", None))[1] or _default(SHOES, key, "shoes"),
        "eyes": (garments.get("eyes") or ("", None))[1] or _pick(((60, 44, 32), (44, 70, 100), (70, 96, 60), (40, 30, 26)), key, "eyes"),
    }
    beard: str | bool = "beard" in garments or bool(said & {"bearded", "whiskered"})
    if beard:
        at = next((i for i, w in enumerate(words) if NOUNS.get(w, ("",))[0] == "beard"), 0)
        beard = "long" if set(words[max(0, at - 3):at]) & {"long", "flowing", "bushy", "full", "wild"} else "short"
        palette["beard"] = garments.get("beard", ("", None))[1] or palette["hair"]
    hem = HEMS.get(top, 0.52)
    return {
        "palette": palette, "age": age, "feminine": feminine, "hair": _hair_style(words, garments, feminine, key), "beard": beard,
        "top": top, "hem": hem, "sleeves": "none" if top in NO_SLEEVES else "short" if top in SHORT_SLEEVES else "long",
        "bottom": "none" if hem > 0.85 else "skirt" if bottom_noun in {"skirt", "kilt", "sarong"} else
        "shorts" if bottom_noun == "shorts" else "trousers",
        "accent": accent, "expression": next((EXPRESSIONS[w] for w in words if w in EXPRESSIONS), "neutral"),
        "barefoot": bool(said & {"barefoot", "barefooted", "unshod"}),
    }


def _elemental_spec(key: str, kind: str, text: str, words: Sequence[str]) -> dict[str, Any]:
    palette = dict(ELEMENTAL[kind])
    element_at = next((i for i, w in enumerate(words) if ELEMENTS.get(w) == kind), None)
    if element_at is not None and (body := _colour_before_element(words, element_at)):
        palette.update(top=body, skin=_mix(body, (255, 255, 255), 0.1), bottom=_scale(body, 0.6))
    if element_at is not None and element_at > 0 and words[element_at - 1] in {"dark", "deep", "black"}:
        palette.update({role: _scale(palette[role], 0.72) for role in ("top", "bottom", "skin")})
    if m := re.search(r"eyes (?:like|of) (\w+)", text):
        palette["eyes"] = GLOW_WORDS.get(m.group(1)) or COLOURS.get(m.group(1), palette["eyes"])
    garments = _garments(text)
    crown = next((w for w in ("crown", "horns", "antlers", "halo", "tiara", "circlet", "diadem") if w in words), None)
    if crown in (None, "crown") and "coral" in words and kind != "coral":
        crown = "coral"
    crowned = _described(words, words.index(crown), NOUNS) if crown in words else None
    accent = crowned or (garments.get("accent") or ("", None))[1] or ("coral" in words and COLOURS["coral"]) or None
    palette["accent"] = accent or _default(ACCENTS, key, "accent", [palette["top"], palette["eyes"]])
    if _distance(palette["eyes"], palette["skin"]) < 90:  # eyes must glow against the head
        palette["eyes"] = _mix(palette["eyes"], (255, 255, 240), 0.65)
    return {"palette": palette, "crown": crown, "age": 40, "expression": "fierce"}


def _colour_before_element(words: Sequence[str], i: int) -> Colour | None:
    for j in range(i - 1, max(-1, i - 3), -1):
        if (colour := _colour_word(words[j])) is not None:
            return colour
    return None


def figure_palette(params: Mapping[str, Any]) -> dict[str, Colour]:
    """The exact colours a character is drawn with (skin, hair, top, bottom, accent, ...), from the
    params of its character sheet."""
    return {role: tuple(c) for role, c in figure_spec(params)["palette"].items()}  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Figures: a 2.5D model, turned about the vertical axis and projected
# ---------------------------------------------------------------------------------------------

@dataclass
class _Painter:
    """Collects a figure's shapes with their depth, then paints them far to near.

    Shapes are given in figure units (x to the right of the figure's axis, y down from the top of
    its head, 1 = its height) and mapped to pixels by `origin` and `scale`.
    """

    origin: Point
    scale: float
    shapes: list[tuple[float, int, Callable[[ImageDraw.ImageDraw, int], None]]] = field(default_factory=list)

    def px(self, points: Iterable[Point]) -> list[Point]:
        ox, oy, k = self.origin[0], self.origin[1], self.scale
        return [(ox + x * k, oy + y * k) for x, y in points]

    def _add(self, depth: float, op: Callable[[ImageDraw.ImageDraw, int], None]) -> None:
        self.shapes.append((depth, len(self.shapes), op))

    def polygon(self, depth: float, points: Sequence[Point], fill: Colour, shade: Sequence[Point] = (), outline: bool = True) -> None:
        xy, shade_xy = self.px(points), self.px(shade)

        def op(draw: ImageDraw.ImageDraw, ink: int) -> None:
            draw.polygon(xy, fill=fill)
            if shade_xy:
                draw.polygon(shade_xy, fill=_shade(fill))
            if outline:
                draw.polygon(xy, outline=_ink(fill), width=ink)
        self._add(depth, op)

    def ellipse(self, depth: float, centre: Point, rx: float, ry: float, fill: Colour, shaded: bool = False,
                outline: bool = True) -> None:
        (x, y), k = self.px([centre])[0], self.scale
        box = (x - rx * k, y - ry * k, x + rx * k, y + ry * k)

        def op(draw: ImageDraw.ImageDraw, ink: int) -> None:
            draw.ellipse(box, fill=fill)
            if shaded and rx * k > 3:
                draw.chord(box, -62, 62, fill=_shade(fill))
                draw.ellipse((box[0] + rx * k * 0.1, box[1] + ry * k * 0.03, box[2] - rx * k * 0.38, box[3] - ry * k * 0.03), fill=fill)
            if outline:
                draw.ellipse(box, outline=_ink(fill), width=ink)
        self._add(depth, op)

    def line(self, depth: float, points: Sequence[Point], fill: Colour, width: float) -> None:
        xy, w = self.px(points), max(1, round(width * self.scale))
        self._add(depth, lambda draw, ink: draw.line(xy, fill=fill, width=w, joint="curve"))

    def at_least(self, units: float, pixels: float) -> float:
        """A size in figure units, but no less than `pixels`: small figures keep readable marks."""
        return max(units, pixels / self.scale)

    def paint(self, draw: ImageDraw.ImageDraw) -> None:
        ink = max(1, round(self.scale * 0.0034))
        for _, _, op in sorted(self.shapes, key=lambda shape: shape[:2]):
            op(draw, ink)


@dataclass(frozen=True)
class _View:
    """A turn about the vertical axis: 0 faces the camera, 90 faces screen right, 180 shows the back."""

    turn: float

    @property
    def cos(self) -> float:
        return math.cos(math.radians(self.turn))

    @property
    def sin(self) -> float:
        return math.sin(math.radians(self.turn))

    def x(self, x: float, z: float) -> float:
        return x * self.cos + z * self.sin

    def depth(self, x: float, z: float) -> float:
        """How far toward the camera a point of the body is (positive: in front of its axis)."""
        return -x * self.sin + z * self.cos


def _limb(spine: Sequence[Point], widths: Sequence[float]) -> tuple[list[Point], list[Point]]:
    """The two edges of a tapered limb around a projected spine."""
    left, right = [], []
    for i, ((x, y), w) in enumerate(zip(spine, widths, strict=True)):
        (x0, y0), (x1, y1) = spine[max(i - 1, 0)], spine[min(i + 1, len(spine) - 1)]
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        nx, ny = (y1 - y0) / length, -(x1 - x0) / length
        left.append((x - nx * w, y - ny * w))
        right.append((x + nx * w, y + ny * w))
    return left, right


def _shaded_limb(p: _Painter, depth: float, spine: Sequence[Point], widths: Sequence[float], fill: Colour) -> None:
    """A limb with a flat shadow down its screen-right side (the light comes from the left)."""
    left, right = _limb(spine, widths)
    lit, dark = (left, right) if sum(x for x, _ in left) < sum(x for x, _ in right) else (right, left)
    inner = [(d[0] + (s[0] - d[0]) * 0.45, d[1] + (s[1] - d[1]) * 0.45) for d, s in zip(dark, spine, strict=True)]
    p.polygon(depth, left + right[::-1], fill, shade=dark + inner[::-1])


@dataclass(frozen=True)
class _Head:
    """A head: an ellipsoid with radii a (across), b (up) and c (front to back), turned by `view`."""

    x: float
    y: float
    a: float
    b: float
    c: float
    view: _View

    def point(self, phi: float, elev: float, lift: float = 1.0) -> tuple[Point, float]:
        """The point at azimuth `phi` (0 = the nose) and elevation `elev` (degrees), pushed out by
        `lift`, and how much it faces the camera (below 0: hidden)."""
        p, e = math.radians(phi), math.radians(elev)
        ux, uy, uz = math.sin(p) * math.cos(e), -math.sin(e), math.cos(p) * math.cos(e)
        x, z = self.a * ux * lift, self.c * uz * lift
        return (self.x + self.view.x(x, z), self.y + self.b * uy * lift), self.view.depth(ux, uz)

    def region(self, edge: Callable[[float], float], pole: float, lift: float, span: tuple[float, float] | None = None,
               tip: Point | None = None) -> list[Point]:
        """The visible part of the head between a curve (an elevation for each azimuth) and a pole
        (90: the crown, -90: the chin), within a span of azimuths: a hairline's cap, a beard. A
        `tip` draws the region out to a point past the pole (a beard's length)."""
        lo, hi = -self.view.turn - 90, -self.view.turn + 90
        if span is not None:
            shift = 360 * round((lo + hi - span[0] - span[1]) / 720)
            lo, hi = max(lo, span[0] + shift), min(hi, span[1] + shift)
            if hi <= lo:
                return []
        phis = np.linspace(lo, hi, 24)
        curve = [self.point(f, edge(f), lift)[0] for f in phis]
        up = [self.point(hi, e, lift)[0] for e in np.linspace(edge(hi), pole, 8)]
        down = [self.point(lo, e, lift)[0] for e in np.linspace(pole, edge(lo), 8)]
        return curve + up + down if tip is None else curve + up[:5] + [tip] + down[3:]


def _hairline(front: float, side: float, back: float) -> Callable[[float], float]:
    """A hairline's elevation by azimuth: `front` above the brow, `side` at the temples, `back` at
    the nape; level across the brow and the nape, turning quickly at the temples and behind the ears."""
    def elevation(phi: float) -> float:
        c = math.cos(math.radians(phi))
        return side + ((front - side) if c > 0 else (back - side)) * abs(c) ** 0.5
    return elevation


@dataclass(frozen=True)
class _Body:
    """Where a figure's landmarks are, in figure units, from its spec."""

    head: float       # height of the head
    width: float
    shoulders: float  # half-width factors
    waist: float
    hips: float
    stoop: float

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> _Body:
        age, width, feminine = spec.get("age", 35), spec.get("width", 1.0), spec.get("feminine", False)
        return cls(head=0.135 + max(0, 14 - age) * 0.009, width=width,
                   shoulders=width * (0.9 if feminine else 1.0), waist=width * (0.9 if feminine else 1.0) * (1.1 if width > 1.1 else 1.0),
                   hips=width * (1.08 if feminine else 1.0), stoop=0.018 if age >= 65 else 0.0)

    def y(self, adult: float) -> float:
        """An adult landmark's height mapped onto this body (a child's head is larger)."""
        return self.head + (adult - 0.135) * (1 - self.head) / 0.865


@dataclass(frozen=True)
class _Pose:
    """How a figure holds itself: each arm's angles (raised out to the side, swung forward) and
    whether it is mid-stride; an arm's forearm bends forward by `bend` more."""

    left: tuple[float, float] = (8.0, 0.0)
    right: tuple[float, float] = (8.0, 0.0)
    bend: float = 8.0
    stride: bool = False

    def arm(self, side: int) -> tuple[float, float]:
        return self.left if side < 0 else self.right


POSES = {
    "stand": _Pose(), "run": _Pose(left=(10, 50), right=(10, -40), bend=70, stride=True),
    "raise": _Pose(left=(150, 10), right=(150, 10), bend=4), "reach": _Pose(right=(12, 80), bend=4),
}
# What a caption says a character does, in words, and the pose it gives them.
POSE_WORDS = (
    ("run", {"runs", "run", "sprints", "sprint", "races", "rushes", "charges", "dashes", "flees", "running", "sprinting", "chases"}),
    ("raise", {"lifts", "raises", "throws", "hurls", "lifting", "raising"}),
    ("reach", {"reaches", "points", "grabs", "reaching", "pointing", "offers", "beckons"}),
)


def _limb_direction(raised: float, swung: float, side: int) -> tuple[float, float, float]:
    """The direction (x, y, z) of a limb hanging straight down, swung forward by `swung` degrees
    and then raised out to its side by `raised`."""
    r, f = math.radians(raised), math.radians(swung)
    dy, dz = math.cos(f), math.sin(f)
    return side * dy * math.sin(r), dy * math.cos(r), dz


def _chain(start: tuple[float, float, float], *segments: tuple[float, tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Joints from a start along segments of (length, direction)."""
    joints = [start]
    for length, (dx, dy, dz) in segments:
        x, y, z = joints[-1]
        joints.append((x + dx * length, y + dy * length, z + dz * length))
    return joints


def _human(p: _Painter, spec: Mapping[str, Any], view: _View, pose: _Pose) -> None:
    palette = {role: tuple(c) for role, c in spec["palette"].items()}
    body = _Body.of(spec)
    _legs(p, spec, body, view, palette, pose)
    _torso(p, spec, body, view, palette)
    for side in (-1, 1):
        _arm(p, spec, body, view, palette, side, pose)
    _accessory(p, spec, body, view, palette)
    _human_head(p, spec, body, view, palette)


def _legs(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, palette: Mapping[str, Colour], pose: _Pose) -> None:
    bottom = spec.get("bottom", "trousers")
    thigh, shin = body.y(0.72) - body.y(0.49), body.y(0.945) - body.y(0.72)
    for side in (-1, 1):
        x, z = side * 0.047 * body.hips, side * -0.018
        if pose.stride:  # mid-stride: one leg reaching forward, the other kicking back
            hip, knee = (35, -40) if side < 0 else (-18, -70)
            joints = _chain((x, body.y(0.49), z), (thigh, _limb_direction(3, hip, side)), (shin, _limb_direction(3, hip + knee, side)))
        else:
            joints = [(x, body.y(0.49), z), (x * 0.96, body.y(0.72), z + 0.01), (x * 0.9, body.y(0.945), z)]
        depth = -1 + view.depth(x, z)
        spine = [(view.x(jx, jz), jy) for jx, jy, jz in joints]
        widths = [0.05 * body.width, 0.037 * body.width, 0.026]
        _shaded_limb(p, depth, spine, widths, palette["bottom" if bottom == "trousers" else "skin"])
        if bottom == "shorts":
            thigh = [spine[0], _lerp(spine[0], spine[1], 0.7)]
            _shaded_limb(p, depth + 0.001, thigh, [widths[0] * 1.12, widths[1] * 1.2], palette["bottom"])
        ax, ay, az = joints[-1]
        heel, toe = view.x(ax, az - 0.01), view.x(ax + side * 0.008, az + 0.05)
        foot = palette["skin"] if spec.get("barefoot") else palette["shoes"]
        p.ellipse(depth + 0.002, ((heel + toe) / 2, ay + 0.029), abs(toe - heel) / 2 + 0.021, 0.017, foot, shaded=True)


def _torso_sections(spec: Mapping[str, Any], body: _Body) -> list[tuple[float, float, float, float]]:
    """(y, half-width, half-depth, forward offset) down the torso to the hem of the top."""
    sections = [
        (body.y(0.166), 0.03, 0.03, body.stoop), (body.y(0.173), 0.072 * body.shoulders, 0.042, body.stoop),
        (body.y(0.181), 0.1 * body.shoulders, 0.05, body.stoop), (body.y(0.192), 0.112 * body.shoulders, 0.054, body.stoop * 0.9),
        (body.y(0.21), 0.116 * body.shoulders, 0.057, body.stoop * 0.8), (body.y(0.27), 0.104 * body.shoulders, 0.068, 0.006),
        (body.y(0.40), 0.086 * body.waist, 0.06, 0.0), (body.y(0.49), 0.095 * body.hips, 0.064, -0.004),
    ]
    hem = spec.get("hem", 0.52)
    if hem > 0.5:
        flare = 0.22 if hem > 0.7 else 0.12
        sections.append((body.y(hem), (0.095 + flare * (hem - 0.49)) * body.hips, 0.07 + flare * (hem - 0.49) * 0.6, 0.0))
    else:
        sections[-1] = (body.y(max(hem, 0.45)), *sections[-1][1:])
    return sections


def _projected(sections: Sequence[tuple[float, float, float, float]], view: _View, widen: float = 1.0) -> tuple[list[Point], list[float]]:
    spine = [(view.x(0, zc), y) for y, _, _, zc in sections]
    return spine, [math.hypot(wx * view.cos, wz * view.sin) * widen for _, wx, wz, _ in sections]


def _torso(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, palette: Mapping[str, Colour]) -> None:
    if spec.get("bottom") == "skirt":
        long = spec.get("hem", 0.52) > 0.6
        skirt = [(body.y(0.4), 0.088 * body.waist, 0.062, 0.0), (body.y(0.86 if long else 0.76), 0.15 * body.hips, 0.11, 0.0)]
        _shaded_limb(p, -0.01, *_projected(skirt, view), palette["bottom"])
    spine, widths = _projected(_torso_sections(spec, body), view)
    _shaded_limb(p, 0, spine, widths, palette["top"])
    if spec.get("top") in {"wrap", "robe", "robes", "kimono", "coat", "overcoat", "suit", "jacket", "blazer", "trenchcoat"}:
        _lapel(p, spec, body, view, palette)


def _lapel(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, palette: Mapping[str, Colour]) -> None:
    """The front opening of a garment: a jacket's V over a shirt, a wrap's line across the chest."""
    if view.cos < 0.1:
        return
    front = 0.072
    if spec.get("top") in {"suit", "jacket", "blazer", "coat", "overcoat", "trenchcoat"}:
        shirt = [(view.x(-0.036, front), body.y(0.172)), (view.x(0.036, front), body.y(0.172)), (view.x(0.0, front), body.y(0.33))]
        p.polygon(0.003, shirt, (236, 234, 228))
        return
    points = [(view.x(-0.03, front), body.y(0.18)), (view.x(0.02, front), body.y(0.33)), (view.x(0.045, front), body.y(0.46))]
    p.line(0.004, points, _ink(palette["top"]), 0.005)


def _arm(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, palette: Mapping[str, Colour], side: int,
         pose: _Pose) -> None:
    reach = 0.114 * body.shoulders
    raised, swung = pose.arm(side)
    upper, fore = body.y(0.335) - body.y(0.21), body.y(0.462) - body.y(0.335)
    joints = [(side * (reach - 0.02), body.y(0.19), 0.0),
              *_chain((side * (reach - 0.018), body.y(0.21), 0.0), (upper, _limb_direction(raised, swung, side)),
                      (fore, _limb_direction(raised, swung + pose.bend, side)))]
    depth = view.depth(side * reach, 0.0) - 0.01  # facing the camera, the shoulders overlap the tops of the arms
    spine = [(view.x(x, z), y) for x, y, z in joints]
    thick = math.sqrt(body.width)
    widths = [0.018 * thick, 0.03 * thick, 0.025 * thick, 0.02 * thick]  # narrow at the top: a rounded shoulder
    sleeves = spec.get("sleeves", "long")
    _shaded_limb(p, depth, spine, widths, palette["skin"])
    if sleeves != "none":
        sleeve = spine if sleeves == "long" else [*spine[:2], _lerp(spine[1], spine[2], 0.75)]
        _shaded_limb(p, depth + 0.001, sleeve, [w * 1.12 for w in widths[: len(sleeve)]], palette["top"])
    hand = palette["accent"] if spec.get("accent") == "gloves" else palette["skin"]
    (ex, ey), (wx, wy) = spine[2], spine[3]
    length = math.hypot(wx - ex, wy - ey) or 1.0
    centre = (wx + (wx - ex) / length * 0.024, wy + (wy - ey) / length * 0.024)
    p.ellipse(depth + 0.002, centre, 0.018 * thick, 0.024, hand, shaded=True)


def _lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _front(view: _View, x: float, z: float) -> float:
    """The depth of a mark on the front of the body: just above the torso if it faces the
    camera, behind everything if not."""
    return 0.02 if view.depth(x, z) > -0.005 else -2


def _accessory(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, palette: Mapping[str, Colour]) -> None:
    """The accent: a sash, a belt, a scarf, a necklace, a hat... (drawn big enough to read)."""
    accent, kind = palette["accent"], spec.get("accent", "belt")
    if kind not in _ACCESSORIES:  # a belt, or an accessory too small to draw: a broad belt in its colour
        sections = _torso_sections(spec, body)
        band = [_section_at(sections, body.y(0.43)), _section_at(sections, body.y(0.48))]
        _shaded_limb(p, 0.01, *_projected(band, view, 1.04), accent)
        return
    _ACCESSORIES[kind](p, spec, body, view, accent)


def _section_at(sections: Sequence[tuple[float, float, float, float]], y: float) -> tuple[float, float, float, float]:
    for upper, lower in pairwise(sections):
        if upper[0] <= y <= lower[0]:
            t = (y - upper[0]) / ((lower[0] - upper[0]) or 1)
            return (y, *(u + (v - u) * t for u, v in zip(upper[1:], lower[1:], strict=True)))  # type: ignore[return-value]
    return (y, *sections[-1][1:])


def _sash(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, accent: Colour) -> None:
    """A sash wound round the waist and from one shoulder across the chest (and the back) to the
    other hip, knotted there with its ends hanging: it reads in a close-up and in a wide shot."""
    sections = _torso_sections(spec, body)
    waist = [_section_at(sections, body.y(0.4)), _section_at(sections, body.y(0.48))]
    _shaded_limb(p, 0.011, *_projected(waist, view, 1.05), accent)
    half = p.at_least(0.048, 2.6 * SUPERSAMPLE)
    knot: tuple[float, float, float] = (0.0, 0.0, 0.0)
    for face in (1, -1):  # the front of the body, then the back
        upper, lower = [], []
        for t in np.linspace(0, 1, 10):
            y = body.y(0.19 + 0.26 * t) + half
            _, wx, wz, zc = _section_at(sections, y)
            x = wx * (-0.46 + 1.22 * t)
            z = zc + face * wz * math.sqrt(max(0.0, 1 - (x / wx) ** 2)) * 1.04
            upper.append((view.x(x, z), y - half))
            lower.append((view.x(x, z), y + half))
            knot = (x, y, z) if face == 1 else knot
        if face * view.cos > -0.15:
            shade = lower + [_lerp(b, a, 0.25) for a, b in zip(upper, lower, strict=True)][::-1]
            p.polygon(0.012, upper + lower[::-1], accent, shade=shade)
    x, y, z = knot
    depth = _front(view, x, z) + 0.01
    centre = (view.x(x, z), y + 0.01)
    for dx, length in ((0.012, 0.15), (-0.016, 0.12)):
        end = (view.x(x + dx, z + 0.01), y + length)
        _shaded_limb(p, depth, [centre, _lerp(centre, end, 0.5), end], [0.02, 0.017, 0.015], accent)
    p.ellipse(depth + 0.001, centre, 0.024, 0.022, accent, shaded=True)


def _scarf(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, accent: Colour) -> None:
    ring = [(body.y(0.155), 0.042, 0.042, 0.0), (body.y(0.2), 0.07, 0.062, 0.004)]
    _shaded_limb(p, 0.03, *_projected(ring, view), accent)
    x, z = 0.03, 0.07
    start, end = (view.x(x, z), body.y(0.19)), (view.x(x + 0.012, z), body.y(0.38))
    _shaded_limb(p, _front(view, x, z) + 0.02, [start, end], [0.026, 0.024], accent)


def _necklace(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, accent: Colour) -> None:
    for phi in np.linspace(-84, 84, 13):
        f = math.radians(phi)
        x, z = math.sin(f) * 0.056, math.cos(f) * 0.07
        y = body.y(0.185) + 0.05 * math.cos(f) ** 1.6
        big = abs(phi) < 1
        p.ellipse(_front(view, x, z) + 0.01, (view.x(x, z), y + (0.01 if big else 0)), 0.017 if big else 0.012,
                  0.022 if big else 0.012, accent)


def _tie(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, accent: Colour) -> None:
    z = 0.07
    if view.cos < 0.35:
        return
    points = [(view.x(-0.012, z), body.y(0.19)), (view.x(0.012, z), body.y(0.19)), (view.x(0.024, z), body.y(0.37)),
              (view.x(0, z), body.y(0.4)), (view.x(-0.024, z), body.y(0.37))]
    p.polygon(_front(view, 0, z), points, accent)


def _apron(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, accent: Colour) -> None:
    z = 0.075
    points = [(view.x(-0.07, z), body.y(0.4)), (view.x(0.07, z), body.y(0.4)), (view.x(0.085, z), body.y(0.76)),
              (view.x(-0.085, z), body.y(0.76))]
    p.polygon(_front(view, 0, z), points, accent)
    band = [_section_at(_torso_sections(spec, body), body.y(0.39)), _section_at(_torso_sections(spec, body), body.y(0.42))]
    _shaded_limb(p, 0.015, *_projected(band, view, 1.03), accent)


def _cape(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, accent: Colour) -> None:
    """A cloak hangs behind the body to the ankles with a collar over the shoulders; a shawl is the collar alone."""
    collar = [(body.y(0.17), 0.1 * body.shoulders, 0.066, 0.0), (body.y(0.3), 0.135 * body.shoulders, 0.09, 0.0)]
    _shaded_limb(p, 0.015, *_projected(collar, view), accent)
    if spec.get("accent") in {"cape", "cloak", "mantle"}:
        drape = [(body.y(0.19), 0.12 * body.shoulders, 0.07, -0.02), (body.y(0.92), 0.2 * body.shoulders, 0.12, -0.06)]
        _shaded_limb(p, -0.5 if view.cos > -0.3 else 0.5, *_projected(drape, view), accent)


def _head_points(spec: Mapping[str, Any], body: _Body, view: _View) -> _Head:
    b = body.head / 2
    return _Head(x=view.x(0, body.stoop * 1.6), y=b, a=b * 0.78, b=b, c=b * 0.88, view=view)


def _hat(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, accent: Colour) -> None:
    head = _head_points(spec, body, view)
    kind = spec.get("accent")
    if kind in {"crown", "tiara", "circlet", "diadem"}:
        _crown(p, head, accent, 0.36)
        return
    if kind in {"headband", "bandana", "bandanna"}:
        band = head.region(lambda f: 26, 90, 1.1)
        top = head.region(lambda f: 44, 90, 1.1)
        p.polygon(0.45, band, accent)
        p.polygon(0.451, top, _hair_or(spec, accent))
        return
    brim_y = head.y - head.b * 0.55
    if kind in {"hood", "headscarf", "turban", "helmet", "cap", "beret"}:
        cover = head.region(_hairline(30, -18 if kind in {"hood", "headscarf"} else 8, -55), 90, 1.16)
        p.polygon(0.45, cover, accent, shade=[])
        if kind == "cap":
            peak = head.point(0, 30, 1.35)[0]
            p.ellipse(0.451, peak, 0.03 * abs(view.sin) + 0.012, 0.01, accent)
        return
    p.ellipse(0.45, (head.x, brim_y), head.a * 2.0, head.b * 0.28, accent, shaded=True)
    crown = [(head.x - head.a * 1.05, brim_y), (head.x - head.a * 0.95, brim_y - head.b * 1.05),
             (head.x + head.a * 0.95, brim_y - head.b * 1.05), (head.x + head.a * 1.05, brim_y)]
    p.polygon(0.451, crown, accent, shade=[crown[2], crown[3], (head.x + head.a * 0.5, brim_y), (head.x + head.a * 0.45, crown[2][1])])


def _hair_or(spec: Mapping[str, Any], default: Colour) -> Colour:
    return tuple(spec["palette"].get("hair", default))  # type: ignore[return-value]


def _crown(p: _Painter, head: _Head, colour: Colour, base: float) -> None:
    """A band of points around the head at elevation `base` (fraction of 90 degrees)."""
    low, high = base * 90, base * 90 + 16
    band = head.region(lambda f: low, 90, 1.12)
    cap = head.region(lambda f: high, 90, 1.12)
    if not band:
        return
    p.polygon(0.46, band, colour, outline=True)
    p.polygon(0.461, cap, _shade(colour), outline=False)
    for phi in range(-150, 180, 30):
        (x0, y0), seen = head.point(phi - 9, high, 1.12)
        (x1, y1), _ = head.point(phi + 9, high, 1.12)
        tip, _ = head.point(phi, high + 26, 1.5)
        if seen > -0.1:
            p.polygon(0.462 + seen * 0.001, [(x0, y0), tip, (x1, y1)], colour)


_ACCESSORIES: dict[str, Callable[[_Painter, Mapping[str, Any], _Body, _View, Colour], None]] = {
    "sash": _sash, "ribbon": _sash, "stole": _sash, "scarf": _scarf, "collar": _scarf, "cravat": _scarf, "shawl": _cape,
    "mantle": _cape, "cape": _cape, "cloak": _cape,
    "necklace": _necklace, "pendant": _necklace, "amulet": _necklace, "choker": _necklace, "tie": _tie, "necktie": _tie,
    "bowtie": _tie, "apron": _apron, "hat": _hat, "fedora": _hat, "cap": _hat, "beret": _hat, "hood": _hat, "crown": _hat,
    "tiara": _hat, "circlet": _hat, "diadem": _hat, "headband": _hat, "bandana": _hat, "bandanna": _hat, "headscarf": _hat,
    "turban": _hat, "helmet": _hat, "gloves": lambda *args: None,
}


def _human_head(p: _Painter, spec: Mapping[str, Any], body: _Body, view: _View, palette: Mapping[str, Colour]) -> None:
    head = _head_points(spec, body, view)
    skin = palette["skin"]
    neck = [(view.x(0, body.stoop), head.y + head.b * 0.6), (view.x(0, body.stoop), body.y(0.19))]
    _shaded_limb(p, -0.05, neck, [0.022 * body.width, 0.024 * body.width], skin)
    _hair_back(p, spec, head, body, view, palette)
    p.ellipse(0.3, (head.x, head.y), math.hypot(head.a * view.cos, head.c * view.sin), head.b, skin, shaded=True)
    for side in (-1, 1):
        (x, y), seen = head.point(side * 90, 0)
        if seen > -0.25:
            p.ellipse(0.301, (x, y + head.b * 0.06), head.a * (0.14 + 0.12 * max(0.0, seen)), head.b * 0.2, skin)
    _face(p, spec, head, palette)
    if spec.get("beard"):
        chin = head.point(0, -90, 1.0)[0]
        length = 0.9 if spec["beard"] == "long" else 0.25
        tip = (chin[0] + head.c * 0.3 * view.sin, chin[1] + head.b * length)
        beard = head.region(_hairline(-27, -6, 20), -90, 1.06, span=(-100, 100), tip=tip)
        if beard:
            p.polygon(0.33, beard, palette["beard"])
            _mouth(p, spec, head, palette, over_beard=True)
    _hair_cap(p, spec, head, palette)


HAIRLINES = {"short": (44, 14, -48, 1.07), "curly": (40, 8, -50, 1.17), "long": (50, -10, -58, 1.09)}


def _hair_cap(p: _Painter, spec: Mapping[str, Any], head: _Head, palette: Mapping[str, Colour]) -> None:
    style = spec.get("hair", "short")
    if style == "bald":
        return
    front, side, back, lift = HAIRLINES.get(style, HAIRLINES["long"])
    cap = head.region(_hairline(front, side, back), 90, lift)
    p.polygon(0.4, cap, palette["hair"], shade=_cap_shade(cap, head))
    if style == "bun":
        (x, y), seen = head.point(180, 40, 1.15)
        p.ellipse(0.39 if seen < 0 else 0.41, (x, y), head.a * 0.62, head.b * 0.45, palette["hair"], shaded=True)


def _cap_shade(cap: Sequence[Point], head: _Head) -> list[Point]:
    """The shadow side of a hair cap: its points right of the head's axis, pulled inward."""
    right = [(x, y) for x, y in cap if x > head.x + head.a * 0.35]
    return right + [(head.x + (x - head.x) * 0.72, y) for x, y in right[::-1]] if len(right) > 2 else []


def _hair_back(p: _Painter, spec: Mapping[str, Any], head: _Head, body: _Body, view: _View, palette: Mapping[str, Colour]) -> None:
    """Hair that falls behind the head: long hair to the shoulder blades, a ponytail, a braid."""
    style, hair = spec.get("hair"), palette["hair"]
    behind = -0.5 if view.cos > -0.2 else 0.42
    if style == "long":
        mass = [(view.x(0, -0.02), head.y - head.b * 0.2), (view.x(0, -0.03), body.y(0.3))]
        _shaded_limb(p, behind, mass, [head.a * 1.18, head.a * 1.05], hair)
    elif style == "ponytail":
        start, _ = head.point(180, 10, 1.05)
        tail = [start, (start[0] + view.sin * -0.03, body.y(0.22)), (start[0] + view.sin * -0.025, body.y(0.3))]
        _shaded_limb(p, behind, tail, [0.02, 0.022, 0.01], hair)
    elif style == "braid":
        _braid(p, head, body, view, hair)


def _braid(p: _Painter, head: _Head, body: _Body, view: _View, hair: Colour) -> None:
    """A braid from behind the ear over the shoulder and down the chest."""
    path = [(0.04, body.y(0.12), -0.02), (0.066, body.y(0.19), 0.03), (0.064, body.y(0.26), 0.07), (0.058, body.y(0.37), 0.075)]
    spine = [(view.x(x, z), y) for x, y, z in path]
    depth = 0.05 if view.cos > -0.3 else -1.5
    _shaded_limb(p, depth, spine, [0.016, 0.017, 0.015, 0.011], hair)
    ink = _ink(hair)
    for (x0, y0), (x1, y1) in pairwise(spine[1:]):
        for t in np.linspace(0.1, 0.9, 4):
            x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
            p.line(depth + 0.001, [(x - 0.011, y - 0.006), (x + 0.011, y + 0.004)], ink, 0.0035)
    tip = spine[-1]
    p.ellipse(depth + 0.002, (tip[0], tip[1] + 0.012), 0.007, 0.012, _shade(hair))


def _face(p: _Painter, spec: Mapping[str, Any], head: _Head, palette: Mapping[str, Colour]) -> None:
    expression = spec.get("expression", "neutral")
    inner, outer = {"fierce": (4, 20), "sad": (22, 12), "calm": (16, 15)}.get(expression, (15, 17))
    for side in (-1, 1):
        (x, y), seen = head.point(side * 26, -4, 1.0)
        if seen > 0.15:
            _eye(p, (x, y), head, palette, seen, expression)
        a, seen_a = head.point(side * 10, inner, 1.02)
        b, seen_b = head.point(side * 40, outer, 1.02)
        if min(seen_a, seen_b) > 0:
            p.line(0.32, [a, b], palette.get("beard", palette["hair"]), head.b * 0.075)
    bridge, seen = head.point(0, 6, 1.0)
    tip, _ = head.point(0, -16, 1.16)
    base, _ = head.point(0, -24, 1.0)
    if seen > -0.3:
        p.polygon(0.315, [bridge, tip, base], palette["skin"])
    if not spec.get("beard"):
        _mouth(p, spec, head, palette, over_beard=False)


def _eye(p: _Painter, centre: Point, head: _Head, palette: Mapping[str, Colour], seen: float, expression: str) -> None:
    rx, ry = head.a * 0.2 * (0.35 + 0.65 * seen), head.b * 0.1
    if ry * p.scale < 2.2:  # too small to draw an eye: a dark dot reads better
        p.ellipse(0.32, centre, rx * 0.7, ry, (28, 24, 26), outline=False)
        return
    p.ellipse(0.32, centre, rx, ry, (250, 248, 242))
    gaze = head.view.sin * rx * 0.3
    p.ellipse(0.321, (centre[0] + gaze, centre[1]), min(rx, ry) * 0.95, ry * 0.95, palette["eyes"], outline=False)
    p.ellipse(0.322, (centre[0] + gaze, centre[1]), min(rx, ry) * 0.45, ry * 0.45, (16, 14, 16), outline=False)
    p.ellipse(0.323, (centre[0] + gaze - rx * 0.2, centre[1] - ry * 0.3), ry * 0.22, ry * 0.22, (255, 255, 255), outline=False)
    lid = ry * (0.45 if expression in {"calm", "sad"} else 0.2)
    p.line(0.324, [(centre[0] - rx, centre[1] - ry + lid), (centre[0] + rx, centre[1] - ry + lid)], _ink(palette["skin"]), ry * 0.5)


def _mouth(p: _Painter, spec: Mapping[str, Any], head: _Head, palette: Mapping[str, Colour], over_beard: bool) -> None:
    expression = spec.get("expression", "neutral")
    curve = {"smile": 7, "sad": -5, "fierce": -2}.get(expression, 1)
    points = []
    for phi in (-16, -8, 0, 8, 16):
        point, seen = head.point(phi, -38 + curve * (abs(phi) / 16) ** 2, 1.0)
        if seen > 0.05:
            points.append(point)
    lips = _mix(_scale(palette["skin"], 0.62), (120, 30, 40), 0.35)
    if len(points) > 1:
        p.line(0.34 if over_beard else 0.32, points, lips, head.b * 0.07)


# The elemental body: (y, half-width, half-depth, forward offset), from the neck to the ground.
ELEMENTAL_BODY = ((0.16, 0.03, 0.03, 0.0), (0.178, 0.09, 0.06, 0.0), (0.2, 0.125, 0.07, 0.0), (0.27, 0.14, 0.08, 0.012),
                  (0.37, 0.118, 0.075, 0.01),
                  (0.5, 0.08, 0.06, 0.0), (0.66, 0.098, 0.074, 0.0), (0.82, 0.15, 0.1, 0.0), (0.97, 0.25, 0.15, 0.0))


def _elemental(p: _Painter, spec: Mapping[str, Any], view: _View, pose: _Pose) -> None:
    """A legless figure of water, fire, smoke, shadow, stone, coral or light, with glowing eyes."""
    palette = {role: tuple(c) for role, c in spec["palette"].items()}
    kind, w = spec["kind"], spec.get("width", 1.1)
    sections = [(y, wx * w, wz * w, zc) for y, wx, wz, zc in ELEMENTAL_BODY]
    head = _Head(x=view.x(0, 0.012), y=0.108, a=0.043, b=0.053, c=0.048, view=view)
    _mane(p, kind, head, view, palette)
    spine, widths = _projected(sections, view)
    left, right = _limb(spine, widths)
    p.polygon(0, left + _edge(kind, left[-1], right[-1]) + right[::-1], palette["top"], shade=_right_strip(left, right))
    low_spine, low_widths = _projected([_section_at(sections, y) for y in (0.6, 0.8, 0.97)], view)
    low_left, low_right = _limb(low_spine, low_widths)
    lower = _edge(kind, low_left[0], low_right[0], up=True) + low_right[1:] + _edge(kind, right[-1], left[-1])[1:-1] + low_left[:0:-1]
    p.polygon(0.001, lower, palette["bottom"], outline=False)
    _ELEMENT_MARKS.get(kind, _streams)(p, sections, view, palette)
    for side in (-1, 1):
        _elemental_arm(p, view, palette, side, w, pose)
    neck = [(head.x, head.y + head.b * 0.5), (view.x(0, 0.0), 0.19)]
    _shaded_limb(p, -0.05, neck, [0.026, 0.03], palette["skin"])
    p.ellipse(0.3, (head.x, head.y), math.hypot(head.a * view.cos, head.c * view.sin), head.b, palette["skin"], shaded=True)
    for side in (-1, 1):
        centre, seen = head.point(side * 28, -4)
        if seen > 0.15:
            _glowing_eye(p, centre, head, palette, seen)
    mouth = [pt for pt, seen in (head.point(f, -42) for f in (-14, 0, 14)) if seen > 0.1]
    if len(mouth) > 1:
        p.line(0.33, mouth, _ink(palette["skin"]), 0.004)
    if spec.get("crown"):
        _CROWNS.get(spec["crown"], _spiked)(p, head, palette["accent"])


def _right_strip(left: Sequence[Point], right: Sequence[Point]) -> list[Point]:
    inner = [_lerp(b, a, 0.3) for a, b in zip(left, right, strict=True)]
    return list(right) + inner[::-1]


EDGES = {"water": (0.045, 4), "fire": (0.07, 7), "shadow": (0.08, 6), "smoke": (0.035, 5), "stone": (0.02, 4),
         "coral": (0.025, 6), "light": (0.025, 4)}


def _edge(kind: str, start: Point, end: Point, up: bool = False) -> list[Point]:
    """The ragged edge between two points: curling crests of water, tongues of flame, tattered
    shadow, broken stone. `up` points it upward (the top of a lower region)."""
    amplitude, count = EDGES[kind]
    points = []
    for i in range(count * 10 + 1):
        t = i / (count * 10)
        phase = (t * count) % 1
        if kind in {"fire", "shadow"}:
            bump = (1 - abs(phase * 2 - 1)) ** 1.5
        elif kind == "stone":
            bump = 0.25 + 0.5 * (phase > 0.5)
        elif kind == "water":
            bump = math.sin(phase ** 0.6 * math.pi) ** 2  # a crest that leans over
        else:
            bump = math.sin(phase * math.pi) ** 2
        x, y = start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t
        points.append((x, y - amplitude * bump) if up else (x, y + amplitude * (0.5 - bump)))
    return points


def _streams(p: _Painter, sections: Sequence[tuple[float, float, float, float]], view: _View, palette: Mapping[str, Colour]) -> None:
    """Light running down a body of water (or smoke, or light), following its turn."""
    for k, across in enumerate((-0.62, -0.3, 0.05, 0.4, 0.7)):
        points = []
        for y in np.linspace(0.22 + 0.03 * (k % 2), 0.9 - 0.06 * (k % 3), 9):
            _, wx, wz, zc = _section_at(sections, y)
            half = math.hypot(wx * view.cos, wz * view.sin)
            points.append((view.x(0, zc) + half * (across + 0.06 * math.sin(y * 19 + k)), y))
        p.line(0.01, points, palette["highlight"], 0.006)


def _flames(p: _Painter, sections: Sequence[tuple[float, float, float, float]], view: _View, palette: Mapping[str, Colour]) -> None:
    """A white-hot heart of flame in the chest."""
    core = [(0.0, 0.6), (-0.04, 0.5), (-0.03, 0.4), (-0.045, 0.33), (-0.012, 0.36), (0.0, 0.25), (0.018, 0.34), (0.045, 0.3),
            (0.036, 0.42), (0.042, 0.5)]
    p.polygon(0.01, [(view.x(x, 0.08), y) for x, y in core], palette["highlight"], outline=False)


def _cracks(p: _Painter, sections: Sequence[tuple[float, float, float, float]], view: _View, palette: Mapping[str, Colour]) -> None:
    ink = _ink(palette["top"])
    for points in (((-0.06, 0.2), (-0.02, 0.28), (-0.05, 0.36), (0.0, 0.45)), ((0.08, 0.24), (0.05, 0.31), (0.09, 0.4)),
                   ((-0.08, 0.6), (-0.03, 0.7), (-0.07, 0.82)), ((0.05, 0.64), (0.09, 0.74), (0.06, 0.86))):
        p.line(0.01, [(x * abs(view.cos) + 0.3 * x * abs(view.sin), y) for x, y in points], ink, 0.006)


_ELEMENT_MARKS = {"fire": _flames, "stone": _cracks}


def _mane(p: _Painter, kind: str, head: _Head, view: _View, palette: Mapping[str, Colour]) -> None:
    """What streams from an elemental's head: a mane of water or smoke, hair of fire."""
    behind = -0.5 if view.cos > -0.2 else 0.42
    if kind == "fire":
        for phi, height in ((-160, 0.1), (-70, 0.11), (-35, 0.15), (0, 0.17), (35, 0.14), (70, 0.1), (160, 0.12)):
            (x, y), seen = head.point(phi, 30, 0.9)
            depth = 0.4 + seen * 0.01 if seen > 0 else 0.29
            lean = 0.02 * math.sin(math.radians(phi + view.turn))
            tongue = [(x - 0.026, y + 0.01), (x + lean, y - height), (x + 0.026, y + 0.01)]
            p.polygon(depth, tongue, palette["top"])
            inner = [(x - 0.012, y + 0.004), (x + lean * 0.6, y - height * 0.55), (x + 0.012, y + 0.004)]
            p.polygon(depth + 0.0001, inner, palette["highlight"], outline=False)
    elif kind in {"water", "smoke", "shadow", "light"}:
        mass = [(head.x, head.y - head.b * 0.5), (view.x(0, -0.05), 0.3), (view.x(0, -0.08), 0.42)]
        _shaded_limb(p, behind, mass, [head.a * 1.25, head.a * 1.5, head.a * 0.6], palette["bottom"])


def _elemental_arm(p: _Painter, view: _View, palette: Mapping[str, Colour], side: int, w: float, pose: _Pose) -> None:
    raised, swung = pose.arm(side)
    joints = _chain((side * 0.118 * w, 0.205, 0.0), (0.135, _limb_direction(raised + 12, swung + 6, side)),
                    (0.125, _limb_direction(raised + 10, swung + pose.bend + 12, side)))
    spine = [(view.x(x, z), y) for x, y, z in joints]
    depth = view.depth(side * 0.15, 0.0) + 0.01 * view.cos
    _shaded_limb(p, depth, spine, [0.042, 0.034, 0.026], palette["top"])
    p.ellipse(depth + 0.0005, spine[0], 0.036, 0.036, palette["top"], outline=False)
    (ex, ey), (hx, hy) = spine[1], spine[2]
    length = math.hypot(hx - ex, hy - ey) or 1.0
    p.ellipse(depth + 0.001, (hx + (hx - ex) / length * 0.03, hy + (hy - ey) / length * 0.03), 0.026, 0.036, palette["skin"], shaded=True)


def _glowing_eye(p: _Painter, centre: Point, head: _Head, palette: Mapping[str, Colour], seen: float) -> None:
    """An eye that glows: opaque rings from the eye's colour out into the head's, like a halo."""
    rx, ry = head.a * 0.26 * (0.4 + 0.6 * seen), head.b * 0.12
    for k, t in ((2.6, 0.25), (2.0, 0.45), (1.5, 0.7)):
        p.ellipse(0.31 + t * 0.001, centre, rx * k, ry * k, _mix(palette["skin"], palette["eyes"], t), outline=False)
    p.ellipse(0.312, centre, rx, ry, palette["eyes"], outline=False)
    p.ellipse(0.313, centre, rx * 0.45, ry * 0.45, (255, 255, 250), outline=False)


def _coral_crown(p: _Painter, head: _Head, colour: Colour) -> None:
    """Branching coral growing up from the crown of the head."""
    for phi in (-150, -50, -25, 0, 25, 50, 150):
        base, seen = head.point(phi, 52, 0.95)
        if seen < -0.4:
            continue
        lean = head.view.x(math.sin(math.radians(phi)), 0) * 0.03
        tip = (base[0] + lean, base[1] - 0.055 + abs(phi) * 0.0001)
        mid = _lerp(base, tip, 0.5)
        depth = 0.47 + seen * 0.01
        for a, b in ((base, tip), (mid, (mid[0] + 0.018, mid[1] - 0.022)), (mid, (mid[0] - 0.016, mid[1] - 0.018))):
            p.line(depth, [a, b], _ink(colour), 0.011)
            p.line(depth + 0.0001, [a, b], colour, 0.007)
        p.ellipse(depth + 0.0002, tip, 0.006, 0.006, colour, outline=False)


def _horns(p: _Painter, head: _Head, colour: Colour) -> None:
    for side in (-1, 1):
        base, seen = head.point(side * 55, 40, 0.95)
        horn = [(base[0] - 0.014, base[1]), (base[0] + side * 0.05, base[1] - 0.05), (base[0] + side * 0.065, base[1] - 0.1),
                (base[0] + side * 0.03, base[1] - 0.045), (base[0] + 0.014, base[1] + 0.006)]
        p.polygon(0.47 + seen * 0.01, horn, colour)


def _halo(p: _Painter, head: _Head, colour: Colour) -> None:
    p.ellipse(-3, (head.x, head.y - head.b * 0.2), head.b * 1.9, head.b * 1.9, colour)
    p.ellipse(-2.9, (head.x, head.y - head.b * 0.2), head.b * 1.6, head.b * 1.6, _mix(colour, (255, 255, 255), 0.5), outline=False)


def _spiked(p: _Painter, head: _Head, colour: Colour) -> None:
    _crown(p, head, colour, 0.36)


_CROWNS = {"coral": _coral_crown, "antlers": _coral_crown, "horns": _horns, "halo": _halo}


def _paint_figure(draw: ImageDraw.ImageDraw, spec: Mapping[str, Any], x: float, feet: float, height: float, turn: float,
                  pose: _Pose = POSES["stand"]) -> None:
    """Paint a figure standing with its feet at (x, feet), `height` pixels tall, turned by `turn`."""
    painter = _Painter(origin=(x, feet - height), scale=height)
    (_human if spec.get("kind", "human") == "human" else _elemental)(painter, spec, _View(turn), pose)
    painter.paint(draw)


# ---------------------------------------------------------------------------------------------
# Character sheets
# ---------------------------------------------------------------------------------------------

PAPER = (238, 234, 226)
SHEET_VIEWS = (("FRONT", 0.0, 190), ("THREE-QUARTER", 38.0, 560), ("PROFILE", 90.0, 930))
SHEET_FEET = 948
FRONT_BOX = (10, 40, 370, 990)  # where the front view stands on a sheet (for sheets without a stored spec)


def character_sheet(params: Mapping[str, Any]) -> Image.Image:
    """A model sheet: the figure from the front, three-quarter and side, its name and description,
    and its palette. Its `info["filmc"]` holds the figure spec, which `save_png` stores for
    keyframes to redraw the figure from."""
    spec = figure_spec(params)
    k = _supersample(params)
    sheet = Image.new("RGB", (SHEET_SIZE[0] * k, SHEET_SIZE[1] * k), PAPER)
    draw = ImageDraw.Draw(sheet)
    height = min(820.0, 700.0 * spec["height"], 170 / (0.25 * spec["width"]) if spec["kind"] != "human" else 820.0)
    for y in np.arange(SHEET_FEET, SHEET_FEET - height - 1, -height / 8):  # head-height guides of a model sheet
        draw.line([(30 * k, y * k), (1110 * k, y * k)], fill=(226, 221, 210), width=k)
    for label, turn, x in SHEET_VIEWS:
        draw.ellipse([((x - 110) * k, (SHEET_FEET - 12) * k), ((x + 110) * k, (SHEET_FEET + 12) * k)], fill=(222, 216, 204))
        _paint_figure(draw, spec, x * k, SHEET_FEET * k, height * k, turn)
        _text(draw, (x * k, 985 * k), label, font(16 * k, "bold"), (140, 132, 120), anchor="mm", spacing=0.18)
    draw.line([(1140 * k, 50 * k), (1140 * k, 974 * k)], fill=(210, 202, 190), width=2 * k)
    _sheet_notes(draw, params, spec, k)
    sheet = sheet.reduce(k)
    sheet.info[META_KEY] = {"kind": "character_sheet", "name": str(params.get("name") or ""), "figure": spec}
    return sheet


def _sheet_notes(draw: ImageDraw.ImageDraw, params: Mapping[str, Any], spec: Mapping[str, Any], k: int) -> None:
    """The right-hand column: name, look, wardrobe, palette swatches."""
    left, width = 1176 * k, 330 * k
    name = str(params.get("name") or params.get("key") or "").upper()
    y = _fit_text(draw, (left, 54 * k), name, "black", 58 * k, width, (34, 30, 36))
    y += 18 * k
    for text, weight, colour in ((params.get("look"), "italic", (70, 64, 60)), (params.get("wardrobe"), "regular", (96, 88, 80))):
        if text:
            lines = _wrap(draw, str(text), font(21 * k, weight), width, 6)
            for line in lines:
                draw.text((left, y), line, font=font(21 * k, weight), fill=colour)
                y += 28 * k
            y += 14 * k
    y = max(y + 10 * k, 360 * k)
    _text(draw, (left, y), "PALETTE", font(16 * k, "bold"), (140, 132, 120), spacing=0.18)
    y += 34 * k
    for role, colour in spec["palette"].items():
        colour = tuple(colour)
        draw.rounded_rectangle([(left, y), (left + 64 * k, y + 46 * k)], radius=8 * k, fill=colour, outline=_ink(colour), width=k)
        draw.text((left + 82 * k, y + 2 * k), role, font=font(20 * k, "bold"), fill=(60, 54, 50))
        draw.text((left + 82 * k, y + 26 * k), "#{:02x}{:02x}{:02x}".format(*colour), font=font(15 * k), fill=(130, 122, 112))
        y += 62 * k


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Set plates
# ---------------------------------------------------------------------------------------------

LIGHTS = ("dawn", "day", "dusk", "night")
# Zenith, middle and horizon colours of the sky at each light.
SKIES: dict[str, tuple[Colour, Colour, Colour]] = {
    "dawn": ((72, 82, 118), (168, 144, 160), (242, 188, 154)),
    "day": ((62, 120, 198), (128, 176, 226), (208, 228, 240)),
    "dusk": ((42, 38, 88), (164, 86, 112), (252, 162, 88)),
    "night": ((12, 18, 46), (26, 38, 76), (54, 70, 112)),
}
AMBIENT = {"dawn": (0.92, 0.84, 0.88), "day": (1.0, 1.0, 1.0), "dusk": (1.0, 0.78, 0.68), "night": (0.44, 0.52, 0.74)}
INDOOR = {"dawn": (0.9, 0.86, 0.9), "day": (1.0, 0.99, 0.97), "dusk": (0.96, 0.8, 0.7), "night": (0.66, 0.56, 0.48)}  # lamps at night
OVERCAST = {"grey", "gray", "overcast", "cloud", "clouds", "cloudy", "storm", "stormy", "rain", "rainy", "fog", "foggy", "mist",
            "misty", "drizzle", "gloomy", "bleak", "thunder", "squall"}
SEA = {"sea", "ocean", "waves", "wave", "tide", "surf", "bay", "harbour", "harbor", "coast", "shore", "seaside", "lagoon", "gulf"}
BEACH = {"beach", "sand", "sandy", "shore", "coast", "dunes", "strand", "cove"}
CITY = {"city", "street", "streets", "buildings", "downtown", "town", "avenue", "alley", "boulevard", "skyscrapers", "skyline",
        "urban", "road", "intersection", "sidewalk", "block", "parking"}

# Parts of a place a look can colour ("black volcanic beach"), and materials that colour them.
PLATE_NOUNS = {
    **{w: "ground" for w in ("beach", "sand", "ground", "field", "fields", "grass", "street", "road", "plain", "desert", "dunes",
                             "meadow", "earth", "soil", "snow", "path", "shore")},
    **{w: "water" for w in ("sea", "ocean", "water", "river", "lake", "waves", "tide", "surf")},
    **{w: "rock" for w in ("columns", "basalt", "cliffs", "cliff", "rocks", "rock", "pillars", "mountains", "mountain", "hills",
                           "crags", "boulders", "stacks")},
    **{w: "building" for w in ("buildings", "houses", "house", "palace", "towers", "temple", "castle", "village", "huts", "cottage")},
    **{w: "wall" for w in ("walls", "wall", "wallpaper", "room", "kitchen", "bedroom", "office", "ward", "hall", "cabin")},
    **{w: "floor" for w in ("floor", "floors", "tiles", "carpet", "floorboards")},
    **{w: "foliage" for w in ("trees", "forest", "woods", "jungle", "leaves", "pines", "palms")},
    "sky": "sky", "curtains": "curtain", "drapes": "curtain", "door": "door", "table": "wood", "furniture": "wood",
}
PLATE_MATERIALS = {
    "volcanic": (62, 60, 64), "basalt": (66, 66, 72), "marble": (226, 222, 214), "brick": (150, 72, 54), "wooden": (124, 86, 56),
    "wood": (124, 86, 56), "stone": (128, 124, 116), "concrete": (150, 150, 146), "granite": (120, 118, 116), "chalk": (232, 230, 220),
    "sandstone": (206, 160, 110), "slate": (84, 92, 102), "bone": (226, 214, 186), "coral": (232, 112, 90), "gold": (214, 170, 58),
    "golden": (214, 170, 58), "neon": (230, 60, 160), "whitewashed": (236, 232, 222), "adobe": (196, 140, 96), "mossy": (92, 112, 62),
    "rusty": (150, 82, 42), "tiled": (204, 204, 198), "glass": (150, 190, 210), "steel": (110, 122, 136), "pine": (176, 130, 82),
    "oak": (136, 96, 58), "mahogany": (104, 50, 36), "linoleum": (180, 176, 150), "tin": (160, 164, 168),
}
GROUNDS = {"sand": (214, 190, 146), "desert": (224, 186, 132), "street": (70, 72, 80), "grass": (98, 140, 72),
           "forest": (74, 92, 54), "snow": (232, 236, 244), "rock": (96, 90, 86), "dirt": (146, 124, 92)}
WALLS = ((206, 186, 156), (170, 178, 160), (190, 164, 140), (156, 168, 184), (214, 204, 184), (176, 150, 140))


@dataclass
class _Plate:
    """A plate being painted, supersampled: its canvas, words, light, random numbers, and where
    its horizon and its standing ground begin (fractions of its height)."""

    image: Image.Image
    words: set[str]
    colours: dict[str, Colour]
    light: str
    rng: random.Random
    horizon: float = 0.5
    ground: float = 0.6
    palette: dict[str, Colour] = field(default_factory=dict)
    indoor: bool = False

    def __post_init__(self) -> None:
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    @property
    def w(self) -> int:
        return self.image.width

    @property
    def h(self) -> int:
        return self.image.height

    def has(self, *words: str | Iterable[str]) -> bool:
        flat = {w for group in words for w in ([group] if isinstance(group, str) else group)}
        return bool(self.words & flat)

    @property
    def overcast(self) -> bool:
        return self.has(OVERCAST)

    def sky(self) -> tuple[Colour, Colour, Colour]:
        zenith, middle, horizon = SKIES[self.light]
        if self.overcast:
            zenith, middle, horizon = (_saturate(_mix(c, (150, 152, 158), 0.35), 0.45) for c in (zenith, middle, horizon))
        if "sky" in self.colours:
            zenith, middle = _mix(zenith, self.colours["sky"], 0.6), _mix(middle, self.colours["sky"], 0.5)
        return zenith, middle, horizon

    def lit(self, colour: Colour, far: float = 0.0) -> Colour:
        """A surface's colour under this light, hazed toward the horizon sky by distance (0-1)."""
        lit = _clamp_all(c * a for c, a in zip(colour, (INDOOR if self.indoor else AMBIENT)[self.light], strict=True))
        return _mix(lit, self.sky()[2], far * (0.8 if self.overcast else 0.65))

    def part(self, role: str, default: Colour) -> Colour:
        return self.colours.get(role, default)


def _clamp_all(values: Iterable[float]) -> Colour:
    return tuple(_clamp(v) for v in values)  # type: ignore[return-value]


def _plate_colours(look: str) -> dict[str, Colour]:
    """The colours a set's look gives to its parts: "black volcanic beach" colours the ground."""
    found: dict[str, Colour] = {}
    for words in _phrases(look):
        for i, word in enumerate(words):
            role = PLATE_NOUNS.get(word)
            if role and role not in found and (colour := _described(words, i, PLATE_NOUNS, PLATE_MATERIALS)):
                found[role] = colour
            if word in PLATE_MATERIALS and word in PLATE_NOUNS:  # "basalt" names both the rock and its colour
                found.setdefault(PLATE_NOUNS[word], PLATE_MATERIALS[word])
    return found


def _plate_scene(words: set[str], place: str) -> str:
    if words & {"underwater", "undersea", "seabed", "seafloor", "sunken", "abyss", "reef"}:
        return "underwater"
    if words & {"cave", "cavern", "grotto", "tunnel", "mine", "catacombs"}:
        return "cave"
    if words & {"palace", "throne", "hall", "cathedral", "temple", "ballroom", "church"} and place != "exterior":
        return "hall"
    if place in {"interior"} or (place != "exterior" and words & INTERIOR_THINGS):
        return "interior"
    return "exterior"


INTERIOR_THINGS = {"kitchen", "bedroom", "room", "office", "bar", "pub", "apartment", "flat", "hospital", "ward", "classroom",
                   "living", "diner", "cafe", "restaurant", "study", "library", "shop", "store", "cabin", "attic", "basement",
                   "corridor", "hallway", "bathroom", "motel", "hotel", "lobby", "table", "bed", "desk", "counter"}


def set_plate(params: Mapping[str, Any]) -> Image.Image:
    """A set with nobody in it (PLATE_SIZE): the place its look describes, in its light. Its
    `info["filmc"]` holds the meta `save_png` stores: place, light, horizon and ground lines
    (fractions of the height) and its main colours."""
    look, lighting, style = (str(params.get(k) or "") for k in ("look", "lighting", "style"))
    words = set(_words(f"{look} {lighting}"))
    light = params.get("light") if params.get("light") in LIGHTS else _light_in(words)
    place = str(params.get("place") or "exterior")
    scene = _plate_scene(words, place)
    k = _supersample(params)
    plate = _Plate(Image.new("RGB", (PLATE_SIZE[0] * k, PLATE_SIZE[1] * k)), words, _plate_colours(look), light,
                   random.Random(_seed(params, "plate")))
    SCENES[scene](plate)
    image = _grade(plate.image.reduce(k), f"{lighting} {style}")
    image.info[META_KEY] = {
        "kind": "set_plate", "scene": scene, "place": place, "light": light, "horizon": round(plate.horizon, 4),
        "ground": round(plate.ground, 4), "palette": {role: list(c) for role, c in plate.palette.items()},
    }
    return image


def _light_in(words: set[str]) -> str:
    for light, names in (("night", {"night", "midnight", "moonlight", "moonlit", "dark"}),
                         ("dusk", {"dusk", "sunset", "evening", "twilight"}),
                         ("dawn", {"dawn", "sunrise", "morning", "daybreak"})):
        if words & names:
            return light
    return "day"


def _gradient(size: tuple[int, int], stops: Sequence[tuple[float, Colour]]) -> Image.Image:
    """A vertical gradient through colour stops at fractions of the height."""
    w, h = size
    ys = np.linspace(0, 1, h)
    positions = [s for s, _ in stops]
    column = np.stack([np.interp(ys, positions, [c[i] for _, c in stops]) for i in range(3)], axis=1)
    strip = Image.fromarray(column.round().astype(np.uint8)[:, None, :])
    return strip.resize((w, h), Image.NEAREST)


def _soft(plate: _Plate, shapes: Callable[[ImageDraw.ImageDraw, float], None], colour: Colour, blur: float, opacity: float = 1.0) -> None:
    """Blend `colour` into the plate through a soft mask: glows, clouds, shafts of light, haze.
    The mask is drawn at an eighth of the size (`shapes` gets the scale), blurred and enlarged."""
    mask = Image.new("L", (plate.w // 8, plate.h // 8), 0)
    shapes(ImageDraw.Draw(mask), 1 / 8)
    mask = mask.filter(ImageFilter.GaussianBlur(blur / 8))
    if opacity < 1:
        mask = mask.point(lambda v: round(v * opacity))
    box = mask.getbbox()
    if box is None:
        return
    big = mask.crop(box).resize(((box[2] - box[0]) * 8, (box[3] - box[1]) * 8), Image.BILINEAR)
    plate.image.paste(colour, (box[0] * 8, box[1] * 8, box[2] * 8, box[3] * 8), big)


def _paint_sky(plate: _Plate) -> None:
    zenith, middle, horizon = plate.sky()
    h = plate.horizon
    plate.image.paste(_gradient(plate.image.size, [(0, zenith), (h * 0.55, middle), (h, horizon), (1, horizon)]))
    plate.palette["sky"] = middle
    if plate.light == "night":
        for _ in range(220):
            x, y, r = plate.rng.random() * plate.w, plate.rng.random() ** 1.6 * plate.h * h * 0.95, plate.rng.choice((1, 1, 2, 3))
            plate.draw.ellipse((x - r, y - r, x + r, y + r), fill=(236, 240, 255, plate.rng.randrange(90, 230)))
    _sun(plate)
    _clouds(plate)


def _sun(plate: _Plate) -> None:
    """The sun (or moon): a glow and a disc, low at dawn and dusk, high by day, hidden by overcast."""
    h = plate.horizon * plate.h
    x = plate.w * plate.rng.uniform(0.25, 0.75)
    y = {"dawn": h * 0.86, "day": h * 0.25, "dusk": h * 0.8, "night": h * 0.28}[plate.light]
    glow = {"dawn": (255, 214, 176), "day": (255, 250, 232), "dusk": (255, 180, 100), "night": (150, 170, 220)}[plate.light]
    radius = plate.h * (0.05 if plate.light in {"dawn", "dusk"} else 0.035)
    spread = 7 if plate.overcast else 4
    _soft(plate, lambda d, s: d.ellipse([((x - radius * spread) * s, (y - radius * spread * 0.7) * s),
                                         ((x + radius * spread) * s, (y + radius * spread * 0.7) * s)], fill=255),
          glow, radius * spread * 0.6, 0.55 if plate.overcast else 0.75)
    if plate.overcast and plate.light != "night":
        return
    disc = {"night": (238, 240, 250), "dusk": (255, 210, 150), "dawn": (255, 232, 200)}.get(plate.light, (255, 253, 240))
    plate.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=disc)
    if plate.light == "night":  # a crescent: the sky bites the moon
        bite = plate.sky()[1]
        plate.draw.ellipse((x - radius * 0.55, y - radius * 1.1, x + radius * 1.45, y + radius * 0.9), fill=_mix(bite, plate.sky()[0], 0.3))


def _clouds(plate: _Plate) -> None:
    """Soft banks of cloud; low, heavy and dark in a storm."""
    rng, h = plate.rng, plate.horizon * plate.h
    heavy = plate.has("storm", "stormy", "low", "overcast", "thunder", "rain")
    light_side = {"dawn": (236, 196, 196), "day": (250, 250, 252), "dusk": (250, 170, 136), "night": (70, 80, 112)}[plate.light]
    colour = _mix(light_side, (112, 116, 126), 0.55) if heavy else light_side
    banks = [(rng.uniform(-0.1, 1.1) * plate.w, rng.uniform(0.12, 0.85) * h, rng.uniform(0.12, 0.3) * plate.w)
             for _ in range(7 if heavy else 4)]

    def shapes(d: ImageDraw.ImageDraw, s: float) -> None:
        for cx, cy, width in banks:
            for _ in range(6):
                dx, dy, r = rng.uniform(-0.5, 0.5) * width, rng.uniform(-0.3, 0.2) * width * 0.25, rng.uniform(0.1, 0.2) * width
                x, y, rx, ry = cx + dx, cy + dy, r * 1.6, r * 0.55
                d.ellipse([((x - rx) * s, (y - ry) * s), ((x + rx) * s, (y + ry) * s)], fill=255)
    _soft(plate, shapes, colour, plate.h * 0.02, 0.85 if heavy else 0.7)
    if heavy:  # a low ceiling of cloud along the horizon
        _soft(plate, lambda d, s: d.rectangle([(0, (h * 0.55) * s), (plate.w * s, h * s)], fill=255), _mix(colour, plate.sky()[2], 0.4),
              plate.h * 0.05, 0.55)


def _ridge(rng: random.Random, x0: float, x1: float, base: float, height: float, roughness: float = 0.45, depth: int = 6) -> list[Point]:
    """A ridge line by midpoint displacement, from (x0, base) to (x1, base) peaking near `height` above."""
    points = [(x0, base - height * rng.uniform(0.2, 0.6)), (x1, base - height * rng.uniform(0.2, 0.6))]
    amplitude = height
    for _ in range(depth):
        refined = [points[0]]
        for (ax, ay), (bx, by) in pairwise(points):
            refined += [((ax + bx) / 2, min(base, (ay + by) / 2 + rng.uniform(-0.5, 0.5) * amplitude)), (bx, by)]
        points, amplitude = refined, amplitude * roughness
    return [(x, max(base - height * 1.2, y)) for x, y in points]


def _mountains(plate: _Plate) -> None:
    h = plate.horizon * plate.h
    rock = plate.part("rock", (96, 100, 112))
    layers = ((0.2, 0.55), (0.12, 0.3)) if not plate.has("hills", "hill") else ((0.09, 0.45), (0.06, 0.25))
    for height, far in layers:
        ridge = _ridge(plate.rng, -plate.w * 0.05, plate.w * 1.05, h + 2, plate.h * height)
        plate.draw.polygon(ridge + [(plate.w * 1.05, h + 2), (-plate.w * 0.05, h + 2)], fill=plate.lit(rock, far))
        if plate.has("snow", "snowy", "snowcapped", "alpine", "glacier"):
            caps = [(x, y) for x, y in ridge if y < h - plate.h * height * 0.55]
            for x, y in caps[::6]:
                plate.draw.polygon([(x - plate.h * 0.02, y + plate.h * 0.025), (x, y), (x + plate.h * 0.02, y + plate.h * 0.025)],
                                   fill=plate.lit((240, 242, 248), far))
    if plate.has("volcano"):
        _volcano(plate)


def _volcano(plate: _Plate) -> None:
    h, x = plate.horizon * plate.h, plate.w * plate.rng.uniform(0.3, 0.7)
    top, half = h - plate.h * 0.24, plate.w * 0.2
    plate.draw.polygon([(x - half, h + 2), (x - plate.w * 0.03, top), (x + plate.w * 0.03, top), (x + half, h + 2)],
                       fill=plate.lit((70, 62, 62), 0.55))
    smoke = [(x + i * plate.w * 0.02, top - i * plate.h * 0.06, plate.h * (0.04 + i * 0.015)) for i in range(6)]
    _soft(plate, lambda d, s: [d.ellipse([((cx - r) * s, (cy - r) * s), ((cx + r) * s, (cy + r) * s)], fill=255) for cx, cy, r in smoke],
          plate.lit((120, 116, 118), 0.3), plate.h * 0.015, 0.8)


def _sea(plate: _Plate) -> None:
    """Water from the horizon to the shore: lighter far off, wave lines nearer, storm crests."""
    h = plate.horizon * plate.h
    shore = (plate.ground if plate.has(BEACH) or plate.has("rocks", "basalt", "cliffs") else 1.0) * plate.h
    storm = plate.has("storm", "stormy", "towering", "rough", "raging", "wild", "crashing", "hammer", "hammering")
    water = plate.part("water", _mix(plate.sky()[2], (24, 64, 80), 0.72 if storm else 0.6))
    near, far = plate.lit(_scale(water, 0.7)), plate.lit(water, 0.5)
    band = _gradient((plate.w, max(1, int(shore - h))), [(0, far), (1, near)])
    plate.image.paste(band, (0, int(h)))
    plate.palette["water"] = water
    rng = plate.rng
    foam = plate.lit((236, 240, 240), 0.2)
    for _ in range(int(260 * (shore - h) / plate.h)):
        t = rng.random() ** 1.4
        y, x = h + (shore - h) * t, rng.random() * plate.w
        length = plate.w * (0.01 + 0.05 * t)
        plate.draw.line([(x, y), (x + length, y)], fill=(*_mix(near, foam, 0.5 if storm else 0.3), 170), width=max(2, int(2 + 5 * t)))
    if storm:
        _storm_crests(plate, h, shore, foam, near)


def _storm_crests(plate: _Plate, h: float, shore: float, foam: Colour, water: Colour) -> None:
    """Rows of breakers between the horizon and the shore, taller nearer, each a dark face under
    a broken white crest with spray blown off it."""
    rng = plate.rng
    spray: list[tuple[float, float, float]] = []
    for t in (0.12, 0.3, 0.52, 0.78):
        y, height = h + (shore - h) * t, plate.h * (0.012 + 0.06 * t)
        x = rng.uniform(-0.2, 0) * plate.w
        while x < plate.w:
            length = plate.w * rng.uniform(0.12, 0.3) * (0.6 + t)
            xs = np.linspace(x, x + length, 24)
            rise = np.sin(np.linspace(0, math.pi, 24)) ** 0.7 * height * rng.uniform(0.7, 1.1)
            crest = list(zip(xs.tolist(), (y - rise).tolist(), strict=True))
            face = plate.lit(_scale(water, 0.78), 0.3 * (1 - t))
            plate.draw.polygon(crest + [(x + length, y + height * 0.3), (x, y + height * 0.3)], fill=face)
            plate.draw.line(crest[3:-3], fill=foam, width=max(4, int(height * 0.22)), joint="curve")
            plate.draw.line([(px, py + height * 0.5) for px, py in crest[6:-6]], fill=(*foam, 90), width=max(3, int(height * 0.12)))
            spray.append((x + length * 0.5, y - float(rise.max()), length * 0.3))
            x += length * rng.uniform(1.1, 1.6)
    _soft(plate, lambda d, s: [d.ellipse([((x - r) * s, (y - r * 0.25) * s), ((x + r) * s, (y + r * 0.1) * s)], fill=255)
                               for x, y, r in spray],
          foam, plate.h * 0.008, 0.5)


def _shoreline(plate: _Plate) -> None:
    """Wet sand shining with the sky, and the foam where the waves run out."""
    y, foam = plate.ground * plate.h, plate.lit((236, 240, 240), 0.2)
    wet = plate.lit(_mix(plate.part("ground", GROUNDS["sand"]), plate.sky()[2], 0.35), 0.2)
    edge = [(x, y + math.sin(x / plate.w * 23 + 1) * plate.h * 0.008) for x in np.linspace(0, plate.w, 80)]
    plate.draw.polygon(edge + [(plate.w, y + plate.h * 0.04), (0, y + plate.h * 0.035)], fill=(*wet, 150))
    plate.draw.line(edge, fill=foam, width=int(plate.h * 0.007), joint="curve")

def _paint_ground(plate: _Plate, kind: str) -> None:
    """The standing ground from where it starts to the bottom, darker near the camera, with texture."""
    top = plate.ground * plate.h if plate.has(SEA) else plate.horizon * plate.h
    base = plate.part("ground", GROUNDS[kind])
    plate.palette["ground"] = base
    far, near = plate.lit(base, 0.35), plate.lit(_scale(base, 0.84))
    plate.image.paste(_gradient((plate.w, max(1, plate.h - int(top))), [(0, far), (1, near)]), (0, int(top)))
    rng = plate.rng
    stroke = _mix(near, (255, 255, 255) if _luma(base) < 90 else (0, 0, 0), 0.12)
    for _ in range(140):
        t = rng.random() ** 1.3
        y, x = top + (plate.h - top) * t, rng.random() * plate.w
        length = plate.w * (0.01 + 0.06 * t)
        if kind == "grass":
            blade = [(x, y), (x + length * 0.05, y - plate.h * 0.012 * (0.3 + t))]
            plate.draw.line(blade, fill=(*stroke, 200), width=max(2, int(3 * t + 1)))
        else:
            plate.draw.arc([(x, y - plate.h * 0.004), (x + length, y + plate.h * 0.006 * (1 + t))], 190, 350, fill=(*stroke, 150),
                           width=max(2, int(2 + 3 * t)))


def _ground_kind(plate: _Plate) -> str:
    for kind, names in (("desert", {"desert", "dunes", "dune", "sahara", "wasteland"}), ("sand", BEACH), ("street", CITY),
                        ("snow", {"snow", "snowy", "ice", "tundra", "glacier", "frozen"}), ("forest", {"forest", "woods", "jungle"}),
                        ("rock", {"rocky", "cliff", "cliffs", "mountain", "mountains", "crater", "volcanic", "quarry"}),
                        ("grass", {"field", "fields", "meadow", "grass", "farm", "pasture", "lawn", "park", "garden", "hill", "hills",
                                   "prairie", "valley", "countryside", "orchard"})):
        if plate.has(names):
            return kind
    return "dirt"


def _basalt(plate: _Plate, side: int) -> None:
    """A cluster of hexagonal basalt columns stepping up toward one edge, with sea stacks far out."""
    rng, base = plate.rng, plate.ground * plate.h + plate.h * 0.07
    rock = plate.part("rock", PLATE_MATERIALS["basalt"])
    x = 0.0
    while x < plate.w * 0.36:
        width = plate.w * rng.uniform(0.018, 0.032)
        t = x / (plate.w * 0.36)  # 0 at the frame edge
        height = plate.h * max(0.02, (0.55 * (1 - t) ** 1.2 + 0.04) * rng.uniform(0.7, 1.1))
        centre = (plate.w - x - width / 2) if side > 0 else x + width / 2
        _column(plate, centre, width, base + plate.h * rng.uniform(-0.02, 0.03), height, _scale(rock, rng.uniform(0.85, 1.12)))
        x += width
    h = plate.horizon * plate.h
    for _ in range(3):  # sea stacks far out
        x, height, half = plate.w * rng.uniform(0.3, 0.7), plate.h * rng.uniform(0.03, 0.08), plate.w * rng.uniform(0.008, 0.02)
        top = _ridge(rng, x - half * 0.8, x + half * 0.8, h - height * 0.8, height * 0.3, 0.5, 3)
        plate.draw.polygon([(x - half, h + plate.h * 0.01), *top, (x + half, h + plate.h * 0.01)], fill=plate.lit(rock, 0.6))


def _column(plate: _Plate, x: float, width: float, bottom: float, height: float, rock: Colour) -> None:
    """One basalt column: a lit and a shaded face and a hexagonal top."""
    face = plate.lit(rock, 0.05)
    top = bottom - height
    plate.draw.rectangle([(x - width / 2, top), (x + width / 2, bottom)], fill=_scale(face, 0.8))
    plate.draw.rectangle([(x - width / 2, top), (x - width * 0.05, bottom)], fill=face)
    cap = [(x - width / 2, top), (x - width / 4, top - width * 0.2), (x + width / 4, top - width * 0.2), (x + width / 2, top),
           (x + width / 4, top + width * 0.15), (x - width / 4, top + width * 0.15)]
    plate.draw.polygon(cap, fill=plate.lit(_mix(rock, (210, 214, 220), 0.3), 0.05), outline=_scale(face, 0.55), width=3)
    plate.draw.line([(x - width / 2, top), (x - width / 2, bottom)], fill=_scale(face, 0.55), width=3)

def _cliffs(plate: _Plate, side: int) -> None:
    h, rng = plate.horizon * plate.h, plate.rng
    rock = plate.part("rock", (110, 100, 92))
    edge = plate.w * (0.72 if side > 0 else 0.28)
    outer = plate.w * 1.02 if side > 0 else -plate.w * 0.02
    ridge = _ridge(rng, edge, outer, h, plate.h * 0.3, 0.5, 5)
    body = [(edge, plate.ground * plate.h + plate.h * 0.04)] + ridge + [(outer, plate.ground * plate.h + plate.h * 0.04)]
    plate.draw.polygon(body, fill=plate.lit(rock, 0.2))
    for k in range(6):  # strata
        y = h - plate.h * 0.2 + k * plate.h * 0.05
        stratum = [(edge + (outer - edge) * 0.1, y), (outer, y + plate.h * 0.02)]
        plate.draw.line(stratum, fill=(*plate.lit(_scale(rock, 0.75), 0.2), 160), width=4)


def _tree(plate: _Plate, x: float, base: float, height: float, far: float, kind: str) -> None:
    trunk = plate.lit((84, 60, 42), far)
    leaf = plate.part("foliage", (52, 96, 58) if kind != "palm" else (64, 120, 60))
    if kind == "palm":
        top = (x + height * 0.15, base - height)
        trunk_line = [(x, base), (x + height * 0.08, base - height * 0.5), top]
        plate.draw.line(trunk_line, fill=trunk, width=max(3, int(height * 0.045)), joint="curve")
        for angle in range(-160, 20, 30):
            a = math.radians(angle)
            tip = (top[0] + math.cos(a) * height * 0.4, top[1] + math.sin(a) * height * 0.2 + height * 0.12)
            plate.draw.line([top, ((top[0] + tip[0]) / 2, min(top[1], tip[1]) - height * 0.05), tip], fill=plate.lit(leaf, far),
                            width=max(3, int(height * 0.035)), joint="curve")
        return
    plate.draw.rectangle([(x - height * 0.03, base - height * 0.35), (x + height * 0.03, base)], fill=trunk)
    if kind == "pine":
        for k in range(3):
            top, bottom, half = base - height * (1 - k * 0.2), base - height * (0.3 + k * 0.08), height * (0.18 + k * 0.06)
            plate.draw.polygon([(x, top), (x + half, bottom), (x - half, bottom)], fill=plate.lit(_scale(leaf, 0.9 - k * 0.05), far))
        return
    for dx, dy, r, shade in ((0, -0.72, 0.26, 1.0), (-0.14, -0.55, 0.2, 0.9), (0.15, -0.57, 0.2, 0.8), (0.02, -0.9, 0.18, 1.08)):
        cx, cy, rr = x + dx * height, base + dy * height, r * height
        plate.draw.ellipse([(cx - rr, cy - rr), (cx + rr, cy + rr)], fill=plate.lit(_scale(leaf, shade), far))


def _trees(plate: _Plate) -> None:
    """A tree line along the horizon and a few trees framing the edges."""
    h, rng = plate.horizon * plate.h, plate.rng
    kind = ("palm" if plate.has("palm", "palms", "tropical", "island")
            else "pine" if plate.has("pine", "pines", "fir", "conifer", "taiga") else "round")
    line_kind = kind if kind != "palm" else "round"
    dense = plate.has("forest", "woods", "jungle", "trees")
    for x in np.arange(-plate.w * 0.02, plate.w * 1.02, plate.w * (0.012 if dense else 0.03)):
        if dense or rng.random() < 0.5:
            _tree(plate, x + rng.uniform(-10, 10), h + plate.h * 0.01, plate.h * rng.uniform(0.05, 0.09), 0.6, line_kind)
    for side in (-1, 1) if dense or kind == "palm" else (plate.rng.choice((-1, 1)),):
        x = plate.w * (0.5 + side * rng.uniform(0.36, 0.46))
        _tree(plate, x, plate.h * rng.uniform(0.86, 0.96), plate.h * rng.uniform(0.55, 0.75), 0.0, kind)


def _village(plate: _Plate) -> None:
    h, rng = plate.horizon * plate.h, plate.rng
    wall = plate.part("building", (214, 200, 176))
    for _ in range(9):
        x, width, height = plate.w * rng.uniform(0.05, 0.95), plate.w * rng.uniform(0.03, 0.05), plate.h * rng.uniform(0.03, 0.05)
        base = h + plate.h * rng.uniform(0.0, 0.03)
        far = 0.5
        plate.draw.rectangle([(x, base - height), (x + width, base)], fill=plate.lit(_scale(wall, rng.uniform(0.85, 1.05)), far))
        roof = [(x - width * 0.1, base - height), (x + width / 2, base - height - width * 0.45), (x + width * 1.1, base - height)]
        plate.draw.polygon(roof, fill=plate.lit((140, 70, 52), far))
        window = (255, 214, 130) if plate.light in {"night", "dusk"} else plate.lit((70, 70, 80), far)
        plate.draw.rectangle([(x + width * 0.35, base - height * 0.6), (x + width * 0.6, base - height * 0.3)], fill=window)


def _street(plate: _Plate) -> None:
    """A street in one-point perspective: a room with no ceiling, whose side walls are facades and
    whose floor is the road between two pavements; a skyline beyond."""
    rng, h = plate.rng, plate.horizon * plate.h
    vx = plate.w * rng.uniform(0.44, 0.56)
    room = _Room((vx, h), vx - plate.w * 0.05, h - plate.h * 0.06, vx + plate.w * 0.05, h + plate.h * 0.03, plate.h)
    wall = plate.part("building", (176, 160, 146))
    for x in np.arange(room.x0 - plate.w * 0.06, room.x1 + plate.w * 0.06, plate.w * 0.016):  # the skyline beyond
        height = plate.h * rng.uniform(0.06, 0.2)
        plate.draw.rectangle([(x, h - height), (x + plate.w * 0.015, room.y1)], fill=plate.lit(_scale(wall, rng.uniform(0.7, 0.9)), 0.7))
    plate.draw.polygon([room.at(0.2, 0), room.at(0.8, 0), room.at(0.8, 1.4), room.at(0.2, 1.4)], fill=plate.lit((62, 64, 72), 0.1))
    for u0, u1 in ((-0.3, 0.2), (0.8, 1.3)):
        plate.draw.polygon([room.at(u0, 0), room.at(u1, 0), room.at(u1, 1.4), room.at(u0, 1.4)], fill=plate.lit((150, 146, 140), 0.1))
    for d in np.linspace(0.0, 1.2, 14) ** 1.5:  # lane dashes
        dash = [room.at(0.49, d), room.at(0.51, d), room.at(0.51, d + 0.03), room.at(0.49, d + 0.03)]
        plate.draw.polygon(dash, fill=plate.lit((230, 216, 160)))
    for u in (0.0, 1.0):
        _facades(plate, room, u, wall)


def _facades(plate: _Plate, room: _Room, u: float, wall: Colour) -> None:
    """Buildings along one side of a street, each with rows of windows, lit at night."""
    rng, night = plate.rng, plate.light in {"night", "dusk"}
    cuts = sorted([0.0, 1.4] + [rng.uniform(0.05, 1.3) for _ in range(5)])
    for d0, d1 in pairwise(cuts):
        height = rng.uniform(0.9, 2.2)
        face = plate.lit(_scale(wall, rng.uniform(0.75, 1.1)), 0.3 * (1 - min(d1, 1)))
        quad = (room.at(u, d0, height), room.at(u, d1, height), room.at(u, d1), room.at(u, d0))
        plate.draw.polygon(quad, fill=face, outline=_scale(face, 0.7), width=3)
        glass = (255, 212, 130) if night else plate.lit(_mix(plate.sky()[1], (40, 50, 60), 0.45))
        floors = max(2, int(height * 4))
        for i in range(floors):
            for j in range(3):
                a, b = 0.1 + j * 0.3, 0.1 + i / floors
                corners = ((0, 0.02), (0.18, 0.02), (0.18, 0.6 / floors), (0, 0.6 / floors))
                window = [_quad_point(*quad, a + da, b + db) for da, db in corners]
                plate.draw.polygon(window, fill=glass if not night or rng.random() < 0.6 else plate.lit((40, 44, 60)))


def _quad_point(a: Point, b: Point, c: Point, d: Point, u: float, v: float) -> Point:
    """A point of a quadrilateral a-b-c-d (clockwise from top left) at fractions u across, v down."""
    top, bottom = _lerp(a, b, u), _lerp(d, c, u)
    return _lerp(top, bottom, v)


def _river(plate: _Plate) -> None:
    h = plate.horizon * plate.h
    water = plate.part("water", _mix(plate.sky()[2], (40, 90, 110), 0.5))
    left, right = [], []
    for t in np.linspace(0, 1, 24):
        y = h + (plate.h - h) * t
        cx = plate.w * (0.5 + 0.18 * math.sin(t * 3.5 + 1)) * (1 - t) + plate.w * 0.45 * t
        half = plate.w * (0.01 + 0.28 * t ** 1.5)
        left.append((cx - half, y))
        right.append((cx + half, y))
    plate.draw.polygon(left + right[::-1], fill=plate.lit(water, 0.2))
    plate.draw.line(left, fill=plate.lit(_mix(water, (255, 255, 255), 0.4)), width=4)


def _dunes(plate: _Plate) -> None:
    h, sand = plate.horizon * plate.h, plate.part("ground", GROUNDS["desert"])
    for k in range(4):
        base, amplitude = h + plate.h * (0.04 + k * 0.1), plate.h * (0.03 + k * 0.02)
        phase = plate.rng.uniform(0, 6)
        crest = [(x, base - amplitude * (1 + math.sin(x / plate.w * (3 + k) + phase))) for x in np.linspace(0, plate.w, 40)]
        plate.draw.polygon(crest + [(plate.w, plate.h), (0, plate.h)], fill=plate.lit(_scale(sand, 0.96 + k * 0.03), 0.4 - k * 0.1))
        shadow = [(x, y + amplitude * 0.6) for x, y in crest]
        plate.draw.line(shadow, fill=(*plate.lit(_scale(sand, 0.75)), 120), width=int(amplitude * 0.3))


def _field_rows(plate: _Plate) -> None:
    h, vx = plate.horizon * plate.h, plate.w * plate.rng.uniform(0.3, 0.7)
    colour = (*plate.lit(_scale(plate.part("ground", GROUNDS["grass"]), 0.8)), 140)
    for x in np.linspace(-plate.w, plate.w * 2, 30):
        plate.draw.line([(vx, h), (x, plate.h)], fill=colour, width=4)


def _boat(plate: _Plate) -> None:
    x, y = plate.w * plate.rng.uniform(0.58, 0.72), plate.ground * plate.h + plate.h * 0.12
    length, depth = plate.w * 0.13, plate.h * 0.05
    hull = [(x - length / 2, y - depth), (x + length / 2, y - depth * 1.2), (x + length * 0.38, y), (x - length * 0.4, y)]
    plate.draw.polygon(hull, fill=plate.lit((104, 72, 48)), outline=plate.lit((52, 36, 26)), width=4)
    plate.draw.line([(x - length / 2, y - depth), (x + length / 2, y - depth * 1.2)], fill=plate.lit((160, 120, 80)), width=8)


def _haze(plate: _Plate) -> None:
    """Mist, fog or low cloud lying along the horizon."""
    if plate.has("fog", "foggy", "mist", "misty", "haze", "hazy", "low", "smoke"):
        h = plate.horizon * plate.h
        _soft(plate, lambda d, s: d.rectangle([(0, (h - plate.h * 0.08) * s), (plate.w * s, (h + plate.h * 0.06) * s)], fill=255),
              _mix(plate.sky()[2], (200, 200, 205), 0.3), plate.h * 0.05, 0.6 if plate.has("fog", "foggy") else 0.4)


def _weather(plate: _Plate) -> None:
    rng = plate.rng
    if plate.has("rain", "rainy", "downpour", "thunderstorm", "drizzle", "raining"):
        for _ in range(500):
            x, y, length = rng.random() * plate.w * 1.2, rng.random() * plate.h, plate.h * rng.uniform(0.02, 0.05)
            plate.draw.line([(x, y), (x - length * 0.25, y + length)], fill=(210, 220, 230, 70), width=2)
    if plate.has("snow", "snowing", "snowfall", "blizzard"):
        for _ in range(400):
            x, y, r = rng.random() * plate.w, rng.random() * plate.h, rng.uniform(2, 6)
            plate.draw.ellipse([(x - r, y - r), (x + r, y + r)], fill=(250, 250, 255, 200))


def _paint_exterior(plate: _Plate) -> None:
    sea = plate.has(SEA) and not plate.has("river", "lake")
    plate.horizon = 0.42 if plate.has("view", "vista", "panorama", "overlook") else 0.46 if sea else 0.5
    plate.ground = plate.horizon + (0.16 if sea else 0.02)
    _paint_sky(plate)
    if plate.has("mountain", "mountains", "hills", "hill", "volcano", "peaks", "range", "valley", "alpine"):
        _mountains(plate)
    if plate.has(CITY):
        _paint_ground(plate, "street")
        _street(plate)
    else:
        if sea:
            _sea(plate)
        _paint_ground(plate, _ground_kind(plate))
        if sea:
            _shoreline(plate)
        _landmarks(plate)
    _haze(plate)
    _weather(plate)


def _landmarks(plate: _Plate) -> None:
    side = plate.rng.choice((-1, 1))
    if plate.has("village", "town", "houses", "huts", "hamlet", "farmhouse"):
        _village(plate)
    if plate.has("river", "stream", "creek", "canal"):
        _river(plate)
    if plate.has("desert", "dunes", "dune"):
        _dunes(plate)
    if plate.has("field", "fields", "farm", "crops", "wheat", "plough", "rows"):
        _field_rows(plate)
    if plate.has("cliff", "cliffs", "crags", "bluff"):
        _cliffs(plate, -side)
    if plate.has("basalt", "columns", "pillars", "stacks"):
        _basalt(plate, side)
    if plate.has("forest", "woods", "trees", "tree", "jungle", "palm", "palms", "orchard", "park", "grove"):
        _trees(plate)
    if plate.has("boat", "boats", "canoe", "rowboat", "skiff", "dinghy"):
        _boat(plate)


@dataclass(frozen=True)
class _Room:
    """A room in one-point perspective: its vanishing point and back wall (pixels), the frame's bottom."""

    vp: Point
    x0: float
    y0: float
    x1: float
    y1: float
    bottom: float

    def at(self, u: float, d: float, up: float = 0.0) -> Point:
        """The point `u` across the back wall's width, `d` of the way from the back wall to the
        bottom of the frame, `up` wall-heights above the floor."""
        s = 1 + d * ((self.bottom - self.vp[1]) / (self.y1 - self.vp[1]) - 1)
        bx, by = self.x0 + (self.x1 - self.x0) * u, self.y1 - (self.y1 - self.y0) * up
        return (self.vp[0] + (bx - self.vp[0]) * s, self.vp[1] + (by - self.vp[1]) * s)

    def far(self, point: Point) -> Point:
        """A back-wall corner pushed out past the frame along its line from the vanishing point."""
        return (self.vp[0] + (point[0] - self.vp[0]) * 6, self.vp[1] + (point[1] - self.vp[1]) * 6)


def _box(plate: _Plate, room: _Room, u: tuple[float, float], d: tuple[float, float], up: tuple[float, float], colour: Colour) -> None:
    """A box standing in the room, shaded: its top lit, its side toward the middle darker."""
    (u0, u1), (d0, d1), (b, t) = u, d, up
    face = plate.lit(colour)
    if room.at(u1, d1)[0] < room.vp[0]:
        side = [room.at(u1, d0, b), room.at(u1, d1, b), room.at(u1, d1, t), room.at(u1, d0, t)]
    else:
        side = [room.at(u0, d0, b), room.at(u0, d1, b), room.at(u0, d1, t), room.at(u0, d0, t)]
    plate.draw.polygon(side, fill=_scale(face, 0.72), outline=_scale(face, 0.5))
    if room.at(u0, d1, t)[1] > room.vp[1]:
        top = [room.at(u0, d0, t), room.at(u1, d0, t), room.at(u1, d1, t), room.at(u0, d1, t)]
        plate.draw.polygon(top, fill=_mix(face, (255, 255, 255), 0.12), outline=_scale(face, 0.5))
    front = [room.at(u0, d1, t), room.at(u1, d1, t), room.at(u1, d1, b), room.at(u0, d1, b)]
    plate.draw.polygon(front, fill=face, outline=_scale(face, 0.5), width=3)


def _paint_interior(plate: _Plate) -> None:
    """A room: back wall with a window on the light outside, side walls, floor, ceiling, a door,
    and the furniture its look names."""
    plate.indoor = True
    rng = plate.rng
    vx = plate.w * rng.uniform(0.44, 0.56)
    room = _Room((vx, plate.h * 0.43), plate.w * 0.2, plate.h * 0.1, plate.w * 0.8, plate.h * 0.64, plate.h)
    plate.horizon, plate.ground = 0.43, 0.72
    hospital = plate.has("hospital", "ward", "clinic", "infirmary")
    wall = plate.part("wall", (196, 214, 200) if hospital else _pick(WALLS, *sorted(plate.words)))
    floor = plate.part("floor", (196, 200, 196) if hospital or plate.has("kitchen", "bathroom") else (128, 90, 60))
    plate.palette.update(wall=wall, floor=floor)
    corners = [(room.x0, room.y0), (room.x1, room.y0), (room.x1, room.y1), (room.x0, room.y1)]
    tl, tr, br, bl = corners
    draw = plate.draw
    draw.polygon([room.far(tl), tl, tr, room.far(tr)], fill=plate.lit(_mix(wall, (255, 255, 255), 0.35)))
    draw.polygon([room.far(tl), tl, bl, room.far(bl)], fill=plate.lit(_scale(wall, 0.82)))
    draw.polygon([room.far(tr), tr, br, room.far(br)], fill=plate.lit(_scale(wall, 0.88)))
    draw.polygon(corners, fill=plate.lit(wall))
    draw.polygon([bl, br, room.far(br), room.far(bl)], fill=plate.lit(floor))
    _floor_lines(plate, room, floor, tiled=hospital or plate.has("kitchen", "bathroom", "tiles", "tiled", "diner"))
    for a, b in ((tl, room.far(tl)), (tr, room.far(tr)), (bl, room.far(bl)), (br, room.far(br))):
        draw.line([a, b], fill=plate.lit(_scale(wall, 0.62)), width=4)
    side = rng.choice((-1, 1))  # the window's side of the back wall; furniture keeps clear of it
    _window(plate, room, 0.1 if side < 0 else 0.66, 0.24)
    _door(plate, room, -side)
    _furnish(plate, room, side)
    _ceiling_light(plate, room)


def _floor_lines(plate: _Plate, room: _Room, floor: Colour, tiled: bool) -> None:
    line = (*plate.lit(_scale(floor, 0.72)), 200)
    for u in np.linspace(-3, 4, 36 if tiled else 50):
        plate.draw.line([room.at(u, 0), room.at(u, 1)], fill=line, width=3)
    if tiled:
        for d in np.linspace(0, 1, 12) ** 1.6:
            plate.draw.line([room.at(-3, d), room.at(4, d)], fill=line, width=3)


def _window(plate: _Plate, room: _Room, u: float, width: float) -> None:
    """A window in the back wall showing the sky at this light, with curtains."""
    a, b = room.at(u, 0, 0.82), room.at(u + width, 0, 0.36)
    box = (int(a[0]), int(a[1]), int(b[0]), int(b[1]))
    zenith, middle, horizon = SKIES[plate.light]
    plate.image.paste(_gradient((box[2] - box[0], box[3] - box[1]), [(0, zenith), (0.6, middle), (1, horizon)]), box[:2])
    if plate.light == "night":
        plate.draw.ellipse((box[0] + 40, box[1] + 40, box[0] + 80, box[1] + 80), fill=(236, 238, 248))
    frame = plate.lit((236, 232, 224))
    mid_x, mid_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    plate.draw.rectangle(box, outline=frame, width=14)
    plate.draw.line([(mid_x, box[1]), (mid_x, box[3])], fill=frame, width=10)
    plate.draw.line([(box[0], mid_y), (box[2], mid_y)], fill=frame, width=10)
    curtain = plate.part("curtain", _pick(((150, 60, 54), (70, 100, 130), (200, 180, 130), (90, 120, 80)), *sorted(plate.words)))
    for x in (box[0] - 50, box[2] - 40):
        plate.draw.rectangle((x, box[1] - 40, x + 90, box[3] + 60), fill=plate.lit(curtain),
                             outline=plate.lit(_scale(curtain, 0.7)), width=3)
    if plate.light != "night":  # daylight from the window falls on the floor
        patch = [room.at(u, 0.05), room.at(u + width, 0.05), room.at(u + width + 0.1, 0.5), room.at(u + 0.1, 0.5)]
        plate.draw.polygon(patch, fill=(*_mix(horizon, (255, 255, 255), 0.5), 50))


def _door(plate: _Plate, room: _Room, side: int) -> None:
    u = 0.0 if side < 0 else 1.0
    quad = [room.at(u, 0.12, 0.82), room.at(u, 0.34, 0.82), room.at(u, 0.34), room.at(u, 0.12)]
    door = plate.part("door", (110, 76, 50))
    plate.draw.polygon(quad, fill=plate.lit(door), outline=plate.lit(_scale(door, 0.55)), width=8)
    knob = _lerp(quad[2], quad[1], 0.45)
    plate.draw.ellipse((knob[0] - 10, knob[1] - 10, knob[0] + 10, knob[1] + 10), fill=plate.lit((200, 170, 90)))


def _glow(plate: _Plate, centre: Point, radius: float, colour: Colour, opacity: float) -> None:
    _soft(plate, lambda d, s: d.ellipse([((centre[0] - radius) * s, (centre[1] - radius) * s),
                                         ((centre[0] + radius) * s, (centre[1] + radius) * s)], fill=255), colour, radius * 0.5, opacity)


def _ceiling_light(plate: _Plate, room: _Room) -> None:
    top, lamp = room.at(0.5, 0.3, 1.0), room.at(0.5, 0.3, 0.78)
    plate.draw.line([top, lamp], fill=(40, 36, 34), width=4)
    shade = [(lamp[0] - 60, lamp[1] + 50), (lamp[0] - 24, lamp[1]), (lamp[0] + 24, lamp[1]), (lamp[0] + 60, lamp[1] + 50)]
    plate.draw.polygon(shade, fill=plate.lit((220, 200, 150)))
    if plate.light in {"night", "dusk"}:
        _glow(plate, (lamp[0], lamp[1] + 60), plate.h * 0.22, (255, 214, 150), 0.45)
        plate.draw.ellipse((lamp[0] - 26, lamp[1] + 36, lamp[0] + 26, lamp[1] + 62), fill=(255, 244, 210))


Span = tuple[float, float]


def _furnish(plate: _Plate, room: _Room, side: int) -> None:
    """The furniture the look names, a table if it names none, each given a free stretch of the
    back wall (away from the window, in the middle, under the window), the floor or a corner."""
    spans = {"far": (0.04, 0.34) if side > 0 else (0.66, 0.96), "centre": (0.38, 0.62),
             "window": (0.66, 0.96) if side > 0 else (0.04, 0.34), "wall": (0.0, 1.0), "floor": (0.37, 0.63),
             "corner": (0.02, 0.06) if side > 0 else (0.94, 0.98)}
    wanted = [(piece, wants) for names, piece, wants in FURNITURE if plate.has(names)] or [(_table, ("floor",))]
    taken: set[str] = set()
    for piece, wants in wanted:
        slot = next((s for s in wants if s not in taken and not (s == "wall" and taken & {"far", "centre", "window"})), None)
        if slot is not None:
            taken |= {"far", "centre", "window"} if slot == "wall" else {slot} - {"corner"}
            piece(plate, room, spans[slot], side)


def _counter(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    """A kitchen (or bar) counter along the back wall, cupboards above, a stove and a sink."""
    wood = plate.part("wood", (150, 110, 76))
    u0, u1 = (0.0, 0.92) if side < 0 else (0.08, 1.0)
    _box(plate, room, (u0, u1), (0.0, 0.1), (0.0, 0.36), wood)
    _box(plate, room, (u0 - 0.01, u1 + 0.01), (0.0, 0.11), (0.36, 0.39), (210, 206, 198))
    for u in np.linspace(u0, u1, 6)[1:-1]:
        plate.draw.line([room.at(u, 0.1, 0.04), room.at(u, 0.1, 0.32)], fill=plate.lit(_scale(wood, 0.6)), width=4)
    cu0, cu1 = (0.4, 0.84) if side < 0 else (0.16, 0.6)  # wall cupboards between the window and the fridge
    upper = [room.at(cu0, 0, 0.82), room.at(cu1, 0, 0.82), room.at(cu1, 0, 0.56), room.at(cu0, 0, 0.56)]
    plate.draw.polygon(upper, fill=plate.lit(_mix(wood, (255, 255, 255), 0.1)), outline=plate.lit(_scale(wood, 0.6)), width=4)
    if plate.has("bar", "pub", "saloon", "tavern"):
        for u in np.linspace(cu0 + 0.02, cu1 - 0.02, 12):
            base = room.at(u, 0, 0.56)
            colour = plate.rng.choice(((60, 110, 60), (130, 60, 40), (180, 150, 80), (60, 80, 120)))
            plate.draw.rectangle((base[0] - 12, base[1] - 70, base[0] + 12, base[1]), fill=plate.lit(colour))
        return
    su = cu0 + 0.12
    stove = [room.at(su, 0.02, 0.392), room.at(su + 0.15, 0.02, 0.392), room.at(su + 0.15, 0.09, 0.392), room.at(su, 0.09, 0.392)]
    plate.draw.polygon(stove, fill=plate.lit((50, 50, 54)))
    for u in (0.04, 0.11):
        c = room.at(su + u, 0.055, 0.392)
        plate.draw.ellipse((c[0] - 30, c[1] - 10, c[0] + 30, c[1] + 10), outline=plate.lit((120, 120, 126)), width=5)
    for k, u in enumerate(np.linspace(cu0 + 0.05, cu1 - 0.05, 4)):  # pans under the cupboards
        hook = room.at(u, 0, 0.56)
        plate.draw.line([hook, (hook[0], hook[1] + 30)], fill=(60, 60, 60), width=3)
        r = 26 + 8 * k
        plate.draw.ellipse((hook[0] - r, hook[1] + 30, hook[0] + r, hook[1] + 30 + r * 2), fill=plate.lit((170, 110, 70)))
    if plate.has("kitchen", "fridge", "refrigerator"):
        fu = (0.86, 1.0) if side < 0 else (0.0, 0.14)
        _box(plate, room, fu, (0.0, 0.12), (0.0, 0.74), (214, 216, 214))


def _table(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    wood = plate.part("wood", (136, 96, 60))
    u = (span[0] + span[1]) / 2
    for du in (-0.14, 0.12):
        _chair(plate, room, u + du, 0.36, wood)
    for lu, ld in ((u - 0.1, 0.28), (u + 0.1, 0.28), (u - 0.1, 0.44), (u + 0.1, 0.44)):
        _box(plate, room, (lu - 0.008, lu + 0.008), (ld - 0.01, ld), (0.0, 0.29), _scale(wood, 0.8))
    _box(plate, room, (u - 0.13, u + 0.13), (0.26, 0.46), (0.29, 0.32), wood)
    cup = room.at(u + 0.03, 0.36, 0.32)
    plate.draw.ellipse((cup[0] - 40, cup[1] - 14, cup[0] + 40, cup[1] + 14), fill=plate.lit((226, 222, 212)))


def _chair(plate: _Plate, room: _Room, u: float, d: float, wood: Colour) -> None:
    _box(plate, room, (u - 0.035, u + 0.035), (d - 0.1, d - 0.03), (0.17, 0.19), _scale(wood, 0.9))
    _box(plate, room, (u - 0.035, u + 0.035), (d - 0.1, d - 0.09), (0.19, 0.42), _scale(wood, 0.85))


def _bed(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    hospital = plate.has("hospital", "ward", "clinic", "infirmary")
    u0, u1 = span
    frame = (190, 196, 200) if hospital else plate.part("wood", (120, 84, 56))
    blanket = (170, 196, 200) if hospital else _pick(((150, 60, 60), (70, 96, 140), (200, 180, 120), (90, 120, 90)), *sorted(plate.words))
    _box(plate, room, (u0, u1), (0.0, 0.02), (0.0, 0.46), frame)
    _box(plate, room, (u0, u1), (0.02, 0.52), (0.06, 0.2), frame)
    _box(plate, room, (u0 + 0.005, u1 - 0.005), (0.02, 0.5), (0.2, 0.26), (236, 234, 228))
    _box(plate, room, (u0 - 0.005, u1 + 0.005), (0.2, 0.52), (0.19, 0.27), blanket)
    for pu in (u0 + 0.04, u1 - 0.13):
        _box(plate, room, (pu, pu + 0.09), (0.03, 0.1), (0.26, 0.31), (246, 244, 240))
    if hospital:
        beside = u1 + 0.04 if u1 < 0.9 else u0 - 0.04
        stand = room.at(beside, 0.3)
        top = room.at(beside, 0.3, 0.8)
        plate.draw.line([stand, top], fill=(170, 174, 180), width=8)
        plate.draw.rounded_rectangle((top[0] - 30, top[1], top[0] + 30, top[1] + 90), radius=14, fill=(220, 236, 240))
        screen = room.at(beside - 0.03, 0, 0.7)
        plate.draw.rectangle((screen[0], screen[1], screen[0] + 150, screen[1] + 100), fill=(30, 40, 44), outline=(150, 150, 150), width=6)
        plate.draw.line([(screen[0] + 10, screen[1] + 60), (screen[0] + 60, screen[1] + 60), (screen[0] + 75, screen[1] + 20),
                         (screen[0] + 90, screen[1] + 80), (screen[0] + 140, screen[1] + 60)], fill=(90, 230, 140), width=4)


def _shelves(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    u0, u1 = span
    wood = plate.part("wood", (110, 80, 54))
    _box(plate, room, (u0, u1), (0.0, 0.06), (0.0, 0.8), wood)
    rng = plate.rng
    for level in (0.08, 0.28, 0.48, 0.66):
        u = u0 + 0.01
        while u < u1 - 0.02:
            width, height = rng.uniform(0.008, 0.018), rng.uniform(0.1, 0.15)
            colour = rng.choice(((150, 50, 44), (60, 90, 130), (200, 170, 90), (70, 110, 70), (120, 80, 120), (220, 210, 190)))
            plate.draw.polygon([room.at(u, 0.06, level), room.at(u + width, 0.06, level), room.at(u + width, 0.06, level + height),
                                room.at(u, 0.06, level + height)], fill=plate.lit(colour))
            u += width + 0.002


def _desk(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    u0, u1 = span
    wood = plate.part("wood", (120, 90, 64))
    _box(plate, room, (u0, u0 + 0.06), (0.05, 0.22), (0.0, 0.3), wood)
    _box(plate, room, (u1 - 0.06, u1), (0.05, 0.22), (0.0, 0.3), wood)
    _box(plate, room, (u0, u1), (0.05, 0.22), (0.3, 0.33), wood)
    a, b = room.at(u0 + 0.08, 0.08, 0.34), room.at(u0 + 0.2, 0.08, 0.52)
    plate.draw.rectangle((a[0], b[1], b[0], a[1]), fill=(34, 38, 44), outline=(20, 20, 24), width=6)
    glow = (120, 170, 220) if plate.light == "night" else (70, 90, 110)
    plate.draw.rectangle((a[0] + 12, b[1] + 12, b[0] - 12, a[1] - 12), fill=glow)


def _fireplace(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    stone = plate.part("rock", (150, 140, 128))
    u0, u1 = span
    mid = (u0 + u1) / 2
    _box(plate, room, (u0, u1), (0.0, 0.05), (0.0, 0.5), stone)
    _box(plate, room, (u0 - 0.02, u1 + 0.02), (0.0, 0.07), (0.5, 0.54), _scale(stone, 0.8))
    plate.draw.polygon([room.at(mid + du, 0.05, up) for du, up in ((-0.08, 0.32), (0.08, 0.32), (0.08, 0.0), (-0.08, 0.0))],
                       fill=(30, 22, 20))
    base = room.at(mid, 0.05)
    for dx, height, colour in ((-50, 150, (240, 120, 40)), (30, 120, (240, 140, 50)), (-5, 190, (255, 190, 80))):
        plate.draw.polygon([(base[0] + dx - 45, base[1]), (base[0] + dx, base[1] - height), (base[0] + dx + 45, base[1])], fill=colour)
    _glow(plate, (base[0], base[1] - 60), plate.h * 0.25, (255, 170, 90), 0.35)


def _sofa(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    u0, u1 = span
    fabric = _pick(((120, 70, 60), (70, 90, 110), (150, 130, 96), (86, 104, 80)), *sorted(plate.words))
    _box(plate, room, (u0, u1), (0.06, 0.12), (0.0, 0.36), _scale(fabric, 0.9))
    _box(plate, room, (u0, u1), (0.12, 0.3), (0.0, 0.18), fabric)
    for u in (u0, u1 - 0.04):
        _box(plate, room, (u, u + 0.04), (0.08, 0.3), (0.0, 0.25), _scale(fabric, 0.85))


def _lamp(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    u = (span[0] + span[1]) / 2
    base, top = room.at(u, 0.2), room.at(u, 0.2, 0.6)
    plate.draw.line([base, top], fill=(50, 44, 40), width=8)
    shade = [(top[0] - 70, top[1] + 40), (top[0] - 40, top[1] - 60), (top[0] + 40, top[1] - 60), (top[0] + 70, top[1] + 40)]
    plate.draw.polygon(shade, fill=plate.lit((236, 214, 170)))
    if plate.light in {"night", "dusk", "dawn"}:
        _glow(plate, top, plate.h * 0.16, (255, 210, 140), 0.5)


# Which words call for each piece, and the places it can go, in order of preference.
FURNITURE: tuple[tuple[set[str], Callable[[_Plate, _Room, Span, int], None], tuple[str, ...]], ...] = (
    ({"kitchen", "counter", "bar", "pub", "saloon", "tavern", "diner", "stove", "shop", "store"}, _counter, ("wall",)),
    ({"fireplace", "hearth", "fire", "cabin", "lodge"}, _fireplace, ("centre",)),
    ({"bed", "bedroom", "hospital", "ward", "clinic", "infirmary", "motel", "hotel", "dormitory"}, _bed, ("window", "far")),
    ({"shelves", "shelf", "books", "bookcase", "library", "study", "bookshelves"}, _shelves, ("far", "centre", "window")),
    ({"desk", "office", "computer", "study", "classroom"}, _desk, ("centre", "far", "window")),
    ({"sofa", "couch", "living", "lounge", "apartment", "flat"}, _sofa, ("far", "window", "centre")),
    ({"table", "dining", "kitchen", "cafe", "diner", "restaurant", "chairs"}, _table, ("floor",)),
    ({"lamp", "lamps", "lamplight", "lamplit", "bedroom", "living"}, _lamp, ("corner",)),
)


def _paint_underwater(plate: _Plate) -> None:
    """Green-blue depths: shafts of light from the surface, a palace in the haze, coral and weed."""
    rng = plate.rng
    plate.horizon, plate.ground = 0.62, 0.74
    top = plate.part("water", (64, 150, 140))
    if plate.has("green", "emerald", "jade"):
        top = _mix(top, (70, 160, 100), 0.4)
    if plate.has("dim", "dark", "deep", "abyss", "black"):
        top = _scale(top, 0.7)
    deep = _mix(_scale(top, 0.18), (4, 20, 36), 0.5)
    plate.image.paste(_gradient(plate.image.size, [(0, top), (0.55, _mix(top, deep, 0.55)), (1, deep)]))
    plate.palette.update(water=top, deep=deep)
    shafts = [(plate.w * rng.uniform(0.05, 0.95), rng.uniform(0.02, 0.05) * plate.w, rng.uniform(-0.15, 0.15) * plate.w) for _ in range(6)]
    _soft(plate, lambda d, s: [d.polygon([((x - w) * s, 0), ((x + w) * s, 0), ((x + lean + w * 2.5) * s, plate.h * 0.9 * s),
                                          ((x + lean - w * 2.5) * s, plate.h * 0.9 * s)], fill=255) for x, w, lean in shafts],
          _mix(top, (230, 255, 220), 0.6), plate.h * 0.03, 0.45)
    for y in np.linspace(plate.h * 0.02, plate.h * 0.14, 5):  # caustic ripples under the surface
        points = [(x, y + math.sin(x / plate.w * 30 + y) * plate.h * 0.006) for x in np.linspace(0, plate.w, 80)]
        plate.draw.line(points, fill=(*_mix(top, (255, 255, 255), 0.5), 70), width=5)
    if plate.has("palace", "city", "temple", "castle", "ruins", "throne", "towers"):
        _sunken_palace(plate, top)
    _seabed(plate, top)


def _sunken_palace(plate: _Plate, water: Colour) -> None:
    """Spires, domes and arches in coral and bone, hazy with distance."""
    rng, base = plate.rng, plate.horizon * plate.h
    material = plate.part("building", _mix(PLATE_MATERIALS["bone"], PLATE_MATERIALS["coral"], 0.4))
    colour = _mix(material, water, 0.35)
    cx = plate.w * rng.uniform(0.4, 0.6)
    for dx, height, width in ((-0.16, 0.22, 0.03), (-0.08, 0.32, 0.04), (0.0, 0.42, 0.05), (0.08, 0.3, 0.04), (0.16, 0.2, 0.03)):
        x, top, half = cx + dx * plate.w, base - plate.h * height, plate.w * width / 2
        plate.draw.rectangle((x - half, top, x + half, base), fill=colour)
        plate.draw.polygon([(x - half * 1.2, top), (x, top - plate.h * height * 0.35), (x + half * 1.2, top)], fill=colour)
        plate.draw.rectangle((x - half, top, x - half * 0.55, base), fill=_mix(colour, (255, 255, 255), 0.12))
        window = (x - half * 0.4, top + plate.h * 0.05, x + half * 0.4, top + plate.h * 0.1)
        plate.draw.ellipse(window, fill=_mix(water, (200, 255, 210), 0.35))
    hall = (cx - plate.w * 0.14, base - plate.h * 0.12, cx + plate.w * 0.14, base)
    plate.draw.rectangle(hall, fill=colour)
    for x in np.linspace(hall[0] + 40, hall[2] - 80, 6):  # arches
        plate.draw.rounded_rectangle((x, hall[1] + 30, x + 70, hall[3]), radius=35, fill=_mix(colour, water, 0.6))
    plate.draw.ellipse((cx - plate.w * 0.06, base - plate.h * 0.2, cx + plate.w * 0.06, base - plate.h * 0.06), fill=colour)
    _soft(plate, lambda d, s: d.rectangle([(0, (base - plate.h * 0.12) * s), (plate.w * s, base * s)], fill=255),
          water, plate.h * 0.04, 0.55)


def _seabed(plate: _Plate, water: Colour) -> None:
    rng, h = plate.rng, plate.horizon * plate.h
    sand = _mix(plate.part("ground", (150, 140, 110)), water, 0.55)
    ridge = [(x, h + plate.h * 0.04 * math.sin(x / plate.w * 7 + 1) + plate.h * 0.03) for x in np.linspace(0, plate.w, 40)]
    floor = Image.new("L", plate.image.size, 0)
    ImageDraw.Draw(floor).polygon(ridge + [(plate.w, plate.h), (0, plate.h)], fill=255)
    plate.image.paste(_gradient(plate.image.size, [(0, sand), (h / plate.h, sand), (1, _scale(sand, 0.6))]), (0, 0), floor)
    plate.palette["ground"] = sand
    coral_colours = ((232, 110, 90), (240, 160, 110), (200, 90, 130), (236, 220, 190))
    for _ in range(16):
        x, base = rng.uniform(0, plate.w), rng.uniform(plate.h * 0.74, plate.h * 1.02)
        near = (base - h) / (plate.h - h)
        colour = _mix(rng.choice(coral_colours), water, 0.6 * (1 - near))
        _coral(plate, x, base, plate.h * (0.05 + 0.16 * near), colour, rng)
    for _ in range(10):  # kelp
        x, base, height = rng.uniform(0, plate.w), plate.h * rng.uniform(0.8, 1.0), plate.h * rng.uniform(0.2, 0.5)
        points = [(x + math.sin(t * 5 + x) * plate.w * 0.01, base - height * t) for t in np.linspace(0, 1, 12)]
        plate.draw.line(points, fill=_mix((60, 120, 60), water, 0.4), width=int(plate.h * 0.008), joint="curve")
    for _ in range(60):  # drifting motes and bubbles
        x, y, r = rng.uniform(0, plate.w), rng.uniform(0, plate.h * 0.8), rng.uniform(2, 8)
        plate.draw.ellipse((x - r, y - r, x + r, y + r), outline=(220, 250, 240, 120), width=2)


def _coral(plate: _Plate, x: float, base: float, height: float, colour: Colour, rng: random.Random) -> None:
    """A branching coral: a few forks, each ending in a rounded tip."""
    width = max(4, int(height * 0.08))
    stack = [((x, base), -90.0 + rng.uniform(-12, 12), height * 0.4, 4)]
    while stack:
        (sx, sy), angle, length, level = stack.pop()
        ex, ey = sx + math.cos(math.radians(angle)) * length, sy + math.sin(math.radians(angle)) * length
        plate.draw.line([(sx, sy), (ex, ey)], fill=colour, width=max(3, width * level // 4))
        if level > 1:
            for turn in (-30, 26):
                stack.append(((ex, ey), angle + turn + rng.uniform(-12, 12), length * rng.uniform(0.55, 0.75), level - 1))
        else:
            plate.draw.ellipse((ex - width * 0.6, ey - width * 0.6, ex + width * 0.6, ey + width * 0.6), fill=colour)


def _paint_cave(plate: _Plate) -> None:
    """Rock all round, an opening onto the light outside, teeth of stone from roof and floor."""
    rng = plate.rng
    plate.horizon, plate.ground = 0.56, 0.7
    rock = plate.part("rock", (82, 74, 70))
    walls = [(0, plate.lit(_scale(rock, 0.5))), (0.6, plate.lit(rock)), (1, plate.lit(_scale(rock, 0.6)))]
    plate.image.paste(_gradient(plate.image.size, walls))
    zenith, middle, horizon = SKIES[plate.light]
    ox, oy, rx, ry = plate.w * rng.uniform(0.38, 0.62), plate.h * 0.5, plate.w * 0.2, plate.h * 0.36
    rim = [(ox + math.cos(a) * rx * rng.uniform(0.85, 1.05), oy + math.sin(a) * ry * rng.uniform(0.85, 1.05))
           for a in np.linspace(0, 2 * math.pi, 40)]
    opening = Image.new("L", plate.image.size, 0)
    ImageDraw.Draw(opening).polygon(rim, fill=255)
    outside = _gradient(plate.image.size, [(0, zenith), (0.35, middle), (plate.horizon, horizon), (1, horizon)])
    if plate.has(SEA):
        sea = _gradient((plate.w, plate.h - int(plate.horizon * plate.h)), [(0, _mix(horizon, (40, 80, 96), 0.5)), (1, (24, 50, 64))])
        outside.paste(sea, (0, int(plate.horizon * plate.h)))
    plate.image.paste(outside, (0, 0), opening)
    plate.draw.line(rim + rim[:1], fill=plate.lit(_scale(rock, 0.4)), width=10, joint="curve")
    plate.palette.update(rock=rock, sky=middle)
    _glow(plate, (ox, oy + ry * 0.5), plate.h * 0.35, _mix(horizon, (255, 255, 255), 0.3), 0.3)
    floor = _ridge(rng, -10, plate.w + 10, plate.h * 0.7, plate.h * 0.06, 0.5, 5)
    plate.draw.polygon(floor + [(plate.w, plate.h), (0, plate.h)], fill=plate.lit(_scale(rock, 0.8)))
    for _ in range(14):
        x, length, half = rng.uniform(0, plate.w), plate.h * rng.uniform(0.08, 0.25), plate.w * rng.uniform(0.01, 0.025)
        plate.draw.polygon([(x - half, 0), (x + half, 0), (x + half * 0.1, length)], fill=plate.lit(_scale(rock, rng.uniform(0.6, 0.9))))
        if rng.random() < 0.5:
            y = plate.h * rng.uniform(0.72, 0.95)
            plate.draw.polygon([(x - half, y), (x + half, y), (x, y - length * 0.6)], fill=plate.lit(_scale(rock, rng.uniform(0.7, 1.0))))


def _paint_hall(plate: _Plate) -> None:
    """A palace hall: columns marching to a throne on steps, a tiled floor, banners, tall windows."""
    plate.indoor = True
    room = _Room((plate.w * 0.5, plate.h * 0.42), plate.w * 0.3, plate.h * 0.02, plate.w * 0.7, plate.h * 0.6, plate.h)
    plate.horizon, plate.ground = 0.42, 0.72
    stone = plate.part("building", plate.part("wall", PLATE_MATERIALS["marble"]))
    floor = plate.part("floor", _scale(stone, 0.8))
    plate.palette.update(wall=stone, floor=floor)
    tl, tr, br, bl = (room.x0, room.y0), (room.x1, room.y0), (room.x1, room.y1), (room.x0, room.y1)
    draw = plate.draw
    draw.polygon([room.far(tl), tl, tr, room.far(tr)], fill=plate.lit(_scale(stone, 0.6)))
    draw.polygon([room.far(tl), tl, bl, room.far(bl)], fill=plate.lit(_scale(stone, 0.7)))
    draw.polygon([room.far(tr), tr, br, room.far(br)], fill=plate.lit(_scale(stone, 0.76)))
    draw.polygon([tl, tr, br, bl], fill=plate.lit(_scale(stone, 0.9)))
    draw.polygon([bl, br, room.far(br), room.far(bl)], fill=plate.lit(floor))
    for u in np.linspace(-2, 3, 26):
        draw.line([room.at(u, 0), room.at(u, 1)], fill=plate.lit(_scale(floor, 0.75)), width=3)
    for d in np.linspace(0, 1, 14) ** 1.7:
        draw.line([room.at(-2, d), room.at(3, d)], fill=plate.lit(_scale(floor, 0.75)), width=3)
    for u in (0.38, 0.62):  # tall windows in the back wall
        a, b = room.at(u - 0.06, 0, 0.95), room.at(u + 0.06, 0, 0.35)
        draw.rounded_rectangle((a[0], a[1], b[0], b[1]), radius=int((b[0] - a[0]) / 2), fill=SKIES[plate.light][1])
    banner = plate.part("curtain", (150, 40, 48))
    for u in (0.18, 0.82):
        a, b = room.at(u - 0.05, 0, 0.95), room.at(u + 0.05, 0, 0.45)
        draw.polygon([a, (b[0], a[1]), b, ((a[0] + b[0]) / 2, b[1] - 40), (a[0], b[1])], fill=plate.lit(banner))
    _box(plate, room, (0.36, 0.64), (0.0, 0.14), (0.0, 0.05), _scale(stone, 0.95))
    _box(plate, room, (0.42, 0.58), (0.0, 0.08), (0.05, 0.45), (170, 130, 60))
    _box(plate, room, (0.43, 0.57), (0.06, 0.11), (0.05, 0.17), (150, 40, 48))
    for d in (0.15, 0.4, 0.75):
        for u in (-0.05, 1.05):
            _box(plate, room, (u - 0.04, u + 0.04), (d - 0.04, d), (0.0, 1.0), stone)


SCENES: dict[str, Callable[[_Plate], None]] = {
    "exterior": _paint_exterior, "interior": _paint_interior, "underwater": _paint_underwater, "cave": _paint_cave, "hall": _paint_hall,
}


def _grade(image: Image.Image, words_text: str) -> Image.Image:
    """Tint an image toward the colours its lighting and style name ("muted greens and storm
    greys", "warm amber"), and mute, dim or brighten it as they say."""
    words = set(_words(words_text))
    tints = _colour_words(words_text)
    if tints:
        tint = [sum(c[i] for c in tints) / len(tints) for i in range(3)]
        grey = image.convert("L")
        gains = [c / max(1.0, _luma(tint)) for c in tint]
        tinted = Image.merge("RGB", [grey.point(lambda v, f=f: min(255, round(v * f))) for f in gains])
        image = Image.blend(image, tinted, 0.2)
    if words & {"muted", "desaturated", "bleak", "ink-wash", "ink", "washed", "faded", "monochrome", "noir", "sepia"}:
        image = Image.blend(image, image.convert("L").convert("RGB"), 0.35)
    if words & {"dim", "dark", "low-key", "moody", "gloomy", "shadowy"}:
        image = image.point(lambda v: round(v * 0.86))
    if words & {"vivid", "vibrant", "saturated", "bright", "neon", "colourful", "colorful"}:
        image = ImageEnhance.Color(image).enhance(1.25)
    return image


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

def save_png(image: Image.Image, path: Path, meta: Mapping[str, Any] | None = None) -> None:
    """Write a PNG with `meta` as JSON in its "filmc" text chunk. A sheet's or plate's own meta
    (its `info["filmc"]`: the figure spec, the horizon) is stored too, under `meta`'s keys."""
    own = image.info.get(META_KEY) or {}
    if isinstance(own, str | bytes):  # an image read from a PNG carries the chunk's text
        own = json.loads(own)
    stored = {**own, **(meta or {})}
    info = PngInfo()
    if stored:
        info.add_text(META_KEY, json.dumps(stored, sort_keys=True, separators=(",", ":")))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", pnginfo=info, compress_level=4)


def load_meta(path: Path) -> dict[str, Any] | None:
    """The JSON `save_png` stored in a PNG, or None if it has none."""
    with Image.open(path) as image:  # `info` holds the chunks before the pixels, where save_png writes
        text = image.info.get(META_KEY)
        if text is None and hasattr(image, "text"):  # a chunk after the pixels: read them all
            text = image.text.get(META_KEY)
    if text is None:
        return None
    try:
        meta = json.loads(text)
    except json.JSONDecodeError:
        return None
    return meta if isinstance(meta, dict) else None


# ---------------------------------------------------------------------------------------------
# Keyframes
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Framing:
    """How a framing stages its shot: the height of a standing figure (times the frame's height),
    the background's zoom and blur (fraction of the frame's height), and its layout: "ground"
    (whole figures standing on the ground line), "portrait" (heads near the top), "two" or "ots"."""

    figure: float
    zoom: float
    blur: float
    layout: str


FRAMINGS = {
    "extreme wide": _Framing(0.16, 1.0, 0.0, "ground"), "wide": _Framing(0.3, 1.0, 0.0, "ground"),
    "full": _Framing(0.8, 1.1, 0.0015, "ground"), "cowboy": _Framing(1.3, 1.2, 0.003, "portrait"),
    "medium": _Framing(1.6, 1.3, 0.004, "portrait"), "medium close": _Framing(2.4, 1.45, 0.006, "portrait"),
    "close": _Framing(3.0, 1.6, 0.009, "portrait"), "extreme close": _Framing(7.0, 1.9, 0.014, "portrait"),
    "two-shot": _Framing(1.9, 1.3, 0.004, "two"), "over-the-shoulder": _Framing(2.3, 1.45, 0.007, "ots"),
}
FRAMING_WORDS = (  # how other names of framings map to the ones above, most specific first
    ("extreme wide", "extreme wide"), ("establishing", "extreme wide"), ("aerial", "extreme wide"), ("long", "wide"),
    ("extreme close", "extreme close"), ("insert", "extreme close"), ("detail", "extreme close"), ("ecu", "extreme close"),
    ("medium close", "medium close"), ("mcu", "medium close"), ("medium wide", "cowboy"), ("medium full", "cowboy"),
    ("cowboy", "cowboy"), ("american", "cowboy"), ("over the shoulder", "over-the-shoulder"), ("ots", "over-the-shoulder"),
    ("two shot", "two-shot"), ("two", "two-shot"), ("full", "full"), ("wide", "wide"), ("close", "close"), ("cu", "close"),
    ("medium", "medium"), ("pov", "medium"), ("single", "medium"),
)


def _framing(name: object) -> _Framing:
    """The framing a shot names; an unknown name by its nearest sense ("medium close-up" is
    medium close, "establishing" extreme wide), medium if nothing matches."""
    text = " " + re.sub(r"[^a-z]+", " ", str(name or "").lower()).replace(" up", "").strip() + " "
    for word, framing in FRAMING_WORDS:
        if f" {word} " in text or (" " in word and word in text):
            return FRAMINGS[framing]
    return FRAMINGS["medium"]


@dataclass
class _Member:
    """One of the cast in a shot: the figure spec its sheet stores, or failing that a bitmap of
    its sheet's front view."""

    key: str
    spec: dict[str, Any] | None
    sprite: Image.Image | None = None
    name: str = ""

    def pose(self, caption: str) -> _Pose:
        """The pose the caption gives this character: "ALIN sprints across..." runs."""
        for name in dict.fromkeys(n for n in (self.name, self.key.replace("_", " ")) if n):
            for found in re.finditer(rf"\b{re.escape(name)}\b([^.!?;]*)", caption, re.IGNORECASE):
                said = set(_words(found.group(1))[:6])
                pose = next((pose for pose, verbs in POSE_WORDS if said & verbs), None)
                if pose:
                    return POSES[pose]
        return POSES["stand"]

    @property
    def height(self) -> float:
        return float(self.spec.get("height", 1.0)) if self.spec else 1.0

    @property
    def eyes(self) -> float:
        """How far down the figure its eyes are (a fraction of its height)."""
        if self.spec is None:
            return 0.07
        return _Body.of(self.spec).head * 0.535 if self.spec.get("kind", "human") == "human" else 0.105


def _member(key: str, sheet: Path | None) -> _Member:
    if sheet is not None and Path(sheet).is_file():
        meta = load_meta(Path(sheet)) or {}
        spec = meta.get("figure")
        name = str(meta.get("name") or "")
        if isinstance(spec, dict) and spec.get("v") == SPEC_VERSION and isinstance(spec.get("palette"), dict):
            return _Member(key, spec, name=name)
        stat = Path(sheet).stat()
        return _Member(key, None, _sheet_sprite(Path(sheet), stat.st_mtime_ns, stat.st_size), name)
    return _Member(key, _neutral_spec(key))


def _neutral_spec(key: str) -> dict[str, Any]:
    """A stand-in for a character without a sheet: a figure in greys, told apart by the key."""
    spec = figure_spec({"key": key})
    spec["palette"] = {role: (_saturate(c, 0.12) if role in {"top", "bottom", "accent", "shoes"} else c)
                       for role, c in spec["palette"].items()}
    return spec


@lru_cache(maxsize=32)
def _sheet_sprite(path: Path, mtime_ns: int, size: int) -> Image.Image:
    """The front view cut out of a sheet (its paper made transparent), cropped to the figure;
    the file's time and size key the cache."""
    with Image.open(path) as sheet:
        view = sheet.convert("RGB").resize(SHEET_SIZE).crop(FRONT_BOX)
    pixels = np.asarray(view, dtype=np.int16)
    paper = np.abs(pixels - np.array(PAPER, dtype=np.int16)).sum(axis=2) < 36
    alpha = np.where(paper, 0, 255).astype(np.uint8)
    sprite = Image.fromarray(np.dstack([np.asarray(view), alpha]))
    return sprite.crop(sprite.getbbox() or (0, 0, 1, 1))


@dataclass(frozen=True)
class _Placement:
    member: _Member
    x: float
    feet: float
    height: float  # pixels, for the member's whole figure
    turn: float


def keyframe(params: Mapping[str, Any], plate: Path | None, sheets: Mapping[str, Path]) -> Image.Image:
    """A shot's keyframe (params["width"] x params["height"]): the set plate cropped for the
    framing, the cast staged on it from their sheets and posed by the action. It carries no
    caption: a camera moves over the keyframe, so the clip lays the caption on after the move."""
    width, height = _even(params.get("width"), 1280), _even(params.get("height"), 720)
    rng = random.Random(_seed(params, "keyframe"))
    framing = _framing(params.get("framing"))
    backdrop, meta = _backdrop(plate, str(params.get("light") or "day"))
    frame, horizon, ground = _camera(backdrop, meta, framing, (width, height), rng, params.get("lens_mm"))
    cast = [_member(str(key), sheets.get(str(key))) for key in params.get("subjects") or []]
    placements = _stage(framing, cast, params.get("speaker"), (width, height), horizon, ground, rng)
    if framing.layout == "ground":
        _ground_shadows(frame, placements)
    frame = _vignette(frame)
    caption = str(params.get("caption") or "")
    _paint_cast(frame, placements, caption, _supersample(params))
    return frame


def _even(value: object, default: int) -> int:
    number = int(value) if isinstance(value, int | float) and value > 0 else default
    return max(2, number - number % 2)


def _backdrop(plate: Path | None, light: str) -> tuple[Image.Image, dict[str, Any]]:
    """The plate and its meta; without a plate, a neutral backdrop lit by the shot's light."""
    if plate is not None and Path(plate).is_file():
        stat = Path(plate).stat()
        return _read_plate(Path(plate), stat.st_mtime_ns, stat.st_size)
    return _neutral_backdrop(light if light in LIGHTS else "day"), {"horizon": 0.56, "ground": 0.6}


@lru_cache(maxsize=4)
def _read_plate(path: Path, mtime_ns: int, size: int) -> tuple[Image.Image, dict[str, Any]]:
    """A plate and its meta, decoded once for all the shots on a set (the file's time and size
    are part of the cache key, so a rewritten plate is read again)."""
    with Image.open(path) as image:
        return image.convert("RGB"), load_meta(path) or {}


@lru_cache(maxsize=8)
def _neutral_backdrop(light: str) -> Image.Image:
    """A studio sweep in the colours of the light: a soft wall falling to a floor at 0.6."""
    zenith, _, horizon = SKIES[light]
    wall_top, wall_low = _mix(_saturate(zenith, 0.4), (128, 128, 128), 0.3), _mix(_saturate(horizon, 0.5), (150, 150, 150), 0.3)
    floor = _scale(_mix(wall_low, (110, 104, 96), 0.5), 0.85)
    size = (PLATE_SIZE[0] // 4, PLATE_SIZE[1] // 4)
    image = _gradient(size, [(0, wall_top), (0.56, wall_low), (0.6, floor), (1, _scale(floor, 0.7))])
    if light == "night":
        image = Image.blend(image, Image.new("RGB", size, (60, 70, 100)), 0.25)
    return image.resize(PLATE_SIZE, Image.BILINEAR)


def _camera(backdrop: Image.Image, meta: Mapping[str, Any], framing: _Framing, size: tuple[int, int], rng: random.Random,
            lens_mm: object) -> tuple[Image.Image, float, float]:
    """Cover-fit the backdrop, zoomed and placed for the framing (the horizon at eye level behind
    close figures), softened for depth; returns the frame and its horizon and ground lines (px)."""
    (w, h), (pw, ph) = size, backdrop.size
    zoom = framing.zoom
    if isinstance(lens_mm, int | float) and lens_mm > 0:
        zoom = max(1.0, zoom * min(2.0, (lens_mm / 35) ** 0.6))  # a wide lens cannot see past the plate
    scale = max(w / pw, h / ph) * zoom
    cw, ch = w / scale, h / scale
    horizon, ground = float(meta.get("horizon", 0.5)) * ph, float(meta.get("ground", 0.6)) * ph
    cx = pw / 2 + rng.uniform(-0.7, 0.7) * (pw - cw) / 2
    cy = ph / 2 if framing.layout == "ground" else horizon + ch * (0.5 - 0.42)
    cy = min(max(cy, ch / 2), ph - ch / 2)
    box = (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2)
    frame = backdrop.resize((w, h), Image.BILINEAR, box=box)
    if framing.blur:
        frame = _blur(frame, framing.blur * h)
    return frame, (horizon - box[1]) * scale, (ground - box[1]) * scale


def _blur(image: Image.Image, radius: float) -> Image.Image:
    """A Gaussian blur, done at a half or a quarter of the size: faster, and it looks the same."""
    if radius < 1.5:
        return image.filter(ImageFilter.GaussianBlur(radius))
    factor = 2 if radius < 8 else 4
    small = image.reduce(factor).filter(ImageFilter.GaussianBlur(radius / factor))
    return small.resize(image.size, Image.BILINEAR)


def _stage(framing: _Framing, cast: Sequence[_Member], speaker: object, size: tuple[int, int], horizon: float, ground: float,
           rng: random.Random) -> list[_Placement]:
    """Where each of the cast stands, how big and turned which way, by the grammar of the framing."""
    if not cast:
        return []
    w, h = size
    if framing.layout == "ots":
        return _over_the_shoulder(cast, size, rng)
    tallest, shortest = max(m.height for m in cast), min(m.height for m in cast)
    unit = framing.figure * h / tallest if framing.layout != "ground" or framing.figure > 0.5 else framing.figure * h
    if framing.layout != "ground" and tallest > shortest:  # keep the shorter one's head well inside the frame
        unit = min(unit, 0.3 * h / (tallest - shortest))
    xs = _spread(len(cast), framing, rng)
    order = [m.key for m in cast]
    talker = order.index(speaker) if speaker in order else None
    placements = []
    for i, (member, x) in enumerate(zip(cast, xs, strict=True)):
        figure = unit * member.height
        if framing.layout == "ground":
            feet = min(h * 0.95, max(ground + h * (0.06 if framing.figure < 0.2 else 0.14), horizon + figure * 0.55))
            feet = feet if framing.figure < 0.5 else h * 0.96
        else:
            lead = max(cast, key=lambda m: m.height)
            top = h * 0.17 if framing.figure < 5 else h * 0.43 - unit * tallest * lead.eyes
            feet = top + unit * tallest
        placements.append(_Placement(member, x * w, feet, figure, _turn(i, len(cast), x, talker, framing, rng)))
    return placements


def _spread(count: int, framing: _Framing, rng: random.Random) -> list[float]:
    """Positions across the frame (fractions of its width): off-centre for one, spread for more."""
    if count == 1:
        return [0.5 if framing.figure >= 5 else rng.choice((0.38, 0.62))]
    span = {"ground": 0.5, "two": 0.42}.get(framing.layout, 0.5 if count == 2 else 0.62)
    span = min(0.8, span + 0.06 * max(0, count - 3))
    return [0.5 - span / 2 + span * i / (count - 1) + rng.uniform(-0.02, 0.02) for i in range(count)]


def _turn(i: int, count: int, x: float, talker: int | None, framing: _Framing, rng: random.Random) -> float:
    """How a figure turns: toward the others (or into the frame's open side), the speaker more to camera."""
    toward = 1 if x < 0.5 else -1
    if framing.layout == "two" or (count == 2 and framing.layout != "ground"):
        return toward * 42
    if count == 1:
        return toward * (18 if framing.figure >= 5 else 30)
    if talker == i:
        return toward * 12
    return toward * rng.choice((25, 38, 50))


def _over_the_shoulder(cast: Sequence[_Member], size: tuple[int, int], rng: random.Random) -> list[_Placement]:
    """The speaker (the first subject) facing camera in the midground; the listener (the last, or a
    stranger) from behind, large in the foreground on the other side."""
    w, h = size
    speaker = cast[0]
    listener = cast[-1] if len(cast) > 1 else _Member("", _stranger())
    side = rng.choice((-1, 1))  # where the listener's shoulder is
    unit = 2.3 * h / speaker.height
    near = 3.3 * h / listener.height
    return [
        _Placement(speaker, w * (0.5 - side * 0.16), h * 0.17 + unit * speaker.height, unit * speaker.height, side * 28),
        _Placement(listener, w * (0.5 + side * 0.37), h * 0.3 + near * listener.height, near * listener.height, 180 + side * 22),
    ]


def _stranger() -> dict[str, Any]:
    """The anonymous shoulder of an over-the-shoulder shot with one subject."""
    spec = figure_spec({"key": "stranger", "look": "a man, short black hair", "wardrobe": "charcoal coat"})
    return spec


def _ground_shadows(frame: Image.Image, placements: Sequence[_Placement]) -> None:
    draw = ImageDraw.Draw(frame, "RGBA")
    for p in placements:
        rx, ry = p.height * 0.16 * (p.member.spec or {}).get("width", 1.0), p.height * 0.025
        draw.ellipse((p.x - rx, p.feet - ry, p.x + rx, p.feet + ry), fill=(0, 0, 0, 70))


@lru_cache(maxsize=16)
def _vignette_mask(size: tuple[int, int]) -> Image.Image:
    """How much each pixel darkens toward the corners (0 in the middle, at most 105)."""
    w, h = size
    ys, xs = np.mgrid[0:h // 4 + 1, 0:w // 4 + 1]
    d = np.hypot((xs / (w / 4) - 0.5) * 1.4, (ys / (h / 4) - 0.5) * 1.4)
    mask = np.clip(np.clip(d - 0.45, 0, None) ** 1.6 * 260, 0, 105).astype(np.uint8)
    return Image.fromarray(mask).resize(size, Image.BILINEAR)


def _vignette(frame: Image.Image) -> Image.Image:
    frame.paste((8, 8, 12), (0, 0, *frame.size), _vignette_mask(frame.size))
    return frame


def _paint_cast(frame: Image.Image, placements: Sequence[_Placement], caption: str, k: int) -> None:
    """Paint the cast far to near (the smallest first) on a supersampled layer laid over the
    frame, each posed as the caption says ("ALIN lifts both hands")."""
    box = _cast_box(placements, frame.size)
    if box is None:
        return
    x0, y0, x1, y1 = box
    layer = Image.new("RGBA", ((x1 - x0) * k, (y1 - y0) * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for p in sorted(placements, key=lambda p: p.height):
        x, feet = (p.x - x0) * k, (p.feet - y0) * k
        if p.member.spec is not None:
            pose = p.member.pose(caption)
            turn = math.copysign(max(abs(p.turn), 65), p.turn) if pose.stride else p.turn  # a runner reads side on
            _paint_figure(draw, p.member.spec, x, feet, p.height * k, turn, pose)
        elif p.member.sprite is not None:
            sprite = p.member.sprite
            size = (max(1, round(sprite.width * p.height * k / sprite.height)), max(1, round(p.height * k)))
            image = sprite.resize(size, Image.BILINEAR)
            if p.turn < 0:
                image = image.transpose(Image.FLIP_LEFT_RIGHT)
            layer.alpha_composite(image, (round(x - size[0] / 2), round(feet - size[1])))
    cast = layer.convert("RGBa").reduce(k).convert("RGBA")  # premultiplied, so edges blend without a dark fringe
    frame.paste(cast, (x0, y0), cast)


def _cast_box(placements: Sequence[_Placement], size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The part of the frame the cast can cover (raised arms and crowns included), or None."""
    if not placements:
        return None
    x0 = max(0, math.floor(min(p.x - p.height * 0.45 for p in placements)))
    x1 = min(size[0], math.ceil(max(p.x + p.height * 0.45 for p in placements)))
    y0 = max(0, math.floor(min(p.feet - p.height * 1.3 for p in placements)))
    y1 = min(size[1], math.ceil(max(p.feet + p.height * 0.05 for p in placements)))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def caption(text: str, width: int, height: int) -> Image.Image:
    """The action as a caption in a dark band across the top (at most two lines, then an
    ellipsis), on a transparent picture of the frame's size, to lay over a moving shot."""
    frame = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    _caption(frame, text)
    return frame


def _caption(frame: Image.Image, text: str) -> None:
    if not text.strip():
        return
    w, h = frame.size
    size = max(12, round(h * 0.04))
    face = font(size, "regular")
    draw = ImageDraw.Draw(frame, "RGBA")
    lines = _wrap(draw, " ".join(text.split()), face, w * 0.9, 2)
    pad = size * 0.45
    band = pad * 2 + size * 1.28 * len(lines)
    draw.rectangle((0, 0, w, band), fill=(6, 8, 12, 160))
    for i, line in enumerate(lines):
        draw.text((w / 2, pad + size * 1.28 * (i + 0.5)), line, font=face, fill=(242, 240, 234), anchor="mm")


# ---------------------------------------------------------------------------------------------
# Cards and subtitles
# ---------------------------------------------------------------------------------------------

CARD_INK = (238, 232, 218)
CARD_GREY = (150, 146, 140)
CARD_GOLD = (196, 164, 102)
# What the embedded backend makes each kind of asset with, for the credits.
LOCAL_MAKERS = {"image": "filmc animatic", "video": "filmc camera moves", "speech": "eSpeak NG", "music": "filmc synthesiser",
                "edit": "filmc + FFmpeg"}
ASSET_KINDS = (("image", "Images"), ("video", "Video"), ("speech", "Voices"), ("music", "Music"), ("edit", "Edit"))


def _card(params: Mapping[str, Any]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A dark card of the requested size: a deep blue-black with a soft light in the middle."""
    w, h = _even(params.get("width"), 1280), _even(params.get("height"), 720)
    card = _vignette(_gradient((w, h), [(0, (24, 26, 36)), (0.5, (30, 32, 42)), (1, (14, 15, 20))]))
    return card, ImageDraw.Draw(card)


def _lines(value: object) -> list[str]:
    """A title page field as plain lines (Fountain emphasis marks dropped)."""
    items = value if isinstance(value, list | tuple) else [value] if value else []
    return [re.sub(r"[*_]+", "", str(item)).strip() for item in items if str(item).strip()]


def _fitted(text: str, weight: str, size: int, width: float, spacing: float = 0.0) -> ImageFont.FreeTypeFont:
    """Lato at `size`, or smaller until the text (letter-spaced by `spacing` ems) fits `width`."""
    face = font(size, weight)
    while size > 8 and _spaced_width(face, text, spacing) > width:
        size -= 1
        face = font(size, weight)
    return face


def title_card(params: Mapping[str, Any]) -> Image.Image:
    """The opening card: the title large and letter-spaced, a gold rule, then credit, author and source."""
    card, draw = _card(params)
    w, h = card.size
    page = params.get("title") if isinstance(params.get("title"), Mapping) else {}
    title = " ".join(_lines(page.get("title"))) or "Untitled"
    y = h * 0.46
    lines = _wrap(draw, title.upper(), font(round(h * 0.1), "light"), w * 0.82, 2)
    for i, line in enumerate(lines):
        face = _fitted(line, "light", round(h * 0.1), w * 0.86, 0.12)
        _text(draw, (w / 2, y - (len(lines) - 1 - i) * h * 0.12), line, face, CARD_INK, anchor="ms", spacing=0.12)
    draw.line([(w / 2 - h * 0.08, y + h * 0.05), (w / 2 + h * 0.08, y + h * 0.05)], fill=CARD_GOLD, width=max(1, round(h * 0.004)))
    y += h * 0.14
    for key, weight, size, colour in (("credit", "italic", 0.036, CARD_GREY), ("author", "bold", 0.046, CARD_INK),
                                      ("authors", "bold", 0.046, CARD_INK)):
        for line in _lines(page.get(key)):
            face = _fitted(line, weight, max(10, round(h * size)), w * 0.8)
            credit = key == "credit"
            _text(draw, (w / 2, y), line if credit else line.upper(), face, colour, anchor="mm", spacing=0 if credit else 0.08)
            y += h * (size + 0.028)
    source = " ".join(_lines(page.get("source")))
    if source:
        lines = _wrap(draw, source, font(max(10, round(h * 0.03)), "italic"), w * 0.7, 2)
        for i, line in enumerate(lines):
            draw.text((w / 2, h * 0.86 + i * h * 0.042), line, font=font(max(10, round(h * 0.03)), "italic"), fill=CARD_GREY, anchor="mm")
    return card


def credits_card(params: Mapping[str, Any]) -> Image.Image:
    """The closing card: which generator made each kind of asset, and "Made with filmc"."""
    card, draw = _card(params)
    w, h = card.size
    title = " ".join(_lines(params.get("title")))
    top = h * 0.2
    if title:
        face = _fitted(title.upper(), "light", round(h * 0.06), w * 0.8, 0.12)
        _text(draw, (w / 2, top), title.upper(), face, CARD_INK, anchor="mm", spacing=0.12)
    generators = params.get("generators") if isinstance(params.get("generators"), Mapping) else {}
    rows = [(label, _maker(str(generators[kind]), kind)) for kind, label in ASSET_KINDS if generators.get(kind)]
    size = max(11, round(h * 0.042))
    if w < h:  # a portrait frame: each kind of asset above its maker, both centred
        step = size * 2.6
        y = h * 0.52 - step * (len(rows) - 1) / 2
        for label, maker in rows:
            _text(draw, (w / 2, y - size * 0.55), label.upper(), _fitted(label.upper(), "bold", round(size * 0.78), w * 0.9, 0.14),
                  CARD_GOLD, anchor="mm", spacing=0.14)
            draw.text((w / 2, y + size * 0.55), maker, font=_fitted(maker, "regular", size, w * 0.9), fill=CARD_INK, anchor="mm")
            y += step
    else:
        step = size * 1.75
        y = h * 0.52 - step * (len(rows) - 1) / 2
        for label, maker in rows:
            _text(draw, (w / 2 - size * 0.8, y), label.upper(), _fitted(label.upper(), "bold", round(size * 0.78), w * 0.3, 0.14),
                  CARD_GOLD, anchor="rm", spacing=0.14)
            draw.text((w / 2 + size * 0.8, y), maker, font=_fitted(maker, "regular", size, w * 0.45), fill=CARD_INK, anchor="lm")
            y += step
    made = "Made with filmc"
    draw.text((w / 2, h * 0.86), made, font=font(max(10, round(h * 0.036)), "italic"), fill=CARD_GREY, anchor="mm")
    return card


def _maker(name: str, kind: str) -> str:
    return f"{name} ({LOCAL_MAKERS[kind]})" if name == "local" else name


def text_card(params: Mapping[str, Any]) -> Image.Image:
    """A card from the screenplay ("THE END", "Three years later"): its text centred, as large as fits."""
    card, draw = _card(params)
    w, h = card.size
    text = " ".join(str(params.get("text") or "").split())
    spacing = 0.14 if text.isupper() and len(text) < 30 else 0.0
    size = round(h * (0.09 if len(text) < 30 else 0.065))
    face = font(size, "light")
    lines = _wrap(draw, text, face, w * 0.8, 4)
    while size > 10 and (len(lines) > 3 or any(_spaced_width(face, line, spacing) > w * 0.84 for line in lines)):
        size -= 2
        face = font(size, "light")
        lines = _wrap(draw, text, face, w * 0.8, 4)
    step = size * 1.35
    for i, line in enumerate(lines):
        _text(draw, (w / 2, h / 2 + (i - (len(lines) - 1) / 2) * step), line, face, CARD_INK, anchor="mm", spacing=spacing)
    return card


def subtitle(text: str, width: int, height: int) -> Image.Image:
    """A transparent RGBA layer holding a subtitle, for burning in: at most two lines, bottom
    centre, white with a dark outline over a faint shadow box."""
    w, h = _even(width, 1280), _even(height, 720)
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    text = " ".join(str(text).split())
    if not text:
        return layer
    size = max(12, round(h * 0.048))
    face = font(size, "bold")
    draw = ImageDraw.Draw(layer)
    lines = _balanced(draw, text, face, w * 0.86)
    step = size * 1.3
    bottom = h * 0.93
    box_w = max(face.getlength(line) for line in lines) + size
    draw.rounded_rectangle((w / 2 - box_w / 2, bottom - step * len(lines) - size * 0.3, w / 2 + box_w / 2, bottom + size * 0.35),
                           radius=size * 0.3, fill=(0, 0, 0, 90))
    stroke = max(2, round(size / 11))
    for i, line in enumerate(lines):
        y = bottom - step * (len(lines) - 1 - i)
        draw.text((w / 2, y), line, font=face, fill=(255, 255, 255, 255), anchor="md", stroke_width=stroke, stroke_fill=(0, 0, 0, 255))
    return layer
