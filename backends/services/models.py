"""What the services that host many models share (Replicate, fal): which model makes each task
kind, and how a task's fields become that model's inputs.

film.toml names a model per task kind and may rename the inputs it gets:

    [backend.replicate]
    models.keyframe = "black-forest-labs/flux-kontext-pro"
    models.clip = "kwaivgi/kling-v2.1"
    inputs.clip = { first_frame = "start_image", last_frame = "end_image" }
    extra.clip = { mode = "pro" }

A task offers the same *fields* whatever the model (`FIELDS`: its prompt, seed, picture shape,
length, first and last frame, reference images, line of dialogue, voice); `inputs.<kind>` says
under which input name the model takes each, starting from defaults chosen for the service and,
for a few popular models, for that model (`Service.presets`). A field mapped to "" is not sent;
`extra.<kind>` adds constant inputs (and wins over a field of the same name). A kind given no
model, or the model "", is not made by the backend, and what the backend declares to the planner
(reference images, first and last frames, seeds) follows from what its mapping sends.

Files go as `data:` URIs, which both services take in place of a URL. What a model sends back is
found in its output, whatever its shape (`file_url`): a URL, a list of them, or a dict of files.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..base import BackendError, Capabilities, Job, Price
from .client import ServiceBackend
from .files import data_uri, still_of

IMAGE_KINDS = ("character_sheet", "set_plate", "keyframe")
KINDS = (*IMAGE_KINDS, "clip", "voice_line", "music_cue")
CAPABILITY = {"character_sheet": "image", "set_plate": "image", "keyframe": "image", "clip": "video",
              "voice_line": "speech", "music_cue": "music"}

# What a task can give a model, and where each comes from.
FIELDS = {
    "prompt": "the task's rendered prompt",
    "seed": "the task's seed (below 2^31)",
    "aspect_ratio": 'the film\'s shape as the nearest common ratio ("16:9", "9:16", "1:1", ...)',
    "size": 'the film\'s picture size, {"width": W, "height": H}',
    "duration": "a clip's length (the next of `durations`) or a music cue's (whole seconds)",
    "first_frame": "the shot's keyframe (or the end of the clip it continues), for image-to-video",
    "last_frame": "the keyframe of the shot a clip runs into",
    "reference": "the first of `references`",
    "references": "the reference images: the sheets of the characters in frame, then the set's plate (a `ref:` image "
                  "for a sheet or plate)",
    "text": "a voice line's words",
    "voice": "the voice `voices` gives the line's character",
}
# Fields that are files (sent as data: URIs).
_FILES = frozenset({"first_frame", "last_frame", "reference", "references"})
RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21")
DEFAULT_DURATIONS = (5, 10)
_SEED_RANGE = 2**31


@dataclass(frozen=True)
class Service:
    """What differs between the services: how a model is named, which model makes each kind
    by default, the input names a kind's fields get by default (`generic`, overridden per
    model by `presets`), which kinds send their duration as text ("5"), and default prices."""

    name: str
    title: str
    model_pattern: re.Pattern[str]
    model_example: str
    default_models: Mapping[str, str]
    generic: Mapping[str, Mapping[str, str]]
    presets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    text_durations: frozenset[str] = frozenset()
    prices: Mapping[str, Price] = field(default_factory=dict)

    def preset(self, model: str) -> Mapping[str, str]:
        return self.presets.get(model.split(":", 1)[0], {})


@dataclass(frozen=True)
class Route:
    """How one task kind is made: the model, the input name of each field it sends, and the
    constant inputs it adds."""

    kind: str
    model: str
    inputs: Mapping[str, str]
    extra: Mapping[str, Any]

    def sends(self, name: str) -> bool:
        return bool(self.inputs.get(name))


class Models:
    """A backend's film.toml table read for its models: `models`, `inputs`, `extra`,
    `durations`, `voices` and `max_clip_s`, checked (a ValueError names the setting)."""

    def __init__(self, service: Service, settings: Mapping[str, Any], backend: str = "") -> None:
        self.service = service
        self.where = f"[backend.{backend or service.name}]"
        chosen = {**service.default_models, **self._table(settings, "models", str, "a model name")}
        renames = self._table(settings, "inputs", dict, "a table of input names")
        extras = self._table(settings, "extra", dict, "a table of inputs")
        self.routes: dict[str, Route] = {}
        for kind in KINDS:
            model = chosen.get(kind, "")
            if not model:
                continue
            if not service.model_pattern.fullmatch(model):
                raise ValueError(f"{self.where} `models.{kind}` must be a {service.title} model name like "
                                 f"\"{service.model_example}\", not {model!r}")
            names = {**service.generic.get(kind, {}), **service.preset(model)}
            for name, value in renames.get(kind, {}).items():
                if name not in FIELDS:
                    raise ValueError(f"{self.where} `inputs.{kind}.{name}`: a task has no field `{name}` "
                                     f"(the fields are {', '.join(FIELDS)})")
                if not isinstance(value, str):
                    raise ValueError(f"{self.where} `inputs.{kind}.{name}` must be the model's input name, or \"\" "
                                     f"to not send it, not {value!r}")
                names[name] = value
            self.routes[kind] = Route(kind, model, {k: v for k, v in names.items() if v}, dict(extras.get(kind, {})))
        self.durations = self._durations(settings.get("durations", list(DEFAULT_DURATIONS)))
        longest = float(max(self.durations)) if self.durations else 10.0
        self.max_clip_s = settings.get("max_clip_s", longest)
        if isinstance(self.max_clip_s, bool) or not isinstance(self.max_clip_s, int | float) or self.max_clip_s <= 0:
            raise ValueError(f"{self.where} `max_clip_s` must be a number of seconds above 0, not {self.max_clip_s!r}")
        if self.durations and self.max_clip_s > max(self.durations):
            raise ValueError(f"{self.where} `max_clip_s` ({self.max_clip_s:g}) is longer than the longest of `durations` "
                             f"({max(self.durations):g})")
        self.voices = {str(k).casefold(): v for k, v in self._table(settings, "voices", str, "a voice name").items()}

    # ---- settings ------------------------------------------------------------------------

    def _table(self, settings: Mapping[str, Any], name: str, kind: type, what: str) -> dict[str, Any]:
        table = settings.get(name, {})
        if not isinstance(table, dict):
            example = "ALIN" if name == "voices" else "keyframe"
            raise ValueError(f"{self.where} `{name}` must be a table, like `{name}.{example} = ...`")
        for key, value in table.items():
            if name != "voices" and key not in KINDS:
                raise ValueError(f"{self.where} `{name}.{key}`: there is no task kind `{key}` (the kinds are "
                                 f"{', '.join(KINDS)})")
            if not isinstance(value, kind):
                raise ValueError(f"{self.where} `{name}.{key}` must be {what}, not {value!r}")
        return table

    def _durations(self, value: Any) -> tuple[float, ...]:
        if not isinstance(value, list | tuple) or any(
                isinstance(v, bool) or not isinstance(v, int | float) or v <= 0 for v in value):
            raise ValueError(f"{self.where} `durations` must be a list of the clip lengths the model makes, in seconds, "
                             f"like [5, 10] (or [] for any length), not {value!r}")
        return tuple(sorted(value))

    # ---- what the backend declares -------------------------------------------------------

    def kinds(self) -> frozenset[str]:
        return frozenset(self.routes)

    def route(self, kind: str) -> Route:
        return self.routes[kind]

    def sends(self, name: str, kinds: tuple[str, ...] = KINDS) -> bool:
        """Whether any of `kinds` that this backend makes sends the field `name`."""
        return any(self.routes[k].sends(name) for k in kinds if k in self.routes)

    def capabilities(self, produces: frozenset[str] | None = None) -> Capabilities:
        """What the planner may count on, from what the mapping sends. Reference images count
        when keyframes or clips send them (a sheet's or plate's own `ref:` image is sent either
        way)."""
        made = frozenset(CAPABILITY[k] for k in self.routes) if produces is None else produces
        return Capabilities(
            produces=made, max_clip_s=self.max_clip_s if "video" in made else None,
            reference_images=self.sends("reference", ("keyframe", "clip")) or self.sends("references", ("keyframe", "clip")),
            seeds=self.sends("seed"), first_frame=self.sends("first_frame", ("clip",)),
            last_frame=self.sends("last_frame", ("clip",)), prices=dict(self.service.prices),
        )

    def identity(self) -> dict[str, Any]:
        """Each kind's model and inputs, defaults included: a new default re-makes what the old
        one made."""
        return {kind: {"model": r.model, "inputs": dict(sorted(r.inputs.items())), "extra": r.extra}
                for kind, r in sorted(self.routes.items())}

    def billed_seconds(self, kind: str, seconds: Any) -> float | None:
        """How long a clip or music cue is asked for (and paid for): a clip the next of
        `durations` (the longest when none is long enough), music whole seconds."""
        if kind not in ("clip", "music_cue") or not isinstance(seconds, int | float):
            return None
        if kind == "clip" and self.durations:
            return next((d for d in self.durations if d >= seconds - 1e-6), self.durations[-1])
        return float(max(1, math.ceil(seconds - 1e-6)))

    # ---- what a task sends ---------------------------------------------------------------

    async def inputs(self, job: Job) -> dict[str, Any]:
        """The model's input for `job`: each field the route sends under its input name (a
        field the task does not have is left out), then the constant inputs."""
        route = self.routes[job.kind]
        sent: dict[str, Any] = {}
        for name, input_name in route.inputs.items():
            value = await self.value(name, job)
            if value is not None and value != "" and value != []:
                sent[input_name] = value
        return {**sent, **route.extra}

    async def value(self, name: str, job: Job) -> Any:
        """The task's value of one field (None when it has none)."""
        params = job.params
        if name == "prompt":
            return str(params.get("prompt") or "") or None
        if name == "seed":
            return None if job.seed is None else int(job.seed) % _SEED_RANGE
        if name in ("aspect_ratio", "size"):
            width, height = params.get("width"), params.get("height")
            if not width or not height:
                return None
            return aspect_ratio(int(width), int(height)) if name == "aspect_ratio" else {"width": int(width), "height": int(height)}
        if name == "duration":
            seconds = self.billed_seconds(job.kind, params.get("duration_s"))
            if seconds is None:
                return None
            whole = int(seconds) if float(seconds).is_integer() else seconds
            return str(whole) if job.kind in self.service.text_durations else whole
        if name == "text":
            return str(params.get("text") or "") or None
        if name == "voice":
            return self.voices.get(str(params.get("character") or "").casefold())
        if name in _FILES:
            return await self._files(name, job)
        return None

    async def _files(self, name: str, job: Job) -> Any:
        if name == "first_frame":
            first = job.inputs.get("first_frame")
            if first is None and "previous" in job.inputs:
                # A clip that goes on from the one before it (a split shot's later part).
                first = await still_of(job.inputs["previous"], job.workdir / "previous-end.png")
            return data_uri(first) if first is not None else None
        if name == "last_frame":
            last = job.inputs.get("last_frame")
            return data_uri(last) if last is not None else None
        found = references(job)
        if name == "reference":
            return data_uri(found[0]) if found else None
        return [data_uri(path) for path in found]


