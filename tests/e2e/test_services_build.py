"""`filmc build` of the example film against loopback fakes of real services, as a user runs
it: image, video, speech and music from HTTP backends, the edit from `local`.

The fakes run in this process (tests/fakes/); `filmc` runs as a subprocess that reaches them on
127.0.0.1 through each backend's `base_url`, with credentials in its environment only.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import comfyui, elevenlabs, fal, kling, openai, replicate, runway
from fakes.server import Case, FakeService

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "e2e" / "films" / "waves.film"
FAST = {"poll_s": 0.02, "backoff_s": 0.02, "max_wait_s": 60, "timeout_s": 20}

# Which fake serves each kind of asset: two mixes that between them use every service.
STACKS: dict[str, dict[str, Case]] = {
    "openai-runway-elevenlabs-replicate": {"image": openai.CASE, "video": runway.CASE, "speech": elevenlabs.CASE,
                                           "music": replicate.CASE},
    "comfyui-kling-openai-fal": {"image": comfyui.CASE, "video": kling.CASE, "speech": openai.CASE, "music": fal.CASE},
}
STACK = STACKS["openai-runway-elevenlabs-replicate"]
# Where each speech service takes a line.
SPEECH_PATH = {"elevenlabs": "/v1/text-to-speech/", "openai": "/v1/audio/speech"}


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


class Services:
    """The fakes of a stack, started, and the project that uses them."""

    def __init__(self, folder: Path, stack: dict[str, Case]) -> None:
        self.stack = stack
        self.fakes: dict[str, FakeService] = {}
        for case in {c.name: c for c in stack.values()}.values():
            self.fakes[case.name] = case.fake().start()
        self.project = folder / "waves"
        self.project.mkdir(parents=True)
        (self.project / "waves.film").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
        lines = ["[backends]"] + [f'{cap} = "{case.name}"' for cap, case in stack.items()] + ['edit = "local"', ""]
        for case in {c.name: c for c in stack.values()}.values():
            lines.append(f"[backend.{case.name}]")
            settings = {**case.settings(self.fakes[case.name].url), **FAST}
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in settings.items()] + [""]
        (self.project / "film.toml").write_text("\n".join(lines), encoding="utf-8")
        self.env = {**os.environ, **{k: v for case in stack.values() for k, v in case.env.items()}}

    def stop(self) -> None:
        for fake in self.fakes.values():
            fake.stop()

    def requests(self) -> int:
        return sum(len(f.requests) for f in self.fakes.values())

    def filmc(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "filmc", *args], cwd=self.project, capture_output=True, text=True,
                              timeout=timeout, env=self.env)

    def plan(self) -> dict:
        run = self.filmc("plan", "waves.film", "--draft", "--json")
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)


@pytest.fixture(params=list(STACKS))
def services(request, tmp_path: Path):
    made = Services(tmp_path, STACKS[request.param])
    yield made
    made.stop()


@pytest.fixture
def cancelling(tmp_path: Path):
    made = Services(tmp_path, STACK)
    yield made
    made.stop()


def probe(path: Path) -> tuple[str, float]:
    import imageio_ffmpeg

    said = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                          text=True).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", said).groups()
    return said, int(h) * 3600 + int(m) * 60 + float(s)


def test_the_film_builds_against_the_services_and_rebuilds_from_cache(services: Services) -> None:
    plan = services.plan()
    assert plan["backends"] == {**{cap: case.name for cap, case in services.stack.items()}, "edit": "local"}
    assert plan["estimated_cost_usd"] > 0
    run = services.filmc("build", "waves.film", "--draft")
    assert run.returncode == 0, run.stderr
    film = services.project / "waves.draft.mp4"
    said, seconds = probe(film)
    assert "Video: h264" in said and "Audio: aac" in said
    assert abs(seconds - plan["runtime_seconds"]) < 1.0
    # Every clip went to the video service, every line to the speech service.
    video = services.fakes[services.stack["video"].name]
    assert len(video.seen("POST", services.stack["video"].submit)) == plan["by_kind"]["clip"]
    speech = services.stack["speech"].name
    said = services.fakes[speech].seen("POST", SPEECH_PATH[speech])
    assert len(said) == plan["by_kind"]["voice_line"]
    # Nothing secret in what filmc wrote.
    secrets = [v for case in services.stack.values() for v in case.env.values()]
    for path in [*services.project.rglob("*.json"), services.project / "film.lock", *services.project.rglob("*.toml")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not any(secret in text for secret in secrets), path
    assert not any(secret in run.stderr + run.stdout for secret in secrets)

    before = services.requests()
    again = services.filmc("build", "waves.film", "--draft")
    assert again.returncode == 0, again.stderr
    assert "0 made" in again.stderr
    assert services.requests() == before


def test_a_refused_shot_fails_alone_and_the_next_build_retries_only_it(services: Services) -> None:
    video = services.fakes[services.stack["video"].name]
    # A word in exactly one clip's prompt: the service refuses that clip.
    video.refuse_words = {"sprints"}
    first = services.filmc("build", "waves.film", "--draft")
    assert first.returncode == 1
    failed = re.findall(r"^failed: (\S+): (.*)$", first.stderr, re.M)
    assert failed and all(task.endswith("/clip") for task, _ in failed), first.stderr
    assert all(services.stack["video"].refusal in why for _, why in failed)
    assert re.search(r"^  shot \S+ at waves.film:\d+$", first.stderr, re.M)
    assert "retries only these" in first.stderr
    made = {task for task, _ in failed}

    video.refuse_words = set()
    submitted = len(video.seen("POST", services.stack["video"].submit))
    second = services.filmc("build", "waves.film", "--draft")
    assert second.returncode == 0, second.stderr
    assert len(video.seen("POST", services.stack["video"].submit)) - submitted == len(made)


def test_ctrl_c_cancels_what_the_service_is_making(cancelling: Services) -> None:
    case = STACK["video"]
    video = cancelling.fakes[case.name]
    case.hold(video)
    proc = subprocess.Popen([sys.executable, "-m", "filmc", "build", "waves.film", "--draft"], cwd=cancelling.project,
                            env=cancelling.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not video.seen("POST", case.submit) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        held = len(video.seen("POST", case.submit))
        assert held
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert len(case.cancelled(video)) >= 1
    assert not list((cancelling.project / ".filmc" / "tmp").glob("*"))
