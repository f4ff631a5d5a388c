"""The `filmc` command as a user runs it: real processes, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.film"))


def filmc(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "filmc", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_check_clean(path: Path) -> None:
    run = filmc("check", str(path.relative_to(ROOT)))
    assert run.returncode == 0, run.stderr
    assert "no problems" in run.stderr


def test_parse_json_shape() -> None:
    run = filmc("parse", "examples/splitting-the-waves.film", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert set(data) == {"title_page", "elements"}
    assert data["title_page"]["Title"] == ["Splitting the Waves"]
    types = {e["type"] for e in data["elements"]}
    assert {"scene_heading", "action", "character", "parenthetical", "dialogue", "transition",
            "cast", "set", "shot", "music", "sound", "wardrobe"} <= types
    for element in data["elements"]:
        assert {"type", "text", "line"} <= set(element)
        assert isinstance(element["line"], int) and element["line"] >= 1
    lines = [e["line"] for e in data["elements"]]
    assert lines == sorted(lines)


def test_check_reports_errors_with_exit_1(tmp_path: Path) -> None:
    script = tmp_path / "broken.film"
    script.write_text("INT. SHORE - DAY\n\n[[shot wdie, push in]]\n\nWaves.\n", encoding="utf-8")
    run = filmc("check", str(script), "--format", "json")
    assert run.returncode == 1
    (item,) = json.loads(run.stdout)
    assert (item["code"], item["line"], item["column"], item["end_column"]) == ("annotation-syntax", 3, 8, 12)
    human = filmc("check", str(script))
    assert human.returncode == 1
    assert "3 | [[shot wdie, push in]]" in human.stderr and "^^^^" in human.stderr
    assert "1 error" in human.stderr
    short = filmc("check", str(script), "--format", "short")
    assert short.stderr.strip() == f"{script}:3:8: error[annotation-syntax]: `wdie` is not a shot term"


def test_usage_errors_exit_2() -> None:
    assert filmc("check").returncode == 2
    assert filmc("check", "examples/splitting-the-waves.film", "--format", "xml").returncode == 2
    assert filmc("frobnicate").returncode == 2


def test_unreadable_input_is_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    missing = filmc("check", str(tmp_path / "nope.film"))
    assert missing.returncode == 1 and "io-error" in missing.stderr and "Traceback" not in missing.stderr
    binary = tmp_path / "movie.film"
    binary.write_bytes(bytes(range(256)) * 4)
    run = filmc("check", str(binary), "--format", "short")
    assert run.returncode == 1 and "binary-file" in run.stderr and "Traceback" not in run.stderr
    run = filmc("parse", str(tmp_path))
    assert run.returncode in (1, 2) and "Traceback" not in run.stderr


def test_big_input_has_no_traceback(tmp_path: Path) -> None:
    script = tmp_path / "big.film"
    chunk = "INT. ROOM - DAY\n\nALIN\n(whispers)\nHello [[unclosed\n\n/* open boneyard\n" + "x" * 200 + "\n"
    script.write_text(chunk * 2000 + "[[shot " + "wide, " * 5000, encoding="utf-8")
    run = filmc("check", str(script), "--format", "short")
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr


def test_version_and_help() -> None:
    assert filmc("--version").stdout.startswith("filmc, version ")
    help_text = filmc("--help").stdout
    assert "check" in help_text and "parse" in help_text


def test_strict_turns_warnings_into_errors() -> None:
    case = "tests/golden/diagnostics/misspelled-name.film"
    relaxed = filmc("check", case, "--format", "short")
    assert relaxed.returncode == 0
    assert "warning[misspelled-name]" in relaxed.stderr
    strict = filmc("check", case, "--format", "json", "--strict")
    assert strict.returncode == 1
    items = json.loads(strict.stdout)
    assert [(i["severity"], i["code"]) for i in items] == [("error", "misspelled-name")]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_pass_strict(path: Path) -> None:
    run = filmc("check", "--strict", str(path.relative_to(ROOT)))
    assert run.returncode == 0, run.stderr


def test_a_film_with_its_project(tmp_path: Path) -> None:
    """A project as a user lays it out: film.toml at the root, a shared cast sheet, a script in
    a folder of episodes, a reference image; then the same script with a misspelt include."""
    (tmp_path / "film.toml").write_text("[pacing]\nwords_per_second = 2\n", encoding="utf-8")
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "alin.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "cast.film").write_text(
        "[[cast ALIN: 19-year-old fisherman, lean, sunburnt\n  ref: refs/alin.png]]\n", encoding="utf-8")
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    script = "[[include ../cast.film]]\n\nEXT. SHORE - DAWN\n\nALIN hauls the boat up the sand.\n\nALIN\nStorm's coming.\n"
    (episodes / "one.film").write_text(script, encoding="utf-8")
    run = filmc("check", "episodes/one.film", "--strict", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    (episodes / "two.film").write_text(script.replace("../cast.film", "../cats.film"), encoding="utf-8")
    run = filmc("check", "episodes/two.film", "--format", "short", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.startswith("episodes/two.film:1:11: error[missing-file]: the included file `../cats.film` does not exist")


def test_backends_lists_built_in_and_plugin_backends_and_skips_a_broken_one(tmp_path: Path) -> None:
    import os

    plugins = str(ROOT / "tests" / "plugins")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([plugins, os.environ.get("PYTHONPATH", "")]),
           "RUNWAYML_API_SECRET": "rw-very-secret-value"}
    env.pop("KLING_ACCESS_KEY", None)
    run = subprocess.run([sys.executable, "-m", "filmc", "backends", "--json"], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=60)
    assert run.returncode == 0, run.stderr
    rows = {row["name"]: row for row in json.loads(run.stdout)}
    assert {"local", "comfyui", "openai", "replicate", "fal", "kling", "runway", "elevenlabs"} <= set(rows)
    # A plugin's backend, found through the entry point like any other.
    assert rows["counting"]["package"] == "filmc-test-backends" and rows["counting"]["ready"]
    # A plugin that fails to load is reported, not fatal.
    assert rows["test-broken"]["problem"] and not rows["test-broken"]["ready"]
    assert rows["runway"]["credentials"] == {"RUNWAYML_API_SECRET": True} and rows["runway"]["ready"]
    assert rows["kling"]["credentials"] == {"KLING_ACCESS_KEY": False, "KLING_SECRET_KEY": False}
    assert "KLING_ACCESS_KEY" in rows["kling"]["why_not"]
    assert rows["runway"]["last_frame"] and rows["runway"]["max_clip_s"] == 10
    assert rows["local"]["produces"] == ["edit", "image", "music", "speech", "video"]
    human = subprocess.run([sys.executable, "-m", "filmc", "backends"], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=60)
    assert human.returncode == 0
    assert "test-broken" in human.stdout and "broken:" in human.stdout
    assert "RUNWAYML_API_SECRET set" in human.stdout and "KLING_ACCESS_KEY missing" in human.stdout
    assert "rw-very-secret-value" not in human.stdout + run.stdout
