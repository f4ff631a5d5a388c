"""Keyframes: the framing a shot names, its cast read back from their sheet files, the camera's
crop of the plate, staging by the grammar of the framing, and the cast painted, posed by the
action, over the plate.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .base import PLATE_SIZE, SHEET_SIZE, _seed, _supersample
from .body import POSE_WORDS, POSES, _Body, _Pose
from .colours import _mix, _saturate, _scale, _words
from .looks import SPEC_VERSION, figure_spec
from .meta import load_meta
from .plates import LIGHTS, SKIES, _gradient
from .sheets import FRONT_BOX, PAPER, _paint_figure


@dataclass(frozen=True)
class _Framing:
    """How a framing stages its shot: the height of a standing figure (times the frame's height),
    the background's zoom and blur (fraction of the frame's height), and its layout: "ground"
    (whole figures standing on the ground line), "portrait" (heads near the top), "two", "ots",
    or "detail" (nobody: an insert)."""

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
    # An insert is a detail of the scene (the letter, the plaque), not a face: the set, close.
    "insert": _Framing(0.0, 2.2, 0.003, "detail"),
}
FRAMING_WORDS = (  # how other names of framings map to the ones above, most specific first
    ("extreme wide", "extreme wide"), ("establishing", "extreme wide"), ("aerial", "extreme wide"), ("long", "wide"),
    ("extreme close", "extreme close"), ("insert", "insert"), ("detail", "insert"), ("ecu", "extreme close"),
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
    if not cast or framing.layout == "detail":
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
