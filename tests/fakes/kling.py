"""A fake of Kling's API: image2video and text2video tasks, queried under the path that made them.

Every request but a download needs `Authorization: Bearer <JWT>`, checked with PyJWT: signed
HS256 with `SECRET_KEY`, issued by `ACCESS_KEY`, inside its `nbf`..`exp` window by the fake's
`clock`. Bodies are checked as Kling documents them: `duration` "5" or "10" (strings), prompts of
at most 2500 characters, images as bare base64 (no `data:` prefix) of a JPEG or PNG with no side
under 300 px and a shape between 1:2.5 and 2.5:1, `external_task_id` unique (a second submit
with one already used is refused). Statuses go submitted (longer while `throttled` says) →
processing → succeed | failed; a prompt with a word of `refuse_words` fails with a moderation
message. A task is found by its task_id or its external_task_id. Kling has no cancel endpoint,
and neither has the fake.

Every answer is Kling's envelope `{code, message, request_id, data}`. The error codes follow
Kling's published table (1000-1004 authentication, 1102 resource packs used up, 1201 a bad
parameter, 1203 no such resource, 1302 and 1303 throttling, 5000-5002 server errors); the exact
messages, and what Kling answers to a reused external_task_id, are plausible guesses.
"""

from __future__ import annotations

import base64
import binascii
import io
import time
import uuid

import jwt
from PIL import Image

from . import media
from .server import Case, FakeService, Jobs, Reply, Request, json_reply

ACCESS_KEY = "ak-test-0123456789abcdef"
# At least 32 bytes: PyJWT warns about shorter HMAC keys, and the suite turns warnings into errors.
SECRET_KEY = "sk-test-0123456789abcdef0123456789abcdef"

ENDPOINTS = ("image2video", "text2video")
# The Kling code a fault's HTTP status comes with.
CODES = {400: 1200, 401: 1000, 403: 1103, 404: 1203, 429: 1302, 500: 5000, 502: 5000, 503: 5001, 504: 5002}


