"""A fake of Runway's API: image_to_video tasks, polled at /v1/tasks/{id}, cancelled by DELETE.

Statuses go PENDING → (THROTTLED while `throttled` says) → RUNNING → SUCCEEDED | FAILED; a prompt
with a word of `refuse_words` fails moderation with Runway's failure text and code. Errors come
in Runway's envelope, `{"error": "..."}`; a missing or wrong key is a 401."""

from __future__ import annotations

import time

from . import media
from .server import Case, FakeService, Jobs, Reply, Request, json_reply

KEY = "rw-test-secret-0123456789"


class FakeRunway(FakeService):
    REFUSAL = "Your prompt was flagged by our content moderation system"

    def __init__(self) -> None:
        super().__init__()
        self.jobs = Jobs(polls=2)
        self.refuse_words = {"forbidden"}
        self.throttled = 0          # polls each new task spends THROTTLED first
        self.echo_secret = False    # error bodies repeat the Authorization header (a careless service)
        self.latency_s = 0.0        # when set, a task succeeds this long after it was submitted, however often polled

    def error_body(self, status: int):
        return {"error": f"fake Runway error {status}"}

    def route(self, request: Request) -> Reply:
        if request.path.startswith("/files/"):  # outputs are signed URLs on a CDN: no key
            return Reply(200, media.mp4(), {"Content-Type": "video/mp4"}, download=True)
        auth = request.header("authorization")
        if auth != f"Bearer {KEY}":
            said = f"Invalid API key {auth}" if self.echo_secret else "Invalid API key"
            return json_reply({"error": said}, 401)
        if request.header("x-runway-version") != "2024-11-06":
            return json_reply({"error": "You must specify a valid X-Runway-Version header"}, 400)
        if request.method == "POST" and request.path == "/v1/image_to_video":
            body = request.json()
            if not body.get("promptImage") or body.get("duration") not in (5, 10) or body.get("ratio") is None:
                return json_reply({"error": "Validation of body failed", "issues": [str(body)[:200]]}, 400)
            refused = any(w in body.get("promptText", "") for w in self.refuse_words)
            job_id = self.jobs.add({"body": body, "refused": refused, "throttled": self.throttled,
                                    "created": time.monotonic()})
            return json_reply({"id": job_id})
        if request.path.startswith("/v1/tasks/"):
            job_id = request.path.rsplit("/", 1)[1]
            if request.method == "DELETE":
                return Reply(204) if self.jobs.cancel(job_id) else json_reply({"error": "Task not found"}, 404)
            job = self.jobs.items.get(job_id)
            if job is None:
                return json_reply({"error": "Task not found"}, 404)
            if job["throttled"] > 0 and job["state"] == "queued":
                job["throttled"] -= 1
                return json_reply({"id": job_id, "status": "THROTTLED"})
            if self.latency_s:
                if job["state"] in ("queued", "running"):
                    done = time.monotonic() - job["created"] >= self.latency_s
                    job["state"] = ("failed" if job["refused"] else "succeeded") if done else "running"
                return json_reply(self._view(job))
            job = self.jobs.check(job_id, self._finish)
            return json_reply(self._view(job))
        return json_reply({"error": "Not found"}, 404)

    def _finish(self, job: dict) -> None:
        job["state"] = "failed" if job["refused"] else "succeeded"

    def _view(self, job: dict) -> dict:
        state = job["state"]
        if state == "succeeded":
            return {"id": job["id"], "status": "SUCCEEDED", "output": [f"{self.url}/files/{job['id']}.mp4"]}
        if state == "failed":
            return {"id": job["id"], "status": "FAILED", "failure": self.REFUSAL, "failureCode": "SAFETY.INPUT.TEXT"}
        if state == "cancelled":
            return {"id": job["id"], "status": "CANCELLED"}
        if state == "running":
            return {"id": job["id"], "status": "RUNNING", "progress": 0.4}
        return {"id": job["id"], "status": "PENDING"}


def _hold(fake: FakeRunway) -> None:
    fake.jobs.hold = True


def _throttle(fake: FakeRunway, polls: int) -> None:
    fake.throttled = polls


def _echo(fake: FakeRunway) -> None:
    fake.echo_secret = True


CASE = Case(
    name="runway", fake=FakeRunway, env={"RUNWAYML_API_SECRET": KEY},
    settings=lambda url: {"base_url": url},
    kinds={"clip": {"move": "push in", "duration_s": 4.0}},
    inputs={"clip": {"first_frame": "png"}},
    submit="/v1/image_to_video", download="/files/", refuse_word="forbidden", refusal=FakeRunway.REFUSAL,
    hold=_hold, cancelled=lambda fake: fake.jobs.cancelled, throttle=_throttle, echo_secret=_echo,
)
