"""The ComfyUI backend's own protocol: its workflows, uploads, refusals, the queue and cancelling,
against the loopback fake of a ComfyUI server (tests/fakes/comfyui.py)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path

import pytest
from fakes import media
from fakes.comfyui import MODELS, FakeComfyUI, validate
from fakes.run import failure

from filmc.backends import registry
from filmc.backends.base import BackendError, Job
from filmc.backends.services.comfyui import clip_length, fit, pick_output, queue_state
from filmc.backends.services.files import sniff

FAST = {"poll_s": 0.01, "backoff_s": 0.01, "max_wait_s": 20, "timeout_s": 10, "retries": 3}
PARAMS = {
    "character_sheet": {"prompt": "Character sheet of ALIN, a fisherwoman", "key": "alin"},
    "set_plate": {"prompt": "The shore, black basalt, day", "key": "shore"},
    "keyframe": {"prompt": "Wide shot of ALIN on the shore.", "subjects": ["alin", "mother"], "width": 1280, "height": 720,
                 "fps": 24},
    "clip": {"prompt": "Static camera. ALIN walks.", "duration_s": 4.0, "width": 1280, "height": 720, "fps": 24},
}


@pytest.fixture(scope="module")
def server():
    with FakeComfyUI() as running:
        yield running


@pytest.fixture
def fake(server: FakeComfyUI) -> FakeComfyUI:
    return server.reset()


def backend(url: str = "http://127.0.0.1:9", root: Path | None = None, **settings):
    made = registry.create("comfyui", {"base_url": url, **FAST, **settings})
    assert made is not None
    if root is not None:
        made.setup(root)
    return made


def job(kind: str, folder: Path, inputs: dict[str, Path] | None = None, **params) -> Job:
    workdir = folder / "work" / f"{kind}-{time.monotonic_ns()}"
    workdir.mkdir(parents=True)
    return Job(task_id=f"shot/1.1/{kind}", kind=kind, params={**PARAMS[kind], **params}, inputs=inputs or {},
               workdir=workdir, seed=1234)


def picture(folder: Path, text: str) -> Path:
    path = folder / f"{text}.png"
    path.write_bytes(media.png(text))
    return path


def generate(made, *jobs: Job) -> list[Path]:
    async def go():
        try:
            return [await made.generate(j) for j in jobs]
        finally:
            await made.close()

    return asyncio.run(go())



def submitted(fake: FakeComfyUI) -> list[dict]:
    return [r.json()["prompt"] for r in fake.seen("POST", "/prompt")]


def nodes_of(graph: dict, class_type: str) -> list[dict]:
    return [n for n in graph.values() if n["class_type"] == class_type]


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """{
  "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
  "2": {"class_type": "CLIPTextEncode", "inputs": {"text": {{ prompt|tojson }}, "clip": ["1", 1]}},
  "3": {"class_type": "EmptyLatentImage", "inputs": {"width": {{ width }}, "height": {{ height }}, "batch_size": 1}},
  "4": {"class_type": "KSampler", "inputs": {"model": ["1", 0], "seed": {{ seed }}, "steps": 20, "cfg": 7.0,
        "sampler_name": "euler", "scheduler": "normal", "positive": ["2", 0], "negative": ["2", 0],
        "latent_image": ["3", 0], "denoise": 1.0}},
  "5": {"class_type": "VAEDecode", "inputs": {"samples": ["4", 0], "vae": ["1", 2]}},
  "6": {"class_type": "SaveImage", "inputs": {"images": ["5", 0], "filename_prefix": {{ filename_prefix|tojson }}}}
}
"""


# ---- the shipped workflows ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["character_sheet", "set_plate", "keyframe", "clip"])
@pytest.mark.parametrize("with_images", [False, True], ids=["alone", "with-images"])
def test_the_stdlib_workflows_render_to_graphs_comfyui_accepts(kind: str, with_images: bool, tmp_path: Path):
    made = backend()
    names = ["filmc-sheet-alin.png", "filmc-sheet-mother.png", "filmc-plate.png"]
    images = {"first_frame": "filmc-first.png", "last_frame": "filmc-last.png", "sheets": names[:2], "plate": names[2],
              "reference_images": names} if with_images else {}
    prompt = 'ALIN says "the sea {{ rises }}"\nand — turns.'
    one = job(kind, tmp_path, prompt=prompt)
    graph = made.workflows[kind].render(made.context(one, images, "0f0e0d0c-0000-4000-8000-000000000000"))
    uploaded = {("", n) for n in [*names, "filmc-first.png", "filmc-last.png"]}

    error, good, node_errors = validate(graph, uploaded, MODELS)

    assert (error, node_errors) == (None, {})
    assert len(good) == 1
    texts = [n["inputs"]["text"] for n in nodes_of(graph, "CLIPTextEncode")]
    assert prompt in texts  # the prompt arrives as written, quotes, braces and all
    loaded = sorted(n["inputs"]["image"] for n in nodes_of(graph, "LoadImage"))
    saver = graph[good[0]]
    assert saver["inputs"]["filename_prefix"].startswith(f"filmc/{kind}-")
    if kind == "clip":
        assert saver["class_type"] == "SaveVideo"
        wan = nodes_of(graph, "WanFirstLastFrameToVideo")[0]["inputs"]
        assert (wan["width"], wan["height"], wan["length"]) == (1280, 720, 65)  # 4 s at 16 fps: 64 → 4n + 1
        assert [n["inputs"]["noise_seed"] for n in nodes_of(graph, "KSamplerAdvanced")] == [1234, 1234]
        assert ("start_image" in wan, "end_image" in wan) == (with_images, with_images)
        assert loaded == (["filmc-first.png", "filmc-last.png"] if with_images else [])
    else:
        assert saver["class_type"] == "SaveImage"
        sampler = nodes_of(graph, "KSampler")[0]["inputs"]
        assert sampler["seed"] == 1234
        latent = nodes_of(graph, "EmptySD3LatentImage")[0]["inputs"]
        size = {"character_sheet": (1024, 1024), "set_plate": (1344, 768), "keyframe": (1280, 720)}[kind]
        assert (latent["width"], latent["height"]) == size
        assert loaded == (sorted(names) if with_images else [])
        assert len(nodes_of(graph, "ReferenceLatent")) == (3 if with_images else 0)


def test_a_keyframe_takes_at_most_max_reference_images(tmp_path: Path):
    made = backend(vars={"max_reference_images": 1})
    names = ["a.png", "b.png", "c.png"]
    graph = made.workflows["keyframe"].render(made.context(job("keyframe", tmp_path), {"reference_images": names}, "x" * 36))
    assert [n["inputs"]["image"] for n in nodes_of(graph, "LoadImage")] == ["a.png"]
    assert validate(graph, {("", "a.png")}, MODELS)[0] is None


def test_vars_reach_the_workflows(tmp_path: Path):
    made = backend(vars={"image_model": "my-flux.safetensors", "video_steps": 30})
    image = made.workflows["keyframe"].render(made.context(job("keyframe", tmp_path), {}, "x" * 36))
    clip = made.workflows["clip"].render(made.context(job("clip", tmp_path), {}, "x" * 36))
    assert nodes_of(image, "UNETLoader")[0]["inputs"]["unet_name"] == "my-flux.safetensors"
    assert [n["inputs"]["end_at_step"] for n in nodes_of(clip, "KSamplerAdvanced")] == [15, 10000]


@pytest.mark.parametrize(("duration", "fps", "step", "frames"), [
    (5.0, 16, 4, 81), (4.0, 16, 4, 65), (0.1, 16, 4, 5), (3.3, 16, 4, 53), (2.0, 24, 8, 49), (2.0, 24, 1, 48), (0.0, 16, 4, 1),
])
def test_clip_lengths_are_what_the_model_makes(duration, fps, step, frames):
    assert clip_length(duration, fps, step) == frames
    assert (frames - 1) % step == 0 and frames >= duration * fps


@pytest.mark.parametrize(("size", "cap", "fitted"), [
    ((1280, 720), 1280 * 720, (1280, 720)), ((1920, 1080), 1280 * 720, (1280, 720)), ((640, 360), 1280 * 720, (640, 368)),
    ((1920, 1080), 1024 * 1024, (1360, 768)), ((1080, 1920), 1024 * 1024, (768, 1360)),
])
def test_pictures_keep_the_films_shape_within_the_pixel_cap(size, cap, fitted):
    assert fit(*size, cap, 16) == fitted


# ---- a whole task against the fake --------------------------------------------------------------


def test_a_keyframe_uploads_its_sheets_and_plate_once_each(fake: FakeComfyUI, tmp_path: Path):
    sheet, plate = picture(tmp_path, "alin"), picture(tmp_path, "shore")
    made = backend(fake.url)
    first = job("keyframe", tmp_path, {"sheet:alin": sheet, "plate": plate})
    second = job("keyframe", tmp_path, {"sheet:alin": sheet, "plate": plate}, take=2)

    outs = generate(made, first, second)

    assert all(sniff(o.read_bytes()[:16])[0] == "image" for o in outs)
    names = {f"filmc-{hashlib.sha256(p.read_bytes()).hexdigest()[:32]}.png" for p in (sheet, plate)}
    assert sorted(fake.uploads) == sorted(names)  # two pictures, two uploads, for two keyframes
    for graph in submitted(fake):
        assert [n["inputs"]["image"] for n in nodes_of(graph, "LoadImage")] == [
            f"filmc-{hashlib.sha256(sheet.read_bytes()).hexdigest()[:32]}.png",
            f"filmc-{hashlib.sha256(plate.read_bytes()).hexdigest()[:32]}.png"]
    upload = fake.seen("POST", "/upload/image")[0]
    assert b'name="overwrite"\r\n\r\ntrue' in upload.body and b'name="type"\r\n\r\ninput' in upload.body


def test_the_sheets_go_in_the_order_of_the_subjects(fake: FakeComfyUI, tmp_path: Path):
    mother, alin = picture(tmp_path, "mother"), picture(tmp_path, "alin")
    generate(backend(fake.url), job("keyframe", tmp_path, {"sheet:mother": mother, "sheet:alin": alin}))
    loaded = [n["inputs"]["image"] for n in nodes_of(submitted(fake)[0], "LoadImage")]
    assert loaded == [f"filmc-{hashlib.sha256(p.read_bytes()).hexdigest()[:32]}.png" for p in (alin, mother)]


def test_a_clip_is_fetched_as_the_video_saved(fake: FakeComfyUI, tmp_path: Path):
    first, last = picture(tmp_path, "first"), picture(tmp_path, "last")
    out, = generate(backend(fake.url), job("clip", tmp_path, {"first_frame": first, "last_frame": last}))
    assert out.suffix == ".mp4" and sniff(out.read_bytes()[:16])[0] == "video"
    view = fake.seen("GET", "/view")[0]
    assert view.query["type"] == ["output"] and view.query["subfolder"] == ["filmc"]
    assert view.query["filename"][0].startswith("clip-") and view.query["filename"][0].endswith("_00001_.mp4")
    graph = submitted(fake)[0]
    assert len(nodes_of(graph, "LoadImage")) == 2


def test_a_later_part_of_a_split_shot_starts_from_the_end_of_the_part_before(fake: FakeComfyUI, tmp_path: Path):
    previous = tmp_path / "previous.mp4"
    previous.write_bytes(media.mp4())
    one = job("clip", tmp_path, {"previous": previous})
    out, = generate(backend(fake.url), one)
    assert out.is_file()
    assert len(fake.uploads) == 1
    graph = submitted(fake)[0]
    assert "start_image" in nodes_of(graph, "WanFirstLastFrameToVideo")[0]["inputs"]
    assert [p.name for p in one.workdir.iterdir()] == [out.name]  # the still is not left behind


def test_clips_get_no_sheets_uploaded_their_workflow_does_not_read(fake: FakeComfyUI, tmp_path: Path):
    first, sheet = picture(tmp_path, "first"), picture(tmp_path, "sheet")
    generate(backend(fake.url), job("clip", tmp_path, {"first_frame": first, "sheet:alin": sheet}))
    assert len(fake.uploads) == 1


def test_the_api_prefix_works_too(fake: FakeComfyUI, tmp_path: Path):
    out, = generate(backend(f"{fake.url}/api"), job("set_plate", tmp_path))
    assert out.is_file()
    assert fake.seen("POST", "/api/prompt") and not fake.seen("POST", "/prompt")


# ---- what goes wrong --------------------------------------------------------------------------


def test_a_refused_graph_names_the_node_and_the_workflow(fake: FakeComfyUI, tmp_path: Path):
    made = backend(fake.url, vars={"image_vae": "missing-vae.safetensors"})
    message = failure(made, job("set_plate", tmp_path))
    assert "ComfyUI refused the workflow stdlib/comfyui/image.json.j2" in message
    assert "node 3 (VAELoader): Value not in list: vae_name: 'missing-vae.safetensors'" in message
    assert "models folder" in message
    assert not fake.jobs.items


def test_a_missing_custom_node_is_named(fake: FakeComfyUI, tmp_path: Path):
    write(tmp_path, "wf/plate.json.j2", MINIMAL.replace('"VAEDecode"', '"VAEDecodeTiledPlus"'))
    made = backend(fake.url, tmp_path, workflows={"set_plate": "wf/plate.json.j2"})
    message = failure(made, job("set_plate", tmp_path))
    assert "wf/plate.json.j2" in message
    assert "Cannot execute because node VAEDecodeTiledPlus does not exist" in message and "custom node" in message


def test_a_link_of_the_wrong_type_is_named(fake: FakeComfyUI, tmp_path: Path):
    write(tmp_path, "wf/plate.json.j2", MINIMAL.replace('"vae": ["1", 2]', '"vae": ["1", 1]'))
    message = failure(backend(fake.url, tmp_path, workflows={"set_plate": "wf/plate.json.j2"}), job("set_plate", tmp_path))
    assert "node 5 (VAEDecode): Return type mismatch between linked nodes: vae, received_type(CLIP) mismatch" in message


def test_an_execution_error_names_the_node_and_says_why(fake: FakeComfyUI, tmp_path: Path):
    message = failure(backend(fake.url), job("keyframe", tmp_path, prompt="A forbidden shot."))
    assert "ComfyUI could not make the keyframe with stdlib/comfyui/image.json.j2" in message
    assert f"node 4 (CLIPTextEncode) failed: {FakeComfyUI.REFUSAL} (ContentRefused)" in message


def test_a_job_interrupted_elsewhere_says_so(fake: FakeComfyUI, tmp_path: Path):
    fake.jobs.hold = True

    async def go():
        made = backend(fake.url)
        task = asyncio.ensure_future(made.generate(job("set_plate", tmp_path)))
        deadline = time.monotonic() + 10
        while not fake.interrupted and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            if any(j["state"] == "running" for j in fake.jobs.items.values()):
                await made.client().post(f"{fake.url}/interrupt")  # someone presses Cancel in ComfyUI
        with pytest.raises(BackendError) as caught:
            await task
        await made.close()
        return str(caught.value)

    assert "interrupted at node 12 (KSamplerAdvanced)" in asyncio.run(go())


def test_a_job_that_vanishes_from_the_server_fails(fake: FakeComfyUI, tmp_path: Path):
    fake.throttled = 1000

    async def go():
        made = backend(fake.url)
        task = asyncio.ensure_future(made.generate(job("set_plate", tmp_path)))
        deadline = time.monotonic() + 10
        while not fake.jobs.items and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        with fake.lock:
            fake.jobs.items.clear()  # the server restarted
        with pytest.raises(BackendError) as caught:
            await task
        await made.close()
        return str(caught.value)

    assert "no record of the set plate" in asyncio.run(go())


def test_a_workflow_that_saves_no_picture_says_what_it_saved(fake: FakeComfyUI, tmp_path: Path):
    # A clip workflow that saves a still: filmc needs a video.
    write(tmp_path, "wf/clip.json.j2", MINIMAL)
    message = failure(backend(fake.url, tmp_path, workflows={"clip": "wf/clip.json.j2"}), job("clip", tmp_path))
    assert "saved no video (it saved clip-" in message and "SaveVideo" in message


def test_a_submit_carried_out_but_unanswered_is_found_not_repeated(fake: FakeComfyUI, tmp_path: Path):
    fake.gateway_timeouts = 1  # the prompt is queued, and the proxy answers 504
    out, = generate(backend(fake.url), job("set_plate", tmp_path))
    assert out.is_file()
    sent = fake.seen("POST", "/prompt")
    assert len(sent) == 2 and sent[0].json()["prompt_id"] == sent[1].json()["prompt_id"]
    assert len(fake.jobs.items) == 1


def test_job_ids_differ_between_tries_and_backends(fake: FakeComfyUI, tmp_path: Path):
    one = job("set_plate", tmp_path)
    made = backend(fake.url)
    generate(made, one, one)
    generate(backend(fake.url), one)
    ids = [r.json()["prompt_id"] for r in fake.seen("POST", "/prompt")]
    assert len(set(ids)) == 3
    assert all(r.json()["client_id"] == made.client_id for r in fake.seen("POST", "/prompt")[:2])


# ---- the queue, and cancelling ---------------------------------------------------------------


def test_the_queue_position_is_told(fake: FakeComfyUI, tmp_path: Path):
    fake.ahead, fake.throttled = 3, 2
    states: list[str] = []
    one = job("set_plate", tmp_path)
    out, = generate(backend(fake.url), Job(**{**one.__dict__, "progress": states.append}))
    assert out.is_file()
    assert states[:2] == ["queued, 3 ahead", "queued, 3 ahead"]
    assert states[-1] == "running"


def test_queue_state_reads_comfyuis_queue():
    queue = {"queue_running": [[4, "a", {}, {}, []]],
             "queue_pending": [[7, "c", {}, {}, []], [5, "b", {}, {}, []], [9, "mine", {}, {}, []], [12, "d", {}, {}, []]]}
    assert queue_state(queue, "mine") == "queued, 3 ahead"
    assert queue_state(queue, "a") == "running"
    assert queue_state(queue, "gone") is None
    assert queue_state({"queue_running": [], "queue_pending": []}, "mine") is None


def _cancel(fake: FakeComfyUI, tmp_path: Path, until) -> str:
    made = backend(fake.url)
    one = job("set_plate", tmp_path)

    async def go():
        task = asyncio.ensure_future(made.generate(one))
        deadline = time.monotonic() + 10
        while not until() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await made.close()

    asyncio.run(go())
    return next(iter(fake.jobs.items))


def test_a_waiting_job_is_deleted_from_the_queue_when_interrupted(fake: FakeComfyUI, tmp_path: Path):
    fake.throttled = 1000
    prompt_id = _cancel(fake, tmp_path, lambda: len(fake.seen("GET", "/queue")) >= 2)
    assert fake.deleted == [prompt_id] and fake.interrupted == []
    assert fake.seen("POST", "/queue")[0].json() == {"delete": [prompt_id]}
    assert not fake.seen("POST", "/interrupt")


def test_a_running_job_is_interrupted_when_interrupted(fake: FakeComfyUI, tmp_path: Path):
    fake.jobs.hold = True
    prompt_id = _cancel(fake, tmp_path, lambda: len(fake.seen("GET", "/queue")) >= 2)
    assert fake.interrupted == [prompt_id] and fake.deleted == []
    assert fake.seen("POST", "/interrupt")[0].json() == {"prompt_id": prompt_id}


def test_pick_output_reads_what_each_save_node_reports():
    image = {"filename": "keyframe-1_00001_.png", "subfolder": "filmc", "type": "output"}
    preview = {"filename": "ComfyUI_temp_abcde_00001_.png", "subfolder": "", "type": "temp"}
    video = {"filename": "clip-1_00001_.mp4", "subfolder": "filmc", "type": "output"}
    gif = {"filename": "AnimateDiff_00001.mp4", "subfolder": "", "type": "output", "format": "video/h264-mp4"}
    assert pick_output({"9": {"images": [preview]}, "10": {"images": [image]}}, "image") == image
    assert pick_output({"9": {"images": [preview]}}, "image") == preview
    assert pick_output({"16": {"images": [video], "animated": [True]}}, "video") == video  # core SaveVideo
    assert pick_output({"7": {"gifs": [gif]}}, "video") == gif  # VideoHelperSuite's Video Combine
    assert pick_output({"10": {"images": [image]}}, "video") is None
    assert pick_output({"3": {"text": ["hello"]}}, "image") is None


# ---- settings and keys ---------------------------------------------------------------------------


def test_a_missing_workflow_file_is_rejected_in_setup(tmp_path: Path):
    with pytest.raises(ValueError, match=r"\[backend.comfyui\] `workflows.keyframe`: there is no file wf/nope.json.j2"):
        backend(root=tmp_path, workflows={"keyframe": "wf/nope.json.j2"})


@pytest.mark.parametrize(("text", "said"), [
    ("{\n  \"1\": {{ prompt|tojson }\n}", r"wf/k.json.j2:2: unexpected '}'"),
    ("{\n\n  {{ no_such_thing|tojson }}\n}", r"wf/k.json.j2:3: 'no_such_thing' is undefined"),
    ("{\n  \"1\": {{ prompt }}\n}", r"not JSON once rendered: .* at line 2, column 8 .*\|tojson"),
    ('{"nodes": [], "links": [], "version": 0.4}', r"editor's format, not the API format: export it .*Export \(API\)"),
    ('{"1": {"inputs": {}}}', r"node 1 needs a `class_type` and `inputs`"),
])
def test_a_broken_workflow_is_rejected_in_setup_with_its_line(tmp_path: Path, text: str, said: str):
    write(tmp_path, "wf/k.json.j2", text)
    with pytest.raises(ValueError, match=r"`workflows.keyframe`: .*" + said):
        backend(root=tmp_path, workflows={"keyframe": "wf/k.json.j2"})


def test_a_render_error_on_a_jobs_values_names_the_line(fake: FakeComfyUI, tmp_path: Path):
    # Fine on the sample values setup tries, broken on a second take's.
    broken = MINIMAL.replace('"steps": 20', '"steps": {% if params.get("take", 1) > 1 %}{{ params.nope }}{% else %}20{% endif %}')
    write(tmp_path, "wf/k.json.j2", broken)
    made = backend(fake.url, tmp_path, workflows={"set_plate": "wf/k.json.j2"})
    assert generate(made, job("set_plate", tmp_path))[0].is_file()
    message = failure(made, job("set_plate", tmp_path, take=2))
    assert message.startswith("the ComfyUI workflow wf/k.json.j2:5: ") and "nope" in message


def test_a_workflow_outside_the_project_is_not_read(tmp_path: Path):
    write(tmp_path, "outside.json.j2", MINIMAL)
    (tmp_path / "film").mkdir()
    with pytest.raises(ValueError, match="outside the project folder"):
        backend(root=tmp_path / "film", workflows={"keyframe": "../outside.json.j2"})


def test_the_key_holds_each_workflows_text_not_its_path(tmp_path: Path):
    write(tmp_path, "wf/a.json.j2", MINIMAL)
    write(tmp_path, "wf/b.json.j2", MINIMAL)
    first = backend(root=tmp_path, workflows={"keyframe": "wf/a.json.j2"}).identity()
    moved = backend(root=tmp_path, workflows={"keyframe": "wf/b.json.j2"}).identity()
    write(tmp_path, "wf/a.json.j2", MINIMAL.replace('"steps": 20', '"steps": 28'))
    edited = backend(root=tmp_path, workflows={"keyframe": "wf/a.json.j2"}).identity()
    stdlib = backend().identity()
    assert first == moved
    assert edited != first and stdlib != first
    assert edited["workflows"]["keyframe"] == hashlib.sha256((tmp_path / "wf/a.json.j2").read_bytes()).hexdigest()
    assert edited["workflows"]["clip"] == first["workflows"]["clip"]
    assert "workflows" not in first["settings"] and "base_url" not in first["settings"]
    assert backend(vars={"image_steps": 28}).identity() != stdlib
    assert json.dumps(first)  # plain JSON, for the key


def test_kinds_narrow_what_it_declares_and_makes(fake: FakeComfyUI, tmp_path: Path):
    made = backend(fake.url, kinds=["clip"])
    caps = made.capabilities
    assert caps.produces == frozenset({"video"}) and caps.max_clip_s == 5.0
    assert (caps.first_frame, caps.last_frame, caps.reference_images) == (True, True, False)
    assert set(made.identity()["workflows"]) == {"clip"}
    assert "not set up to make `keyframe`" in failure(made, job("keyframe", tmp_path))
    images = backend(kinds=["keyframe", "character_sheet", "set_plate"]).capabilities
    assert images.produces == frozenset({"image"}) and images.reference_images and images.max_clip_s is None


def test_what_it_declares_follows_what_the_clip_workflow_reads(tmp_path: Path):
    clip = (Path(__file__).parents[2] / "stdlib/comfyui/clip.json.j2").read_text()
    start_only = clip.replace("{% if last_frame %}", "{% if false %}").replace("{{ last_frame|tojson }}", '""')
    assert "last_frame" not in start_only.split("-#}", 1)[1]
    write(tmp_path, "wf/clip.json.j2", start_only)
    caps = backend(root=tmp_path, workflows={"clip": "wf/clip.json.j2"}, kinds=["clip"]).capabilities
    assert (caps.first_frame, caps.last_frame) == (True, False)
    write(tmp_path, "wf/t2v.json.j2", MINIMAL)
    caps = backend(root=tmp_path, workflows={"clip": "wf/t2v.json.j2"}, kinds=["clip"], max_clip_s=8).capabilities
    assert (caps.first_frame, caps.last_frame, caps.max_clip_s) == (False, False, 8)


@pytest.mark.parametrize(("settings", "said"), [
    ({"kinds": ["keyframe", "voice_line"]}, "`kinds` must be a list of some of"),
    ({"kinds": []}, "`kinds` must be a list"),
    ({"workflows": {"music_cue": "x.json.j2"}}, "`workflows` must be a table of task kinds"),
    ({"vars": {"prompt": "x"}}, "`vars` cannot set `prompt`"),
    ({"vars": "steps=20"}, "`vars` must be a table"),
    ({"video_fps": 0}, "`video_fps` must be a number of 1 or more"),
    ({"length_step": 2.5}, "`length_step` must be a whole number"),
    ({"sheet_size": [1024]}, "`sheet_size` must be \\[width, height\\]"),
    ({"token_env": ""}, "`token_env` must name an environment variable"),
    ({"negative_prompt": 3}, "`negative_prompt` must be text"),
])
def test_bad_settings_are_refused_by_name(settings: dict, said: str):
    with pytest.raises(ValueError, match=said):
        registry.create("comfyui", settings)


def test_a_token_for_a_proxied_server(fake: FakeComfyUI, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("COMFY_TEST_TOKEN", raising=False)
    made = backend(fake.url, token_env="COMFY_TEST_TOKEN")
    assert "COMFY_TEST_TOKEN" in made.unavailable()
    monkeypatch.setenv("COMFY_TEST_TOKEN", "tok-0123456789")
    assert made.unavailable() is None
    assert backend().unavailable() is None
    generate(made, job("set_plate", tmp_path))
    assert {r.header("authorization") for r in fake.requests} == {"Bearer tok-0123456789"}
    assert made.redact("echo tok-0123456789") == "echo [redacted]"
    assert "token_env" not in made.identity()["settings"]