class FakeKling(FakeService):
    REFUSAL = "Failure to pass the risk control system"

    def __init__(self) -> None:
        super().__init__()
        self.jobs = Jobs(polls=2)
        self.refuse_words = {"forbidden"}
        self.throttled = 0          # polls each new task spends `submitted` first
        self.echo_secret = False    # error bodies repeat the Authorization header (a careless service)
        self.gateway_timeouts = 0   # the next submits are carried out, then answered 504 (a gateway gave up waiting)
        self.clock = time.time      # what the fake checks a token's nbf and exp against
        self.external: dict[str, str] = {}  # external_task_id → task_id
        self.tokens: list[dict] = []        # the claims of every token accepted

    def error_body(self, status: int):
        return envelope(CODES.get(status, 5000), f"fake Kling error {status}")

    # ---- what tests look at --------------------------------------------------------------

    def seen(self, method: str | None = None, path: str = "") -> list[Request]:
        """Kling's queries live under the path that creates the task (`…/image2video/{id}`):
        asked for a create endpoint's own path, this lists the creates alone."""
        if path.rstrip("/").split("/")[-1] in ENDPOINTS and not path.endswith("/"):
            with self.lock:
                return [r for r in self.requests if (method is None or r.method == method) and r.path == path]
        return super().seen(method, path)

    def submits(self) -> list[dict]:
        """The bodies of the create requests received, in order."""
        return [r.json() for r in self.seen("POST") if r.path.split("/")[-1] in ENDPOINTS]

    # ---- routing -------------------------------------------------------------------------

    def route(self, request: Request) -> Reply:
        if request.path.startswith("/files/"):  # outputs are on a CDN: no token
            return Reply(200, media.mp4(), {"Content-Type": "video/mp4"}, download=True)
        refused = self.authenticate(request)
        if refused is not None:
            return refused
        parts = request.path.strip("/").split("/")
        if len(parts) in (3, 4) and parts[:2] == ["v1", "videos"] and parts[2] in ENDPOINTS:
            if len(parts) == 3 and request.method == "POST":
                return self.create(parts[2], request)
            if len(parts) == 4 and request.method == "GET":
                return self.query(parts[2], parts[3])
        return json_reply(envelope(1202, "The requested method is not supported"), 404)

    def authenticate(self, request: Request) -> Reply | None:
        auth = request.header("authorization")
        if not auth:
            return json_reply(envelope(1001, "Authorization is empty"), 401)
        said = f": {auth}" if self.echo_secret else ""
        if not auth.startswith("Bearer "):
            return json_reply(envelope(1002, f"Authorization is invalid{said}"), 401)
        try:
            claims = jwt.decode(auth.removeprefix("Bearer "), SECRET_KEY, algorithms=["HS256"],
                                options={"require": ["iss", "exp", "nbf"], "verify_exp": False, "verify_nbf": False})
        except jwt.InvalidSignatureError:
            return json_reply(envelope(1000, f"Authentication failed{said}"), 401)
        except jwt.InvalidTokenError:
            return json_reply(envelope(1002, f"Authorization is invalid{said}"), 401)
        if claims["iss"] != ACCESS_KEY:
            return json_reply(envelope(1000, f"Authentication failed{said}"), 401)
        now = self.clock()
        if claims["nbf"] > now:
            return json_reply(envelope(1003, "Authorization is not yet valid"), 401)
        if claims["exp"] <= now:
            return json_reply(envelope(1004, "Authorization has expired"), 401)
        with self.lock:
            self.tokens.append(claims)
        return None

    def create(self, endpoint: str, request: Request) -> Reply:
        try:
            body = request.json()
        except ValueError:
            return invalid(1200, "The request body is not JSON")
        if not isinstance(body, dict):
            return invalid(1200, "The request body is not an object")
        problem = self.problem(endpoint, body)
        if problem is not None:
            return invalid(1201, problem)
        external = body.get("external_task_id")
        with self.lock:
            if external is not None and external in self.external:
                return invalid(1201, f"external_task_id {external} already exists")
            refused = any(w in body.get("prompt", "") for w in self.refuse_words)
            job_id = self.jobs.add({"endpoint": endpoint, "body": body, "refused": refused, "throttled": self.throttled,
                                    "external": external})
            if external is not None:
                self.external[external] = job_id
            if self.gateway_timeouts > 0:
                self.gateway_timeouts -= 1
                return json_reply(self.error_body(504), 504)
        return json_reply(envelope(0, "SUCCEED", self.view(self.jobs.items[job_id])))

    def problem(self, endpoint: str, body: dict) -> str | None:
        """What is wrong with a create request, in Kling's manner, or None."""
        if body.get("mode", "std") not in ("std", "pro"):
            return "mode must be one of std, pro"
        if body.get("duration", "5") not in ("5", "10"):
            return "duration must be one of 5, 10"
        for field in ("prompt", "negative_prompt"):
            if not isinstance(body.get(field, ""), str) or len(body.get(field, "")) > 2500:
                return f"{field} cannot exceed 2500 characters"
        scale = body.get("cfg_scale", 0.5)
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 <= scale <= 1:
            return "cfg_scale must be in [0, 1]"
        if not isinstance(body.get("model_name", "kling-v1"), str):
            return "model_name is invalid"
        if endpoint == "text2video":
            if not body.get("prompt"):
                return "prompt is required"
            if body.get("aspect_ratio", "16:9") not in ("16:9", "9:16", "1:1"):
                return "aspect_ratio must be one of 16:9, 9:16, 1:1"
            return None
        if not body.get("image") and not body.get("image_tail"):
            return "image and image_tail cannot both be empty"
        for field in ("image", "image_tail"):
            if body.get(field):
                problem = image_problem(body[field])
                if problem is not None:
                    return f"{field}: {problem}"
        return None

    def query(self, endpoint: str, key: str) -> Reply:
        with self.lock:
            job_id = key if key in self.jobs.items else self.external.get(key)
            job = self.jobs.items.get(job_id) if job_id is not None else None
            if job is None or job["endpoint"] != endpoint:
                return json_reply(envelope(1203, "task not found"), 404)
            if job["throttled"] > 0 and job["state"] == "queued":
                job["throttled"] -= 1
                return json_reply(envelope(0, "SUCCEED", self.view(job)))
        job = self.jobs.check(job_id, self._finish)
        return json_reply(envelope(0, "SUCCEED", self.view(job)))

    def _finish(self, job: dict) -> None:
        job["state"] = "failed" if job["refused"] else "succeeded"

    def view(self, job: dict) -> dict:
        status = {"queued": "submitted", "running": "processing", "succeeded": "succeed", "failed": "failed"}[job["state"]]
        data = {"task_id": job["id"], "task_status": status, "task_status_msg": "",
                "task_info": {"external_task_id": job["external"]}, "created_at": 1722769557708, "updated_at": 1722769557708}
        if status == "failed":
            data["task_status_msg"] = self.REFUSAL
        if status == "succeed":
            data["task_result"] = {"videos": [{"id": f"video-{job['id']}", "url": f"{self.url}/files/{job['id']}.mp4",
                                               "duration": job["body"].get("duration", "5")}]}
        return data


def envelope(code: int, message: str, data: dict | None = None) -> dict:
    body = {"code": code, "message": message, "request_id": str(uuid.uuid4())}
    if data is not None:
        body["data"] = data
    return body


def invalid(code: int, message: str) -> Reply:
    return json_reply(envelope(code, message), 400)


def image_problem(value: str) -> str | None:
    """What Kling would refuse about an image given as base64, or None."""
    if value.startswith("data:"):
        return "base64 must not carry a data: prefix"
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "is neither a URL nor base64"
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except Exception:  # noqa: BLE001 - whatever Pillow cannot read, Kling cannot either
        return "is not a picture"
    if kind not in ("PNG", "JPEG"):
        return "must be a JPG, JPEG or PNG"
    if len(data) > 10 * 1024 * 1024:
        return "must not exceed 10MB"
    if min(width, height) < 300:
        return f"width and height must not be less than 300px, got {width}x{height}"
    if not 1 / 2.5 <= width / height <= 2.5:
        return "aspect ratio must be between 1:2.5 and 2.5:1"
    return None


def _throttle(fake: FakeKling, polls: int) -> None:
    fake.throttled = polls


def _echo(fake: FakeKling) -> None:
    fake.echo_secret = True


CASE = Case(
    name="kling", fake=FakeKling, env={"KLING_ACCESS_KEY": ACCESS_KEY, "KLING_SECRET_KEY": SECRET_KEY},
    settings=lambda url: {"base_url": url},
    kinds={"clip": {"move": "push in", "duration_s": 4.0}},
    inputs={"clip": {"first_frame": "png"}},
    submit="/v1/videos/image2video", download="/files/", refuse_word="forbidden", refusal=FakeKling.REFUSAL,
    idempotent_submit=True, cancels=False, throttle=_throttle, echo_secret=_echo,
)
