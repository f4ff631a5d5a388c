"""fal: any model it hosts, by name, through its queue.

    POST /{model} {input...} → {request_id, status_url, response_url, cancel_url}
    GET  status_url?logs=0 → {status: IN_QUEUE (queue_position) | IN_PROGRESS | COMPLETED}
    GET  response_url → the model's output ({"images": [{url}]}, {"video": {url}}, ...), or its
                        error: {"detail": [{loc, msg, type}]} (a refusal is a 422 whose type is
                        `content_policy_violation`) or {"detail": "...", "error_type": "..."}
    PUT  cancel_url stops it

Authentication is `Authorization: Key $FAL_KEY`. Which model makes each task kind, and under
which input names it takes a task's prompt, frames and references, is film.toml's (`models.py`);
by default FLUX.1 [dev] makes the pictures and Kling 2.5 Turbo Pro the clips (from the shot's
keyframe, ending on the next shot's when it continues into it).

A submit is not idempotent: when its answer is lost, filmc does not send it again. fal does not
refuse requests over the account's limits, it queues them: IN_QUEUE is waited out, with the
queue position shown. The status and result URLs are the ones the submit gave (for a model with
a sub-path, such as `fal-ai/flux/dev`, they live under the app, `fal-ai/flux`). Outputs come from
fal.media (no key); the first file the output names is kept. A picture FLUX's safety checker
flagged (`has_nsfw_concepts`, sent as a black image) fails the task instead of entering the film.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import httpx

from ..base import BackendError, Job, Price
from .client import shorten
from .models import IMAGE_KINDS, HostedModels, Service, declared, fetch, file_url, kind_name

_KLING_ENDS = {"last_frame": "tail_image_url", "aspect_ratio": ""}

FAL = Service(
    name="fal", title="fal",
    model_pattern=re.compile(r"[\w.-]+(/[\w.-]+)+"), model_example="fal-ai/flux/dev",
    default_models={**dict.fromkeys(IMAGE_KINDS, "fal-ai/flux/dev"),
                    "clip": "fal-ai/kling-video/v2.5-turbo/pro/image-to-video"},
    generic={
        **dict.fromkeys(IMAGE_KINDS, {"prompt": "prompt", "seed": "seed", "size": "image_size"}),
        "clip": {"prompt": "prompt", "aspect_ratio": "aspect_ratio", "duration": "duration", "first_frame": "image_url"},
        "voice_line": {"text": "text", "voice": "voice"},
        "music_cue": {"prompt": "prompt", "duration": "duration", "seed": "seed"},
    },
    presets={
        "fal-ai/kling-video/v2.5-turbo/pro/image-to-video": _KLING_ENDS,
        "fal-ai/kling-video/v2.1/pro/image-to-video": _KLING_ENDS,
        "fal-ai/flux-pro/kontext": {"reference": "image_url", "size": "", "aspect_ratio": "aspect_ratio"},
        "fal-ai/stable-audio": {"duration": "seconds_total", "seed": ""},
    },
    text_durations=frozenset({"clip"}),
    prices={
        **dict.fromkeys(IMAGE_KINDS, Price(per_task=0.025)), "clip": Price(per_second=0.07),
        "voice_line": Price(per_task=0.01), "music_cue": Price(per_task=0.05),
    },
)

# Namespaces whose apps are three segments long (`workflows/owner/app`).
_NAMESPACES = ("workflows", "comfy")


class FalBackend(HostedModels):
    SERVICE = FAL
    title = "fal"
    version = "1"
    DEFAULT_URL = "https://queue.fal.run"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("FAL_KEY",)
    capabilities = declared(FAL)

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Key {self.secret('FAL_KEY')}"}

    def explain(self, response: httpx.Response) -> str:
        """fal's errors: a model's `{"detail": [{loc, msg, type}]}` or the platform's
        `{"detail": "...", "error_type": "..."}`."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("detail"), list) and body["detail"]:
            return shorten("; ".join(_problem(item) for item in body["detail"]))
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            kind = body.get("error_type")
            return shorten(body["detail"] + (f" ({kind})" if isinstance(kind, str) and kind else ""))
        return super().explain(response)

    async def make(self, job: Job) -> Path:
        what = kind_name(job.kind)
        model = self.models.route(job.kind).model
        answer = await self.request("POST", f"/{model}", what=f"submit the {what}", json=await self.models.inputs(job),
                                    ok=lambda r: r.is_success or r.status_code == 404)
        if answer.status_code == 404:
            raise BackendError(f"fal has no model `{model}` (models.{job.kind}, docs/BACKENDS.md#fal): {self.explain(answer)}")
        submitted = answer.json()
        request_id = submitted.get("request_id") if isinstance(submitted, dict) else None
        if not request_id:
            raise BackendError(f"fal accepted the {what} but gave no request id: {str(submitted)[:200]}")
        home = f"/{app_of(model)}/requests/{request_id}"
        status_url = submitted.get("status_url") or f"{home}/status"
        response_url = submitted.get("response_url") or home
        cancel_url = submitted.get("cancel_url") or f"{home}/cancel"

        async def cancel() -> None:
            await self.request("PUT", cancel_url, what=f"cancel the {what}", ok=lambda r: r.status_code < 500)

        async def check() -> bool | None:
            status = (await self.request("GET", status_url, what=f"check on the {what}", params={"logs": "0"})).json()
            state = status.get("status") if isinstance(status, dict) else None
            if state == "COMPLETED":
                if status.get("error"):
                    kind = status.get("error_type")
                    raise BackendError(f"fal could not make the {what}: {shorten(str(status['error']))}"
                                       + (f" ({kind})" if kind else ""))
                return True
            if state == "IN_QUEUE":
                ahead = status.get("queue_position")
                job.tell(f"queued at fal, {ahead} ahead" if isinstance(ahead, int) else "queued at fal")
            elif state == "IN_PROGRESS":
                job.tell("running")
            elif state in ("FAILED", "CANCELED", "CANCELLED"):
                # Not in fal's documented statuses, but cheap to read right if it comes.
                why = status.get("error") or ("it was cancelled" if state != "FAILED" else "it failed")
                raise BackendError(f"fal could not make the {what}: {shorten(str(why))}")
            else:
                raise BackendError(f"fal sent an unknown status for the {what}: {str(status)[:200]}")
            return None

        async with self.remote(cancel):
            await self.poll(check, what)
            # A request that failed is COMPLETED too: its result is then the model's error.
            answer = await self.request("GET", response_url, what=f"fetch the {what}",
                                        ok=lambda r: r.is_success or r.status_code in (400, 404, 410, 422))
            if not answer.is_success:
                raise BackendError(f"fal could not make the {what}: {answer.status_code} {self.explain(answer)}")
            output = answer.json()
            flagged = output.get("has_nsfw_concepts") if isinstance(output, dict) else None
            if isinstance(flagged, list) and flagged and flagged[0] is True:
                raise BackendError(f"fal's safety checker flagged the {what} (has_nsfw_concepts); change the prompt, "
                                   "or the model's `enable_safety_checker` in `extra`")
            url = file_url(output)
            if url is None:
                raise BackendError(f"fal finished the {what} but its output names no file: {str(output)[:200]}")
            return await fetch(self, url, job)


def app_of(model: str) -> str:
    """The app a model belongs to (`fal-ai/flux/dev` → `fal-ai/flux`): its requests live there."""
    parts = model.split("/")
    return "/".join(parts[:3] if parts[0] in _NAMESPACES else parts[:2])


def _problem(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    message = str(item.get("msg") or item.get("message") or item)
    where = [str(p) for p in item.get("loc") or [] if p != "body"]
    notes = [str(item["type"])] if item.get("type") else []
    if where:
        notes.append(f"at {'.'.join(where)}")
    return message + (f" ({', '.join(notes)})" if notes else "")
