"""What a backend is: what it declares about itself, and the one call filmc makes of it.

A backend declares its abilities up front (`Capabilities`): the planner adapts a film to them
(a shot longer than `max_clip_s` becomes chained clips; reference images go only to backends
that take them) and prices the plan from them, instead of probing a service; `filmc check`
warns about what will be adapted before anything is spent.

Then filmc calls `generate(job)` once per task that is not in the cache, with the task's
parameters (its rendered prompt among them) and its inputs' files, and stores the file it
returns. A backend never sees the cache, the lockfile or another task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

Capability = Literal["image", "video", "speech", "music", "edit"]
CAPABILITIES: tuple[Capability, ...] = ("image", "video", "speech", "music", "edit")


class Price(BaseModel):
    """What one task costs, in US dollars: a fixed part plus a part per second of output."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    per_task: float = Field(default=0.0, ge=0)
    per_second: float = Field(default=0.0, ge=0)


class Capabilities(BaseModel):
    """A backend's declared abilities.

    `max_clip_s` is the longest clip one video request can make (Kling and Runway: 10 s);
    None means any length. `reference_images` and `seeds` say whether requests can carry a
    character's reference image and a seed; `first_frame` whether a clip can start from a
    given image (image-to-video), `last_frame` whether it can be asked to end on one (Kling's
    `image_tail`, Runway's `position: last`). `line_context` says whether a voice line is
    better for knowing the lines said before and after it (ElevenLabs' previous and next
    text). `prices` are per task kind (`clip`, `keyframe`, ...).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    produces: frozenset[Capability]
    max_clip_s: float | None = Field(default=None, gt=0)
    reference_images: bool = False
    seeds: bool = False
    first_frame: bool = False
    last_frame: bool = False
    line_context: bool = False
    prices: dict[str, Price] = {}


@dataclass(frozen=True)
class Job:
    """One task for a backend to run.

    `params` are the task's parameters (for an image or a clip, `prompt` among them); `inputs`
    maps each input's role (`first_frame`, `sheet:alin`, `clip`, `line:1`, ...) to the file
    made for it; `references` maps reference images a script names (`ref:`) to their files.
    The backend writes what it makes inside `workdir` and returns that file's path.
    """

    task_id: str
    kind: str
    params: Mapping[str, Any]
    inputs: Mapping[str, Path]
    workdir: Path
    seed: int | None = None
    references: Mapping[str, Path] = field(default_factory=dict)
    # Called with a short state ("queued, 3 ahead", "running 40%") while a long task runs, for
    # the progress display; never required.
    progress: Callable[[str], None] | None = field(default=None, compare=False)

    def tell(self, state: str) -> None:
        if self.progress is not None:
            self.progress(state)


class BackendError(Exception):
    """A task failed in a way the backend can explain (the service said no, the content was
    refused, the output was bad); the message is shown to the user as is."""


class Backend:
    """Base class of backends. A subclass sets `version` and `capabilities` and implements
    `generate`; filmc creates it with its `[backend.NAME]` table from film.toml.

    `version` and the settings that change what the backend makes go into every task's key,
    so upgrading a model re-generates what it made; `SCHEDULING` settings do not.
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    capabilities: ClassVar[Capabilities]
    # The prompt templates it reads: stdlib/prompts/<family>/, falling back to `default`.
    prompt_family: ClassVar[str] = "default"
    # film.toml settings about how to run, not what to make: left out of task keys.
    SCHEDULING: ClassVar[frozenset[str]] = frozenset({"concurrency", "timeout_s", "retries", "requests_per_minute"})
    # The environment variables holding its credentials, all needed (`filmc backends` says
    # whether they are set; they are never read from film.toml).
    CREDENTIALS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    def setup(self, root: Path) -> None:
        """Called once after creation with the project folder, before anything is planned: a
        backend whose settings name files (a ComfyUI workflow) reads them here, relative to
        `root`. Raise ValueError with a message naming the setting to reject them; filmc
        reports it as an `invalid-config` error. The default does nothing."""

    def identity(self) -> dict[str, Any]:
        """What about this backend decides its output: name, version, output-shaping settings."""
        shaping = {k: _plain(v) for k, v in sorted(self.settings.items()) if k not in self.SCHEDULING}
        return {"name": self.name, "version": self.version, "settings": shaping}

    def price(self, kind: str, params: Mapping[str, Any]) -> float:
        """The estimated cost of one task, from the declared prices."""
        price = self.capabilities.prices.get(kind)
        if price is None:
            return 0.0
        return price.per_task + price.per_second * float(params.get("duration_s", 0.0))

    def unavailable(self) -> str | None:
        """Why this backend cannot run here (a missing credential, a missing tool), or None."""
        if type(self).generate is Backend.generate:
            return "it declares what it makes but has no `generate` (it is only a declaration)"
        return None

    async def generate(self, job: Job) -> Path:
        raise NotImplementedError

    async def close(self) -> None:
        """Called once when a build is done with the backend (finished, failed or
        interrupted): close connections. The default does nothing."""


def frames(duration_s: float, fps: int) -> int:
    """How many frames a segment of `duration_s` lasts in the film: the nearest whole number,
    at least one. Editors and the subtitles filmc writes beside a film agree on this."""
    return max(1, round(duration_s * fps))


def _plain(value: Any) -> Any:
    """A film.toml value as plain JSON data, for keys: TOML dates and times become their ISO
    text, and a float that JSON cannot hold (nan, inf) its name."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
