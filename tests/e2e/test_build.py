"""`filmc plan`, `build` and `graph` as a user runs them, against the counting fake backend
(tests/plugins/, found through the `filmc.backends` entry points like a third party's)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "tests" / "plugins"
# A frozen copy of the first example, so that the counts below do not follow its rewrites.
EXAMPLE = ROOT / "tests" / "e2e" / "films" / "waves.film"
COUNTING = "[backends]\n" + "".join(f'{cap} = "counting"\n' for cap in ("image", "video", "speech", "music", "edit"))


def filmc(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "filmc", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture
def film(tmp_path: Path):
    """The example film in a project of its own that builds with the counting fake; returns
    (project folder, environment, the call log)."""
    project = tmp_path / "waves"
    project.mkdir()
    (project / "waves.film").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (project / "film.toml").write_text(COUNTING, encoding="utf-8")
    log = tmp_path / "calls.log"
    log.touch()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")]),
           "FILMC_COUNTING_LOG": str(log)}
    return project, env, log


def calls(log: Path) -> list[str]:
    return [json.loads(line)["task"] for line in log.read_text(encoding="utf-8").splitlines()]


def plan_json(project: Path, env) -> dict:
    run = filmc("plan", "waves.film", "--json", cwd=project, env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_a_second_build_executes_nothing(film) -> None:
    project, env, log = film
    before = plan_json(project, env)
    assert before["to_run"] == before["tasks"] > 0 and before["cached"] == 0
    assert before["runtime_seconds"] > 30 and before["estimated_cost_usd"] > 0
    assert before["by_kind"]["character_sheet"] == 4  # ALIN twice (a wardrobe change), MOTHER, SEA GOD
    first = filmc("build", "waves.film", "-o", "out/waves.mp4", cwd=project, env=env)
    assert first.returncode == 0, first.stderr
    assert (project / "out" / "waves.mp4").is_file() and (project / "film.lock").is_file()
    made = calls(log)
    assert len(made) == len(set(made)) == before["tasks"]
    after = plan_json(project, env)
    assert (after["to_run"], after["cached"], after["estimated_cost_usd"]) == (0, before["tasks"], 0)
    second = filmc("build", "waves.film", "-o", "out/waves.mp4", cwd=project, env=env)
    assert second.returncode == 0, second.stderr
    assert calls(log) == made
    assert "0 made" in second.stderr


def test_an_edit_rebuilds_only_what_it_touches(film) -> None:
    project, env, log = film
    assert filmc("build", "waves.film", cwd=project, env=env).returncode == 0
    script = project / "waves.film"
    script.write_text(script.read_text(encoding="utf-8").replace("Turn back, and I will let you drown quickly.",
                                                                 "Turn back, and I will let you drown gently."),
                      encoding="utf-8")
    assert plan_json(project, env)["to_run"] == 3
    log.write_text("", encoding="utf-8")
    assert filmc("build", "waves.film", cwd=project, env=env).returncode == 0
    assert sorted(calls(log)) == ["film", "shot/2.3/line/1", "shot/2.3/segment"]


def test_whitespace_and_comments_cost_nothing(film) -> None:
    project, env, _ = film
    assert filmc("build", "waves.film", cwd=project, env=env).returncode == 0
    script = project / "waves.film"
    text = script.read_text(encoding="utf-8").replace("\n\n", "\n\n\n").replace("CUT TO:", "/* the cut */\n\nCUT TO:")
    script.write_text(text + "\n[[note to self: the ending needs work]]\n", encoding="utf-8")
    assert plan_json(project, env)["to_run"] == 0


def test_the_graph_is_the_same_under_any_hash_seed(film) -> None:
    project, env, _ = film
    outputs = []
    for seed in ("0", "1", "4242"):
        run = filmc("graph", "waves.film", cwd=project, env={**env, "PYTHONHASHSEED": seed})
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0].splitlines()) == plan_json(project, env)["tasks"]


def test_graph_dot(film) -> None:
    project, env, _ = film
    run = filmc("graph", "waves.film", "--dot", cwd=project, env=env)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "digraph film {" and lines[-1] == "}"
    nodes = [line for line in lines if "[label=" in line and "->" not in line]
    edges = [line for line in lines if "->" in line]
    assert len(nodes) == plan_json(project, env)["tasks"]
    assert '"sheet/alin" -> "shot/1.1/keyframe" [label="sheet:alin"' in run.stdout
    assert all(line.strip().endswith(";") for line in nodes + edges)


def test_plan_for_people_lists_the_shots(film) -> None:
    project, env, _ = film
    run = filmc("plan", "waves.film", cwd=project, env=env)
    assert run.returncode == 0, run.stderr
    assert "1.1" in run.stdout and "push in" in run.stdout and "ALIN" in run.stdout
    assert "2.7*" in run.stdout  # MOTHER's last line: a shot the coverage rules inferred
    assert "to run" in run.stdout and "estimated cost $" in run.stdout


def test_max_cost_refuses_to_start(film) -> None:
    project, env, log = film
    run = filmc("build", "waves.film", "--max-cost", "0.50", cwd=project, env=env)
    assert run.returncode == 1
    assert "over the limit of $0.50" in run.stderr and "Traceback" not in run.stderr
    assert calls(log) == [] and not (project / "waves.mp4").exists()
    (project / "film.toml").write_text(COUNTING + "\n[budget]\nmax_cost_usd = 1.0\n", encoding="utf-8")
    run = filmc("build", "waves.film", cwd=project, env=env)
    assert run.returncode == 1 and "[budget]" in run.stderr
    assert filmc("build", "waves.film", "--max-cost", "100", cwd=project, env=env).returncode == 0


def test_a_file_the_user_made_is_not_overwritten(film) -> None:
    project, env, log = film
    mine = project / "waves.mp4"
    mine.write_bytes(b"my own edit")
    run = filmc("build", "waves.film", cwd=project, env=env)
    assert run.returncode == 1 and "--force" in run.stderr
    assert mine.read_bytes() == b"my own edit" and calls(log) == []
    assert filmc("build", "waves.film", "--force", cwd=project, env=env).returncode == 0
    assert mine.read_bytes() != b"my own edit"
    # filmc's own output it replaces freely.
    assert filmc("build", "waves.film", cwd=project, env=env).returncode == 0


def test_a_failed_task_fails_only_its_shot_and_is_retried_alone(film) -> None:
    project, env, log = film
    (project / "film.toml").write_text(COUNTING + '\n[backend.counting]\nfail = ["shot/2.2/clip"]\n', encoding="utf-8")
    run = filmc("build", "waves.film", cwd=project, env=env)
    assert run.returncode == 1
    assert "failed: shot/2.2/clip: the service refused `shot/2.2/clip` (content policy)" in run.stderr
    assert "retries only what failed" in run.stderr and not (project / "waves.mp4").exists()
    first = set(calls(log))
    assert "shot/2.3/segment" in first and "shot/2.2/segment" not in first and "film" not in first
    (project / "film.toml").write_text(COUNTING, encoding="utf-8")
    log.write_text("", encoding="utf-8")
    assert filmc("build", "waves.film", cwd=project, env=env).returncode == 0
    assert sorted(calls(log)) == ["film", "shot/2.2/clip", "shot/2.2/segment"]


def test_a_killed_build_resumes_where_it_stopped(film) -> None:
    project, env, log = film
    (project / "film.toml").write_text(COUNTING + "\n[backend.counting]\ndelay_s = 0.05\n", encoding="utf-8")
    total = plan_json(project, env)["tasks"]
    process = subprocess.Popen([sys.executable, "-m", "filmc", "build", "waves.film"], cwd=project, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(calls(log)) < 12 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    done_before = calls(log)
    assert 12 <= len(done_before) < total
    state = plan_json(project, env)
    # Everything finished before the kill is in the cache, whole (at most the task being
    # stored at that instant is lost).
    assert state["cached"] >= len(done_before) - 1
    assert filmc("build", "waves.film", cwd=project, env=env).returncode == 0
    made = Counter(calls(log))
    assert sum(made.values()) <= total + 1
    assert all(n == 1 for task, n in made.items() if task != done_before[-1])
    assert plan_json(project, env)["to_run"] == 0


def test_a_script_with_errors_is_not_planned(tmp_path: Path) -> None:
    script = tmp_path / "broken.film"
    script.write_text("EXT. SHORE - DAY\n\n[[shot wdie, push in]]\n\nWaves.\n", encoding="utf-8")
    for command in ("plan", "build", "graph"):
        run = filmc(command, "broken.film", cwd=tmp_path)
        assert run.returncode == 1, command
        assert "annotation-syntax" in run.stderr and "not planned" in run.stderr and "Traceback" not in run.stderr


def test_graph_into_a_closed_pipe_is_not_an_error(film) -> None:
    project, env, _ = film
    run = subprocess.run(f"{sys.executable} -m filmc graph waves.film | head -n 1", shell=True, cwd=project, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.stdout.count("\n") == 1
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr


def test_a_backend_that_only_declares_cannot_build(film) -> None:
    project, env, log = film
    (project / "film.toml").write_text(COUNTING.replace('video = "counting"', 'video = "test-video-10s"'), encoding="utf-8")
    run = filmc("build", "waves.film", cwd=project, env=env)
    assert run.returncode == 1
    assert "the `test-video-10s` backend cannot run here: it declares what it makes but has no `generate`" in run.stderr
    assert calls(log) == []


def test_a_limit_under_a_cent_is_shown_as_written(film) -> None:
    project, env, _ = film
    run = filmc("build", "waves.film", "--max-cost", "0.001", cwd=project, env=env)
    assert run.returncode == 1 and "over the limit of $0.001" in run.stderr


def test_a_second_build_of_the_same_project_at_once_is_refused(film) -> None:
    import fcntl

    project, env, log = film
    assert filmc("plan", "waves.film", cwd=project, env=env).returncode == 0
    (project / ".filmc").mkdir()
    (project / ".filmc" / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n", encoding="utf-8")
    with open(project / ".filmc" / "build.lock", "a+") as held:  # a build holding the lock
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        run = filmc("build", "waves.film", cwd=project, env=env)
    assert run.returncode == 1 and "another `filmc build` is running in this project" in run.stderr
    assert calls(log) == []
    assert filmc("build", "waves.film", cwd=project, env=env).returncode == 0


def test_a_cache_folder_that_is_not_filmcs_is_left_alone(film) -> None:
    project, env, log = film
    scenes = project / "scenes"
    (scenes / "tmp").mkdir(parents=True)
    (scenes / "tmp" / "notes.txt").write_text("mine", encoding="utf-8")
    (project / "film.toml").write_text(COUNTING + '\n[cache]\ndir = "scenes"\n', encoding="utf-8")
    run = filmc("build", "waves.film", cwd=project, env=env)
    assert run.returncode == 1 and "is not filmc's cache" in run.stderr
    assert sorted(p.name for p in scenes.rglob("*")) == ["notes.txt", "tmp"] and calls(log) == []


def test_a_backend_that_rejects_its_settings_is_a_diagnostic(film) -> None:
    project, env, _ = film
    (project / "film.toml").write_text(COUNTING.replace('video = "counting"', 'video = "counting-picky"'),
                                       encoding="utf-8")
    run = filmc("plan", "waves.film", cwd=project, env=env)
    assert run.returncode == 1 and "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert "the backend `counting-picky` cannot start with these settings: ValueError: " \
           "[backend.counting-picky] needs `model`" in run.stderr
    assert "film.toml:3:1" in run.stderr
    (project / "film.toml").write_text(COUNTING.replace('video = "counting"', 'video = "counting-picky"')
                                       + '\n[backend.counting-picky]\nmodel = "v2"\nsince = 2024-01-01\nx = nan\n',
                                       encoding="utf-8")
    first, second = plan_json(project, env), plan_json(project, env)
    assert first == second and first["tasks"] > 0


def test_a_damaged_film_in_the_cache_is_not_written_out(film) -> None:
    project, env, log = film
    assert filmc("build", "waves.film", cwd=project, env=env).returncode == 0
    lock = json.loads((project / "film.lock").read_text(encoding="utf-8"))
    digest = lock["films"]["waves.film"]["film"]["digest"]
    (blob,) = (project / ".filmc" / "blobs" / digest[:2]).glob(digest + "*")
    blob.write_bytes(bytes(b ^ 0xFF for b in blob.read_bytes()))  # same size, other bytes
    (project / "waves.mp4").unlink()
    run = filmc("build", "waves.film", cwd=project, env=env)
    assert run.returncode == 1 and "was damaged" in run.stderr and not (project / "waves.mp4").exists()
    log.write_text("", encoding="utf-8")
    assert filmc("build", "waves.film", cwd=project, env=env).returncode == 0
    assert calls(log) == ["film"]
