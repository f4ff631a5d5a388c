"""ElevenLabs: voice lines from its text-to-speech API.

    POST /v1/text-to-speech/{voice_id}?output_format=mp3_44100_128
      {text, model_id, voice_settings, seed, previous_text, next_text} → the audio itself
    GET /v1/voices → {voices: [{voice_id, name, category}]}  (only to find a voice given by name)
    errors: {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}; a 422 lists
      what is wrong with the body: {"detail": [{loc, msg, type}]}

Authentication is the `xi-api-key` header with `$ELEVENLABS_API_KEY`. The API answers at once
with the audio: there is no job to poll or cancel. Over the account's concurrency ElevenLabs
queues a request, and answers 429 (`too_many_concurrent_requests`, `system_busy`) only when
that queue is full: the client waits and asks again.

Consistency: a character is said by one voice throughout (`voices`, else `voice`, else one of a
few of ElevenLabs' default voices picked by a hash of the character's name); every line carries
the task's seed; and, because the backend declares `line_context`, the planner gives each line
the same character's lines before and after it in the scene, sent as `previous_text` and
`next_text` so one delivery carries across the cuts. A line's direction cannot be sent as an
instruction: the models that read audio tags (`eleven_v3`, `eleven_v4`) get it as one in front
of the text (`[quietly] The sea is rising.`, and `[sings]` for a sung line); the others say the
text as written. Those tag-reading models take no `previous_text` or `next_text`, so they get
none.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path
from typing import Any, ClassVar

import httpx

from ...compiler.names import fold
from ..base import BackendError, Capabilities, Job, Price
from .client import ServiceBackend
from .files import content_type_fits

# A few of ElevenLabs' default ("premade") voices, which every account has: a character without
# a voice of their own gets one of them. George, Sarah, Roger, Laura, Callum, Alice, Brian, Lily.
DEFAULT_VOICES = (
    "JBFqnCBsd6RMkjVDRZzb", "EXAVITQu4vr4xnSDxMaL", "CwhRBWXzGAHq8TQ4Fs17", "FGY2WhTYpPnrIDTdsKH5",
    "N2lVS1w4EtoT3dr4eOWO", "Xb7hH8MSUJpSbSDYk0k2", "nPczCjzI2devNBz1zQrb", "pFZP5JQG7iQjIQuC4Bku",
)
# Models that read audio tags (`[whispers]`) and take no previous or next text.
TAGGED_MODELS = ("eleven_v3", "eleven_v4")
# voice_settings ElevenLabs knows, with what each takes.
VOICE_SETTINGS = {"stability": (0.0, 1.0), "similarity_boost": (0.0, 1.0), "style": (0.0, 1.0), "speed": (0.7, 1.2),
                  "use_speaker_boost": bool}
SEEDS = 4294967296  # seeds are 0 to 4294967295
# Characters a line may have, by model (Flash and Turbo v2.5 take 40,000; v3 5,000).
MAX_CHARS = {"eleven_v3": 5000, "eleven_flash_v2_5": 40000, "eleven_turbo_v2_5": 40000}
# US dollars per 1,000 characters at the API's list prices (late 2025): Flash and Turbo half.
PER_1000_CHARS = 0.10
_VOICE_ID = re.compile(r"^[A-Za-z0-9]{20}$")
_FORMAT = re.compile(r"^(mp3_\d+_\d+|wav_\d+)$")


class ElevenLabsBackend(ServiceBackend):
    title = "ElevenLabs"
    version = "1"
    DEFAULT_URL = "https://api.elevenlabs.io"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("ELEVENLABS_API_KEY",)
    capabilities = Capabilities(
        produces=frozenset({"speech"}), seeds=True, line_context=True,
        # About 15 characters a second of speech at $0.10 per 1,000 (`price` counts the
        # characters of each line instead, unless film.toml sets a price).
        prices={"voice_line": Price(per_second=0.0015)},
    )

    def __init__(self, settings=None) -> None:
        super().__init__(settings)
        self.model = self.settings.get("model", "eleven_multilingual_v2")
        if not isinstance(self.model, str) or not self.model:
            raise ValueError(f"[backend.{self.name}] `model` must be an ElevenLabs model id, like \"eleven_multilingual_v2\"")
        self.output_format = self.settings.get("output_format", "mp3_44100_128")
        if not isinstance(self.output_format, str) or not _FORMAT.match(self.output_format):
            raise ValueError(f"[backend.{self.name}] `output_format` must be an MP3 or WAV format of ElevenLabs, like "
                             f"\"mp3_44100_128\" or \"wav_44100\", not {self.output_format!r}")
        self.voice_settings = self.settings.get("voice_settings", {})
        _check_voice_settings(self.name, self.voice_settings)
        self.voice = self.settings.get("voice")
        if self.voice is not None and (not isinstance(self.voice, str) or not self.voice):
            raise ValueError(f"[backend.{self.name}] `voice` must be a voice id (or a voice's name), like \"JBFqnCBsd6RMkjVDRZzb\"")
        voices = self.settings.get("voices", {})
        if not isinstance(voices, dict) or not all(isinstance(v, str) and v for v in voices.values()):
            raise ValueError(f"[backend.{self.name}] `voices` must be a table of character names and voice ids (or "
                             "voices' names), like `voices = { ALIN = \"JBFqnCBsd6RMkjVDRZzb\" }`")
        self.voices = {fold(str(name)): voice for name, voice in voices.items()}
        self._named: dict[str, str] | None = None  # the account's voices by name, once asked for
        self._named_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def auth_headers(self) -> dict[str, str]:
        return {"xi-api-key": self.secret("ELEVENLABS_API_KEY")}

    def explain(self, response: httpx.Response) -> str:
        """ElevenLabs' envelope: its message with its status (`Invalid API key (invalid_api_key)`),
        or each complaint of a 422."""
        try:
            detail = response.json().get("detail")
        except (ValueError, AttributeError):
            detail = None
        if isinstance(detail, dict) and (detail.get("message") or detail.get("status")):
            status = detail.get("status")
            return str(detail.get("message") or status) + (f" ({status})" if status and detail.get("message") else "")
        if isinstance(detail, list) and detail:
            return "; ".join(f"{'.'.join(str(p) for p in d.get('loc', ()))}: {d.get('msg')}" if isinstance(d, dict) else str(d)
                             for d in detail)[:300]
        return super().explain(response)

    def price(self, kind: str, params) -> float:
        """By the characters of the line, as ElevenLabs bills, unless film.toml sets a price."""
        if kind != "voice_line" or kind in self.own_prices:
            return super().price(kind, params)
        rate = PER_1000_CHARS / 2 if ("flash" in self.model or "turbo" in self.model) else PER_1000_CHARS
        return rate * len(str(params.get("text", ""))) / 1000

    async def make(self, job: Job) -> Path:
        text = str(job.params.get("text", "")).strip()
        if not text:
            raise BackendError("this voice line has no text to say")
        tagged = self.model.startswith(TAGGED_MODELS)
        if tagged:
            text = " ".join([*_tags(job.params), text])
        limit = next((n for prefix, n in MAX_CHARS.items() if self.model.startswith(prefix)), 10000)
        if len(text) > limit:
            raise BackendError(f"{self.title} says at most {limit} characters at once with {self.model}, "
                               f"and this line has {len(text)}")
        voice = await self.voice_for(str(job.params.get("character", "")))
        body: dict[str, Any] = {"text": text, "model_id": self.model}
        if self.voice_settings:
            body["voice_settings"] = dict(self.voice_settings)
        if job.seed is not None:
            body["seed"] = job.seed % SEEDS
        if not tagged:
            for name in ("previous_text", "next_text"):
                around = str(job.params.get(name) or "").strip()
                if around:
                    body[name] = around
        response = await self.request("POST", f"/v1/text-to-speech/{voice}", what="say the voice line",
                                      params={"output_format": self.output_format}, json=body)
        content_type = response.headers.get("content-type", "")
        if not content_type_fits(content_type, "audio"):
            raise BackendError(f"{self.title} sent {content_type} where a voice line was due: {response.text[:200]}")
        return self.save(response.content, job, name="line")

    async def voice_for(self, character: str) -> str:
        """The voice id of a character: from `voices`, else `voice`, else a default voice
        chosen by their name (the same every time). A name instead of an id is looked up."""
        chosen = self.voices.get(fold(character)) or self.voice
        if chosen is None:
            digest = hashlib.sha256(fold(character).encode()).digest()
            return DEFAULT_VOICES[int.from_bytes(digest[:4], "big") % len(DEFAULT_VOICES)]
        if _VOICE_ID.match(chosen):
            return chosen
        named = await self.named_voices()
        found = named.get(fold(chosen))
        if found is None:
            known = ", ".join(sorted(named)) or "none"
            raise BackendError(f"{self.title} has no voice called {chosen!r} in this account (`voices` in "
                               f"[backend.{self.name}]); its voices: {known}")
        return found

    async def named_voices(self) -> dict[str, str]:
        """The account's voices (its own and the default ones) by folded name, asked for once."""
        loop = asyncio.get_running_loop()
        if self._named_lock is None or self._named_lock[0] is not loop:
            # One look-up for the tasks running together (each build runs its own event loop).
            self._named_lock = (loop, asyncio.Lock())
        async with self._named_lock[1]:
            if self._named is None:
                answer = await self.request("GET", "/v1/voices", what="look up the account's voices")
                try:
                    listed = answer.json().get("voices") or []
                except (ValueError, AttributeError):
                    raise BackendError(f"{self.title} listed its voices in something that is not JSON") from None
                self._named = {fold(str(v["name"])): str(v["voice_id"]) for v in listed
                               if isinstance(v, dict) and v.get("name") and v.get("voice_id")}
            return self._named


def _tags(params) -> list[str]:
    """Audio tags for a line's direction and singing, for the models that read them."""
    tags = []
    direction = " ".join(str(params.get("direction") or "").split()).strip("[]() ")
    if direction:
        tags.append(f"[{direction}]")
    if params.get("sung"):
        tags.append("[sings]")
    return tags


def _check_voice_settings(name: str, settings: Any) -> None:
    if not isinstance(settings, dict):
        raise ValueError(f"[backend.{name}] `voice_settings` must be a table, like `voice_settings = {{ stability = 0.5 }}`")
    for key, value in settings.items():
        allowed = VOICE_SETTINGS.get(key)
        if allowed is None:
            raise ValueError(f"[backend.{name}] `voice_settings.{key}` is not an ElevenLabs voice setting "
                             f"(known: {', '.join(VOICE_SETTINGS)})")
        if allowed is bool:
            if not isinstance(value, bool):
                raise ValueError(f"[backend.{name}] `voice_settings.{key}` must be true or false")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not allowed[0] <= value <= allowed[1]:
            raise ValueError(f"[backend.{name}] `voice_settings.{key}` must be a number from {allowed[0]:g} to {allowed[1]:g}, "
                             f"not {value!r}")
