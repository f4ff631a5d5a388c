"""The OpenAI backend's protocol, against the loopback fake in tests/fakes/openai.py: what each
request carries, which endpoint a picture goes to, voices, errors, settings and prices. The
behaviour every HTTP backend shares (retries, throttling, downloads, secrets) is in
tests/contract/."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from fakes import media
from fakes.openai import KEY, FakeOpenAI
from fakes.run import failure, generate

from filmc.backends import registry
from filmc.backends.base import Job
from filmc.backends.services.openai import VOICES, instructions

FAST = {"poll_s": 0.01, "backoff_s": 0.01, "max_wait_s": 10, "timeout_s": 10, "retries": 2}
LINE = {"character": "ALIN", "text": "The sea is rising.", "voice": "low, weathered", "direction": "quietly",
        "sung": False, "duration_s": 1.6, "prompt": "Low, weathered.\nSay it quietly."}


@pytest.fixture(scope="module")
def server():
    with FakeOpenAI() as running:
        yield running


@pytest.fixture
def fake(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server.reset()
    return server


def backend(fake: FakeOpenAI, **settings):
    return registry.create("openai", {"base_url": f"{fake.url}/v1", **FAST, **settings})


def job(tmp_path: Path, kind: str, params: dict, inputs: dict | None = None, references: dict | None = None,
        name: str = "job") -> Job:
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    return Job(task_id=f"t/{kind}", kind=kind, params=params, inputs=inputs or {}, workdir=folder, seed=7,
               references=references or {})


def picture(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    path.write_bytes(media.png(name, 64, 64))
    return path




# ---- pictures -------------------------------------------------------------------------------


def test_a_picture_without_references_is_generated(fake, tmp_path):
    out = generate(backend(fake), job(tmp_path, "character_sheet", {"key": "alin", "name": "ALIN", "prompt": "Sheet of ALIN"}))
    assert out.suffix == ".png" and out.read_bytes().startswith(b"\x89PNG")
    [sent] = fake.seen("POST", "/v1/images/generations")
    assert sent.header("authorization") == f"Bearer {KEY}"
    # A sheet's views sit side by side: landscape.
    assert sent.json() == {"model": "gpt-image-1", "n": 1, "size": "1536x1024", "quality": "medium",
                           "output_format": "png", "prompt": "Sheet of ALIN"}
    assert not fake.seen(path="/v1/images/edits")


@pytest.mark.parametrize(("width", "height", "model", "size"), [
    (1920, 1080, "gpt-image-1", "1536x1024"), (1080, 1920, "gpt-image-1", "1024x1536"), (1000, 1000, "gpt-image-1", "1024x1024"),
    (2048, 858, "gpt-image-1", "1536x1024"), (1920, 1080, "dall-e-3", "1792x1024"), (1080, 1920, "dall-e-3", "1024x1792"),
])
def test_the_size_nearest_the_pictures_shape(fake, width, height, model, size):
    assert backend(fake, image_model=model).size_for("keyframe", {"width": width, "height": height}) == size


def test_a_set_size_is_sent_as_it_is(fake, tmp_path):
    generate(backend(fake, size="1024x1024", quality="high"), job(tmp_path, "set_plate", {"name": "THE SHORE", "prompt": "The shore"}))
    body = fake.seen("POST", "/v1/images/generations")[0].json()
    assert body["size"] == "1024x1024" and body["quality"] == "high"


def test_a_keyframe_is_an_edit_of_its_plate_and_sheets(fake, tmp_path):
    plate, alin, bo = picture(tmp_path, "plate"), picture(tmp_path, "alin"), picture(tmp_path, "bo")
    task = job(tmp_path, "keyframe", {"subjects": ["bo", "alin"], "width": 1920, "height": 1080, "prompt": "Wide shot of ALIN and BO."},
               {"sheet:alin": alin, "plate": plate, "sheet:bo": bo})
    out = generate(backend(fake), task)
    assert out.read_bytes().startswith(b"\x89PNG")
    assert not fake.seen(path="/v1/images/generations")
    [edit] = fake.edits
    # The plate, then the sheets in the order the characters are in frame.
    assert edit["images"] == [plate.read_bytes(), bo.read_bytes(), alin.read_bytes()]
    assert edit["model"] == "gpt-image-1" and edit["size"] == "1536x1024" and edit["n"] == "1"
    assert edit["input_fidelity"] == "high" and edit["output_format"] == "png" and edit["quality"] == "medium"
    legend, prompt = edit["prompt"].split("\n\n", 1)
    assert prompt == "Wide shot of ALIN and BO."
    assert legend.startswith("Image 1 is the set of this shot")
    assert "Image 2 is the character sheet of BO" in legend and "Image 3 is the character sheet of ALIN" in legend


def test_a_sheet_with_a_reference_picture_is_an_edit_of_it(fake, tmp_path):
    ref = picture(tmp_path, "photo")
    generate(backend(fake), job(tmp_path, "character_sheet", {"key": "alin", "name": "ALIN", "prompt": "Sheet of ALIN"},
                                references={"ref": ref}))
    [edit] = fake.edits
    assert edit["images"] == [ref.read_bytes()]
    assert edit["prompt"].startswith("Image 1 is a reference picture of ALIN")


@pytest.mark.parametrize(("settings", "sent"), [
    ({"image_model": "gpt-image-1-mini"}, None), ({"input_fidelity": "low"}, "low"), ({"input_fidelity": ""}, None),
])
def test_input_fidelity(fake, tmp_path, settings, sent):
    generate(backend(fake, **settings), job(tmp_path, "keyframe", {"subjects": [], "prompt": "Wide."}, {"plate": picture(tmp_path, "p")}))
    assert fake.edits[0].get("input_fidelity") == sent


def test_a_reference_that_is_not_a_picture_is_refused_in_the_services_words(fake, tmp_path):
    bad = tmp_path / "plate.png"
    bad.write_text("not a picture")
    message = failure(backend(fake), job(tmp_path, "keyframe", {"subjects": [], "prompt": "Wide."}, {"plate": bad}))
    assert "400" in message and "unsupported mimetype" in message and "invalid_image_file" in message


def test_a_moderation_refusal_reaches_the_user(fake, tmp_path):
    task = job(tmp_path, "set_plate", {"name": "THE SHORE", "prompt": "The shore, forbidden"})
    message = failure(backend(fake), task)
    assert FakeOpenAI.REFUSAL in message and "moderation_blocked" in message and "safety_violations=[violence]" in message
    assert not list(task.workdir.iterdir())
    assert len(fake.seen("POST")) == 1  # a refusal is not asked again


def test_a_base64_picture_over_the_cap_is_not_kept(fake, tmp_path):
    task = job(tmp_path, "set_plate", {"name": "THE SHORE", "prompt": "The shore"})
    assert "max_download_mb" in failure(backend(fake, max_download_mb=0.0005), task)
    assert not list(task.workdir.iterdir())


def test_a_picture_sent_by_url_is_downloaded(fake, tmp_path):
    fake.urls = True
    out = generate(backend(fake), job(tmp_path, "set_plate", {"name": "THE SHORE", "prompt": "The shore"}))
    [download] = fake.seen("GET", "/files/")
    assert out.read_bytes().startswith(b"\x89PNG")
    assert download.header("authorization") is None  # a signed URL on a CDN: the key stays home


def test_a_picture_needs_a_prompt(fake, tmp_path):
    assert "has none" in failure(backend(fake), job(tmp_path, "set_plate", {"name": "THE SHORE", "prompt": "  "}))
    assert not fake.requests


# ---- voice lines ----------------------------------------------------------------------------


def test_a_voice_line_carries_its_voice_and_instructions(fake, tmp_path):
    out = generate(backend(fake, voices={"alin": "sage"}), job(tmp_path, "voice_line", LINE))
    assert out.suffix == ".wav"
    [sent] = fake.seen("POST", "/v1/audio/speech")
    assert sent.json() == {"model": "gpt-4o-mini-tts", "input": "The sea is rising.", "voice": "sage",
                           "response_format": "wav", "instructions": "Low, weathered.\nSay it quietly."}


def test_without_its_own_voice_a_character_keeps_one_built_in_voice(fake, tmp_path):
    first, again = backend(fake), backend(fake)
    names = ["ALIN", "BO", "THE FISHERMAN", "MARA", "OLD KEL", "SAM"]
    voices = [first.voice_for(n) for n in names]
    assert voices == [again.voice_for(n) for n in names]
    assert all(v in VOICES for v in voices) and len(set(voices)) > 1
    assert first.voice_for("Alin") == first.voice_for("ALIN")  # the name however it is spelt
    assert backend(fake, voice="echo").voice_for("ALIN") == "echo"
    assert backend(fake, voice="echo", voices={"ALIN": "nova"}).voice_for("ALIN") == "nova"


def test_instructions_without_a_prompt_are_put_together():
    assert instructions({"voice": "low, weathered.", "direction": "quietly", "sung": True}) == "low, weathered. quietly. Sung."
    assert instructions({"voice": "", "direction": "", "sung": False}) == ""
    assert instructions({**LINE, "prompt": ""}) == "low, weathered. quietly"


def test_tts_1_gets_no_instructions(fake, tmp_path):
    generate(backend(fake, speech_model="tts-1"), job(tmp_path, "voice_line", LINE))
    assert "instructions" not in fake.seen("POST", "/v1/audio/speech")[0].json()


def test_a_line_too_long_is_refused_before_it_is_sent(fake, tmp_path):
    message = failure(backend(fake), job(tmp_path, "voice_line", {**LINE, "text": "word " * 1000}))
    assert "4096" in message and "4999" in message
    assert not fake.requests


def test_speech_that_is_not_audio_is_refused(fake, tmp_path):
    fake.speech_type = "text/html; charset=utf-8"
    task = job(tmp_path, "voice_line", LINE)
    assert "sent text/html" in failure(backend(fake), task)
    assert not list(task.workdir.iterdir())


def test_speech_in_a_json_envelope_is_kept(fake, tmp_path):
    fake.speech_json = True
    assert generate(backend(fake), job(tmp_path, "voice_line", LINE)).suffix == ".wav"


# ---- errors, settings, prices ---------------------------------------------------------------


def test_an_account_out_of_credit_fails_at_once(fake, tmp_path):
    fake.fail(429, times=5, path="/v1/audio/speech", body={"error": {
        "message": "You exceeded your current quota, please check your plan and billing details.",
        "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}})
    message = failure(backend(fake, max_wait_s=600), job(tmp_path, "voice_line", LINE))
    assert "exceeded your current quota" in message and "no credit" in message
    assert len(fake.seen("POST")) == 1


def test_a_compatible_provider_with_its_own_key(fake, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("MY_PROVIDER_KEY", raising=False)
    made = backend(fake, api_key_env="MY_PROVIDER_KEY")
    assert "MY_PROVIDER_KEY" in made.unavailable()
    monkeypatch.setenv("MY_PROVIDER_KEY", KEY)
    assert made.unavailable() is None
    assert made.title == "the OpenAI-compatible service at 127.0.0.1"
    assert generate(made, job(tmp_path, "voice_line", LINE)).is_file()
    assert fake.seen("POST")[0].header("authorization") == f"Bearer {KEY}"
    assert made.redact(f"key {KEY}") == "key [redacted]"
    monkeypatch.setenv("MY_PROVIDER_KEY", "wrong-provider-key-42")
    message = failure(made, job(tmp_path, "voice_line", LINE, name="again"))
    assert "401" in message and "MY_PROVIDER_KEY" in message and "wrong-provider-key-42" not in message
    # Where the key comes from changes nothing made: it stays out of task keys.
    assert "api_key_env" not in made.identity()["settings"]


@pytest.mark.parametrize(("settings", "named"), [
    ({"quality": 3}, "quality"), ({"size": "big"}, "size"), ({"voice": ""}, "voice"), ({"voices": ["sage"]}, "voices"),
    ({"voices": {"ALIN": 5}}, "voices"), ({"api_key_env": "my key"}, "api_key_env"), ({"image_model": ""}, "image_model"),
    ({"speech_model": None}, "speech_model"), ({"input_fidelity": "max"}, "input_fidelity"),
])
def test_bad_settings_are_named(settings, named):
    with pytest.raises(ValueError, match=f"`{named}`"):
        registry.create("openai", settings)


def test_explains_openai_errors():
    made = registry.create("openai", {})
    said = made.explain(httpx.Response(400, json={"error": {"message": "Bad size", "type": "invalid_request_error",
                                                            "param": "size", "code": "invalid_value"}}))
    assert said == "Bad size (invalid_value)"
    assert made.explain(httpx.Response(502, text="<html>Bad gateway</html>")) == "<html>Bad gateway</html>"


def test_prices_follow_model_quality_shape_and_references(fake):
    wide = {"width": 1920, "height": 1080}
    assert backend(fake).price("set_plate", {}) == pytest.approx(0.063)
    assert backend(fake, quality="high").price("character_sheet", {}) == pytest.approx(0.25)
    assert backend(fake, quality="low", size="1024x1024").price("set_plate", {}) == pytest.approx(0.011)
    assert backend(fake, image_model="gpt-image-1-mini").price("set_plate", {}) == pytest.approx(0.015)
    # A keyframe also pays for its plate and each sheet, a sheet for its `ref:` picture.
    keyframe = {**wide, "place": "exterior", "subjects": ["alin", "bo"]}
    assert backend(fake).price("keyframe", keyframe) == pytest.approx(0.063 + 3 * 0.03)
    assert backend(fake, input_fidelity="low").price("keyframe", keyframe) == pytest.approx(0.063 + 3 * 0.002)
    assert backend(fake).price("character_sheet", {"ref_sha256": "ab12"}) == pytest.approx(0.063 + 0.03)
    assert backend(fake).price("voice_line", {"duration_s": 60}) == pytest.approx(0.015)
    assert backend(fake, prices={"keyframe": {"per_task": 0.5}}).price("keyframe", keyframe) == 0.5
    # Models without a price list here: the declared prices.
    assert backend(fake, image_model="dall-e-3").price("keyframe", keyframe) == pytest.approx(0.12)
    assert backend(fake, image_model="gpt-image-1.5").price("set_plate", {}) == pytest.approx(0.063)


@pytest.mark.parametrize(("answer", "said"), [
    ({"data": [{"b64_json": "@@@ not base64"}]}, "not valid base64"),
    ({"created": 1, "data": []}, "without a picture"),
    ({"created": 1, "data": [{"b64_json": base64.b64encode(b"<html>oops</html>").decode()}]}, "not a picture, video or sound"),
])
def test_a_bad_answer_is_explained(fake, tmp_path, answer, said):
    fake.canned = answer
    task = job(tmp_path, "set_plate", {"name": "THE SHORE", "prompt": "The shore"})
    assert said in failure(backend(fake), task)
    assert not list(task.workdir.iterdir())
