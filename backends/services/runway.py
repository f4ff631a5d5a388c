"""Runway: image-to-video through its task API.

    POST /v1/image_to_video {model, promptImage: [{uri, position}], promptText, ratio, duration, seed}
      → {id}
    GET /v1/tasks/{id} → {status: PENDING | THROTTLED | RUNNING | SUCCEEDED | FAILED | CANCELLED,
                          progress, output: [url], failure, failureCode}
    DELETE /v1/tasks/{id} cancels a running task

Authentication is `Authorization: Bearer $RUNWAYML_API_SECRET` with `X-Runway-Version`.
A clip starts from the shot's keyframe (`position: first`) and, when the next shot continues
this one, ends on that shot's keyframe (`position: last`): both shots then meet on one frame
made from the same sheets, instead of the drift of chaining last frames. THROTTLED (over the
account's concurrency) is waited out like PENDING. Runway makes clips of 5 or 10 seconds; a
shorter shot gets the next length up, and the edit trims it.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ..base import BackendError, Capabilities, Job, Price
from .client import ServiceBackend
from .files import data_uri, still_of

# The picture shapes Runway's gen4 models make, as "width:height".
RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
DURATIONS = (5, 10)


class RunwayBackend(ServiceBackend):
    title = "Runway"
    version = "1"
    DEFAULT_URL = "https://api.dev.runwayml.com"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("RUNWAYML_API_SECRET",)
    API_VERSION = "2024-11-06"
    capabilities = Capabilities(
        produces=frozenset({"video"}), max_clip_s=10, seeds=True, first_frame=True, last_frame=True,
        prices={"clip": Price(per_second=0.05)},
    )
    DEFAULTS = {**ServiceBackend.DEFAULTS, "poll_s": 5.0}

    def __init__(self, settings=None) -> None:
        super().__init__(settings)
        self.model = self.settings.get("model", "gen4_turbo")
        if not isinstance(self.model, str) or not self.model:
            raise ValueError(f"[backend.{self.name}] `model` must be a Runway model name, like \"gen4_turbo\"")

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret('RUNWAYML_API_SECRET')}", "X-Runway-Version": self.API_VERSION}

    async def make(self, job: Job) -> Path:
        images = []
        first = job.inputs.get("first_frame")
        if first is None and "previous" in job.inputs:
            # A later part of a split shot: it goes on from where the part before it ends.
            first = await still_of(job.inputs["previous"], job.workdir / "previous-end.png")
        if first is not None:
            images.append({"uri": data_uri(first), "position": "first"})
        if "last_frame" in job.inputs:
            images.append({"uri": data_uri(job.inputs["last_frame"]), "position": "last"})
        if not images:
            raise BackendError("Runway makes clips from an image, and this clip has none (no keyframe)")
        body = {
            "model": self.model, "promptImage": images, "promptText": str(job.params.get("prompt", ""))[:1000],
            "ratio": ratio(int(job.params["width"]), int(job.params["height"])),
            "duration": next((d for d in DURATIONS if d >= float(job.params["duration_s"]) - 1e-6), DURATIONS[-1]),
        }
        if job.seed is not None:
            body["seed"] = job.seed % 4294967296
        submitted = await self.request("POST", "/v1/image_to_video", what="submit the clip", json=body)
        task_id = submitted.json().get("id")
        if not task_id:
            raise BackendError(f"Runway accepted the clip but gave no task id: {submitted.text[:200]}")

        async def cancel() -> None:
            await self.request("DELETE", f"/v1/tasks/{task_id}", what="cancel the clip",
                               ok=lambda r: r.status_code in (200, 204, 404))

        async def check() -> list[str] | None:
            task = (await self.request("GET", f"/v1/tasks/{task_id}", what="check on the clip")).json()
            status = task.get("status")
            if status == "SUCCEEDED":
                return task.get("output") or []
            if status in ("FAILED", "CANCELLED"):
                why = task.get("failure") or status.lower()
                code = task.get("failureCode")
                raise BackendError(f"Runway could not make the clip: {why}" + (f" ({code})" if code else ""))
            if status == "THROTTLED":
                job.tell("queued at Runway (over the account's concurrency)")
            elif status == "RUNNING":
                progress = task.get("progress")
                job.tell(f"running {round(progress * 100)}%" if isinstance(progress, int | float) else "running")
            else:
                job.tell("waiting at Runway")
            return None

        async with self.remote(cancel):
            outputs = await self.poll(check, "clip")
            if not outputs:
                raise BackendError("Runway finished the clip but sent no video")
            return await self.download(outputs[0], job, name="clip")


def ratio(width: int, height: int) -> str:
    """The Runway ratio nearest the film's shape."""
    want = width / height
    return min(RATIOS, key=lambda r: abs(_shape(r) - want))


def _shape(text: str) -> float:
    w, h = text.split(":")
    return int(w) / int(h)
