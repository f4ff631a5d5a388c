"""A fake of fal's queue: POST /{model} queues a request; its status, result and cancel live
under the model's app (`fal-ai/flux/dev` → /fal-ai/flux/requests/{id}/...).

Statuses go IN_QUEUE (with `queue_position`, for `queued` polls) → IN_PROGRESS → COMPLETED.
A request that fails is COMPLETED too, and its result is the error: a prompt with a word of
`refuse_words` is a 422 `content_policy_violation`, a missing required input a 422 validation
error, both as `{"detail": [{loc, msg, type, url}]}`. A result asked for too early is a 400.
Cancelling answers 202 (or 400 once completed). A missing or wrong key is a 401 with fal's
`{"detail": ...}`; an unknown model a 404. Outputs are served from /files/ (no key) in each
model's output shape (`images[0].url`, `video.url`, `audio_file.url`, `audio.url`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from . import media
from .server import Case, FakeService, Jobs, Reply, Request, json_reply

KEY = "fal-key-id-0001:fal-test-secret-0123456789"
TYPES = {"png": "image/png", "mp4": "video/mp4", "mp3": "audio/mpeg", "wav": "audio/wav"}


@dataclass(frozen=True)
class Model:
    makes: str                                  # "png" | "mp4" | "mp3" | "wav"
    required: tuple[str, ...]
    output: Callable[[dict, str], dict]         # (the request's input, the file's URL) → the output
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()   # inputs that must be one of these


def _images(given: dict, url: str) -> dict:
    size = given.get("image_size") if isinstance(given.get("image_size"), dict) else {"width": 1024, "height": 768}
    return {"images": [{"url": url, "width": size.get("width"), "height": size.get("height"), "content_type": "image/png"}],
            "timings": {"inference": 1.2}, "seed": given.get("seed", 42), "has_nsfw_concepts": [False],
            "prompt": given.get("prompt", "")}


def _file(key: str, content_type: str) -> Callable[[dict, str], dict]:
    return lambda given, url: {key: {"url": url, "content_type": content_type, "file_name": url.rsplit("/", 1)[1]}}


MODELS = {
    "fal-ai/flux/dev": Model("png", ("prompt",), _images),
    "fal-ai/flux-pro/kontext": Model("png", ("prompt", "image_url"), _images),
    "fal-ai/kling-video/v2.5-turbo/pro/image-to-video": Model(
        "mp4", ("prompt", "image_url"), _file("video", "video/mp4"), (("duration", ("5", "10")),)),
    "fal-ai/stable-audio": Model("wav", ("prompt",), _file("audio_file", "audio/wav")),
    "fal-ai/kokoro/american-english": Model("mp3", ("prompt",), _file("audio", "audio/mpeg")),
}


def app_of(model: str) -> str:
    return "/".join(model.split("/")[:2])


class FakeFal(FakeService):
    REFUSAL = "The content could not be processed because it contained material flagged by a content checker."

    def __init__(self) -> None:
        super().__init__()
        self.jobs = Jobs(polls=2)
        self.refuse_words = {"forbidden"}
        self.queued = 0             # polls each new request spends IN_QUEUE first
        self.echo_secret = False    # error bodies repeat the Authorization header
        self.nsfw = False           # images come back flagged (has_nsfw_concepts), as FLUX's checker does
        self.status_error = False   # a failed request's COMPLETED status carries its `error`
        self.data_output = False    # outputs are data: URIs instead of URLs
        self.bare_submit = False    # a submit answers only its request_id (the client builds the URLs)
        self.api = ""               # where the URLs a submit gives point (another prefix checks the client follows them)

    def error_body(self, status: int):
        return {"detail": f"fake fal error {status}", "error_type": "internal_error"}

    def route(self, request: Request) -> Reply:
        if request.path.startswith("/files/"):  # fal.media: no key
            return self._download(request.path.rsplit("/", 1)[1])
        auth = request.header("authorization")
        if auth != f"Key {KEY}":
            said = f"No user found for Key ID and Secret ({auth})" if self.echo_secret else "No user found for Key ID and Secret"
            return json_reply({"detail": said}, 401)
        path = request.path[len(self.api):] if self.api and request.path.startswith(self.api) else request.path
        model = path.lstrip("/")
        if request.method == "POST" and model in MODELS:
            return self._submit(request, model)
        if "/requests/" in path:
            app, _, rest = path.lstrip("/").partition("/requests/")
            job_id, _, action = rest.partition("/")
            job = self.jobs.items.get(job_id)
            if job is None or app_of(job["model"]) != app:
                return json_reply({"detail": "Request not found"}, 404)
            if action == "cancel" and request.method == "PUT":
                if job["state"] in ("succeeded", "failed"):
                    return json_reply({"status": "ALREADY_COMPLETED"}, 400)
                self.jobs.cancel(job_id)
                return json_reply({"status": "CANCELLATION_REQUESTED"}, 202)
            if action == "status" and request.method == "GET":
                return json_reply(self._status(job))
            if action == "" and request.method == "GET":
                return self._result(job)
        return json_reply({"detail": f"Application '{model}' not found"}, 404)

    def _submit(self, request: Request, model: str) -> Reply:
        given = request.json()
        if not isinstance(given, dict):
            return json_reply({"detail": [{"loc": ["body"], "msg": "Input should be an object", "type": "model_attributes_type"}]},
                              422)
        spec = MODELS[model]
        problems = [{"loc": ["body", k], "msg": "Field required", "type": "missing"} for k in spec.required if not given.get(k)]
        problems += [{"loc": ["body", k], "msg": f"Input should be {' or '.join(repr(c) for c in allowed)}", "type": "enum"}
                     for k, allowed in spec.choices if k in given and given[k] not in allowed]
        if any(w in str(given.get("prompt", "")) for w in self.refuse_words):
            problems.append({"loc": ["body", "prompt"], "msg": self.REFUSAL, "type": "content_policy_violation",
                             "url": "https://docs.fal.ai/errors#content_policy_violation", "input": given.get("prompt")})
        job_id = self.jobs.add({"model": model, "spec": spec, "input": given, "problems": problems, "queued": self.queued})
        home = f"{self.url}{self.api}/{app_of(model)}/requests/{job_id}"
        if self.bare_submit:
            return json_reply({"request_id": job_id})
        return json_reply({"status": "IN_QUEUE", "request_id": job_id, "response_url": home, "status_url": f"{home}/status",
                           "cancel_url": f"{home}/cancel", "logs": None, "metrics": {}, "queue_position": self.queued})

    def _status(self, job: dict) -> dict:
        home = f"{self.url}{self.api}/{app_of(job['model'])}/requests/{job['id']}"
        if job["queued"] > 0 and job["state"] == "queued":
            job["queued"] -= 1
            return {"status": "IN_QUEUE", "queue_position": job["queued"], "response_url": home}
        job = self.jobs.check(job["id"], self._finish)
        if job["state"] in ("queued", "running"):
            return {"status": "IN_PROGRESS", "logs": None, "response_url": home}
        done = {"status": "COMPLETED", "logs": None, "metrics": {"inference_time": 1.5}, "response_url": home}
        if job["state"] == "failed" and self.status_error:
            done.update(error=job["problems"][0]["msg"], error_type=job["problems"][0]["type"])
        return done

    def _finish(self, job: dict) -> None:
        job["state"] = "failed" if job["problems"] else "succeeded"

    def _result(self, job: dict) -> Reply:
        if job["state"] in ("queued", "running"):
            return json_reply({"detail": "Request is still in progress"}, 400)
        if job["state"] == "cancelled":
            return json_reply({"detail": "Request was cancelled", "error_type": "client_cancelled"}, 400)
        if job["state"] == "failed":
            return json_reply({"detail": job["problems"]}, 422)
        spec: Model = job["spec"]
        if self.data_output:
            url = f"data:{TYPES[spec.makes]};base64," + base64.b64encode(_media(spec.makes, job)).decode()
        else:
            url = f"{self.url}/files/{job['id']}.{spec.makes}"
        output = spec.output(job["input"], url)
        if self.nsfw and "has_nsfw_concepts" in output:
            output["has_nsfw_concepts"] = [True]
        return json_reply(output)

    def _download(self, name: str) -> Reply:
        job_id, _, suffix = name.partition(".")
        job = self.jobs.items.get(job_id)
        if job is None or suffix not in TYPES:
            return json_reply({"detail": "Not found"}, 404)
        return Reply(200, _media(suffix, job), {"Content-Type": TYPES[suffix]}, download=True)


def _media(suffix: str, job: dict) -> bytes:
    if suffix == "png":
        return media.png(str(job["input"].get("prompt", "")))
    if suffix == "mp4":
        return media.mp4()
    return media.mp3() if suffix == "mp3" else media.wav()


def _hold(fake: FakeFal) -> None:
    fake.jobs.hold = True


def _throttle(fake: FakeFal, polls: int) -> None:
    fake.queued = polls


def _echo(fake: FakeFal) -> None:
    fake.echo_secret = True


CASE = Case(
    name="fal", fake=FakeFal, env={"FAL_KEY": KEY},
    settings=lambda url: {"base_url": url, "models": {"music_cue": "fal-ai/stable-audio"}},
    kinds={"keyframe": {}, "clip": {"duration_s": 4.0}, "music_cue": {}},
    inputs={"clip": {"first_frame": "png"}},
    submit="/fal-ai/flux/dev", download="/files/", refuse_word="forbidden", refusal=FakeFal.REFUSAL,
    hold=_hold, cancelled=lambda fake: fake.jobs.cancelled, throttle=_throttle, echo_secret=_echo,
)
