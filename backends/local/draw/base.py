"""What every drawing shares: the sizes of sheets and plates, the `Colour` and `Point` types,
supersampling, and stable numbers from sha256 (never `hash()`), so a rebuild repaints the same pixels.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

SHEET_SIZE = (1536, 1024)
PLATE_SIZE = (2048, 1024)

Colour = tuple[int, int, int]
Point = tuple[float, float]

SUPERSAMPLE = 2


def _supersample(params: Mapping[str, Any]) -> int:
    """How many times larger to draw before shrinking (smooth edges); a draft draws at size."""
    return 1 if params.get("draft") else SUPERSAMPLE


def _digest(*parts: object) -> int:
    """A stable number from parts (sha256, not `hash()`, which changes between runs)."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _pick(options: Sequence[Any], *parts: object) -> Any:
    return options[_digest(*parts) % len(options)]


def _seed(params: Mapping[str, Any], *salt: object) -> int:
    seed = params.get("seed")
    return _digest(seed if isinstance(seed, int) else json.dumps(params, sort_keys=True, default=str), *salt)


def _lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
