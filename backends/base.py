"""What a backend declares about itself, up front: what it makes and within which limits.

The planner adapts a film to these declarations (a shot longer than `max_clip_s` becomes
chained clips; reference images go only to backends that take them) instead of probing a
service, and `filmc check` warns about what will be adapted before anything is spent.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Capability = Literal["image", "video", "speech", "music"]


class Capabilities(BaseModel):
    """A backend's declared abilities.

    `max_clip_s` is the longest clip one video request can make (Kling and Runway: 10 s);
    None means any length. `reference_images` and `seeds` say whether requests can carry a
    character's reference image and a seed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    produces: frozenset[Capability]
    max_clip_s: float | None = Field(default=None, gt=0)
    reference_images: bool = False
    seeds: bool = False
