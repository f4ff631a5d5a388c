"""The Kling backend's own protocol, against the loopback fake of Kling (tests/fakes/kling.py).

What every HTTP backend does (retries, throttling, downloads, secrets) is the contract suite's
(tests/contract/); here is what only Kling does: its signed tokens, its choice between
image2video and text2video, its end frames, its idempotency key and its envelope of codes.
"""

from __future__ import annotations

import asyncio
import base64
import io
import time
from pathlib import Path

import jwt
import pytest
from fakes import media
from fakes.kling import ACCESS_KEY, SECRET_KEY, FakeKling, envelope
from fakes.run import failure, generate
from PIL import Image

from filmc.backends import registry
from filmc.backends.base import Job
from filmc.backends.services.files import still_of
from filmc.backends.services.kling import aspect_ratio, clip_length

# Quick clocks: the fake answers at once, so a test waits only for what it checks.
FAST = {"poll_s": 0.01, "backoff_s": 0.01, "max_wait_s": 30, "timeout_s": 10, "retries": 3}
SUBMIT = "/v1/videos/image2video"


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("KLING_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("KLING_SECRET_KEY", SECRET_KEY)
    with FakeKling() as server:
        yield server


def kling(fake: FakeKling, **settings):
    return registry.create("kling", {"base_url": fake.url, **FAST, **settings})


def clip_job(folder: Path, inputs: dict[str, bytes] | None = None, **params) -> Job:
    """A clip task with these inputs (role → file bytes), written beside its workdir."""
    workdir = folder / "work"
    workdir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for role, data in (inputs or {}).items():
        paths[role] = folder / f"input-{role}"
        paths[role].write_bytes(data)
    merged = {"move": "static", "duration_s": 4.0, "take": 1, "caption": "", "prompt": "Static camera. ALIN walks.",
              "width": 640, "height": 360, "fps": 24, **params}
    return Job(task_id="shot/1.1/clip", kind="clip", params=merged, inputs=paths, workdir=workdir, seed=1234)




def picture(value: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(value, validate=True)))
    image.load()
    return image


def tokens(fake: FakeKling) -> list[str]:
    return [r.header("authorization").removeprefix("Bearer ") for r in fake.requests if not r.path.startswith("/files/")]


# ---- authentication ---------------------------------------------------------------------------


def test_signs_a_token_kling_accepts(fake, tmp_path):
    generate(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")}))
    sent = tokens(fake)
    assert len(sent) >= 3  # the submit and the polls
    token = sent[0]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    assert claims["iss"] == ACCESS_KEY
    assert claims["exp"] - claims["nbf"] == 1805
    assert abs(claims["exp"] - (time.time() + 1800)) < 60
    assert len(fake.tokens) == len(sent)


def test_reuses_its_token_until_five_minutes_before_it_ends(fake, tmp_path):
    now = [1_800_000_000.0]
    backend = kling(fake)
    backend.clock = fake.clock = lambda: now[0]
    generate(backend, clip_job(tmp_path / "a", {"first_frame": media.png("a")}))
    now[0] += 1400  # 400 s left: still good
    generate(backend, clip_job(tmp_path / "b", {"first_frame": media.png("b")}))
    assert len(set(tokens(fake))) == 1
    now[0] += 200   # 200 s left: time for a new one
    generate(backend, clip_job(tmp_path / "c", {"first_frame": media.png("c")}))
    first, second = dict.fromkeys(tokens(fake))
    assert jwt.decode(second, SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False})["nbf"] \
        == int(now[0]) - 5
    assert first != second


def test_an_expired_token_is_refused_in_klings_words(fake, tmp_path):
    backend = kling(fake)
    backend.clock = lambda: time.time() - 7200
    message = failure(backend, clip_job(tmp_path, {"first_frame": media.png("key")}))
    assert "Authorization has expired (code 1004)" in message
    assert "KLING_ACCESS_KEY" in message and "KLING_SECRET_KEY" in message


