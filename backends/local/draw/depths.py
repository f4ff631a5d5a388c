"""Scenes under the sea and under the ground: green-blue depths with shafts of light, a sunken
palace, the seabed and its coral, and a cave opening onto the light outside.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

from .base import Colour
from .colours import _mix, _scale
from .plates import PLATE_MATERIALS, SEA, SKIES, _glow, _gradient, _Plate, _ridge, _soft


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
