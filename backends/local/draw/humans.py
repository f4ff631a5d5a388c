"""The human figure in the 2.5D model: legs, torso and arms in the spec's garments, its accessory
(sash, scarf, necklace, tie, apron, cape, hat or crown), and the head with its hair, face and
beard.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from .base import SUPERSAMPLE, Colour, Point, _lerp
from .body import _Body, _chain, _hairline, _Head, _limb_direction, _Painter, _Pose, _projected, _section_at, _shaded_limb, _View
from .colours import _ink, _mix, _scale, _shade


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
