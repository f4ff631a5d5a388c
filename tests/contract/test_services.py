"""The contract every HTTP backend keeps, checked against a loopback fake of its service.

Each fake module in tests/fakes/ declares a `CASE` (see `Case` in tests/fakes/server.py); every
test here runs for each. A fake speaks its service's protocol: the status sequence, polling,
errors in the service's envelope, throttling, slow answers and broken downloads.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import time
from pathlib import Path

import pytest
from fakes import media
from fakes.run import failure, generate
from fakes.server import Case, FakeService

from filmc.backends import registry
from filmc.backends.base import Job
from filmc.backends.services.files import MAKES, sniff


def _cases() -> list[Case]:
    import fakes as package

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"fakes.{info.name}")
        case = getattr(module, "CASE", None)
        if isinstance(case, Case):
            found.append(case)
    return sorted(found, key=lambda c: c.name)


CASES = _cases()
# Quick clocks: the fakes answer at once, so a test waits only for what it checks.
FAST = {"poll_s": 0.01, "backoff_s": 0.01, "max_wait_s": 30, "timeout_s": 10, "retries": 3}

BASE_PARAMS = {
    "character_sheet": {"key": "alin", "name": "ALIN", "look": "a fisherwoman, grey hair", "wardrobe": "a red sash",
                        "style": "", "prompt": "Character sheet of ALIN, a fisherwoman"},
    "set_plate": {"key": "shore", "name": "THE SHORE", "look": "black basalt", "lighting": "", "place": "exterior",
                  "light": "day", "style": "", "prompt": "The shore, black basalt, day"},
    "keyframe": {"framing": "wide", "lens_mm": None, "take": 1, "subjects": ["alin"], "speaker": None, "light": "day",
                 "place": "exterior", "caption": "ALIN walks.", "prompt": "Wide shot of ALIN on the shore."},
    "clip": {"move": "static", "duration_s": 4.0, "take": 1, "caption": "", "prompt": "Static camera. ALIN walks."},
    "voice_line": {"character": "ALIN", "text": "The sea is rising.", "voice": "low, weathered", "direction": "",
                   "sung": False, "duration_s": 1.6, "prompt": "ALIN: low, weathered"},
    "music_cue": {"moods": ["tense"], "tempo_bpm": 90, "duration_s": 6.0, "prompt": "Tense music, 90 bpm"},
}
PICTURE = {"width": 640, "height": 360, "fps": 24}


@pytest.fixture(params=CASES, ids=[c.name for c in CASES])
def case(request) -> Case:
    return request.param


@pytest.fixture
def fake(case: Case, monkeypatch):
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    with case.fake() as server:
        yield server


def backend_for(case: Case, url: str, **settings):
    made = registry.create(case.name, {**case.settings(url), **FAST, **settings})
    assert made is not None, f"the `{case.name}` backend is not installed (pip install -e .)"
    return made


def job_for(case: Case, kind: str, folder: Path, prompt_extra: str = "", **params) -> Job:
    folder.mkdir(parents=True, exist_ok=True)
    inputs = {}
    for role, what in case.inputs.get(kind, {}).items():
        path = folder.parent / f"input-{role.replace(':', '-')}.{what}"
        path.write_bytes(media.png(role) if what == "png" else media.mp4())
        inputs[role] = path
    merged = {**BASE_PARAMS[kind], **PICTURE, **case.kinds.get(kind, {}), **params}
    if prompt_extra:
        merged[case.refuse_in] = f"{merged[case.refuse_in]} {prompt_extra}"
    return Job(task_id=f"shot/1.1/{kind}", kind=kind, params=merged, inputs=inputs, workdir=folder, seed=1234)




def first_kind(case: Case) -> str:
    return next(iter(case.kinds))


def test_every_fake_declares_a_case():
    names = {c.name for c in CASES}
    assert "runway" in names
    for case in CASES:
        assert case.kinds, case.name
        assert all(kind in BASE_PARAMS for kind in case.kinds), case.name


# ---- what is made ---------------------------------------------------------------------------


def test_makes_each_kind_it_declares(case: Case, fake: FakeService, tmp_path: Path):
    backend = backend_for(case, fake.url)
    assert backend.unavailable() is None
    for kind in case.kinds:
        job = job_for(case, kind, tmp_path / kind)
        out = generate(backend, job)
        assert out.is_file() and out.resolve().is_relative_to(job.workdir.resolve())
        found = sniff(out.read_bytes()[:16])
        assert found is not None and found[0] == MAKES[kind], (kind, found)
        assert found[1] == out.suffix
        assert not [p for p in job.workdir.iterdir() if p.name.endswith(".part")]


def test_declared_kinds_match_what_the_suite_tests(case: Case, fake: FakeService):
    backend = backend_for(case, fake.url)
    assert set(case.kinds) <= backend.kinds()


def test_unavailable_without_its_credentials(case: Case, fake: FakeService, monkeypatch):
    backend = backend_for(case, fake.url)
    if not case.env:
        assert backend.unavailable() is None
        return
    for name in case.env:
        monkeypatch.delenv(name)
    reason = backend.unavailable()
    assert reason is not None
    assert all(name in reason for name in case.env)


# ---- faults ---------------------------------------------------------------------------------


def test_retries_server_errors(case: Case, fake: FakeService, tmp_path: Path):
    fake.fail(503, times=2, path=case.submit)
    out = generate(backend_for(case, fake.url), job_for(case, first_kind(case), tmp_path / "job"))
    assert out.is_file()
    assert len(fake.seen("POST", case.submit)) >= 3


def test_gives_up_after_its_retries_with_the_service_words(case: Case, fake: FakeService, tmp_path: Path):
    fake.fail(500, times=50, path=case.submit)
    message = failure(backend_for(case, fake.url, retries=2), job_for(case, first_kind(case), tmp_path / "job"))
    assert "500" in message and "3 tries" in message
    assert len(fake.seen("POST", case.submit)) == 3


def test_honours_retry_after(case: Case, fake: FakeService, tmp_path: Path):
    fake.fail(429, times=1, path=case.submit, **{"Retry-After": "1"})
    out = generate(backend_for(case, fake.url), job_for(case, first_kind(case), tmp_path / "job"))
    assert out.is_file()
    first, second = fake.seen("POST", case.submit)[:2]
    assert second.at - first.at >= 0.95


def test_waits_out_the_services_own_throttling(case: Case, fake: FakeService, tmp_path: Path):
    if case.throttle is None:
        pytest.skip(f"{case.name} has no throttled or queued state of its own")
    case.throttle(fake, 3)
    states: list[str] = []
    job = job_for(case, first_kind(case), tmp_path / "job")
    job = Job(**{**job.__dict__, "progress": states.append})
    assert generate(backend_for(case, fake.url), job).is_file()
    assert states, "the backend told nothing of its progress"


def test_reports_a_refusal_in_the_services_words(case: Case, fake: FakeService, tmp_path: Path):
    backend = backend_for(case, fake.url)
    message = failure(backend, job_for(case, first_kind(case), tmp_path / "job", prompt_extra=case.refuse_word))
    assert case.refusal in message
    assert not list((tmp_path / "job").iterdir())


def test_fetches_a_truncated_download_again(case: Case, fake: FakeService, tmp_path: Path):
    if case.download is None:
        pytest.skip(f"{case.name} sends its results inline")
    fake.truncate(1)
    out = generate(backend_for(case, fake.url), job_for(case, first_kind(case), tmp_path / "job"))
    downloads = fake.seen("GET", case.download)
    assert len(downloads) == 2
    assert sniff(out.read_bytes()[:16]) is not None
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_refuses_a_download_of_the_wrong_type(case: Case, fake: FakeService, tmp_path: Path):
    fake.download_type = "text/html; charset=utf-8"
    if case.download is None:
        pytest.skip(f"{case.name} sends its results inline")
    message = failure(backend_for(case, fake.url), job_for(case, first_kind(case), tmp_path / "job"))
    assert "text/html" in message
    assert not list((tmp_path / "job").iterdir())


def test_caps_the_size_of_what_it_keeps(case: Case, fake: FakeService, tmp_path: Path):
    message = failure(backend_for(case, fake.url, max_download_mb=0.0005), job_for(case, first_kind(case), tmp_path / "job"))
    assert "max_download_mb" in message
    assert not list((tmp_path / "job").iterdir())


def test_a_wrong_key_names_the_variable(case: Case, fake: FakeService, tmp_path: Path, monkeypatch):
    if not case.env:
        pytest.skip(f"{case.name} needs no credentials")
    for name in case.env:
        monkeypatch.setenv(name, "wrong-key-123456")
    message = failure(backend_for(case, fake.url), job_for(case, first_kind(case), tmp_path / "job"))
    assert any(name in message for name in case.env)
    assert "wrong-key-123456" not in message


def test_never_repeats_a_secret(case: Case, fake: FakeService, tmp_path: Path, monkeypatch):
    if case.echo_secret is None:
        pytest.skip(f"the fake of {case.name} cannot echo")
    case.echo_secret(fake)
    for name in case.env:
        monkeypatch.setenv(name, "wrong-but-secret-987654")
    message = failure(backend_for(case, fake.url), job_for(case, first_kind(case), tmp_path / "job"))
    assert "987654" not in message and "[redacted]" in message


def test_unreachable_service(case: Case, tmp_path: Path, monkeypatch):
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    with case.fake() as server:
        url = server.url
    message = failure(backend_for(case, url, retries=1), job_for(case, first_kind(case), tmp_path / "job"))
    assert "could not be reached" in message and "2 tries" in message


def test_a_lost_answer_to_a_submit(case: Case, fake: FakeService, tmp_path: Path):
    fake.drop(1, path=case.submit)
    backend = backend_for(case, fake.url)
    job = job_for(case, first_kind(case), tmp_path / "job")
    if case.idempotent_submit:
        assert generate(backend, job).is_file()
        assert len(fake.seen("POST", case.submit)) == 2
    else:
        assert "did not send it again" in failure(backend, job)
        assert len(fake.seen("POST", case.submit)) == 1


def test_slow_answers_within_the_timeout(case: Case, fake: FakeService, tmp_path: Path):
    fake.delay_s = 0.2
    assert generate(backend_for(case, fake.url), job_for(case, first_kind(case), tmp_path / "job")).is_file()


def test_paces_its_requests(case: Case, fake: FakeService, tmp_path: Path):
    backend = backend_for(case, fake.url, requests_per_minute=600)

    async def three_jobs() -> None:
        try:
            for n in range(3):
                await backend.generate(job_for(case, first_kind(case), tmp_path / f"job{n}"))
        finally:
            await backend.close()

    asyncio.run(three_jobs())
    times = [r.at for r in fake.requests]
    assert len(times) >= 3
    # 600 a minute is one every 0.1 s. The limiter spaces when requests start; one that
    # opens a new connection arrives a few ms after its turn, so the average is checked.
    assert (times[-1] - times[0]) / (len(times) - 1) >= 0.085


def test_cancels_a_submitted_job_when_interrupted(case: Case, fake: FakeService, tmp_path: Path):
    if not case.cancels:
        pytest.skip(f"{case.name} has no way to cancel a job")
    assert case.hold is not None and case.cancelled is not None
    case.hold(fake)
    backend = backend_for(case, fake.url)
    job = job_for(case, first_kind(case), tmp_path / "job")

    async def go():
        task = asyncio.ensure_future(backend.generate(job))
        deadline = time.monotonic() + 10
        while not fake.seen("POST", case.submit) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # some polls
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await backend.close()

    asyncio.run(go())
    assert case.cancelled(fake), "the job was not cancelled at the service"
