"""A fake of Replicate's predictions API: official models by name, any model by version.

POST /v1/models/{owner}/{name}/predictions {input} or POST /v1/predictions {version, input}
creates a prediction (201); `Prefer: wait=N` answers it finished when it can be (the fake
runs it at once unless it is held or queued). GET /v1/predictions/{id} polls it
(starting → processing → succeeded | failed); POST .../cancel cancels it. A prompt with a
word of `refuse_words` fails with Replicate's NSFW message. Errors are problem details,
`{"title", "detail", "status"}`; a missing or wrong token is a 401, an unknown model a 404, a
missing required input a 422. Outputs are served from /files/ (no token), in each model's
output shape (a URL, a list of URLs, or a dict of them).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from . import media
from .server import Case, FakeService, Jobs, Reply, Request, json_reply

KEY = "r8_test-secret-0123456789"
MUSICGEN = "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb"


@dataclass(frozen=True)
class Model:
    makes: str                     # "png" | "mp4" | "mp3" | "wav"
    required: tuple[str, ...]
    shape: str = "url"             # "url" | "list" | "dict"


MODELS = {
    "black-forest-labs/flux-kontext-pro": Model("png", ("prompt",)),
    "black-forest-labs/flux-schnell": Model("png", ("prompt",), "list"),
    "google/nano-banana": Model("png", ("prompt",)),
    "kwaivgi/kling-v2.1": Model("mp4", ("prompt", "start_image")),
    "minimax/speech-02-turbo": Model("mp3", ("text",)),
    # A community model whose output is a dict of files.
    "fofr/sound-and-notes": Model("wav", ("prompt",), "dict"),
}
VERSIONS = {MUSICGEN: Model("wav", ("prompt",))}
TYPES = {"png": "image/png", "mp4": "video/mp4", "mp3": "audio/mpeg", "wav": "audio/wav"}


class FakeReplicate(FakeService):
    REFUSAL = "NSFW content detected. Try running it again, or try a different prompt."

    def __init__(self) -> None:
        super().__init__()
        self.jobs = Jobs(polls=2)
        self.refuse_words = {"forbidden"}
        self.queued = 0             # polls each new prediction spends `starting` first
        self.echo_secret = False    # error bodies repeat the Authorization header
        self.sync = True            # honour Prefer: wait (finish at once when possible)
        self.early_files = False    # a sync answer gives the files while still `processing`
        self.data_output = False    # outputs are data: URIs instead of URLs
        self.api = "/v1"            # where `urls` point (another prefix checks the client follows them)

    def error_body(self, status: int):
        return {"title": "Fake error", "detail": f"fake Replicate error {status}", "status": status}

    def route(self, request: Request) -> Reply:
        if request.path.startswith("/files/"):  # replicate.delivery: no token
            return self._file(request.path.rsplit("/", 1)[1])
        auth = request.header("authorization")
        if auth != f"Bearer {KEY}":
            said = f"Invalid token {auth}" if self.echo_secret else "You did not pass a valid authentication token"
            return _problem(401, "Unauthenticated", said)
        path = request.path
        if path.startswith("/alt/v1/"):
            path = path[len("/alt"):]
        if request.method == "POST" and path.startswith("/v1/models/") and path.endswith("/predictions"):
            name = path[len("/v1/models/"):-len("/predictions")]
            model = MODELS.get(name)
            if model is None:
                return _problem(404, "Not found", "The requested resource could not be found.")
            return self._create(request, name, model)
        if request.method == "POST" and path == "/v1/predictions":
            body = request.json() or {}
            model = VERSIONS.get(str(body.get("version")))
            if model is None:
                return _problem(422, "Invalid version or not permitted",
                                "The specified version does not exist (or perhaps you don't have permission to use it?)")
            return self._create(request, str(body["version"]), model)
        if path.startswith("/v1/predictions/"):
            rest = path[len("/v1/predictions/"):]
            if request.method == "POST" and rest.endswith("/cancel"):
                job_id = rest[: -len("/cancel")]
                if not self.jobs.cancel(job_id):
                    return _problem(404, "Not found", "The requested resource could not be found.")
                return json_reply(self._view(self.jobs.items[job_id]))
            if request.method == "GET":
                job = self.jobs.items.get(rest)
                if job is None:
                    return _problem(404, "Not found", "The requested resource could not be found.")
                if job["queued"] > 0 and job["state"] == "queued":
                    job["queued"] -= 1
                    return json_reply(self._view(job))
                return json_reply(self._view(self.jobs.check(rest, self._finish)))
        return _problem(404, "Not found", "The requested resource could not be found.")

    def _create(self, request: Request, name: str, model: Model) -> Reply:
        body = request.json() or {}
        given = body.get("input")
        if not isinstance(given, dict):
            return _problem(422, "Input validation failed", "- input: Invalid type. Expected: object")
        missing = [k for k in model.required if not given.get(k)]
        if missing:
            return _problem(422, "Input validation failed", "".join(f"- input: {k} is required\n" for k in missing))
        refused = any(w in str(given.get("prompt", "")) + str(given.get("text", "")) for w in self.refuse_words)
        job_id = self.jobs.add({"model": name, "spec": model, "input": given, "refused": refused, "queued": self.queued})
        prefer = request.header("prefer") or ""
        if self.sync and prefer.startswith("wait") and not self.queued and not self.jobs.hold:
            for _ in range(self.jobs.polls):
                self.jobs.check(job_id, self._finish)
        view = self._view(self.jobs.items[job_id])
        if self.early_files and prefer.startswith("wait") and view["status"] == "succeeded" and not refused:
            view["status"] = "processing"
            self.jobs.items[job_id]["state"] = "running"
        return json_reply(view, 201)

    def _finish(self, job: dict) -> None:
        job["state"] = "failed" if job["refused"] else "succeeded"

    def _view(self, job: dict) -> dict:
        urls = {"get": f"{self.url}{self.api}/predictions/{job['id']}",
                "cancel": f"{self.url}{self.api}/predictions/{job['id']}/cancel"}
        view = {"id": job["id"], "model": job["model"], "input": job["input"], "output": None, "error": None,
                "logs": "", "urls": urls}
        state = job["state"]
        status = {"queued": "starting", "running": "processing", "cancelled": "canceled"}.get(state, state)
        view["status"] = status
        if status == "processing":
            view["logs"] = "Running...\n 40%|████      | 4/10\n"
        if status == "failed":
            view["error"] = self.REFUSAL
        if status == "succeeded" or (status == "processing" and self.early_files):
            view["output"] = self._output(job)
        return view

    def _output(self, job: dict):
        spec: Model = job["spec"]
        if self.data_output:
            url = f"data:{TYPES[spec.makes]};base64," + base64.b64encode(_media(spec.makes, job)).decode()
        else:
            url = f"{self.url}/files/{job['id']}.{spec.makes}"
        if spec.shape == "list":
            return [url]
        if spec.shape == "dict":
            return {"json": None, "notes": "a tune in D minor", "audio": url}
        return url

    def _file(self, name: str) -> Reply:
        job_id, _, suffix = name.partition(".")
        job = self.jobs.items.get(job_id)
        if job is None or suffix not in TYPES:
            return Reply(404, "Not found")
        return Reply(200, _media(suffix, job), {"Content-Type": TYPES[suffix]}, download=True)


def _media(suffix: str, job: dict) -> bytes:
    if suffix == "png":
        return media.png(str(job["input"].get("prompt", "")))
    if suffix == "mp4":
        return media.mp4()
    return media.mp3() if suffix == "mp3" else media.wav()


def _problem(status: int, title: str, detail: str) -> Reply:
    return Reply(status, json.dumps({"title": title, "detail": detail, "status": status}).encode(),
                 {"Content-Type": "application/problem+json"})


def _hold(fake: FakeReplicate) -> None:
    fake.jobs.hold = True


def _throttle(fake: FakeReplicate, polls: int) -> None:
    fake.queued = polls


def _echo(fake: FakeReplicate) -> None:
    fake.echo_secret = True


CASE = Case(
    name="replicate", fake=FakeReplicate, env={"REPLICATE_API_TOKEN": KEY},
    settings=lambda url: {"base_url": url, "models": {"music_cue": f"meta/musicgen:{MUSICGEN}"}},
    kinds={"keyframe": {}, "clip": {"duration_s": 4.0}, "music_cue": {}},
    inputs={"clip": {"first_frame": "png"}},
    submit="/v1/models/", download="/files/", refuse_word="forbidden", refusal=FakeReplicate.REFUSAL,
    hold=_hold, cancelled=lambda fake: fake.jobs.cancelled, throttle=_throttle, echo_secret=_echo,
)
