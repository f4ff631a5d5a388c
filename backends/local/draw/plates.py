"""What every set plate is painted with: the words and colours of places, the plate being painted
(`_Plate`: its canvas, words, light and random numbers), a room's one-point perspective
(`_Room`), gradients, soft masks and glows, and ridge lines.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .base import Colour, Point
from .colours import _clamp, _mix, _saturate

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


def _glow(plate: _Plate, centre: Point, radius: float, colour: Colour, opacity: float) -> None:
    _soft(plate, lambda d, s: d.ellipse([((centre[0] - radius) * s, (centre[1] - radius) * s),
                                         ((centre[0] + radius) * s, (centre[1] + radius) * s)], fill=255), colour, radius * 0.5, opacity)