def kind_name(kind: str) -> str:
    """A task kind in words, for messages ("voice line")."""
    return kind.replace("_", " ")


def references(job: Job) -> list[Path]:
    """A task's reference images, the most telling first: the sheets of the characters in
    frame (in the shot's order), then the set's plate, then any `ref:` image of the task."""
    found = [path for role, path in job.inputs.items() if role.startswith("sheet:")]
    if "plate" in job.inputs:
        found.append(job.inputs["plate"])
    found += [path for path in job.references.values() if path not in found]
    return found


def aspect_ratio(width: int, height: int) -> str:
    """The common ratio nearest the film's shape."""
    want = math.log(width / height)
    return min(RATIOS, key=lambda r: abs(math.log(_shape(r)) - want))


def _shape(ratio: str) -> float:
    w, h = ratio.split(":")
    return int(w) / int(h)


def declared(service: Service) -> Capabilities:
    """What a backend for `service` declares before it reads film.toml: it can make every
    kind (a kind is made once film.toml names a model for it), and the rest is what its
    default models take."""
    return Models(service, {}).capabilities(produces=frozenset(CAPABILITY.values()))


# ---- outputs -------------------------------------------------------------------------------

# Where a model's output keeps its file, most likely first (fal: `images[0].url`,
# `video.url`, `audio.url`, `audio_file.url`; Replicate: a URL, a list, or a dict of them).
_FILE_KEYS = ("url", "video", "videos", "images", "image", "audio", "audio_file", "audio_url", "output", "file", "files")


