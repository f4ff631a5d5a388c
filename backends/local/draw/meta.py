"""PNG files that carry JSON in their "filmc" text chunk (`save_png`, `load_meta`): how a keyframe
learns a sheet's figure and a plate's horizon.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image
from PIL.PngImagePlugin import PngInfo

META_KEY = "filmc"


def save_png(image: Image.Image, path: Path, meta: Mapping[str, Any] | None = None) -> None:
    """Write a PNG with `meta` as JSON in its "filmc" text chunk. A sheet's or plate's own meta
    (its `info["filmc"]`: the figure spec, the horizon) is stored too, under `meta`'s keys."""
    own = image.info.get(META_KEY) or {}
    if isinstance(own, str | bytes):  # an image read from a PNG carries the chunk's text
        own = json.loads(own)
    stored = {**own, **(meta or {})}
    info = PngInfo()
    if stored:
        info.add_text(META_KEY, json.dumps(stored, sort_keys=True, separators=(",", ":")))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", pnginfo=info, compress_level=4)


def load_meta(path: Path) -> dict[str, Any] | None:
    """The JSON `save_png` stored in a PNG, or None if it has none."""
    with Image.open(path) as image:  # `info` holds the chunks before the pixels, where save_png writes
        text = image.info.get(META_KEY)
        if text is None and hasattr(image, "text"):  # a chunk after the pixels: read them all
            text = image.text.get(META_KEY)
    if text is None:
        return None
    try:
        meta = json.loads(text)
    except json.JSONDecodeError:
        return None
    return meta if isinstance(meta, dict) else None
