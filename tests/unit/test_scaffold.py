"""`filmc new`'s pieces: titles on the title page, the files it writes, and when it refuses."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from filmc.compiler.diagnostics import Reporter
from filmc.compiler.driver import compile_file
from filmc.compiler.fmt import format_source
from filmc.compiler.project import load_project
from filmc.compiler.scaffold import ScaffoldError, create_project, default_title, fountain_title, title_problem
from filmc.compiler.source import SourceFile

# Titles that Fountain would read differently if they were written as they are.
AWKWARD_TITLES = [
    "Star Wars: A New Hope",
    "M*A*S*H",
    "*Italic* and **bold**",
    "_underlined_",
    "snake_case_name",
    "A /* not a boneyard",
    "A */ B",
    "Back\\slash \\* and \\\\",
    "Title:",
    "  Padded  ",
    "#1 Fan ~ = > <",
    "Ünïcødé 映画 ✓",
]


@pytest.mark.parametrize(("name", "title"), [
    ("my-first_film", "My First Film"),
    ("the-last-crossing", "The Last Crossing"),
    ("ep1", "Ep1"),
    ("don't-panic", "Don't Panic"),
    ("already-CAPS", "Already CAPS"),
    ("a--b__c", "A B C"),
])
def test_default_title(name: str, title: str) -> None:
    assert default_title(name) == title


@pytest.mark.parametrize("title", AWKWARD_TITLES)
def test_any_title_reads_back_exactly_and_is_canonical(tmp_path: Path, title: str) -> None:
    project = tmp_path / "film"
    create_project(project, title)
    script = project / "film.film"
    result = compile_file(script, str(script))
    assert result.diagnostics == ()
    assert result.film.settings.title == title.strip()
    assert not format_source(SourceFile.read(script, str(script))).changed


def test_a_plain_title_is_written_as_it_is() -> None:
    assert fountain_title("snake_case: the film") == "snake_case: the film"
    assert fountain_title("M*A*S*H") == "M\\*A\\*S\\*H"


@pytest.mark.parametrize(("title", "why"), [
    ("", "empty"),
    ("   ", "empty"),
    ("two\nlines", "one line"),
    ("a\ttab", "one line"),
    ("a [[note]]", "`[[`"),
    ("a ]] b", "`[[`"),
])
def test_titles_that_cannot_be_written(tmp_path: Path, title: str, why: str) -> None:
    assert why in title_problem(title)
    with pytest.raises(ScaffoldError, match="--title"):
        create_project(tmp_path / "film", title)
    assert not (tmp_path / "film").exists()


def test_the_files_and_their_settings(tmp_path: Path) -> None:
    project = tmp_path / "deep" / "er" / "ep1"
    written = create_project(project)
    assert [p.name for p in written] == ["ep1.film", "film.toml", "README.md", ".gitignore", ".gitattributes"]
    assert sorted(p.name for p in project.iterdir()) == sorted(p.name for p in written)
    reporter = Reporter()
    config = load_project(project / "ep1.film", reporter).config
    assert reporter.sorted() == ()
    assert set(config.backends.model_dump().values()) == {"local"}
    assert config.budget.max_cost_usd == 5.0
    toml = (project / "film.toml").read_text(encoding="utf-8")
    assert 'video = "kling"' in toml and "ELEVENLABS_API_KEY" in toml and "filmc backends" in toml
    assert "*.film diff=film" in (project / ".gitattributes").read_text(encoding="utf-8").splitlines()
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Ep1\n")
    for line in ("filmc build ep1.film", "--draft", "filmc check ep1.film", "filmc plan ep1.film", "filmc fmt ep1.film"):
        assert line in readme


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignore_keeps_out_the_cache_and_films_but_not_the_lock(tmp_path: Path) -> None:
    project = tmp_path / "ep1"
    create_project(project)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    names = [".filmc/blobs/ab/x.png", "ep1.mp4", "ep1.draft.mp4", "ep1.srt", "film.lock", "ep1.film", "film.toml"]
    run = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=project, capture_output=True, text=True)
    assert run.stdout.split() == names[:4]


def test_a_folder_with_something_in_it_is_left_alone(tmp_path: Path) -> None:
    project = tmp_path / "ep1"
    project.mkdir()
    (project / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="not an empty folder"):
        create_project(project)
    assert [p.name for p in project.iterdir()] == ["notes.txt"]
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="not an empty folder"):
        create_project(tmp_path / "afile")
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"


def test_an_empty_folder_is_filled(tmp_path: Path) -> None:
    project = tmp_path / "ep1"
    project.mkdir()
    create_project(project)
    assert (project / "ep1.film").is_file()


def test_a_script_name_is_not_a_folder_name(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match=r"`filmc new ep1` makes ep1/ep1\.film"):
        create_project(tmp_path / "ep1.film")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_name_on_two_lines_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="one line"):
        create_project(tmp_path / "a\nb")
    assert list(tmp_path.iterdir()) == []
