"""The fal backend against its loopback fake (tests/fakes/fal.py): the queue's URLs, IN_QUEUE,
results and errors in fal's shapes, safety-checker flags, cancellation. The shared contract is
tests/contract/test_services.py."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from fakes import media
from fakes.fal import KEY, FakeFal
from fakes.run import failure, generate

from filmc.backends import registry
from filmc.backends.base import Job
from filmc.backends.services.fal import app_of
from filmc.backends.services.files import sniff

FAST = {"poll_s": 0.01, "backoff_s": 0.01, "max_wait_s": 20, "timeout_s": 10, "retries": 2}


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("FAL_KEY", KEY)
    with FakeFal() as server:
        yield server


def backend(fake: FakeFal, **settings):
    return registry.create("fal", {"base_url": fake.url, **FAST, **settings})


def job(tmp_path: Path, kind: str = "keyframe", prompt: str = "Wide shot of ALIN.", inputs: tuple[str, ...] = (),
        progress=None, **params) -> Job:
    work = tmp_path / "work"
    work.mkdir(parents=True, exist_ok=True)
    files = {}
    for role in inputs:
        files[role] = tmp_path / f"{role.replace(':', '-')}.png"
        files[role].write_bytes(media.png(role, 64, 36))
    return Job(task_id=f"t/{kind}", kind=kind, params={"prompt": prompt, "width": 640, "height": 360, **params},
               inputs=files, workdir=work, seed=99, progress=progress)




def kind_of(path: Path) -> str:
    found = sniff(path.read_bytes()[:16])
    assert found is not None
    return found[0]


def test_a_picture_goes_through_the_queue(fake: FakeFal, tmp_path: Path):
    out = generate(backend(fake), job(tmp_path))
    assert kind_of(out) == "image" and out.name == "keyframe.png"
    submit, = fake.seen("POST")
    assert submit.path == "/fal-ai/flux/dev" and submit.header("authorization") == f"Key {KEY}"
    assert submit.json() == {"prompt": "Wide shot of ALIN.", "seed": 99, "image_size": {"width": 640, "height": 360}}
    # Status and result live under the app, not the model's sub-path.
    statuses = fake.seen("GET", "/fal-ai/flux/requests/job-0001/status")
    assert len(statuses) == 2 and all(s.query == {"logs": ["0"]} for s in statuses)
    assert [r.path for r in fake.seen("GET", "/fal-ai/flux/requests/job-0001")][-1] == "/fal-ai/flux/requests/job-0001"
    download, = fake.seen("GET", "/files/")
    assert download.header("authorization") is None


def test_a_clip_asks_for_its_length_as_text_and_ends_on_the_next_keyframe(fake: FakeFal, tmp_path: Path):
    out = generate(backend(fake), job(tmp_path, "clip", inputs=("first_frame", "last_frame"), duration_s=6.0))
    assert kind_of(out) == "video"
    given = fake.seen("POST")[0].json()
    assert given["duration"] == "10"
    assert given["image_url"].startswith("data:image/png;base64,") and given["tail_image_url"].startswith("data:image/png")
    assert "seed" not in given and "aspect_ratio" not in given


def test_queued_requests_tell_their_place(fake: FakeFal, tmp_path: Path):
    fake.queued = 3
    states: list[str] = []
    assert generate(backend(fake), job(tmp_path, progress=states.append)).is_file()
    assert states[:3] == ["queued at fal, 2 ahead", "queued at fal, 1 ahead", "queued at fal, 0 ahead"]
    assert "running" in states


def test_it_follows_the_urls_a_submit_gives(fake: FakeFal, tmp_path: Path):
    fake.api = "/alt"
    assert generate(backend(fake), job(tmp_path)).is_file()
    assert fake.seen("GET", "/alt/fal-ai/flux/requests/job-0001/status")
    assert not fake.seen("GET", "/fal-ai/")


def test_without_urls_it_finds_the_requests_under_the_app(fake: FakeFal, tmp_path: Path):
    fake.bare_submit = True
    assert generate(backend(fake), job(tmp_path)).is_file()
    assert fake.seen("GET", "/fal-ai/flux/requests/job-0001/status")


def test_a_failed_request_shows_the_models_error(fake: FakeFal, tmp_path: Path):
    message = failure(backend(fake, models={"keyframe": "fal-ai/flux-pro/kontext"}), job(tmp_path))
    assert message == "fal could not make the keyframe: 422 Field required (missing, at image_url)"


def test_a_failure_the_status_tells_is_reported_without_fetching(fake: FakeFal, tmp_path: Path):
    fake.status_error = True
    message = failure(backend(fake), job(tmp_path, prompt="a forbidden thing"))
    assert FakeFal.REFUSAL in message and "(content_policy_violation)" in message
    assert not [r for r in fake.seen("GET", "/fal-ai/flux/requests/") if not r.path.endswith("/status")]


def test_a_picture_the_safety_checker_flagged_is_refused(fake: FakeFal, tmp_path: Path):
    fake.nsfw = True
    message = failure(backend(fake), job(tmp_path))
    assert "has_nsfw_concepts" in message
    assert not fake.seen("GET", "/files/") and not list((tmp_path / "work").iterdir())


def test_an_output_given_as_a_data_uri_is_kept(fake: FakeFal, tmp_path: Path):
    fake.data_output = True
    assert kind_of(generate(backend(fake), job(tmp_path))) == "image"
    assert not fake.seen("GET", "/files/")


def test_a_renamed_text_field_and_an_audio_output(fake: FakeFal, tmp_path: Path):
    b = backend(fake, models={"voice_line": "fal-ai/kokoro/american-english"},
                inputs={"voice_line": {"text": "prompt", "voice": "voice"}}, voices={"alin": "af_heart"})
    out = generate(b, job(tmp_path, "voice_line", prompt="ALIN: low", text="The sea is rising.", character="Alin"))
    assert kind_of(out) == "audio" and out.suffix == ".mp3"
    assert fake.seen("POST")[0].json() == {"prompt": "The sea is rising.", "voice": "af_heart"}


def test_an_interrupted_build_cancels_the_request(fake: FakeFal, tmp_path: Path):
    fake.jobs.hold = True
    b = backend(fake)

    async def go():
        task = asyncio.ensure_future(b.generate(job(tmp_path)))
        deadline = time.monotonic() + 10
        while not fake.seen("GET", "/fal-ai/flux/requests/") and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await b.close()

    asyncio.run(go())
    cancel, = fake.seen("PUT")
    assert cancel.path == "/fal-ai/flux/requests/job-0001/cancel"
    assert fake.jobs.cancelled == ["job-0001"]


def test_platform_errors_show_their_type(fake: FakeFal, tmp_path: Path):
    fake.fail(400, path="/fal-ai/flux/dev", body={"detail": "Invalid timeout header", "error_type": "bad_request"})
    message = failure(backend(fake), job(tmp_path))
    assert "400 Invalid timeout header (bad_request)" in message


def test_an_unknown_model_names_the_setting(fake: FakeFal, tmp_path: Path):
    message = failure(backend(fake, models={"keyframe": "nobody/nothing"}), job(tmp_path))
    assert "no model `nobody/nothing`" in message and "models.keyframe" in message


def test_explain_reads_every_error_shape(monkeypatch):
    monkeypatch.setenv("FAL_KEY", KEY)
    b = registry.create("fal", {})
    listed = httpx.Response(422, json={"detail": [{"loc": ["body", "image_url"], "msg": "Field required", "type": "missing"},
                                                  {"loc": ["body"], "msg": "Too long", "type": "value_error"}]})
    assert b.explain(listed) == "Field required (missing, at image_url); Too long (value_error)"
    assert b.explain(httpx.Response(504, json={"detail": "Request timed out", "error_type": "request_timeout"})) == \
        "Request timed out (request_timeout)"
    assert b.explain(httpx.Response(502, text="<html>Bad gateway</html>")) == "<html>Bad gateway</html>"


def test_the_app_of_a_model():
    assert app_of("fal-ai/flux/dev") == "fal-ai/flux"
    assert app_of("fal-ai/kling-video/v2.1/pro/image-to-video") == "fal-ai/kling-video"
    assert app_of("fal-ai/stable-audio") == "fal-ai/stable-audio"
    assert app_of("workflows/someone/my-flow") == "workflows/someone/my-flow"
