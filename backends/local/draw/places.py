"""Set plates: the scene a place's look calls for, the colours it gives the place's parts, its
light, and the grade its lighting and the film's style give the painted plate.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from PIL import Image, ImageEnhance

from .base import PLATE_SIZE, Colour, _seed, _supersample
from .colours import _colour_words, _described, _luma, _phrases, _words
from .depths import _paint_cave, _paint_underwater
from .exteriors import _paint_exterior
from .interiors import _paint_hall, _paint_interior
from .meta import META_KEY
from .plates import LIGHTS, PLATE_MATERIALS, PLATE_NOUNS, _Plate


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
