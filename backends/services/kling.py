"""Kling: image-to-video (and text-to-video) through Kling's official API.

    POST /v1/videos/image2video {model_name, mode, duration "5" | "10", image, image_tail, prompt,
                                 negative_prompt, cfg_scale, external_task_id}
    POST /v1/videos/text2video  {the same without images, with aspect_ratio "16:9" | "9:16" | "1:1"}
      → {code, message, request_id, data: {task_id, task_status}}
    GET /v1/videos/{image2video | text2video}/{task_id or external_task_id}
      → {code, message, request_id, data: {task_id, task_status: submitted | processing | succeed | failed,
                                           task_status_msg, task_result: {videos: [{url, duration}]}}}

Authentication is `Authorization: Bearer <JWT>`: a token signed (HS256) with $KLING_SECRET_KEY
whose issuer is $KLING_ACCESS_KEY, valid for 30 minutes; one token serves every request until
five minutes before it runs out. Every answer is an envelope whose `code` is 0 when all is well:
an error comes as an HTTP error status with the envelope's `code` and `message`, and a 2xx
envelope with another code is an error too.

A clip starts from the shot's keyframe (`image`) and, when the next shot continues this one,
ends on that shot's keyframe (`image_tail`): both shots then meet on one frame made from the
same sheets, instead of the drift of chaining last frames. A later part of a split shot starts
from the last frame of the part before it. A clip with no picture at all is made from its
prompt (text2video). Kling makes clips of 5 or 10 seconds; a shorter shot gets the next length
up (and is priced so), and the edit trims it. Kling takes no seed.

Each submit carries an `external_task_id` (unique per Kling account) made from what the clip
is and a random number drawn once per backend: a submit whose answer was lost is sent again
with the same id, and when Kling answers that it has that task already, the backend follows
that task instead of paying for a second one. A new build draws a new number, so it asks
afresh. Kling has no way to cancel a task: an interrupted build leaves a submitted clip to
finish (and be paid for) at Kling.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import httpx
import jwt

from ..base import BackendError, Capabilities, Job, Price
from .client import ServiceBackend
from .files import bare_base64, still_of

DURATIONS = (5, 10)
# Picture shapes text2video makes, as "width:height" (image2video takes the image's own).
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
MODES = ("std", "pro")
PROMPT_LIMIT = 2500
# What Kling says about images: JPEG or PNG, at most 10 MB, no side under 300 px.
MIN_SIDE = 300
MAX_IMAGE_BYTES = 10 * 1024 * 1024
# The token's life (Kling's examples use 30 minutes) and how long before its end a new one is made.
TOKEN_S = 1800
REFRESH_S = 300
# Estimated US dollars per second of clip by mode (Kling bills whole 5 or 10 s clips), from
# Kling's and resellers' public price lists in 2025-26; film.toml's `prices` overrides them.
PER_SECOND = {"std": 0.05, "pro": 0.09}
# Answers with HTTP 429 that no waiting cures: account exception, arrears, resource packs used
# up, an IP not on the allow list. 1302 (too many requests) and 1303 (over the concurrency of
# the account's packs) are worth waiting out.
ACCOUNT_CODES = {1100: "", 1101: " (the Kling account is in arrears)", 1102: " (the account's Kling resource packs are used up)",
                 1304: " (this machine's IP address is not on the account's allow list)"}


class KlingBackend(ServiceBackend):
    title = "Kling"
    version = "1"
    DEFAULT_URL = "https://api-singapore.klingai.com"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("KLING_ACCESS_KEY", "KLING_SECRET_KEY")
    capabilities = Capabilities(
        produces=frozenset({"video"}), max_clip_s=10, first_frame=True, last_frame=True,
        prices={"clip": Price(per_second=PER_SECOND["std"])},
    )
    DEFAULTS = {**ServiceBackend.DEFAULTS, "poll_s": 5.0}

    def __init__(self, settings=None) -> None:
        super().__init__(settings)
        where = f"[backend.{self.name}]"
        self.model = self.settings.get("model", "kling-v2-1")
        if not isinstance(self.model, str) or not self.model:
            raise ValueError(f"{where} `model` must be a Kling model name, like \"kling-v2-1\"")
        self.mode = self.settings.get("mode", "std")
        if self.mode not in MODES:
            raise ValueError(f"{where} `mode` must be \"std\" or \"pro\", not {self.mode!r}")
        self.cfg_scale = self.settings.get("cfg_scale")
        if self.cfg_scale is not None and (isinstance(self.cfg_scale, bool) or not isinstance(self.cfg_scale, int | float)
                                           or not 0 <= self.cfg_scale <= 1):
            raise ValueError(f"{where} `cfg_scale` must be a number from 0 to 1, not {self.cfg_scale!r}")
        self.negative_prompt = self.settings.get("negative_prompt", "")
        if not isinstance(self.negative_prompt, str) or len(self.negative_prompt) > PROMPT_LIMIT:
            raise ValueError(f"{where} `negative_prompt` must be text of at most {PROMPT_LIMIT} characters")
        # Drawn once: the submits of this build share it, the next build's differ.
        self.nonce = secrets.token_hex(8)
        # The clock tokens are dated by (tests set it).
        self.clock: Callable[[], float] = time.time
        self._token: str | None = None
        self._token_ends = 0.0
        self._token_keys: str | None = None

    # ---- money ---------------------------------------------------------------------------

    def price(self, kind: str, params: Mapping[str, Any]) -> float:
        """Kling bills the clip it makes (5 or 10 s), not the part of it the edit keeps, at
        the mode's rate, unless film.toml's `prices` gives its own."""
        if kind == "clip" and "duration_s" in params:
            params = {**params, "duration_s": float(clip_length(float(params["duration_s"])))}
        if kind == "clip" and kind not in self.own_prices:
            return PER_SECOND[self.mode] * float(params.get("duration_s", 0.0))
        return super().price(kind, params)

    # ---- authentication --------------------------------------------------------------------

    def token(self) -> str:
        """The signed token requests carry, made anew when the keys change or it nears its end."""
        keys = (self.secret("KLING_ACCESS_KEY"), self.secret("KLING_SECRET_KEY"))
        # Which keys made the token, without keeping the secret itself.
        made_by = hashlib.sha256("\0".join(keys).encode()).hexdigest()
        now = int(self.clock())
        if self._token is None or made_by != self._token_keys or now >= self._token_ends - REFRESH_S:
            with warnings.catch_warnings():
                # PyJWT warns about HMAC keys under 32 bytes; how long a secret is is Kling's to say.
                warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
                self._token = jwt.encode({"iss": keys[0], "exp": now + TOKEN_S, "nbf": now - 5}, keys[1],
                                         algorithm="HS256", headers={"typ": "JWT"})
            self._token_ends = now + TOKEN_S
            self._token_keys = made_by
        return self._token

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def extra_secrets(self) -> list[str]:
        return [self._token] if self._token else []

    # ---- errors ----------------------------------------------------------------------------

    def explain(self, response: httpx.Response) -> str:
        """Kling's envelope as `message (code N)`."""
        envelope = _envelope(response)
        if envelope is None or "code" not in envelope:
            return super().explain(response)
        message = " ".join(str(envelope.get("message") or "no message").split())
        return f"{message[:300]} (code {envelope['code']})"

    async def wait_throttled(self, wait: float | None, failures: int, deadline: float, what: str,
                             response: httpx.Response | None = None) -> None:
        """Kling answers 429 for an account problem as well as for going too fast: that one
        fails at once rather than waiting out `max_wait_s`."""
        code = (_envelope(response) or {}).get("code") if response is not None else None
        if response is not None and code in ACCOUNT_CODES:
            raise BackendError(f"Kling refused to {what}: 429 {self.explain(response)}{ACCOUNT_CODES[code]}")
        await super().wait_throttled(wait, failures, deadline, what, response)

    def data(self, response: httpx.Response, what: str) -> dict[str, Any]:
        """The `data` of a 2xx envelope; a BackendError when its code says something went wrong."""
        envelope = _envelope(response)
        if envelope is None:
            raise BackendError(f"Kling answered the request to {what} with something that is not its JSON envelope: "
                               f"{response.text[:200]}")
        if envelope.get("code", 0) != 0:
            raise BackendError(f"Kling refused to {what}: {self.explain(response)}")
        data = envelope.get("data")
        return data if isinstance(data, dict) else {}

    # ---- a clip ----------------------------------------------------------------------------

    def external_id(self, job: Job) -> str:
        """The submit's idempotency key: what the clip is, and this backend's number."""
        digest = hashlib.sha256(self.nonce.encode())
        digest.update(json.dumps({"kind": job.kind, "params": dict(job.params), "seed": job.seed}, sort_keys=True,
                                 default=str).encode())
        for role in sorted(job.inputs):
            with job.inputs[role].open("rb") as handle:
                digest.update(role.encode() + b"\0" + hashlib.file_digest(handle, "sha256").digest())
        return f"filmc-{digest.hexdigest()[:40]}"

    async def make(self, job: Job) -> Path:
        first = job.inputs.get("first_frame")
        made_still = None
        if first is None and "previous" in job.inputs:
            # A later part of a split shot: it goes on from where the part before it ends.
            first = made_still = await still_of(job.inputs["previous"], job.workdir / "previous-end.png")
        body: dict[str, Any] = {
            "model_name": self.model, "mode": self.mode, "prompt": str(job.params.get("prompt", ""))[:PROMPT_LIMIT],
            "duration": str(clip_length(float(job.params["duration_s"]))), "external_task_id": self.external_id(job),
        }
        if self.negative_prompt:
            body["negative_prompt"] = self.negative_prompt
        if self.cfg_scale is not None:
            body["cfg_scale"] = self.cfg_scale
        tail = job.inputs.get("last_frame")
        if first is not None or tail is not None:
            endpoint = "image2video"
            try:
                if first is not None:
                    body["image"] = image_for_kling(first)
                if tail is not None:
                    body["image_tail"] = image_for_kling(tail)
            finally:
                if made_still is not None:  # the task's folder is for what it returns
                    made_still.unlink(missing_ok=True)
        else:
            endpoint = "text2video"
            body["aspect_ratio"] = aspect_ratio(int(job.params["width"]), int(job.params["height"]))

        task = await self.submit(endpoint, body)
        task_id = task.get("task_id")
        if not task_id:
            raise BackendError(f"Kling accepted the clip but gave no task id: {str(task)[:200]}")

        async def check() -> list[dict[str, Any]] | None:
            response = await self.request("GET", f"/v1/videos/{endpoint}/{task_id}", what="check on the clip")
            task = self.data(response, "check on the clip")
            status = task.get("task_status")
            if status == "succeed":
                videos = (task.get("task_result") or {}).get("videos")
                return videos if isinstance(videos, list) else []
            if status == "failed":
                raise BackendError(f"Kling could not make the clip: {task.get('task_status_msg') or 'it failed'}")
            job.tell("queued at Kling" if status == "submitted" else "running at Kling")
            return None

        async with self.remote(None):  # Kling cannot cancel a task
            videos = await self.poll(check, "clip")
            url = next((v.get("url") for v in videos if isinstance(v, dict) and v.get("url")), None)
            if not url:
                raise BackendError("Kling finished the clip but sent no video")
            return await self.download(url, job, name="clip")

    async def submit(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create the task, or find it when Kling says it has it already (this is a resubmit
        whose first answer was lost): its `data`."""
        what = "submit the clip"
        response = await self.request("POST", f"/v1/videos/{endpoint}", what=what, idempotent=True, json=body,
                                      ok=lambda r: r.is_success or r.status_code in (400, 409))
        envelope = _envelope(response) or {}
        if response.is_success and envelope.get("code", 0) == 0:
            return self.data(response, what)
        # Kling's words for a reused external_task_id are not documented: whatever the refusal,
        # a task found under this build's id is this clip's own.
        found = await self.lookup(endpoint, body["external_task_id"])
        if found is not None:
            return found
        status = "" if response.is_success else f"{response.status_code} "
        hint = ""
        if "image_tail" in body and envelope.get("code") in (1200, 1201):
            hint = (" (the clip was sent with an end frame, image_tail, which only some Kling models and modes take; "
                    "try mode = \"pro\")")
        raise BackendError(f"Kling refused to {what}: {status}{self.explain(response)}{hint}")

    async def lookup(self, endpoint: str, external_id: str) -> dict[str, Any] | None:
        """The task made under `external_id`, or None when Kling has none."""
        response = await self.request("GET", f"/v1/videos/{endpoint}/{external_id}", what="look up the clip",
                                      ok=lambda r: r.is_success or r.status_code in (400, 404))
        envelope = _envelope(response) or {}
        data = envelope.get("data")
        if not response.is_success or envelope.get("code", 0) != 0 or not isinstance(data, dict) or not data.get("task_id"):
            return None
        return data


def clip_length(duration_s: float) -> int:
    """The shortest clip Kling makes that holds `duration_s` (the longest when none does)."""
    return next((d for d in DURATIONS if d >= duration_s - 1e-6), DURATIONS[-1])


def aspect_ratio(width: int, height: int) -> str:
    """The text2video shape nearest the film's."""
    want = width / height
    return min(ASPECT_RATIOS, key=lambda r: abs(int(r.split(":")[0]) / int(r.split(":")[1]) - want))


def image_for_kling(path: Path) -> str:
    """An image as the bare base64 Kling takes: as it is when it is a PNG or JPEG of the size
    Kling accepts, else scaled up to 300 px on its short side and re-encoded (JPEG over 10 MB)."""
    from PIL import Image

    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        small = min(image.size) < MIN_SIDE
        if image.format in ("PNG", "JPEG") and not small and len(data) <= MAX_IMAGE_BYTES:
            return bare_base64(path)
        picture = image.convert("RGB")
    if small:
        scale = MIN_SIDE / min(picture.size)
        picture = picture.resize((max(MIN_SIDE, round(picture.width * scale)), max(MIN_SIDE, round(picture.height * scale))),
                                 Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "PNG")
    if out.tell() > MAX_IMAGE_BYTES:
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=92)
    return base64.b64encode(out.getvalue()).decode("ascii")


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