def file_url(output: Any) -> str | None:
    """The first file a model's output names: a URL or a data: URI, found in a string, a list
    or a dict (by the usual keys first, then the rest in order)."""
    if isinstance(output, str):
        return output if output.startswith(("https://", "http://", "data:")) else None
    if isinstance(output, list):
        return next((found for item in output if (found := file_url(item)) is not None), None)
    if isinstance(output, dict):
        keys = [k for k in _FILE_KEYS if k in output] + [k for k in output if k not in _FILE_KEYS]
        return next((found for k in keys if (found := file_url(output[k])) is not None), None)
    return None


async def fetch(backend: ServiceBackend, url: str, job: Job, auth: bool = False) -> Path:
    """Keep the file a model made: a data: URI is decoded, a URL downloaded (checked either way)."""
    if url.startswith("data:"):
        head, _, payload = url.partition(",")
        if not head.endswith(";base64"):
            raise BackendError(f"{backend.title} sent a data: URI that is not base64")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise BackendError(f"{backend.title} sent a data: URI that does not decode") from None
        return backend.save(data, job, name=job.kind)
    return await backend.download(url, job, auth=auth, name=job.kind)


class HostedModels(ServiceBackend):
    """A service hosting many models (Replicate, fal): which kinds this instance makes, what
    it takes, its keys and prices all follow from its `SERVICE` catalogue and film.toml's
    mapping (`Models`)."""

    SERVICE: ClassVar[Service]

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self.models = Models(self.SERVICE, self.settings, self.name)
        self.capabilities = self.models.capabilities()

    def kinds(self) -> frozenset[str]:
        return self.models.kinds()

    def identity(self) -> dict[str, Any]:
        return {**super().identity(), "models": self.models.identity()}

    def price(self, kind: str, params: Mapping[str, Any]) -> float:
        billed = self.models.billed_seconds(kind, params.get("duration_s"))
        return super().price(kind, params if billed is None else {**params, "duration_s": billed})
