"""Replicate: any model it hosts, by name, through its predictions API.

    POST /v1/models/{owner}/{name}/predictions {input}         (an official model, its latest version)
    POST /v1/predictions {version, input}                      (`owner/name:version`, any model)
      with `Prefer: wait=N` → the prediction, finished if it took less than N seconds
    GET  urls.get → {id, status: starting | processing | succeeded | failed | canceled | aborted,
                     output, error, logs, urls: {get, cancel}}
    POST urls.cancel stops it

Authentication is `Authorization: Bearer $REPLICATE_API_TOKEN`. Which model makes each task kind,
and under which input names it takes a task's prompt, frames and references, is film.toml's
(`models.py`). By default FLUX.1 Kontext [pro] draws the sheets and plates (from their `ref:`
image when they have one), Nano Banana the keyframes (from the sheets of the characters in frame
and the set's plate, for consistency between shots), and Kling 2.1 the clips (from the keyframe).

A create is not idempotent: when its answer is lost, filmc does not send it again (the model
may be running). With `Prefer: wait` a quick model's answer is the finished prediction; a slow
one's is polled. `starting` is Replicate's queued state (waiting for a machine, or booting one):
it is waited out like `processing`. A failed prediction's `error` (moderation refusals among
them, such as "NSFW content detected") is the task's error. Outputs come from replicate.delivery
(no key); whatever the model's output shape, its first file is kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import httpx

from ..base import BackendError, Job, Price
from .client import ServiceBackend, shorten
from .models import IMAGE_KINDS, HostedModels, Service, declared, fetch, file_url, kind_name

_IMAGE = {"prompt": "prompt", "seed": "seed", "aspect_ratio": "aspect_ratio"}

REPLICATE = Service(
    name="replicate", title="Replicate",
    model_pattern=re.compile(r"[\w.-]+/[\w.-]+(:\w+)?"), model_example="black-forest-labs/flux-kontext-pro",
    default_models={"character_sheet": "black-forest-labs/flux-kontext-pro", "set_plate": "black-forest-labs/flux-kontext-pro",
                    "keyframe": "google/nano-banana", "clip": "kwaivgi/kling-v2.1"},
    generic={
        **dict.fromkeys(IMAGE_KINDS, _IMAGE),
        "clip": {"prompt": "prompt", "seed": "seed", "aspect_ratio": "aspect_ratio", "duration": "duration",
                 "first_frame": "image"},
        "voice_line": {"text": "text", "voice": "voice"},
        "music_cue": {"prompt": "prompt", "duration": "duration", "seed": "seed"},
    },
    presets={
        # FLUX.1 Kontext edits or follows one input image.
        "black-forest-labs/flux-kontext-pro": {"reference": "input_image"},
        "black-forest-labs/flux-kontext-max": {"reference": "input_image"},
        # Nano Banana composes from several images (every sheet in frame and the plate); no seed.
        "google/nano-banana": {"references": "image_input", "seed": ""},
        "google/nano-banana-pro": {"references": "image_input", "seed": ""},
        # Kling 2.1 takes no seed or ratio (the start image sets the shape); its `end_image`
        # needs `mode = "pro"`, so the last frame is sent only when film.toml asks.
        "kwaivgi/kling-v2.1": {"first_frame": "start_image", "seed": "", "aspect_ratio": ""},
        "minimax/speech-02-turbo": {"voice": "voice_id"},
        "minimax/speech-02-hd": {"voice": "voice_id"},
    },
    prices={
        **dict.fromkeys(IMAGE_KINDS, Price(per_task=0.04)), "clip": Price(per_second=0.05),
        "voice_line": Price(per_task=0.01), "music_cue": Price(per_task=0.05),
    },
)

_RUNNING = ("starting", "processing")
_PERCENT = re.compile(r"(\d{1,3})%\|")


class ReplicateBackend(HostedModels):
    SERVICE = REPLICATE
    title = "Replicate"
    version = "1"
    DEFAULT_URL = "https://api.replicate.com"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("REPLICATE_API_TOKEN",)
    capabilities = declared(REPLICATE)
    # `wait_s`: how long a create may wait for the prediction to finish (Prefer: wait, at most 60).
    DEFAULTS = {**ServiceBackend.DEFAULTS, "wait_s": 60.0}
    SCHEDULING = ServiceBackend.SCHEDULING | {"wait_s"}

    def __init__(self, settings=None) -> None:
        super().__init__(settings)
        if self.setting("wait_s") > 60:
            raise ValueError(f"[backend.{self.name}] `wait_s` must be at most 60 (seconds Replicate holds a create open), "
                             f"not {self.settings['wait_s']!r}")

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret('REPLICATE_API_TOKEN')}"}

    def explain(self, response: httpx.Response) -> str:
        """Replicate's errors are problem details: {"title", "detail", "status"}."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            title = body.get("title")
            said = f"{title}: {body['detail']}" if isinstance(title, str) and title and title not in body["detail"] else body["detail"]
            return shorten(said)
        return super().explain(response)

    async def make(self, job: Job) -> Path:
        what = kind_name(job.kind)
        model = self.models.route(job.kind).model
        owner_name, _, version = model.partition(":")
        body: dict[str, Any] = {"input": await self.models.inputs(job)}
        if version:
            body["version"] = version
        path = "/v1/predictions" if version else f"/v1/models/{owner_name}/predictions"
        wait = int(self.setting("wait_s"))
        headers, extra = {}, {}
        if wait:
            headers["Prefer"] = f"wait={wait}"
            timeout = self.setting("timeout_s")
            if timeout:
                # The answer may take the whole wait: read for longer than that.
                extra["timeout"] = httpx.Timeout(max(timeout, wait + 15.0), connect=min(timeout, 30.0))
        answer = await self.request("POST", path, what=f"submit the {what}", json=body, headers=headers,
                                    ok=lambda r: r.is_success or r.status_code == 404, **extra)
        if answer.status_code == 404:
            raise BackendError(f"Replicate has no model `{model}` (models.{job.kind}, docs/BACKENDS.md#replicate): "
                               f"{self.explain(answer)}")
        created = answer.json()
        prediction_id = created.get("id") if isinstance(created, dict) else None
        if not prediction_id:
            raise BackendError(f"Replicate accepted the {what} but gave no prediction id: {str(created)[:200]}")
        urls = created.get("urls") or {}
        get_url = urls.get("get") or f"/v1/predictions/{prediction_id}"
        cancel_url = urls.get("cancel") or f"/v1/predictions/{prediction_id}/cancel"

        async def cancel() -> None:
            await self.request("POST", cancel_url, what=f"cancel the {what}", idempotent=True, ok=lambda r: r.status_code < 500)

        async def check() -> str | None:
            prediction = (await self.request("GET", get_url, what=f"check on the {what}")).json()
            return self.settled(prediction, job)

        async with self.remote(cancel):
            # Sync mode: the files come as soon as they exist, maybe before `succeeded`.
            url = self.settled(created, job, early=True) or await self.poll(check, what)
            return await fetch(self, url, job)

    def settled(self, prediction: Any, job: Job, early: bool = False) -> str | None:
        """The URL of what a finished prediction made; None while it runs; a BackendError
        when it failed, was cancelled or stopped."""
        what = kind_name(job.kind)
        if not isinstance(prediction, dict):
            raise BackendError(f"Replicate sent something that is not a prediction: {str(prediction)[:200]}")
        status = prediction.get("status")
        output = prediction.get("output")
        if status == "succeeded" or (early and status == "processing" and file_url(output)):
            url = file_url(output)
            if url is None:
                raise BackendError(f"Replicate finished the {what} but its output names no file: {str(output)[:200]}")
            return url
        if status in _RUNNING:
            if status == "starting":
                job.tell("waiting at Replicate (starting)")
            else:
                done = _PERCENT.findall(prediction.get("logs") or "")
                job.tell(f"running {done[-1]}%" if done else "running")
            return None
        why = prediction.get("error") or {"canceled": "it was cancelled", "aborted": "it was stopped before it started"}.get(
            str(status), f"its status is {status!r}")
        raise BackendError(f"Replicate could not make the {what}: {shorten(str(why))}")
