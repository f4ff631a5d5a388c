"""`filmc diff` as a writer runs it: two files, git revisions (`REV:PATH`, `--rev`), and as the
external diff driver git runs for `*.film diff=film`, in a real repository."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from filmc.compiler.filmdiff import command

ROOT = Path(__file__).resolve().parents[2]
CROSSING = "the-last-crossing.film"
BROKEN = "INT. X - DAY\n\n[[shot wdie]]\n\nHi.\n"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def diff(*args: str):
    return CliRunner().invoke(command, list(args))


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "Writer",
           "GIT_AUTHOR_EMAIL": "writer@example.com", "GIT_COMMITTER_NAME": "Writer",
           "GIT_COMMITTER_EMAIL": "writer@example.com", "GIT_PAGER": "cat", "PAGER": "cat"}
    run = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def films(tmp_path: Path) -> Path:
    folder = tmp_path / "films"
    shutil.copytree(ROOT / "examples", folder)
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the examples committed under films/, diffed by filmc."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", top / "films")
    (top / ".gitattributes").write_text("*.film diff=film\n", encoding="utf-8")
    git("init", "-q", cwd=top)
    git("add", "-A", cwd=top)
    git("commit", "-q", "-m", "the examples", cwd=top)
    return top


# ---- two files -------------------------------------------------------------------------------


def test_a_film_against_itself_prints_nothing(films: Path) -> None:
    run = diff(str(films / CROSSING), str(films / CROSSING))
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")


def test_one_edit_names_its_shot(films: Path) -> None:
    new = films / "edited.film"
    shutil.copy(films / CROSSING, new)
    edit(new, "Rain on the glass.", "Rain hammers the glass.")
    run = diff(str(films / CROSSING), str(new))
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert lines[0] == f"diff --film {films / CROSSING} {new}"
    assert lines[1] == "shots: 1 changed (of 20)"
    assert lines[2].split()[:5] == ["~", "1.1", "line", "28", "re-prompted"]
    assert lines[3].startswith("to make: 4 tasks (1 keyframe, 1 clip, 1 segment, 1 film)")
    assert len(lines) == 4
    assert diff(str(films / CROSSING), str(new), "--exit-code").exit_code == 1
    assert diff(str(films / CROSSING), str(films / CROSSING), "--exit-code").exit_code == 0


def test_json(films: Path) -> None:
    new = films / "edited.film"
    shutil.copy(films / CROSSING, new)
    edit(new, "It worked.", "It worked, in the end.")
    run = diff(str(films / CROSSING), str(new), "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert report["changed"] is True
    assert [(s["id"], s["what"], s["line"]) for s in report["shots"]] == [("1.15", ["retimed", "dialogue"], 74)]
    assert report["shots"][0]["details"]["dialogue"] == {"old": ["JONAH: It worked."], "new": ["JONAH: It worked, in the end."]}
    assert report["runtime_seconds"]["new"] == pytest.approx(report["runtime_seconds"]["old"] + 0.4)
    same = json.loads(diff(str(films / CROSSING), str(films / CROSSING), "--json").stdout)
    assert same["changed"] is False and same["shots"] == [] and same["stale"]["tasks"] == 0


def test_a_version_with_errors_is_reported_like_check_with_exit_1(films: Path) -> None:
    broken = films / "broken.film"
    broken.write_text(BROKEN, encoding="utf-8")
    run = diff(str(films / CROSSING), str(broken))
    assert run.exit_code == 1
    assert run.stdout == ""
    assert f"--> {broken}:3:8" in run.stderr
    assert "error[annotation-syntax]" in run.stderr
    assert run.stderr.rstrip().splitlines()[-1] == f"filmc diff: not compared, because `{broken}` has errors"


@pytest.mark.parametrize(("args", "message"), [
    (["nope.film", "the-last-crossing.film"], "filmc diff: `nope.film` does not exist"),
    (["films", "the-last-crossing.film"], "filmc diff: `films` is a folder, not a .film file"),
])
def test_a_path_that_does_not_exist_is_a_usage_error(films: Path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(films.parent)
    args = [a if a in ("nope.film", "films") else str(films / a) for a in args]
    run = diff(*args)
    assert run.exit_code == 2
    assert run.stderr.startswith(message) and len(run.stderr.splitlines()) == 1
    assert isinstance(run.exception, SystemExit)


@pytest.mark.parametrize("args", [[], ["one.film"], ["a", "b", "c"], ["a", "b", "--rev", "HEAD"]])
def test_the_wrong_number_of_versions_is_a_usage_error(args) -> None:
    run = diff(*args)
    assert run.exit_code == 2
    assert "Error:" in run.stderr and "Traceback" not in run.output


# ---- git revisions ---------------------------------------------------------------------------


def test_a_git_revision_against_the_working_copy(repo: Path, monkeypatch) -> None:
    films = repo / "films"
    edit(films / CROSSING, "Rain on the glass.", "Rain hammers the glass.")
    monkeypatch.chdir(films)  # PATH is relative to the current folder, like `git show REV:./PATH`
    run = diff(f"HEAD:{CROSSING}", CROSSING)
    assert run.exit_code == 0, run.output
    assert run.stdout.splitlines()[0] == f"diff --film HEAD:{CROSSING} {CROSSING}"
    assert run.stdout.splitlines()[2].split()[:2] == ["~", "1.1"]
    assert diff(CROSSING, "--rev", "HEAD").stdout == run.stdout
    assert diff(f"HEAD:./{CROSSING}", CROSSING).stdout.splitlines()[1:] == run.stdout.splitlines()[1:]
    monkeypatch.chdir(repo)
    from_top = diff(f"HEAD:films/{CROSSING}", f"films/{CROSSING}")
    assert from_top.stdout.splitlines()[1:] == run.stdout.splitlines()[1:]
    # The index (`:PATH`) still has the committed text.
    assert diff(f":films/{CROSSING}", f"HEAD:films/{CROSSING}").stdout == ""


def test_two_revisions(repo: Path, monkeypatch) -> None:
    films = repo / "films"
    edit(films / CROSSING, "[[shot insert, push in, 3s]]", "[[shot insert, push in, 5s]]")
    git("commit", "-q", "-am", "a longer insert", cwd=repo)
    monkeypatch.chdir(repo)
    run = diff(f"HEAD~1:films/{CROSSING}", f"HEAD:films/{CROSSING}", "--json")
    report = json.loads(run.stdout)
    assert [(s["id"], s["what"], s["details"]) for s in report["shots"]] == [
        ("1.16", ["retimed"], {"duration_s": {"old": 3.0, "new": 5.0}})]
    assert (report["old"], report["new"]) == (f"HEAD~1:films/{CROSSING}", f"HEAD:films/{CROSSING}")


def test_an_existing_file_wins_over_a_revision(repo: Path, monkeypatch) -> None:
    films = repo / "films"
    monkeypatch.chdir(films)
    odd = films / f"HEAD:{CROSSING}"
    shutil.copy(films / CROSSING, odd)
    edit(odd, "Rain on the glass.", "Rain hammers the glass.")
    run = diff(f"HEAD:{CROSSING}", CROSSING)
    assert "shots: 1 changed" in run.stdout  # the file, not the committed blob (which is the same)


@pytest.mark.parametrize(("spec", "message"), [
    (f"HEAD~5:{CROSSING}", f"filmc diff: cannot read `HEAD~5:{CROSSING}` from git: invalid object name 'HEAD~5'."),
    ("HEAD:nope.film", "filmc diff: cannot read `HEAD:nope.film` from git: path 'films/nope.film' does not exist in 'HEAD'"),
    ("HEAD:.", "filmc diff: `HEAD:.` is not a file at `HEAD` (it is a folder)"),
    ("HEAD:", "filmc diff: `HEAD:` names no file after the colon"),
])
def test_a_revision_or_path_git_does_not_have_is_a_usage_error(repo: Path, monkeypatch, spec, message) -> None:
    monkeypatch.chdir(repo / "films")
    run = diff(spec, CROSSING)
    assert run.exit_code == 2
    assert run.stderr.startswith(message) and len(run.stderr.splitlines()) == 1


@needs_git
def test_a_revision_outside_a_repository_is_a_usage_error(films: Path, monkeypatch) -> None:
    monkeypatch.chdir(films)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(films.parent))
    run = diff(f"HEAD:{CROSSING}", CROSSING)
    assert run.exit_code == 2
    assert run.stderr.startswith(f"filmc diff: `HEAD:{CROSSING}` is not a file, and `") and "not in a git repository" in run.stderr


def test_errors_in_a_revision_are_named_rev_colon_path(repo: Path, monkeypatch) -> None:
    films = repo / "films"
    (films / "broken.film").write_text(BROKEN, encoding="utf-8")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "broken", cwd=repo)
    (films / "broken.film").write_text(BROKEN.replace("wdie", "wide"), encoding="utf-8")
    monkeypatch.chdir(films)
    run = diff("broken.film", "--rev", "HEAD")
    assert run.exit_code == 1
    assert "--> HEAD:broken.film:3:8" in run.stderr
    assert "3 | [[shot wdie]]" in run.stderr


# ---- as git's external diff driver ------------------------------------------------------------


def test_the_seven_arguments_of_an_external_diff(films: Path, monkeypatch) -> None:
    monkeypatch.chdir(films.parent)
    old = films.parent / "git-blob-old.film"
    shutil.copy(films / CROSSING, old)
    edit(films / CROSSING, "[[shot insert, push in, 3s]]", "[[shot insert, push in, 5s]]")
    path = f"films/{CROSSING}"
    run = diff(path, str(old), "1" * 40, "100644", path, "0" * 40, "100644")
    assert run.exit_code == 0, run.output
    assert run.stdout.splitlines()[0] == f"diff --film a/{path} b/{path}"
    assert "re-timed 3s → 5s" in run.stdout
    removed = diff(path, str(old), "1" * 40, "100644", os.devnull, ".", ".")
    assert removed.stdout.splitlines() == [f"diff --film a/{path} /dev/null", "film removed: 20 shots, 1:28.0"]
    shutil.copy(films / CROSSING, films / "crossing.film")
    renamed = diff(path, str(old), "1" * 40, "100644", "films/crossing.film", "2" * 40, "100644", "films/crossing.film",
                   "similarity index 90%\nrename from x\nrename to y\n")
    assert renamed.stdout.splitlines()[0] == f"diff --film a/{path} b/films/crossing.film"
    assert "re-timed 3s → 5s" in renamed.stdout


def test_the_driver_shows_the_text_of_a_version_it_cannot_compile(films: Path, monkeypatch) -> None:
    monkeypatch.chdir(films)
    old = films / "git-blob-old.film"
    old.write_text(BROKEN, encoding="utf-8")
    (films / "broken.film").write_text(BROKEN.replace("wdie", "wide"), encoding="utf-8")
    run = diff("broken.film", str(old), "1" * 40, "100644", "broken.film", "0" * 40, "100644")
    # git stops at a driver that fails, so it exits 0 and shows the text instead.
    assert run.exit_code == 0
    assert run.stdout.splitlines()[:3] == [
        "diff --film a/broken.film b/broken.film",
        "filmc: not compared as films, because `a/broken.film` has errors (`filmc check`):",
        "  a/broken.film:3:8: error[annotation-syntax]: `wdie` is not a shot term",
    ]
    assert "-[[shot wdie]]\n+[[shot wide]]" in run.stdout


def _driver() -> str:
    """The command git is configured with: `python -m filmc diff` once `diff` is a filmc
    command, else the same command object run on its own."""
    from filmc.compiler.cli import main

    python = shlex.quote(sys.executable)
    if "diff" in main.commands:
        return f"{python} -m filmc diff"
    return f"{python} -c 'import sys; from filmc.compiler.filmdiff import command; command(prog_name=\"filmc diff\")'"


def test_git_diff_runs_filmc_as_the_driver(repo: Path) -> None:
    films = repo / "films"
    edit(films / CROSSING, "Rain on the glass.", "Rain hammers the glass.")
    edit(films / "splitting-the-waves.film", "[[shot close on ALIN, push in, 3s]]", "[[shot close on ALIN, push in, 4s]]")
    run = git("-c", f"diff.film.command={_driver()}", "diff", cwd=films)
    out = run.stdout.splitlines()
    first = out.index("diff --film a/films/splitting-the-waves.film b/films/splitting-the-waves.film")
    second = out.index(f"diff --film a/films/{CROSSING} b/films/{CROSSING}")
    assert out[first + 2].split()[:2] == ["~", "1.5"] and "re-timed 3s → 4s" in out[first + 2]
    assert out[second + 2].split()[:2] == ["~", "1.1"] and "re-prompted" in out[second + 2]
    assert "@@" not in run.stdout
    text = git("-c", f"diff.film.command={_driver()}", "diff", "--no-ext-diff", cwd=films)
    assert "diff --film" not in text.stdout and "-Rain on the glass." in text.stdout
    git("commit", "-q", "-am", "rain and a longer shot", cwd=repo)
    log = git("-c", f"diff.film.command={_driver()}", "log", "-p", "--ext-diff", "--format=commit %s", cwd=repo)
    assert f"diff --film /dev/null b/films/{CROSSING}\nnew film: 20 shots, 1:28.0" in log.stdout
    assert log.stdout.count(f"diff --film a/films/{CROSSING} b/films/{CROSSING}") == 1


def test_the_example_in_the_docs(repo: Path, monkeypatch) -> None:
    """docs/GIT.md's example, run: the edits it lists, with the backends it names."""
    doc = (ROOT / "docs" / "GIT.md").read_text(encoding="utf-8")
    block = doc.split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0] == "$ filmc diff the-last-crossing.film --rev HEAD"
    films = repo / "films"
    (films / "film.toml").write_text('[backends]\nimage = "openai"\nvideo = "kling"\nspeech = "elevenlabs"\n',
                                     encoding="utf-8")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "services", cwd=repo)
    script = films / CROSSING
    edit(script, "Rain on the glass.", "Rain hammers the glass.")
    edit(script, "It worked.\n", "It worked, in the end.\n")
    edit(script, "[[shot insert, push in, 3s]]", "[[shot insert, push in, 4s]]")
    edit(script, "JONAH takes it in both hands.\n", "JONAH takes it in both hands.\n\nThe bridge lights come on, one by one.\n")
    edit(script, "voice: low female, dry, unhurried", "voice: low female, hoarse, unhurried")
    monkeypatch.chdir(films)
    run = diff(CROSSING, "--rev", "HEAD")
    assert run.exit_code == 0, run.output
    assert run.stdout.splitlines() == block[1:]
