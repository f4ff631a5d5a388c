"""The elemental figure in the 2.5D model: a legless body of water, fire, smoke, shadow, stone,
coral or light with a ragged edge and its element's marks, a mane, glowing eyes, and a crown,
horns or halo.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .base import Colour, Point, _lerp
from .body import _chain, _Head, _limb, _limb_direction, _Painter, _Pose, _projected, _section_at, _shaded_limb, _View
from .colours import _ink, _mix
from .humans import _crown

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
