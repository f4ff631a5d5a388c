"""Character sheets: painting a figure from its spec (standing at a point, turned, posed), and
the model sheet that shows it from the front, three-quarter and side with its name, description
and palette, carrying the spec for `save_png` to store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from .base import SHEET_SIZE, _supersample
from .body import POSES, _Painter, _Pose, _View
from .colours import _ink
from .elementals import _elemental
from .humans import _human
from .looks import figure_spec
from .meta import META_KEY
from .typography import _fit_text, _text, _wrap, font


def _paint_figure(draw: ImageDraw.ImageDraw, spec: Mapping[str, Any], x: float, feet: float, height: float, turn: float,
                  pose: _Pose = POSES["stand"]) -> None:
    """Paint a figure standing with its feet at (x, feet), `height` pixels tall, turned by `turn`."""
    painter = _Painter(origin=(x, feet - height), scale=height)
    (_human if spec.get("kind", "human") == "human" else _elemental)(painter, spec, _View(turn), pose)
    painter.paint(draw)


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
