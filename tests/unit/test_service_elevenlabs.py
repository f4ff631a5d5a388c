"""The ElevenLabs backend's protocol, against the loopback fake in tests/fakes/elevenlabs.py:
what a line's request carries (voice, seed, the lines around it, audio tags), voices given by
id or by name, errors, settings and prices. The behaviour every HTTP backend shares (retries,
throttling, secrets) is in tests/contract/."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from fakes.elevenlabs import KEY, VOICES, FakeElevenLabs
from fakes.run import failure

from filmc.backends import registry
from filmc.backends.base import Job
from filmc.backends.services.elevenlabs import DEFAULT_VOICES

FAST = {"poll_s": 0.01, "backoff_s": 0.01, "max_wait_s": 10, "timeout_s": 10, "retries": 2}
LINE = {"character": "ALIN", "text": "The sea is rising.", "voice": "low, weathered", "direction": "", "sung": False,
        "duration_s": 1.6, "prompt": "Low, weathered.", "previous_text": "Look at the water.", "next_text": "We have to go."}
GEORGE = "JBFqnCBsd6RMkjVDRZzb"


@pytest.fixture(scope="module")
def server():
    with FakeElevenLabs() as running:
        yield running


@pytest.fixture
def fake(server, monkeypatch):
    monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)
    server.reset()
    return server


def backend(fake: FakeElevenLabs, **settings):
    return registry.create("elevenlabs", {"base_url": fake.url, **FAST, **settings})


def job(tmp_path: Path, params: dict | None = None, seed: int | None = 1234, name: str = "job") -> Job:
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    return Job(task_id=f"t/{name}", kind="voice_line", params={**LINE, **(params or {})}, inputs={}, workdir=folder, seed=seed)


def generate(made, *tasks: Job) -> list[Path]:
    async def go():
        try:
            return list(await asyncio.gather(*(made.generate(t) for t in tasks)))
        finally:
            await made.close()

    return asyncio.run(go())



def test_a_line_carries_its_voice_seed_and_the_lines_around_it(fake, tmp_path):
    [out] = generate(backend(fake, voices={"ALIN": GEORGE}), job(tmp_path, seed=2**32 + 5))
    assert out.suffix == ".mp3" and out.read_bytes()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")
    [sent] = fake.seen("POST")
    assert sent.path == f"/v1/text-to-speech/{GEORGE}"
    assert sent.query == {"output_format": ["mp3_44100_128"]}
    assert sent.header("xi-api-key") == KEY
    assert sent.json() == {"text": "The sea is rising.", "model_id": "eleven_multilingual_v2", "seed": 5,
                           "previous_text": "Look at the water.", "next_text": "We have to go."}
    assert not fake.seen("GET")  # a voice id needs no look-up


def test_a_line_alone_in_its_scene_has_no_context(fake, tmp_path):
    generate(backend(fake, voice=GEORGE), job(tmp_path, {"previous_text": "", "next_text": ""}, seed=None))
    body = fake.seen("POST")[0].json()
    assert "previous_text" not in body and "next_text" not in body and "seed" not in body
    assert "direction" not in str(body)  # nothing of the delivery goes to a model that cannot read it


def test_without_its_own_voice_a_character_keeps_one_default_voice(fake, tmp_path):
    generate(backend(fake), job(tmp_path, name="one"), job(tmp_path, {"character": "Alin"}, name="two"))
    first, second = (r.path.rsplit("/", 1)[1] for r in fake.seen("POST"))
    assert first == second and first in DEFAULT_VOICES
    assert set(DEFAULT_VOICES) <= set(VOICES)  # the fake knows them all as default voices
    made, again = backend(fake), backend(fake)
    names = ["ALIN", "BO", "MARA", "OLD KEL", "SAM", "THE FISHERMAN"]
    picked = [asyncio.run(made.voice_for(n)) for n in names]
    assert picked == [asyncio.run(again.voice_for(n)) for n in names]
    assert len(set(picked)) > 1
    assert not fake.seen("GET")


def test_a_voice_given_by_name_is_looked_up_once(fake, tmp_path):
    made = backend(fake, voices={"ALIN": "old sailor"}, voice="George")
    generate(made, job(tmp_path, name="one"), job(tmp_path, name="two"), job(tmp_path, {"character": "BO"}, name="three"))
    assert len(fake.seen("GET", "/v1/voices")) == 1
    voices = sorted(r.path.rsplit("/", 1)[1] for r in fake.seen("POST"))
    assert voices == sorted(["AbCdEfGhIj0123456789", "AbCdEfGhIj0123456789", GEORGE])


def test_a_lost_answer_to_the_voice_look_up_is_asked_again(fake, tmp_path):
    fake.drop(1, path="/v1/voices")
    generate(backend(fake, voice="Brian"), job(tmp_path))
    assert len(fake.seen("GET", "/v1/voices")) == 2  # a GET changes nothing: safe to repeat
    assert fake.seen("POST")[0].path == "/v1/text-to-speech/nPczCjzI2devNBz1zQrb"


def test_an_unknown_voice_name_lists_the_accounts_voices(fake, tmp_path):
    message = failure(backend(fake, voice="Gandalf"), job(tmp_path))
    assert "'Gandalf'" in message and "`voices`" in message and "george" in message and "old sailor" in message
    assert not fake.seen("POST")


def test_an_unknown_voice_id_is_explained(fake, tmp_path):
    message = failure(backend(fake, voice="ZZZZZZZZZZZZZZZZZZZZ"), job(tmp_path))
    assert "404" in message and "voice_not_found" in message and "ZZZZZZZZZZZZZZZZZZZZ" in message


@pytest.mark.parametrize(("direction", "sung", "text"), [
    ("quietly", False, "[quietly] The sea is rising."),
    ("", True, "[sings] The sea is rising."),
    ("(angrily)", True, "[angrily] [sings] The sea is rising."),
])
def test_models_that_read_audio_tags_get_the_direction_as_one(fake, tmp_path, direction, sung, text):
    generate(backend(fake, model="eleven_v3", voice=GEORGE), job(tmp_path, {"direction": direction, "sung": sung}))
    body = fake.seen("POST")[0].json()
    assert body["text"] == text and body["model_id"] == "eleven_v3"
    assert "previous_text" not in body and "next_text" not in body


def test_voice_settings_and_format_are_sent(fake, tmp_path):
    settings = {"stability": 0.7, "similarity_boost": 0.8, "use_speaker_boost": True}
    [out] = generate(backend(fake, voice=GEORGE, voice_settings=settings, output_format="wav_44100"), job(tmp_path))
    assert out.suffix == ".wav"
    sent = fake.seen("POST")[0]
    assert sent.json()["voice_settings"] == settings and sent.query["output_format"] == ["wav_44100"]


@pytest.mark.parametrize(("settings", "named"), [
    ({"model": ""}, "model"), ({"output_format": "pcm_16000"}, "output_format"), ({"output_format": 128}, "output_format"),
    ({"voice_settings": {"warmth": 1}}, "voice_settings.warmth"), ({"voice_settings": {"stability": 2}}, "voice_settings.stability"),
    ({"voice_settings": {"use_speaker_boost": 1}}, "voice_settings.use_speaker_boost"), ({"voice_settings": "calm"}, "voice_settings"),
    ({"voice": 3}, "voice"), ({"voices": {"ALIN": ""}}, "voices"),
])
def test_bad_settings_are_named(settings, named):
    with pytest.raises(ValueError, match=f"`{named}`"):
        registry.create("elevenlabs", settings)


def test_a_refusal_reaches_the_user(fake, tmp_path):
    task = job(tmp_path, {"text": "Say the forbidden thing."})
    message = failure(backend(fake, voice=GEORGE), task)
    assert FakeElevenLabs.REFUSAL in message and "content_against_terms" in message
    assert not list(task.workdir.iterdir())


def test_a_full_queue_is_waited_out(fake, tmp_path):
    fake.fail(429, times=2, path="/v1/text-to-speech/")
    assert generate(backend(fake, voice=GEORGE), job(tmp_path))[0].is_file()
    assert len(fake.seen("POST")) == 3


def test_a_queue_that_stays_full_says_so(fake, tmp_path):
    fake.fail(429, times=50, path="/v1/text-to-speech/")
    message = failure(backend(fake, voice=GEORGE, backoff_s=5, max_wait_s=0.5), job(tmp_path))
    assert "max_wait_s" in message and "too_many_concurrent_requests" in message


def test_audio_of_the_wrong_type_is_refused(fake, tmp_path):
    fake.audio_type = "application/json"
    task = job(tmp_path)
    assert "sent application/json" in failure(backend(fake, voice=GEORGE), task)
    assert not list(task.workdir.iterdir())


def test_a_line_too_long_is_refused_before_it_is_sent(fake, tmp_path):
    message = failure(backend(fake, model="eleven_v3", voice=GEORGE), job(tmp_path, {"text": "word " * 1001}))
    assert "5000" in message and "eleven_v3" in message
    assert not fake.requests


def test_a_line_without_text(fake, tmp_path):
    assert "no text" in failure(backend(fake, voice=GEORGE), job(tmp_path, {"text": " "}))
    assert not fake.requests


def test_explains_elevenlabs_errors():
    made = registry.create("elevenlabs", {})
    assert made.explain(httpx.Response(401, json={"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})) \
        == "Invalid API key (invalid_api_key)"
    said = made.explain(httpx.Response(422, json={"detail": [{"type": "missing", "loc": ["body", "text"], "msg": "Field required"}]}))
    assert said == "body.text: Field required"
    assert made.explain(httpx.Response(429, json={"detail": {"status": "system_busy"}})) == "system_busy"


def test_prices_count_characters(fake):
    line = {"text": "x" * 1000, "duration_s": 60}
    assert backend(fake).price("voice_line", line) == pytest.approx(0.10)
    assert backend(fake, model="eleven_flash_v2_5").price("voice_line", line) == pytest.approx(0.05)
    assert backend(fake, prices={"voice_line": {"per_second": 0.01}}).price("voice_line", line) == pytest.approx(0.6)
