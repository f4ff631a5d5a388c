"""OpenAI and services that speak its API: pictures from the Images API, voice lines from the
Speech API.

    POST {base_url}/images/generations {model, prompt, n: 1, size, quality, output_format: "png"}
      → {created, data: [{b64_json | url}]}
    POST {base_url}/images/edits, multipart: image[] (one part per reference picture), prompt,
      model, n, size, quality, output_format, input_fidelity → the same
    POST {base_url}/audio/speech {model, input, voice, instructions, response_format: "wav"}
      → the audio itself
    errors: {"error": {message, type, param, code}}; a refused prompt is a 400 with the code
      `moderation_blocked`, an account out of credit a 429 with `insufficient_quota`

Authentication is `Authorization: Bearer $OPENAI_API_KEY`; a compatible provider gets its own
`base_url` and, with `api_key_env`, its own variable. A picture with reference pictures (a
keyframe with its set's plate and its characters' sheets, a sheet or plate whose declaration
has a `ref:` image) goes to the edits endpoint, and its prompt starts by saying which picture is
what, so each character keeps the face and clothes of their sheet (at `input_fidelity = "high"`,
which gpt-image-1 offers for faces). The Images API takes no seed.

A voice line is said by the voice `voices` gives its character, else `voice`, else one of the
built-in voices picked by a hash of the character's name, so a character keeps one voice across
the film. How it is said (the `voice_line` prompt: the character's voice, the line's direction,
whether it is sung) goes as `instructions`, which `gpt-4o-mini-tts` follows and `tts-1` ignores.
Nothing here carries an idempotency key, so a request whose answer was lost is not sent again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import urllib.parse
from pathlib import Path
from typing import Any, ClassVar

import httpx

from ...compiler.names import fold
from ..base import BackendError, Capabilities, Job, Price
from .client import ServiceBackend
from .files import content_type_fits, mime_of

# The sizes each family of image models makes; a picture gets the one nearest its shape.
GPT_IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536")
_SIZES = {"dall-e-3": ("1024x1024", "1792x1024", "1024x1792"), "dall-e-2": ("1024x1024",)}
# The voices every OpenAI speech model has (gpt-4o-mini-tts has a few more: ballad, verse,
# marin, cedar); a character without a voice of their own gets one of these.
VOICES = ("alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer")
MAX_SPEECH_CHARS = 4096
MAX_PROMPT_CHARS = 32000
MAX_REFERENCES = 16
# List prices of one picture by model and quality: (square, landscape or portrait), in US
# dollars, late 2025. An edit also pays for its reference pictures as input image tokens: about
# 3,000 a picture at high input fidelity, 135 at low, at $10 a million (`_REFERENCE_PRICE`).
IMAGE_PRICES = {
    "gpt-image-1": {"low": (0.011, 0.016), "medium": (0.042, 0.063), "high": (0.167, 0.25), "auto": (0.167, 0.25)},
    "gpt-image-1-mini": {"low": (0.005, 0.006), "medium": (0.011, 0.015), "high": (0.036, 0.052), "auto": (0.036, 0.052)},
}
_REFERENCE_PRICE = {"high": 0.03, "low": 0.002, "": 0.002}
_PICTURES = ("character_sheet", "set_plate", "keyframe")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SIZE = re.compile(r"^\d{2,5}x\d{2,5}$")


class OpenAIBackend(ServiceBackend):
    title = "OpenAI"
    version = "1"
    DEFAULT_URL = "https://api.openai.com/v1"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("OPENAI_API_KEY",)
    capabilities = Capabilities(
        produces=frozenset({"image", "speech"}), reference_images=True, seeds=False,
        # gpt-image-1 at medium quality (a keyframe also pays for its references; `price`
        # follows the quality and shape), and gpt-4o-mini-tts at about $0.015 a minute.
        prices={"character_sheet": Price(per_task=0.063), "set_plate": Price(per_task=0.063),
                "keyframe": Price(per_task=0.12), "voice_line": Price(per_second=0.00025)},
    )
    SCHEDULING = ServiceBackend.SCHEDULING | {"api_key_env"}

    def __init__(self, settings=None) -> None:
        super().__init__(settings)
        self.image_model = self._text("image_model", "gpt-image-1")
        self.speech_model = self._text("speech_model", "gpt-4o-mini-tts")
        self.quality = self.settings.get("quality", _default_quality(self.image_model))
        if not isinstance(self.quality, str):
            raise ValueError(f"[backend.{self.name}] `quality` must be text, like \"medium\" (gpt-image-1: low, medium, "
                             "high or auto; dall-e-3: standard or hd; \"\" sends none)")
        # How closely an edit keeps the faces and clothes of its reference pictures.
        self.input_fidelity = self.settings.get("input_fidelity", _default_fidelity(self.image_model))
        if self.input_fidelity not in ("high", "low", ""):
            raise ValueError(f"[backend.{self.name}] `input_fidelity` must be \"high\", \"low\" or \"\" (send none), "
                             f"not {self.input_fidelity!r}")
        self.size = self.settings.get("size")
        if self.size is not None and (not isinstance(self.size, str) or not (self.size == "auto" or _SIZE.match(self.size))):
            raise ValueError(f"[backend.{self.name}] `size` must be WIDTHxHEIGHT, like \"1536x1024\", or \"auto\" "
                             f"(leave it out to take the size nearest the film's shape), not {self.size!r}")
        self.voice = self.settings.get("voice")
        if self.voice is not None and (not isinstance(self.voice, str) or not self.voice):
            raise ValueError(f"[backend.{self.name}] `voice` must be a voice name, like \"coral\"")
        voices = self.settings.get("voices", {})
        if not isinstance(voices, dict) or not all(isinstance(v, str) and v for v in voices.values()):
            raise ValueError(f"[backend.{self.name}] `voices` must be a table of character names and voice names, "
                             "like `voices = { ALIN = \"sage\" }`")
        self.voices = {fold(str(name)): voice for name, voice in voices.items()}
        env = self.settings.get("api_key_env", "OPENAI_API_KEY")
        if not isinstance(env, str) or not _ENV_NAME.match(env):
            raise ValueError(f"[backend.{self.name}] `api_key_env` must name an environment variable, like \"MY_PROVIDER_KEY\", "
                             f"not {env!r}")
        # The credential of this instance: `unavailable()`, `redact()` and the error hints read it.
        self.CREDENTIALS = (env,)
        host = urllib.parse.urlsplit(self.base_url).hostname or self.base_url
        if host != "api.openai.com":
            self.title = f"the OpenAI-compatible service at {host}"

    def _text(self, name: str, default: str) -> str:
        value = self.settings.get(name, default)
        if not isinstance(value, str) or not value:
            raise ValueError(f"[backend.{self.name}] `{name}` must be a model name, like \"{default}\"")
        return value

    # ---- the protocol -------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret(self.CREDENTIALS[0])}"}

    def explain(self, response: httpx.Response) -> str:
        """OpenAI's envelope, with its code: `Your request was rejected ... (moderation_blocked)`."""
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        if isinstance(error, dict) and error.get("message"):
            code = error.get("code") or error.get("type")
            return f"{error['message']}" + (f" ({code})" if code else "")
        return super().explain(response)

    async def wait_throttled(self, wait: float | None, failures: int, deadline: float, what: str,
                             response: httpx.Response | None = None) -> None:
        # A 429 that says the account is out of credit does not pass by waiting.
        if response is not None and _error_code(response) == "insufficient_quota":
            raise BackendError(f"{self.title} refused to {what}: 429 {self.explain(response)} "
                               "(the account has no credit left)")
        await super().wait_throttled(wait, failures, deadline, what, response)

    def price(self, kind: str, params) -> float:
        """The GPT image models' list price by quality and shape, with their reference pictures;
        the declared prices otherwise (or film.toml's)."""
        table = IMAGE_PRICES.get(self.image_model)
        if kind in self.own_prices or kind not in _PICTURES or table is None:
            return super().price(kind, params)
        square, oblong = table.get(self.quality, table["high"])
        size = self.size if self.size and self.size != "auto" else self.size_for(kind, params)
        width, _, height = size.partition("x")
        if kind == "keyframe":
            references = (1 if params.get("place") else 0) + len(params.get("subjects") or ())
        else:
            references = 1 if params.get("ref_sha256") else 0
        return (square if width == height else oblong) + references * _REFERENCE_PRICE[self.input_fidelity]

    async def make(self, job: Job) -> Path:
        if job.kind == "voice_line":
            return await self.speak(job)
        return await self.picture(job)

    # ---- pictures -----------------------------------------------------------------------

    async def picture(self, job: Job) -> Path:
        prompt = str(job.params.get("prompt", "")).strip()
        if not prompt:
            raise BackendError(f"{self.title} makes pictures from a prompt, and this {_kind_name(job.kind)} has none")
        fields: dict[str, Any] = {"model": self.image_model, "n": 1, "size": self.size or self.size_for(job.kind, job.params)}
        if self.quality:
            fields["quality"] = self.quality
        if self.image_model.startswith("gpt-image"):
            fields["output_format"] = "png"
        what = f"make the {_kind_name(job.kind)}"
        references = self.references(job)
        if not references:
            response = await self.request("POST", "images/generations", what=what,
                                          json={**fields, "prompt": prompt[:MAX_PROMPT_CHARS]})
        else:
            legend = " ".join(f"Image {n} is {said}." for n, (_, said) in enumerate(references, 1))
            files = [("image[]", (f"image-{n}{path.suffix or '.png'}", path.read_bytes(), mime_of(path)))
                     for n, (path, _) in enumerate(references, 1)]
            data = {**{k: str(v) for k, v in fields.items()}, "prompt": f"{legend}\n\n{prompt}"[:MAX_PROMPT_CHARS]}
            if self.input_fidelity:
                data["input_fidelity"] = self.input_fidelity
            response = await self.request("POST", "images/edits", what=what, data=data, files=files)
        return await self.keep_picture(response, job)

    def size_for(self, kind: str, params) -> str:
        """The model's size nearest the picture's shape: the film's for a keyframe; landscape
        for a sheet (its views side by side) and a plate (a wide establishing view)."""
        sizes = next((s for prefix, s in _SIZES.items() if self.image_model.startswith(prefix)), GPT_IMAGE_SIZES)
        try:
            want = float(params["width"]) / float(params["height"])
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            want = 16 / 9
        return min(sizes, key=lambda s: abs(_shape(s) - want))

    def references(self, job: Job) -> list[tuple[Path, str]]:
        """The pictures an edit starts from, each with what the prompt calls it: the set's
        plate, then the sheet of each character (in the order they are in frame), then a
        `ref:` picture the script names."""
        found: list[tuple[Path, str]] = []
        if "plate" in job.inputs:
            found.append((job.inputs["plate"], "the set of this shot, empty, in its light: keep its place, layout and light"))
        sheets = {role.split(":", 1)[1]: path for role, path in job.inputs.items() if role.startswith("sheet:")}
        order = [k for k in job.params.get("subjects") or () if k in sheets] + sorted(k for k in sheets if
                                                                                    k not in (job.params.get("subjects") or ()))
        for key in order:
            found.append((sheets[key], f"the character sheet of {key.upper()}: keep their face, build, hair and clothes"))
        if "ref" in job.references:
            name = str(job.params.get("name") or "the subject")
            what = "this person" if job.kind == "character_sheet" else "this place"
            found.append((job.references["ref"], f"a reference picture of {name}: keep the look of {what}"))
        return found[:MAX_REFERENCES]

    async def keep_picture(self, response: httpx.Response, job: Job) -> Path:
        try:
            data = response.json().get("data") or []
        except (ValueError, AttributeError):
            raise BackendError(f"{self.title} answered with something that is not JSON: {response.text[:200]}") from None
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        if first.get("b64_json"):
            try:
                picture = base64.b64decode(first["b64_json"], validate=True)
            except (binascii.Error, ValueError, TypeError):
                raise BackendError(f"{self.title} sent a {_kind_name(job.kind)} that is not valid base64") from None
            return self.save(picture, job, name="image")
        if first.get("url"):
            return await self.download(str(first["url"]), job, name="image")
        raise BackendError(f"{self.title} answered without a picture: {response.text[:200]}")

    # ---- voice lines --------------------------------------------------------------------

    async def speak(self, job: Job) -> Path:
        text = str(job.params.get("text", "")).strip()
        if not text:
            raise BackendError("this voice line has no text to say")
        if len(text) > MAX_SPEECH_CHARS:
            raise BackendError(f"{self.title} says at most {MAX_SPEECH_CHARS} characters at once, and this line has {len(text)}")
        body: dict[str, Any] = {"model": self.speech_model, "input": text,
                                "voice": self.voice_for(str(job.params.get("character", ""))), "response_format": "wav"}
        said = instructions(job.params)
        if said and not self.speech_model.startswith("tts-1"):
            body["instructions"] = said
        response = await self.request("POST", "audio/speech", what="say the voice line", json=body)
        content_type = response.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() == "application/json":
            # Some compatible providers send the audio as base64 in a JSON envelope.
            return self.save(self._inline_audio(response), job, name="line")
        if not content_type_fits(content_type, "audio"):
            raise BackendError(f"{self.title} sent {content_type} where a voice line was due: {response.text[:200]}")
        return self.save(response.content, job, name="line")

    def voice_for(self, character: str) -> str:
        """The character's voice from `voices`, else `voice`, else a built-in one chosen by
        their name (the same every time)."""
        own = self.voices.get(fold(character))
        if own:
            return own
        if self.voice:
            return self.voice
        digest = hashlib.sha256(fold(character).encode()).digest()
        return VOICES[int.from_bytes(digest[:4], "big") % len(VOICES)]

    def _inline_audio(self, response: httpx.Response) -> bytes:
        try:
            data = response.json().get("data") or []
            return base64.b64decode(data[0]["b64_json"], validate=True)
        except (ValueError, AttributeError, LookupError, TypeError, binascii.Error):
            raise BackendError(f"{self.title} sent JSON where a voice line was due: {response.text[:200]}") from None


def instructions(params) -> str:
    """How a line is said: its rendered `voice_line` prompt (the character's voice, the line's
    direction, whether it is sung), else those put together here."""
    prompt = str(params.get("prompt") or "").strip()
    if prompt:
        return prompt
    parts = [str(params.get("voice") or "").strip(), str(params.get("direction") or "").strip()]
    said = ". ".join(p.rstrip(".") for p in parts if p)
    if params.get("sung"):
        said = f"{said}. Sung." if said else "Sung."
    return said


def _default_fidelity(model: str) -> str:
    # gpt-image-1 and its successors keep faces better at high fidelity; the mini model has low only.
    return "high" if model.startswith("gpt-image") and "mini" not in model else ""


def _default_quality(model: str) -> str:
    if model.startswith("gpt-image"):
        return "medium"
    if model.startswith("dall-e-3"):
        return "standard"
    return ""


def _error_code(response: httpx.Response) -> str | None:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    return error.get("code") if isinstance(error, dict) else None


def _shape(size: str) -> float:
    width, height = size.split("x")
    return int(width) / int(height)


def _kind_name(kind: str) -> str:
    return {"character_sheet": "character sheet", "set_plate": "set plate"}.get(kind, kind)
