"""Figures: a 2.5D model, turned about the vertical axis and projected. The painter that collects
shapes with their depth and paints them far to near, the turn (`_View`), the head as an
ellipsoid, a body's landmarks, poses, and the limb and section geometry both kinds of figure are
built from.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from PIL import ImageDraw

from .base import Colour, Point
from .colours import _ink, _shade


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


def _projected(sections: Sequence[tuple[float, float, float, float]], view: _View, widen: float = 1.0) -> tuple[list[Point], list[float]]:
    spine = [(view.x(0, zc), y) for y, _, _, zc in sections]
    return spine, [math.hypot(wx * view.cos, wz * view.sin) * widen for _, wx, wz, _ in sections]


def _section_at(sections: Sequence[tuple[float, float, float, float]], y: float) -> tuple[float, float, float, float]:
    for upper, lower in pairwise(sections):
        if upper[0] <= y <= lower[0]:
            t = (y - upper[0]) / ((lower[0] - upper[0]) or 1)
            return (y, *(u + (v - u) * t for u, v in zip(upper[1:], lower[1:], strict=True)))  # type: ignore[return-value]
    return (y, *sections[-1][1:])
