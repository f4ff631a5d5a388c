"""A fake of OpenAI's Images and Speech APIs (under /v1), as a compatible provider serves them.

Pictures come back as base64 in `data[0].b64_json`, as the GPT image models send them; with
`urls` set they come back as `data[0].url` on /files/ instead (as DALL-E models and some
compatible providers do), fetched without a key. An edit's multipart `image[]` parts must be
real pictures. A prompt with a word of `refuse_words` is refused as OpenAI's safety system does
(400, code `moderation_blocked`). Speech comes back as the audio itself. Errors come in OpenAI's
envelope, `{"error": {message, type, param, code}}`; a missing or wrong key is a 401.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import itertools
import threading

from . import media
from .server import Case, FakeService, Reply, Request, json_reply

KEY = "sk-test-openai-0123456789abcdef"
IMAGE_MODELS = {
    "gpt-image-1": ("1024x1024", "1536x1024", "1024x1536", "auto"),
    "gpt-image-1-mini": ("1024x1024", "1536x1024", "1024x1536", "auto"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
}
QUALITIES = {"gpt-image-1": {"low", "medium", "high", "auto"}, "gpt-image-1-mini": {"low", "medium", "high", "auto"},
             "dall-e-3": {"standard", "hd"}}
SPEECH_MODELS = {"gpt-4o-mini-tts", "tts-1", "tts-1-hd"}
VOICES = {"alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse", "marin", "cedar"}
FORMATS = {"mp3", "opus", "aac", "flac", "wav", "pcm"}


class FakeOpenAI(FakeService):
    REFUSAL = "Your request was rejected by the safety system"

    def __init__(self, urls: bool = False) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.reset(urls)

    def reset(self, urls: bool = False) -> None:
        """Forget every request, fault and setting (one server can then serve many tests)."""
        with self.lock:
            self.requests.clear()
            self.faults.clear()
            self.delay_s, self.truncations, self.download_type = 0.0, 0, None
        self.urls = urls
        self.refuse_words = {"forbidden"}
        self.echo_secret = False
        self.files: dict[str, bytes] = {}
        self.edits: list[dict] = []  # each edit's fields, with its pictures (bytes) as `images`
        self.speech_type: str | None = None  # serve speech with this Content-Type instead
        self.speech_json = False  # send speech as base64 in a JSON envelope (as some providers do)
        self.canned: dict | None = None  # answer every picture request with this JSON instead

    def error_body(self, status: int):
        return _error(f"fake OpenAI error {status}", "server_error" if status >= 500 else "invalid_request_error")

    def route(self, request: Request) -> Reply:
        if request.method == "GET" and request.path.startswith("/files/"):
            data = self.files.get(request.path.rsplit("/", 1)[1])
            if data is None:
                return Reply(404, "<Error><Code>NoSuchKey</Code></Error>", {"Content-Type": "application/xml"})
            return Reply(200, data, {"Content-Type": "image/png"}, download=True)
        auth = request.header("authorization")
        if auth != f"Bearer {KEY}":
            shown = auth if self.echo_secret else "sk-...(hidden)"
            return json_reply(_error(f"Incorrect API key provided: {shown}. You can find your API key at "
                                     "https://platform.openai.com/account/api-keys.", "invalid_request_error",
                                     code="invalid_api_key"), 401)
        if request.method == "POST" and request.path == "/v1/images/generations":
            return self._image(request.json(), [])
        if request.method == "POST" and request.path == "/v1/images/edits":
            fields, pictures = _multipart(request)
            if fields is None:
                return json_reply(_error("Expected a multipart/form-data body.", "invalid_request_error"), 400)
            if not pictures:
                return json_reply(_error("Missing required parameter: 'image'.", "invalid_request_error", param="image"), 400)
            if len(pictures) > 16:
                return json_reply(_error("Too many images: at most 16.", "invalid_request_error", param="image"), 400)
            fidelity = fields.get("input_fidelity")
            if fidelity is not None and (not str(fields.get("model", "")).startswith("gpt-image") or fidelity not in ("high", "low")
                                         or (fidelity == "high" and "mini" in fields.get("model", ""))):
                return json_reply(_error(f"Invalid value for input_fidelity: '{fidelity}'.", "invalid_request_error",
                                         param="input_fidelity", code="invalid_value"), 400)
            for name, data in pictures:
                if not data.startswith((b"\x89PNG", b"\xff\xd8\xff")) and data[8:12] != b"WEBP":
                    return json_reply(_error(f"Invalid file '{name}': unsupported mimetype. Supported file formats are "
                                             "'image/jpeg', 'image/png', and 'image/webp'.", "invalid_request_error",
                                             param="image", code="invalid_image_file"), 400)
            with self._lock:
                self.edits.append({**fields, "images": [data for _, data in pictures]})
            return self._image(fields, pictures)
        if request.method == "POST" and request.path == "/v1/audio/speech":
            return self._speech(request.json())
        return json_reply(_error(f"Invalid URL ({request.method} {request.path})", "invalid_request_error"), 404)

    def _image(self, body: dict, pictures: list) -> Reply:
        if self.canned is not None:
            return json_reply(self.canned)
        model = body.get("model") or "dall-e-2"
        if model not in IMAGE_MODELS:
            return json_reply(_error(f"The model `{model}` does not exist or you do not have access to it.",
                                     "invalid_request_error", code="model_not_found"), 404)
        prompt = str(body.get("prompt") or "")
        if not prompt:
            return json_reply(_error("Missing required parameter: 'prompt'.", "invalid_request_error", param="prompt"), 400)
        size = str(body.get("size", "auto"))
        if size not in IMAGE_MODELS[model]:
            return json_reply(_error(f"Invalid value: '{size}'. Supported values are: {', '.join(IMAGE_MODELS[model])}.",
                                     "invalid_request_error", param="size", code="invalid_value"), 400)
        if "quality" in body and body["quality"] not in QUALITIES[model]:
            return json_reply(_error(f"Invalid value: '{body['quality']}'.", "invalid_request_error", param="quality",
                                     code="invalid_value"), 400)
        if int(body.get("n", 1)) != 1 and model != "dall-e-2":
            return json_reply(_error("This model makes one image a request.", "invalid_request_error", param="n"), 400)
        if "output_format" in body and (not model.startswith("gpt-image") or body["output_format"] not in ("png", "jpeg", "webp")):
            return json_reply(_error("Unknown parameter: 'output_format'.", "invalid_request_error", param="output_format",
                                     code="unknown_parameter"), 400)
        if any(word in prompt for word in self.refuse_words):
            return json_reply(_error(f"{self.REFUSAL}. If you believe this is an error, contact us and include the request ID "
                                     "req_fake. safety_violations=[violence].", "image_generation_user_error",
                                     code="moderation_blocked"), 400)
        width, height = (1024, 1024) if size == "auto" else (int(n) for n in size.split("x"))
        # Small pictures of the asked shape, to keep the tests quick.
        picture = media.png(prompt[:60], width // 8, height // 8)
        if self.urls:
            name = f"img-{next(self._ids):04d}.png"
            with self._lock:
                self.files[name] = picture
            return json_reply({"created": 1760000000, "data": [{"url": f"{self.url}/files/{name}"}]})
        return json_reply({"created": 1760000000, "data": [{"b64_json": base64.b64encode(picture).decode()}],
                           "usage": {"input_tokens": 50, "output_tokens": 4160, "total_tokens": 4210}})

    def _speech(self, body: dict) -> Reply:
        model = body.get("model")
        if model not in SPEECH_MODELS:
            return json_reply(_error(f"Invalid value for 'model' = {model}.", "invalid_request_error", param="model"), 400)
        text = body.get("input")
        if not isinstance(text, str) or not text:
            return json_reply(_error("Missing required parameter: 'input'.", "invalid_request_error", param="input"), 400)
        if len(text) > 4096:
            return json_reply(_error("[{'type': 'string_too_long', 'loc': ('body', 'input')}]", "invalid_request_error",
                                     param="input"), 400)
        if body.get("voice") not in VOICES:
            return json_reply(_error(f"Invalid value: '{body.get('voice')}'.", "invalid_request_error", param="voice"), 400)
        if "instructions" in body and str(model).startswith("tts-1"):
            return json_reply(_error("Instructions are not supported for this model.", "invalid_request_error",
                                     param="instructions"), 400)
        fmt = body.get("response_format", "mp3")
        if fmt not in FORMATS:
            return json_reply(_error(f"Invalid value: '{fmt}'.", "invalid_request_error", param="response_format"), 400)
        data, kind = (media.wav(0.5), "audio/wav") if fmt == "wav" else (media.mp3(0.5), "audio/mpeg")
        if self.speech_json:
            return json_reply({"data": [{"b64_json": base64.b64encode(data).decode()}]})
        return Reply(200, data, {"Content-Type": self.speech_type or kind}, download=True)


def _error(message: str, kind: str, param: str | None = None, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _multipart(request: Request) -> tuple[dict | None, list[tuple[str, bytes]]]:
    """The fields and the `image[]` files of a multipart/form-data body."""
    content_type = request.header("content-type") or ""
    if not content_type.startswith("multipart/form-data"):
        return None, []
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.body)
    fields: dict = {}
    pictures: list[tuple[str, bytes]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if name == "image[]":
            pictures.append((part.get_filename() or "", data))
        elif name:
            fields[name] = data.decode()
    return fields, pictures


def _echo(fake: FakeOpenAI) -> None:
    fake.echo_secret = True


CASE = Case(
    # The contract drives it as a provider that serves pictures by URL, so downloads are tested
    # too; tests/unit/test_service_openai.py covers base64 pictures.
    name="openai", fake=lambda: FakeOpenAI(urls=True), env={"OPENAI_API_KEY": KEY},
    settings=lambda url: {"base_url": f"{url}/v1"},
    kinds={"keyframe": {}, "character_sheet": {}, "set_plate": {}, "voice_line": {}},
    inputs={"keyframe": {"plate": "png", "sheet:alin": "png"}},
    submit="/v1/images/", download="/files/", refuse_word="forbidden", refusal=FakeOpenAI.REFUSAL,
    cancels=False, throttle=None, echo_secret=_echo,
)
