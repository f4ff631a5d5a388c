"""The Replicate backend against its loopback fake (tests/fakes/replicate.py): model and
version routes, `Prefer: wait`, output shapes, failures in Replicate's words, the URLs a
prediction gives, cancellation. The shared contract is tests/contract/test_services.py."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from fakes import media
from fakes.replicate import KEY, MUSICGEN, FakeReplicate
from fakes.run import failure, generate

from filmc.backends import registry
from filmc.backends.base import BackendError, Job
from filmc.backends.services.files import sniff

FAST = {"poll_s": 0.01, "backoff_s": 0.01, "max_wait_s": 20, "timeout_s": 10, "retries": 2}


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("REPLICATE_API_TOKEN", KEY)
    with FakeReplicate() as server:
        yield server


def backend(fake: FakeReplicate, **settings):
    return registry.create("replicate", {"base_url": fake.url, **FAST, **settings})


def job(tmp_path: Path, kind: str = "keyframe", prompt: str = "Wide shot of ALIN.", inputs: dict | None = None,
        progress=None, **params) -> Job:
    work = tmp_path / "work"
    work.mkdir(parents=True, exist_ok=True)
    files = {}
    for role in inputs or ():
        files[role] = tmp_path / f"{role}.png"
        files[role].write_bytes(media.png(role, 64, 36))
    return Job(task_id=f"t/{kind}", kind=kind, params={"prompt": prompt, "width": 640, "height": 360, **params},
               inputs=files, workdir=work, seed=99, progress=progress)




def kind_of(path: Path) -> str:
    found = sniff(path.read_bytes()[:16])
    assert found is not None
    return found[0]


def test_an_official_model_by_name_waits_for_the_answer(fake: FakeReplicate, tmp_path: Path):
    out = generate(backend(fake), job(tmp_path))
    assert kind_of(out) == "image" and out.name == "keyframe.png"
    create, = fake.seen("POST")
    assert create.path == "/v1/models/google/nano-banana/predictions"
    assert create.header("prefer") == "wait=60"
    assert create.header("authorization") == f"Bearer {KEY}"
    assert create.json() == {"input": {"prompt": "Wide shot of ALIN.", "aspect_ratio": "16:9"}}
    # Finished within the wait: no polling, and the file fetched without the token.
    assert not fake.seen("GET", "/v1/")
    download, = fake.seen("GET", "/files/")
    assert download.header("authorization") is None


def test_a_model_version_goes_to_the_predictions_route(fake: FakeReplicate, tmp_path: Path):
    b = backend(fake, models={"music_cue": f"meta/musicgen:{MUSICGEN}"})
    out = generate(b, job(tmp_path, "music_cue", prompt="Tense music, 90 bpm", duration_s=5.5))
    assert kind_of(out) == "audio"
    create, = fake.seen("POST")
    assert create.path == "/v1/predictions"
    assert create.json() == {"version": MUSICGEN, "input": {"prompt": "Tense music, 90 bpm", "duration": 6, "seed": 99}}


def test_without_a_wait_it_polls(fake: FakeReplicate, tmp_path: Path):
    states: list[str] = []
    assert generate(backend(fake, wait_s=0), job(tmp_path, progress=states.append)).is_file()
    assert fake.seen("POST")[0].header("prefer") is None
    assert len(fake.seen("GET", "/v1/predictions/")) == 2
    assert "running 40%" in states


def test_starting_is_waited_out_and_told(fake: FakeReplicate, tmp_path: Path):
    fake.queued = 2
    states: list[str] = []
    assert generate(backend(fake), job(tmp_path, progress=states.append)).is_file()
    assert states.count("waiting at Replicate (starting)") >= 2


def test_a_clip_starts_from_its_keyframe(fake: FakeReplicate, tmp_path: Path):
    out = generate(backend(fake), job(tmp_path, "clip", inputs=["first_frame"], duration_s=7.0))
    assert kind_of(out) == "video" and out.suffix == ".mp4"
    given = fake.seen("POST")[0].json()["input"]
    assert given["start_image"].startswith("data:image/png;base64,") and given["duration"] == 10
    assert "seed" not in given and "end_image" not in given


def test_a_missing_required_input_is_reported_in_replicates_words(fake: FakeReplicate, tmp_path: Path):
    message = failure(backend(fake), job(tmp_path, "clip", duration_s=4.0))
    assert "422" in message and "Input validation failed" in message and "start_image is required" in message


@pytest.mark.parametrize(("model", "shape"), [("black-forest-labs/flux-schnell", "a list"),
                                              ("fofr/sound-and-notes", "a dict")])
def test_outputs_of_any_shape(fake: FakeReplicate, tmp_path: Path, model: str, shape: str):
    kind = "music_cue" if model.startswith("fofr") else "keyframe"
    out = generate(backend(fake, models={kind: model}), job(tmp_path, kind, duration_s=3.0))
    assert out.is_file() and kind_of(out) == ("audio" if kind == "music_cue" else "image"), shape


def test_an_output_given_as_a_data_uri_is_kept(fake: FakeReplicate, tmp_path: Path):
    fake.data_output = True
    out = generate(backend(fake), job(tmp_path))
    assert kind_of(out) == "image"
    assert not fake.seen("GET", "/files/")


def test_files_given_before_the_prediction_ends_are_taken(fake: FakeReplicate, tmp_path: Path):
    fake.early_files = True
    assert generate(backend(fake), job(tmp_path)).is_file()
    assert not fake.seen("GET", "/v1/predictions/")


def test_it_follows_the_urls_a_prediction_gives(fake: FakeReplicate, tmp_path: Path):
    fake.api = "/alt/v1"
    assert generate(backend(fake, wait_s=0), job(tmp_path)).is_file()
    polls = fake.seen("GET", "/alt/v1/predictions/")
    assert polls and not fake.seen("GET", "/v1/predictions/")


def test_an_interrupted_build_cancels_at_the_given_url(fake: FakeReplicate, tmp_path: Path):
    fake.api = "/alt/v1"
    fake.jobs.hold = True
    b = backend(fake, wait_s=0)

    async def go():
        task = asyncio.ensure_future(b.generate(job(tmp_path)))
        deadline = time.monotonic() + 10
        while not fake.seen("GET", "/alt/v1/predictions/") and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await b.close()

    asyncio.run(go())
    cancel, = fake.seen("POST", "/alt/v1/predictions/")
    assert cancel.path.endswith("/cancel") and fake.jobs.cancelled == ["job-0001"]


def test_a_cancelled_prediction_fails_the_task(fake: FakeReplicate, tmp_path: Path):
    fake.jobs.hold = True
    b = backend(fake, wait_s=0)

    async def cancel_soon():
        while not fake.seen("GET", "/v1/predictions/"):
            await asyncio.sleep(0.01)
        fake.jobs.cancel("job-0001")

    async def go():
        try:
            return await asyncio.gather(b.generate(job(tmp_path)), cancel_soon())
        finally:
            await b.close()

    with pytest.raises(BackendError, match="could not make the keyframe: it was cancelled"):
        asyncio.run(go())


def test_problem_details_are_shown_with_their_title(fake: FakeReplicate, tmp_path: Path):
    fake.fail(402, path="/v1/models/", body={"title": "Insufficient credit", "status": 402,
                                                "detail": "You have insufficient credit to run this model."})
    message = failure(backend(fake), job(tmp_path))
    assert "402 Insufficient credit: You have insufficient credit to run this model." in message


def test_an_unknown_model_names_the_setting(fake: FakeReplicate, tmp_path: Path):
    message = failure(backend(fake, models={"keyframe": "nobody/nothing"}), job(tmp_path))
    assert "no model `nobody/nothing`" in message and "models.keyframe" in message


def test_a_voice_line_speaks_with_the_cast_voice(fake: FakeReplicate, tmp_path: Path):
    b = backend(fake, models={"voice_line": "minimax/speech-02-turbo"}, voices={"ALIN": "Wise_Woman"})
    out = generate(b, job(tmp_path, "voice_line", prompt="ALIN: low", text="The sea is rising.", character="ALIN"))
    assert kind_of(out) == "audio"
    assert fake.seen("POST")[0].json()["input"] == {"text": "The sea is rising.", "voice_id": "Wise_Woman"}
