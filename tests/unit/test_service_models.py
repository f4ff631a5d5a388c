"""The model mapping Replicate and fal share (backends/services/models.py): which model makes
each kind, how a task's fields become its inputs, what the backend declares from that, and
which settings it refuses. No network: the protocols are in test_service_replicate/fal.py."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest
from fakes import media

from filmc.backends import registry
from filmc.backends.base import BackendError, Job
from filmc.backends.services.fal import FAL
from filmc.backends.services.models import Models, aspect_ratio, file_url, references
from filmc.backends.services.replicate import REPLICATE


def job(tmp_path: Path, kind: str = "keyframe", inputs: dict[str, str] | None = None, seed: int | None = 7,
        references_: dict[str, str] | None = None, **params) -> Job:
    """A job whose input files are small PNGs named after their role (an MP4 for `previous`)."""
    files = {}
    for role, name in {**(inputs or {}), **(references_ or {})}.items():
        path = tmp_path / f"{name}.{'mp4' if role == 'previous' else 'png'}"
        path.write_bytes(media.mp4() if role == "previous" else media.png(name, 64, 36))
        files[role] = path
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    given = {"prompt": "Wide shot of ALIN on the shore.", "width": 1280, "height": 720, **params}
    return Job(task_id=f"t/{kind}", kind=kind, params=given, workdir=work, seed=seed,
               inputs={r: p for r, p in files.items() if r not in (references_ or {})},
               references={r: p for r, p in files.items() if r in (references_ or {})})


def sent(models: Models, j: Job) -> dict:
    return asyncio.run(models.inputs(j))


def decoded(uri: str) -> bytes:
    head, _, data = uri.partition(",")
    assert head.startswith("data:image/png;base64")
    return base64.b64decode(data)


# ---- defaults ----------------------------------------------------------------------------


def test_replicate_defaults_make_pictures_and_clips_only():
    models = Models(REPLICATE, {})
    assert models.kinds() == {"character_sheet", "set_plate", "keyframe", "clip"}
    assert models.route("character_sheet").model == "black-forest-labs/flux-kontext-pro"
    assert models.route("keyframe").model == "google/nano-banana"
    assert models.route("clip").model == "kwaivgi/kling-v2.1"
    caps = models.capabilities()
    assert caps.produces == {"image", "video"}
    assert (caps.reference_images, caps.seeds, caps.first_frame, caps.last_frame) == (True, True, True, False)
    assert caps.max_clip_s == 10


def test_fal_defaults_take_frames_but_no_references():
    caps = Models(FAL, {}).capabilities()
    assert caps.produces == {"image", "video"}
    assert (caps.reference_images, caps.first_frame, caps.last_frame) == (False, True, True)


def test_the_class_declares_every_kind_it_can_be_set_up_for():
    for name in ("replicate", "fal"):
        declared = registry.capabilities(name)
        assert declared is not None and declared.produces == {"image", "video", "speech", "music"}


def test_default_inputs_of_a_keyframe(tmp_path: Path):
    j = job(tmp_path, inputs={"plate": "plate", "sheet:alin": "alin", "sheet:bo": "bo"})
    given = sent(Models(REPLICATE, {}), j)
    assert set(given) == {"prompt", "aspect_ratio", "image_input"}  # Nano Banana takes no seed
    assert given["prompt"] == "Wide shot of ALIN on the shore." and given["aspect_ratio"] == "16:9"
    # Every reference, the characters' sheets first, then the plate.
    assert [decoded(u) for u in given["image_input"]] == [j.inputs[r].read_bytes() for r in ("sheet:alin", "sheet:bo", "plate")]


def test_a_one_image_model_gets_the_first_reference(tmp_path: Path):
    j = job(tmp_path, inputs={"plate": "plate", "sheet:alin": "alin"}, seed=2**31 + 5)
    given = sent(Models(REPLICATE, {"models": {"keyframe": "black-forest-labs/flux-kontext-pro"}}), j)
    assert set(given) == {"prompt", "seed", "aspect_ratio", "input_image"}
    assert given["seed"] == 5
    assert decoded(given["input_image"]) == j.inputs["sheet:alin"].read_bytes()


def test_default_inputs_of_a_clip_on_each_service(tmp_path: Path):
    j = job(tmp_path, "clip", inputs={"first_frame": "key", "last_frame": "next"}, duration_s=4.0)
    on_replicate = sent(Models(REPLICATE, {}), j)
    assert set(on_replicate) == {"prompt", "start_image", "duration"}  # Kling 2.1: no seed, no ratio, end needs pro
    assert on_replicate["duration"] == 5
    on_fal = sent(Models(FAL, {}), j)
    assert set(on_fal) == {"prompt", "image_url", "tail_image_url", "duration"}
    assert on_fal["duration"] == "5"  # fal's video models take their length as text
    assert decoded(on_fal["tail_image_url"]) == j.inputs["last_frame"].read_bytes()


def test_fal_pictures_get_the_films_size(tmp_path: Path):
    given = sent(Models(FAL, {}), job(tmp_path, "set_plate"))
    assert given["image_size"] == {"width": 1280, "height": 720}
    assert "aspect_ratio" not in given


def test_a_model_without_a_preset_gets_the_services_generic_names(tmp_path: Path):
    models = Models(REPLICATE, {"models": {"clip": "google/veo-3"}})
    given = sent(models, job(tmp_path, "clip", inputs={"first_frame": "key"}, duration_s=6.0))
    assert set(given) == {"prompt", "seed", "aspect_ratio", "duration", "image"}


# ---- film.toml's mapping -----------------------------------------------------------------


def test_inputs_rename_fields(tmp_path: Path):
    models = Models(REPLICATE, {"inputs": {"clip": {"first_frame": "first_frame_image", "last_frame": "end_image"}}})
    given = sent(models, job(tmp_path, "clip", inputs={"first_frame": "key", "last_frame": "next"}, duration_s=5.0))
    assert "start_image" not in given and given["first_frame_image"].startswith("data:image/png")
    assert given["end_image"].startswith("data:image/png")
    assert models.capabilities().last_frame is True


def test_an_empty_input_name_drops_the_field(tmp_path: Path):
    settings = {"models": {"keyframe": "black-forest-labs/flux-kontext-pro", **{k: "" for k in ("character_sheet", "set_plate", "clip")}},
                "inputs": {"keyframe": {"seed": ""}}}
    models = Models(REPLICATE, settings)
    assert "seed" not in sent(models, job(tmp_path))
    assert models.capabilities().seeds is False


def test_extra_inputs_are_added_and_win(tmp_path: Path):
    models = Models(REPLICATE, {"extra": {"clip": {"mode": "pro", "duration": 10, "negative_prompt": "blur"}}})
    given = sent(models, job(tmp_path, "clip", inputs={"first_frame": "key"}, duration_s=4.0))
    assert given["mode"] == "pro" and given["negative_prompt"] == "blur"
    assert given["duration"] == 10


def test_a_field_the_task_lacks_is_not_sent(tmp_path: Path):
    # No sheets, plate or ref: image, and no seed: the picture is made from the prompt.
    given = sent(Models(REPLICATE, {"models": {"keyframe": "black-forest-labs/flux-kontext-pro"}}), job(tmp_path, seed=None))
    assert set(given) == {"prompt", "aspect_ratio"}


def test_a_kind_given_no_model_is_not_made(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_unused-0000")
    backend = registry.create("replicate", {"models": {"clip": ""}})
    assert "clip" not in backend.kinds() and "voice_line" not in backend.kinds()
    assert backend.capabilities.produces == {"image"}
    assert backend.capabilities.max_clip_s is None
    for kind in ("clip", "voice_line"):
        with pytest.raises(BackendError, match=f"not set up to make `{kind}`"):
            asyncio.run(backend.generate(job(tmp_path, kind, text="The sea is rising.", duration_s=4.0)))


def test_naming_a_model_makes_its_kind(tmp_path: Path):
    models = Models(REPLICATE, {"models": {"voice_line": "minimax/speech-02-turbo"}, "voices": {"alin": "Wise_Woman"}})
    assert "voice_line" in models.kinds() and "speech" in models.capabilities().produces
    given = sent(models, job(tmp_path, "voice_line", character="ALIN", text="The sea is rising."))
    assert given == {"text": "The sea is rising.", "voice_id": "Wise_Woman"}
    other = sent(models, job(tmp_path, "voice_line", character="BO", text="Is it?"))
    assert other == {"text": "Is it?"}  # no voice given: the model's own


def test_durations_choose_the_length_asked_for(tmp_path: Path):
    models = Models(FAL, {"durations": [4, 6, 8]})
    assert [models.billed_seconds("clip", s) for s in (3.2, 4.0, 6.5, 9.0)] == [4, 4, 8, 8]
    assert models.max_clip_s == 8
    assert Models(FAL, {"durations": []}).billed_seconds("clip", 6.2) == 7
    assert Models(FAL, {}).billed_seconds("music_cue", 6.2) == 7
    assert Models(FAL, {}).billed_seconds("keyframe", 6.2) is None
    given = sent(Models(FAL, {"models": {"music_cue": "fal-ai/stable-audio"}}), job(tmp_path, "music_cue", duration_s=6.2))
    assert given["seconds_total"] == 7  # music lengths go as numbers, renamed by stable-audio's preset


def test_a_clip_prices_the_length_it_is_billed_for(monkeypatch):
    monkeypatch.setenv("FAL_KEY", "id:unused-secret")
    backend = registry.create("fal", {})
    assert backend.price("clip", {"duration_s": 4.0}) == pytest.approx(5 * 0.07)
    assert backend.price("keyframe", {}) == pytest.approx(0.025)
    own = registry.create("fal", {"prices": {"clip": {"per_task": 0.5}}})
    assert own.price("clip", {"duration_s": 4.0}) == pytest.approx(0.5)


def test_references_come_sheets_first(tmp_path: Path):
    j = job(tmp_path, inputs={"plate": "plate", "sheet:alin": "alin", "first_frame": "key"})
    assert [p.stem for p in references(j)] == ["alin", "plate"]
    models = Models(FAL, {"models": {"keyframe": "fal-ai/some/edit"}, "inputs": {"keyframe": {"references": "image_urls"}}})
    given = sent(models, j)
    assert [decoded(u) for u in given["image_urls"]] == [j.inputs["sheet:alin"].read_bytes(), j.inputs["plate"].read_bytes()]
    assert models.capabilities().reference_images is True


def test_a_sheet_is_drawn_from_its_ref_image(tmp_path: Path):
    j = job(tmp_path, "character_sheet", references_={"ref": "photo"})
    given = sent(Models(REPLICATE, {}), j)
    assert decoded(given["input_image"]) == j.references["ref"].read_bytes()


def test_a_continued_clip_starts_from_the_end_of_the_one_before(tmp_path: Path):
    j = job(tmp_path, "clip", inputs={"previous": "before"}, duration_s=4.0)
    given = sent(Models(REPLICATE, {}), j)
    assert given["start_image"].startswith("data:image/png;base64,")
    assert (j.workdir / "previous-end.png").is_file()


def test_the_models_go_into_the_identity(monkeypatch):
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_unused-0000")
    identity = registry.create("replicate", {}).identity()
    assert identity["models"]["clip"]["model"] == "kwaivgi/kling-v2.1"
    assert identity["models"]["clip"]["inputs"]["first_frame"] == "start_image"
    assert "wait_s" not in identity["settings"]
    assert "wait_s" not in registry.create("replicate", {"wait_s": 5}).identity()["settings"]


# ---- refused settings ----------------------------------------------------------------------


@pytest.mark.parametrize(("settings", "named"), [
    ({"models": "flux"}, "`models`"),
    ({"models": {"clips": "kwaivgi/kling-v2.1"}}, "`models.clips`"),
    ({"models": {"clip": "kling"}}, "`models.clip`"),
    ({"models": {"clip": 3}}, "`models.clip`"),
    ({"inputs": {"clip": {"first": "image"}}}, "`inputs.clip.first`"),
    ({"inputs": {"clip": {"first_frame": 1}}}, "`inputs.clip.first_frame`"),
    ({"inputs": {"clip": "image"}}, "`inputs.clip`"),
    ({"extra": {"clip": 5}}, "`extra.clip`"),
    ({"durations": [5, "10"]}, "`durations`"),
    ({"durations": 5}, "`durations`"),
    ({"max_clip_s": 0}, "`max_clip_s`"),
    ({"max_clip_s": 12}, "`max_clip_s`"),
    ({"voices": ["Wise_Woman"]}, "`voices`"),
    ({"voices": {"ALIN": 3}}, "`voices.ALIN`"),
])
def test_bad_settings_are_refused_by_name(settings, named):
    with pytest.raises(ValueError) as caught:
        Models(REPLICATE, settings, "replicate")
    assert named in str(caught.value) and "[backend.replicate]" in str(caught.value)


def test_model_names_follow_each_service():
    Models(REPLICATE, {"models": {"music_cue": "meta/musicgen:671ac645ce5e552cc"}})
    Models(FAL, {"models": {"clip": "fal-ai/kling-video/v2.1/pro/image-to-video"}})
    with pytest.raises(ValueError, match="fal-ai/flux/dev"):
        Models(FAL, {"models": {"keyframe": "flux"}})
    with pytest.raises(ValueError, match="owner|black-forest-labs"):
        Models(REPLICATE, {"models": {"keyframe": "fal-ai/flux/dev"}})


def test_wait_s_is_at_most_a_minute():
    with pytest.raises(ValueError, match="`wait_s`"):
        registry.create("replicate", {"wait_s": 61})


# ---- shapes --------------------------------------------------------------------------------


def test_the_nearest_common_ratio():
    assert [aspect_ratio(w, h) for w, h in ((1920, 1080), (1080, 1920), (1000, 1000), (2390, 1000), (1440, 1080))] == \
        ["16:9", "9:16", "1:1", "21:9", "4:3"]


def test_the_first_file_of_any_output():
    url = "https://replicate.delivery/x/out.png"
    assert file_url(url) == url
    assert file_url([url, "https://replicate.delivery/y.png"]) == url
    assert file_url({"json": None, "audio": url}) == url
    assert file_url({"images": [{"url": url, "width": 1}], "seed": 4, "prompt": "https://not.a/file"}) == url
    assert file_url({"audio_file": {"url": url, "content_type": "audio/wav"}}) == url
    assert file_url({"video": {"url": url}}) == url
    assert file_url("data:image/png;base64,AAAA") == "data:image/png;base64,AAAA"
    assert file_url({"text": "no file here"}) is None and file_url(None) is None and file_url([]) is None
