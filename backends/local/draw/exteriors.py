"""Exterior scenes: the sky with its sun or moon and clouds, mountains, the sea and its shore,
the ground, landmarks (basalt columns, cliffs, trees, a village, a river, dunes, fields, a boat),
city streets, haze and weather.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
from PIL import ImageDraw

from .base import Colour, Point, _lerp
from .colours import _luma, _mix, _scale
from .plates import BEACH, CITY, GROUNDS, PLATE_MATERIALS, SEA, _gradient, _Plate, _ridge, _Room, _soft


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
