"""A fake of ElevenLabs' text-to-speech API.

`POST /v1/text-to-speech/{voice_id}?output_format=...` answers at once with the audio (MP3, or
WAV for a `wav_` format); `GET /v1/voices` lists the account's voices (the default ones and
`own_voices`). The body is checked as ElevenLabs does: a known voice (404 `voice_not_found`),
a known model, text present, a seed from 0 to 4294967295, voice settings in range (422 with
FastAPI's list of complaints); the models that read audio tags refuse `previous_text` and
`next_text`. Text with a word of `refuse_words` is refused (400) with `REFUSAL`; ElevenLabs'
exact status for text it will not say is not documented, so `content_against_terms` here is a
stand-in. Errors come in ElevenLabs' envelope, `{"detail": {"status", "message"}}`; a missing
key is 401 `needs_authorization`, a wrong one 401 `invalid_api_key`, a full queue 429
`too_many_concurrent_requests`.
"""

from __future__ import annotations

import threading

from . import media
from .server import Case, FakeService, Reply, Request, json_reply

KEY = "el-test-secret-0123456789abcdef"
# Default voices every account has, by id.
VOICES = {
    "JBFqnCBsd6RMkjVDRZzb": "George", "EXAVITQu4vr4xnSDxMaL": "Sarah", "CwhRBWXzGAHq8TQ4Fs17": "Roger",
    "FGY2WhTYpPnrIDTdsKH5": "Laura", "N2lVS1w4EtoT3dr4eOWO": "Callum", "Xb7hH8MSUJpSbSDYk0k2": "Alice",
    "nPczCjzI2devNBz1zQrb": "Brian", "pFZP5JQG7iQjIQuC4Bku": "Lily", "onwK4e9ZLuTAKqWW03F9": "Daniel",
}
MODELS = {"eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3"}
TAGGED = ("eleven_v3", "eleven_v4")
FORMATS = {"mp3_22050_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128", "mp3_44100_192", "wav_16000", "wav_22050",
           "wav_24000", "wav_44100"}
RANGES = {"stability": (0, 1), "similarity_boost": (0, 1), "style": (0, 1), "speed": (0.7, 1.2)}


class FakeElevenLabs(FakeService):
    REFUSAL = "This text appears to violate our Terms of Service"

    def __init__(self) -> None:
        super().__init__()
        self.lock_spoken = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every request, fault and setting (one server can then serve many tests)."""
        with self.lock:
            self.requests.clear()
            self.faults.clear()
            self.delay_s, self.truncations, self.download_type = 0.0, 0, None
        self.refuse_words = {"forbidden"}
        self.echo_secret = False
        self.own_voices: dict[str, str] = {"AbCdEfGhIj0123456789": "Old Sailor"}  # a cloned voice, by id
        self.spoken: list[dict] = []  # each line said: its voice, format and body
        self.audio_type: str | None = None  # serve audio with this Content-Type instead

    def error_body(self, status: int):
        if status == 429:
            return _detail("too_many_concurrent_requests", "You have too many concurrent requests.")
        if status == 503:
            return _detail("system_busy", "We are experiencing heavy traffic, please try again.")
        return _detail("something_went_wrong", f"We are sorry, something went wrong (fake {status}). You are not charged "
                       "for this request.")

    def route(self, request: Request) -> Reply:
        key = request.header("xi-api-key")
        if key is None:
            return json_reply(_detail("needs_authorization", "Neither authorization header nor xi-api-key received, "
                                      "please provide one."), 401)
        if key != KEY:
            said = f"Invalid API key: {key}" if self.echo_secret else "Invalid API key"
            return json_reply(_detail("invalid_api_key", said), 401)
        if request.method == "GET" and request.path == "/v1/voices":
            voices = {**VOICES, **self.own_voices}
            return json_reply({"voices": [{"voice_id": vid, "name": name, "category": "premade" if vid in VOICES else "cloned"}
                                          for vid, name in voices.items()]})
        if request.method == "POST" and request.path.startswith("/v1/text-to-speech/"):
            return self._speak(request, request.path.rsplit("/", 1)[1])
        return json_reply({"detail": "Not Found"}, 404)

    def _speak(self, request: Request, voice_id: str) -> Reply:
        if voice_id not in VOICES and voice_id not in self.own_voices:
            return json_reply(_detail("voice_not_found", f"A voice with the voice_id {voice_id} was not found."), 404)
        fmt = request.query.get("output_format", ["mp3_44100_128"])[0]
        if fmt not in FORMATS:
            return json_reply(_invalid("query", "output_format", f"Input should be one of {sorted(FORMATS)}"), 422)
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
            return json_reply(_invalid("body", "text", "Field required"), 422)
        model = body.get("model_id", "eleven_multilingual_v2")
        if model not in MODELS:
            return json_reply(_detail("model_not_found", f"A model with model ID {model} does not exist"), 400)
        seed = body.get("seed")
        if seed is not None and (not isinstance(seed, int) or not 0 <= seed <= 4294967295):
            return json_reply(_invalid("body", "seed", "Input should be less than or equal to 4294967295"), 422)
        for name, value in (body.get("voice_settings") or {}).items():
            low, high = RANGES.get(name, (None, None))
            if low is not None and not low <= value <= high:
                return json_reply(_invalid("body", f"voice_settings.{name}", f"Input should be from {low} to {high}"), 422)
        if model.startswith(TAGGED) and (body.get("previous_text") or body.get("next_text")):
            return json_reply(_detail("invalid_parameters", f"previous_text and next_text are not supported for {model}"), 400)
        if any(word in body["text"] for word in self.refuse_words):
            return json_reply(_detail("content_against_terms", f"{self.REFUSAL}. Please try again with different text."), 400)
        with self.lock_spoken:
            self.spoken.append({"voice_id": voice_id, "output_format": fmt, **body})
        data, kind = (media.wav(0.5), "audio/wav") if fmt.startswith("wav") else (media.mp3(0.5), "audio/mpeg")
        return Reply(200, data, {"Content-Type": self.audio_type or kind, "request-id": f"req-{len(self.spoken):04d}"}, download=True)


def _detail(status: str, message: str) -> dict:
    return {"detail": {"status": status, "message": message}}


def _invalid(where: str, field: str, message: str) -> dict:
    return {"detail": [{"type": "value_error", "loc": [where, *field.split(".")], "msg": message, "input": None}]}


def _echo(fake: FakeElevenLabs) -> None:
    fake.echo_secret = True


CASE = Case(
    # No voices set: each character gets a default voice by their name, with no look-up.
    name="elevenlabs", fake=FakeElevenLabs, env={"ELEVENLABS_API_KEY": KEY},
    settings=lambda url: {"base_url": url},
    kinds={"voice_line": {"previous_text": "Look at the water.", "next_text": "We have to go."}},
    submit="/v1/text-to-speech/", download=None, refuse_word="forbidden", refusal=FakeElevenLabs.REFUSAL,
    cancels=False, throttle=None, echo_secret=_echo,
    # ElevenLabs says a line's `text` and reads no prompt (a voice line's prompt is how to say
    # it, which ElevenLabs cannot take): the refusal word goes into the text.
    refuse_in="text",
)