def test_a_token_signed_with_another_secret_is_refused(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("KLING_SECRET_KEY", "not-the-secret-0123456789abcdef0123")
    message = failure(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")}))
    assert "401 Authentication failed (code 1000)" in message
    assert "not-the-secret" not in message


def test_new_keys_make_a_new_token(fake, monkeypatch):
    backend = kling(fake)
    first = backend.auth_headers()
    assert backend.auth_headers() == first
    monkeypatch.setenv("KLING_SECRET_KEY", "another-secret-0123456789abcdef0123")
    second = backend.auth_headers()
    assert second != first
    assert jwt.decode(second["Authorization"].removeprefix("Bearer "), "another-secret-0123456789abcdef0123",
                      algorithms=["HS256"])["iss"] == ACCESS_KEY
    assert backend.extra_secrets() == [second["Authorization"].removeprefix("Bearer ")]


# ---- what is asked for ------------------------------------------------------------------------


def test_a_keyframe_makes_an_image2video_clip(fake, tmp_path):
    key = media.png("key")
    out = generate(kling(fake), clip_job(tmp_path, {"first_frame": key}))
    assert out.suffix == ".mp4" and [p.name for p in out.parent.iterdir()] == ["clip.mp4"]
    [body] = fake.submits()
    assert fake.seen("POST", SUBMIT) and not fake.seen("POST", "/v1/videos/text2video")
    assert body["image"] == base64.b64encode(key).decode()  # bare base64, no data: prefix
    assert "image_tail" not in body and "aspect_ratio" not in body
    assert (body["model_name"], body["mode"], body["duration"]) == ("kling-v2-1", "std", "5")
    assert body["prompt"] == "Static camera. ALIN walks."
    task_id = next(iter(fake.jobs.items))
    assert {r.path for r in fake.seen("GET", "/v1/")} == {f"{SUBMIT}/{task_id}"}


@pytest.mark.parametrize(("width", "height", "ratio"), [(640, 360, "16:9"), (360, 640, "9:16"), (480, 480, "1:1"),
                                                        (1000, 800, "1:1"), (1280, 544, "16:9")])
def test_no_picture_makes_a_text2video_clip_of_the_nearest_shape(fake, tmp_path, width, height, ratio):
    assert aspect_ratio(width, height) == ratio
    generate(kling(fake), clip_job(tmp_path, width=width, height=height))
    [body] = fake.submits()
    assert fake.seen("POST", "/v1/videos/text2video") and not fake.seen("POST", SUBMIT)
    assert body["aspect_ratio"] == ratio and "image" not in body
    assert all(r.path.startswith("/v1/videos/text2video/") for r in fake.seen("GET", "/v1/"))


def test_ends_on_the_next_shots_keyframe(fake, tmp_path):
    key, next_key = media.png("key"), media.png("next shot")
    generate(kling(fake), clip_job(tmp_path, {"first_frame": key, "last_frame": next_key}))
    [body] = fake.submits()
    assert body["image"] == base64.b64encode(key).decode()
    assert body["image_tail"] == base64.b64encode(next_key).decode()


def test_a_later_part_of_a_split_shot_starts_where_the_part_before_ends(fake, tmp_path):
    before = media.mp4(width=640, height=360)
    job = clip_job(tmp_path, {"previous": before}, part=2, parts=2)
    out = generate(kling(fake), job)
    [body] = fake.submits()
    sent = picture(body["image"])
    expected = tmp_path / "expected.png"
    asyncio.run(still_of(job.inputs["previous"], expected))
    with Image.open(expected) as last:
        assert sent.format == "PNG" and sent.size == (640, 360)
        assert sent.convert("RGB").tobytes() == last.convert("RGB").tobytes()
    assert [p.name for p in job.workdir.iterdir()] == [out.name]  # the still is not left behind


def test_a_continuous_shot_starts_from_its_keyframe_not_from_the_clip_before(fake, tmp_path):
    key = media.png("key")
    generate(kling(fake), clip_job(tmp_path, {"first_frame": key, "previous": media.mp4(width=640, height=360)}))
    [body] = fake.submits()
    assert body["image"] == base64.b64encode(key).decode()


def test_a_picture_too_small_for_kling_is_scaled_up(fake, tmp_path):
    small = io.BytesIO()
    Image.new("RGB", (256, 144), (200, 40, 40)).save(small, "WEBP")
    generate(kling(fake), clip_job(tmp_path, {"first_frame": small.getvalue()}))
    [body] = fake.submits()
    sent = picture(body["image"])
    assert sent.format == "PNG" and sent.size == (533, 300)


@pytest.mark.parametrize(("duration_s", "length"), [(1.0, 5), (4.0, 5), (5.0, 5), (5.0000001, 5), (5.2, 10), (7.5, 10),
                                                    (10.0, 10), (12.0, 10)])
def test_asks_for_the_shortest_clip_that_holds_the_shot(duration_s, length):
    assert clip_length(duration_s) == length


def test_a_seven_second_shot_is_a_ten_second_clip(fake, tmp_path):
    generate(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")}, duration_s=7.0))
    assert fake.submits()[0]["duration"] == "10"


def test_settings_reach_the_request(fake, tmp_path):
    backend = kling(fake, model="kling-v1-6", mode="pro", cfg_scale=0.7, negative_prompt="blur, text")
    generate(backend, clip_job(tmp_path, {"first_frame": media.png("key")}, prompt="x" * 3000))
    [body] = fake.submits()
    assert (body["model_name"], body["mode"], body["cfg_scale"], body["negative_prompt"]) == ("kling-v1-6", "pro", 0.7, "blur, text")
    assert len(body["prompt"]) == 2500


@pytest.mark.parametrize(("settings", "named"), [({"mode": "ultra"}, "mode"), ({"cfg_scale": 2}, "cfg_scale"),
                                                 ({"cfg_scale": True}, "cfg_scale"), ({"negative_prompt": "x" * 2501}, "negative_prompt"),
                                                 ({"model": ""}, "model"), ({"model": 2}, "model")])
def test_settings_are_checked_when_it_starts(settings, named):
    with pytest.raises(ValueError, match=f"\\[backend.kling\\] `{named}`"):
        registry.create("kling", settings)


def test_declares_what_kling_takes():
    backend = registry.create("kling")
    caps = backend.capabilities
    assert caps.produces == frozenset({"video"}) and caps.max_clip_s == 10
    assert caps.first_frame and caps.last_frame and not caps.seeds and not caps.reference_images
    assert backend.CREDENTIALS == ("KLING_ACCESS_KEY", "KLING_SECRET_KEY")
    assert backend.base_url == "https://api-singapore.klingai.com"


def test_prices_the_clip_kling_bills():
    std, pro = registry.create("kling"), registry.create("kling", {"mode": "pro"})
    assert std.price("clip", {"duration_s": 4.0}) == pytest.approx(5 * 0.05)
    assert std.price("clip", {"duration_s": 7.0}) == pytest.approx(10 * 0.05)
    assert pro.price("clip", {"duration_s": 4.0}) == pytest.approx(5 * 0.09)
    own = registry.create("kling", {"prices": {"clip": {"per_second": 0.2}}})
    assert own.price("clip", {"duration_s": 4.0}) == pytest.approx(5 * 0.2)


# ---- the idempotency key ----------------------------------------------------------------------


def test_a_resubmit_follows_the_task_kling_already_made(fake, tmp_path):
    fake.gateway_timeouts = 1  # the first submit is carried out, but its answer is a 504
    out = generate(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")}))
    assert out.is_file()
    first, second = fake.submits()
    assert first["external_task_id"] == second["external_task_id"]
    assert len(fake.jobs.items) == 1  # paid for once
    assert fake.seen("GET", f"{SUBMIT}/{first['external_task_id']}")


def test_the_key_is_stable_within_a_build_and_new_in_the_next(fake, tmp_path):
    build = kling(fake)
    generate(build, clip_job(tmp_path / "a", {"first_frame": media.png("key")}))
    generate(build, clip_job(tmp_path / "b", {"first_frame": media.png("key")}))  # the same clip again
    generate(build, clip_job(tmp_path / "c", {"first_frame": media.png("key")}, take=2))
    generate(kling(fake), clip_job(tmp_path / "d", {"first_frame": media.png("key")}))  # the next build
    a, b, c, d = (body["external_task_id"] for body in fake.submits())
    assert a == b and len({a, c, d}) == 3
    assert len(fake.jobs.items) == 3  # the repeat followed the first task


def test_the_key_depends_on_the_input_files(tmp_path):
    backend = registry.create("kling")
    one, two = clip_job(tmp_path / "one", {"first_frame": media.png("one")}), clip_job(tmp_path / "two", {"first_frame": media.png("two")})
    assert backend.external_id(one) != backend.external_id(two)
    assert backend.external_id(one) == backend.external_id(one)


# ---- errors -----------------------------------------------------------------------------------


def test_a_refusal_shows_klings_message_and_code(fake, tmp_path):
    fake.fail(400, path=SUBMIT, body=envelope(1301, "The content violates the platform's security policy"))
    message = failure(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")}))
    assert "Kling refused to submit the clip: 400 The content violates the platform's security policy (code 1301)" in message
    assert 'mode = "pro"' not in message
    assert len(fake.jobs.items) == 0


def test_a_refused_end_frame_suggests_the_pro_mode(fake, tmp_path):
    fake.fail(400, path=SUBMIT, body=envelope(1201, "image_tail is not supported by this model"))
    message = failure(kling(fake), clip_job(tmp_path, {"first_frame": media.png("a"), "last_frame": media.png("b")}))
    assert "image_tail is not supported by this model (code 1201)" in message and 'mode = "pro"' in message


def test_a_2xx_answer_with_a_code_is_a_refused_submit(fake, tmp_path):
    fake.fail(200, path=SUBMIT, body=envelope(1201, "model_name is invalid"))
    message = failure(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")}))
    assert "Kling refused to submit the clip: model_name is invalid (code 1201)" in message


def test_a_2xx_answer_with_a_code_is_a_failed_check(fake, tmp_path):
    fake.fail(200, path=f"{SUBMIT}/", body=envelope(5000, "Server internal error"))
    message = failure(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")}))
    assert "Kling refused to check on the clip: Server internal error (code 5000)" in message


def test_an_account_problem_is_not_waited_out(fake, tmp_path):
    fake.fail(429, times=50, path=SUBMIT, body=envelope(1102, "Account balance not enough"))
    started = time.monotonic()
    message = failure(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")}))
    assert time.monotonic() - started < 5
    assert "Account balance not enough (code 1102)" in message and "resource packs" in message
    assert len(fake.seen("POST", SUBMIT)) == 1


def test_too_many_tasks_at_once_is_waited_out(fake, tmp_path):
    fake.fail(429, times=2, path=SUBMIT, body=envelope(1303, "parallel task over resource pack limit"))
    assert generate(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")})).is_file()
    assert len(fake.seen("POST", SUBMIT)) == 3


def test_tells_of_the_queue_then_the_run(fake, tmp_path):
    fake.throttled = 2
    states: list[str] = []
    job = clip_job(tmp_path, {"first_frame": media.png("key")})
    generate(kling(fake), Job(**{**job.__dict__, "progress": states.append}))
    assert states[:2] == ["queued at Kling", "queued at Kling"] and "running at Kling" in states


def test_a_moderation_failure_is_told_in_klings_words(fake, tmp_path):
    message = failure(kling(fake), clip_job(tmp_path, {"first_frame": media.png("key")}, prompt="a forbidden thing"))
    assert message == f"Kling could not make the clip: {FakeKling.REFUSAL}"

