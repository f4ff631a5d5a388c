"""Cards and subtitles: the title, credits and text cards, burned-in subtitles, and the caption
band a clip lays over its moving picture.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from .frames import _even, _vignette
from .plates import _gradient
from .typography import _balanced, _spaced_width, _text, _wrap, font


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
