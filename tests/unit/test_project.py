"""The project around a script: finding film.toml, layered settings, and the files includes and refs may read."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import codes, write

from filmc.compiler.diagnostics import Reporter, Severity
from filmc.compiler.driver import compile_file, compile_text
from filmc.compiler.project import CONFIG_NAME, find_root, load_project
from filmc.compiler.source import Span

# Five words in a 3 s shot: 2 s at the default 2.5 words a second, 5 s at 1 word a second.
SHORT_SPEECH = """EXT. SHORE - DAWN

ALIN (19), a lean fisherman, runs.

[[shot close on ALIN, 3s]]

ALIN
One two three four five.
"""
# Eight words in a 3 s shot: 3.2 s at the default pace, 2.7 s at 3 words a second.
LONG_SPEECH = SHORT_SPEECH.replace("One two three four five.", "One two three four five six seven eight.")
PLAIN = "EXT. SEA - DAY\n\nWaves.\n"



def only(result, code: str):
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, result.diagnostics
    return found[0]


def span() -> Span:
    return Span(file="s.film", line=1, column=1, end_line=1, end_column=2)


# ---- finding the project -------------------------------------------------------------------


def test_find_root_is_the_folder_with_film_toml(tmp_path: Path) -> None:
    config = write(tmp_path / CONFIG_NAME, "")
    script = write(tmp_path / "s.film", PLAIN)
    assert find_root(script) == (tmp_path, config)


def test_find_root_walks_up_to_a_parent_folder(tmp_path: Path) -> None:
    config = write(tmp_path / "proj" / CONFIG_NAME, "")
    script = write(tmp_path / "proj" / "episodes" / "one" / "s.film", PLAIN)
    assert find_root(script) == (tmp_path / "proj", config)


def test_find_root_takes_the_nearest_film_toml(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "")
    inner = write(tmp_path / "series" / CONFIG_NAME, "")
    script = write(tmp_path / "series" / "ep" / "s.film", PLAIN)
    assert find_root(script) == (tmp_path / "series", inner)


def test_find_root_without_film_toml_is_the_scripts_folder(tmp_path: Path) -> None:
    script = write(tmp_path / "a" / "b" / "s.film", PLAIN)
    assert find_root(script) == (tmp_path / "a" / "b", None)


def test_find_root_ignores_a_folder_named_film_toml(tmp_path: Path) -> None:
    config = write(tmp_path / CONFIG_NAME, "")
    (tmp_path / "sub" / CONFIG_NAME).mkdir(parents=True)
    script = write(tmp_path / "sub" / "s.film", PLAIN)
    assert find_root(script) == (tmp_path, config)


def test_find_root_of_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / CONFIG_NAME, "")
    write(tmp_path / "sub" / "s.film", PLAIN)
    monkeypatch.chdir(tmp_path / "sub")
    assert find_root(Path("s.film")) == (tmp_path, config)


# ---- settings ------------------------------------------------------------------------------


def test_defaults_without_film_toml(tmp_path: Path) -> None:
    reporter = Reporter()
    project = load_project(write(tmp_path / "s.film", PLAIN), reporter)
    assert project.config.pacing.words_per_second == 2.5
    assert project.config_path is None and project.sources == {}
    assert reporter.sorted() == ()


def test_film_toml_overrides_a_default(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "[pacing]\nwords_per_second = 1.75\n")
    reporter = Reporter()
    project = load_project(write(tmp_path / "s.film", PLAIN), reporter)
    assert project.config.pacing.words_per_second == 1.75
    assert project.config_path == tmp_path / CONFIG_NAME
    assert reporter.sorted() == ()


def test_default_pace_fits_a_short_speech(tmp_path: Path) -> None:
    assert "dialogue-too-long" not in codes(compile_file(write(tmp_path / "s.film", SHORT_SPEECH)))


def test_slower_pace_in_film_toml_makes_the_speech_too_long(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "[pacing]\nwords_per_second = 1\n")
    result = compile_file(write(tmp_path / "s.film", SHORT_SPEECH))
    diagnostic = only(result, "dialogue-too-long")
    assert (diagnostic.span.line, diagnostic.span.column) == (5, 23)  # the `3s` of the shot
    assert "about 5.0 s" in diagnostic.message
    assert any("the pace is 1 words a second" in hint for hint in diagnostic.hints)


def test_faster_pace_in_film_toml_lets_a_speech_fit(tmp_path: Path) -> None:
    script = write(tmp_path / "s.film", LONG_SPEECH)
    assert "dialogue-too-long" in codes(compile_file(script))
    write(tmp_path / CONFIG_NAME, "[pacing]\nwords_per_second = 3\n")
    assert "dialogue-too-long" not in codes(compile_file(script))


def test_film_toml_in_a_parent_folder_sets_the_pace(tmp_path: Path) -> None:
    write(tmp_path / "proj" / CONFIG_NAME, "[pacing]\nwords_per_second = 1\n")
    script = write(tmp_path / "proj" / "episodes" / "one" / "s.film", SHORT_SPEECH)
    result = compile_file(script)
    assert codes(result) == ["dialogue-too-long"]


def test_compile_text_uses_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / CONFIG_NAME, "[pacing]\nwords_per_second = 1\n")
    monkeypatch.chdir(tmp_path)
    assert "dialogue-too-long" not in codes(compile_text(SHORT_SPEECH, "t.film"))


def test_film_toml_is_among_the_sources_under_the_name_diagnostics_use(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "[pacing]\nwords_per_second = 0\n")
    script = write(tmp_path / "sub" / "s.film", PLAIN)
    reporter = Reporter()
    project = load_project(script, reporter, "sub/s.film")
    (diagnostic,) = reporter.sorted()
    assert diagnostic.span.file == "film.toml"  # beside sub/, as the user sees it
    assert list(project.sources) == ["film.toml"]
    result = compile_file(script)
    assert all(d.span.file in result.sources for d in result.diagnostics)


def test_invalid_toml_is_reported_with_its_line_and_column(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "# settings\n[pacing]\nwords_per_second = = 2\n")
    result = compile_file(write(tmp_path / "s.film", SHORT_SPEECH))
    diagnostic = only(result, "invalid-config")
    assert diagnostic.severity is Severity.ERROR
    assert diagnostic.span.file.endswith(CONFIG_NAME)
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 20)
    assert diagnostic.message.startswith("film.toml is not valid TOML")
    assert "(at line" not in diagnostic.message  # the position is in the span, not repeated
    assert "dialogue-too-long" not in codes(result)  # the defaults are used


def test_invalid_toml_falls_back_to_the_defaults(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "[pacing\nwords_per_second = 1\n")
    reporter = Reporter()
    project = load_project(write(tmp_path / "s.film", PLAIN), reporter)
    assert project.config.pacing.words_per_second == 2.5
    (diagnostic,) = reporter.sorted()
    assert diagnostic.code == "invalid-config" and diagnostic.span.line == 1


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "-1",
        "11",
        '"fast"',
        "[2]",
        "true",
    ],
)
def test_an_invalid_value_is_an_error_at_its_key_and_the_default_is_used(tmp_path: Path, value: str) -> None:
    write(tmp_path / CONFIG_NAME, f"# pace\n\n[pacing]\n  words_per_second = {value}\n")
    reporter = Reporter()
    project = load_project(write(tmp_path / "s.film", PLAIN), reporter)
    assert project.config.pacing.words_per_second == 2.5
    (diagnostic,) = reporter.sorted()
    assert (diagnostic.code, diagnostic.severity) == ("invalid-config", Severity.ERROR)
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (4, 3, 19)
    assert diagnostic.message.startswith("`pacing.words_per_second = ")


def test_an_unknown_key_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "[pacing]\nwords_per_secnd = 1\nwords_per_second = 2\n")
    reporter = Reporter()
    project = load_project(write(tmp_path / "s.film", PLAIN), reporter)
    assert project.config.pacing.words_per_second == 2  # the known key still applies
    (diagnostic,) = reporter.sorted()
    assert (diagnostic.code, diagnostic.severity) == ("invalid-config", Severity.WARNING)
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 1)
    assert "did you mean `words_per_second`?" in diagnostic.hints


def test_an_unknown_table_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "[pacng]\nwords_per_second = 1\n")
    reporter = Reporter()
    project = load_project(write(tmp_path / "s.film", PLAIN), reporter)
    assert project.config.pacing.words_per_second == 2.5
    (diagnostic,) = reporter.sorted()
    assert (diagnostic.code, diagnostic.severity) == ("invalid-config", Severity.WARNING)
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 2)
    assert "did you mean `pacing`?" in diagnostic.hints


def test_a_setting_table_given_as_a_value_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "pacing = 3\n")
    reporter = Reporter()
    project = load_project(write(tmp_path / "s.film", PLAIN), reporter)
    assert project.config.pacing.words_per_second == 2.5
    (diagnostic,) = reporter.sorted()
    assert (diagnostic.code, diagnostic.severity) == ("invalid-config", Severity.ERROR)


def test_build_tables_are_read(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "[budget]\nmax_cost_usd = 3\n[cache]\ndir = \"build-cache\"\n"
                                  "[concurrency]\ndefault = 4\nkling = 1\n[backend.comfyui]\nurl = \"http://gpu:8188\"\n"
                                  "[timing]\nmin_shot_s = 1.5\n[coverage]\nspeaker = \"medium\"\n")
    reporter = Reporter()
    config = load_project(write(tmp_path / "s.film", PLAIN), reporter).config
    assert reporter.sorted() == ()
    assert (config.budget.max_cost_usd, config.cache.dir) == (3, "build-cache")
    assert (config.concurrency.of("kling"), config.concurrency.of("fal")) == (1, 4)
    assert config.backend == {"comfyui": {"url": "http://gpu:8188"}}
    assert (config.timing.min_shot_s, config.timing.max_action_shot_s, config.coverage.speaker) == (1.5, 8.0, "medium")


def test_bad_build_settings_are_reported_and_defaulted(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "[budget]\nusd = 3\n[concurrency]\nkling = 0\n[backend]\ncomfyui = 3\n[build]\n")
    reporter = Reporter()
    config = load_project(write(tmp_path / "s.film", PLAIN), reporter).config
    found = [(d.code, d.span.line, d.message) for d in reporter.sorted()]
    assert [(code, line) for code, line, _ in found] == [("invalid-config", n) for n in (2, 4, 6, 7)]
    assert "`usd` is not a setting of [budget]" in found[0][2]
    assert "`concurrency.kling = 0` is not valid" in found[1][2]
    assert "`backend.comfyui` must be a table" in found[2][2]
    assert "`build` is not a setting filmc knows" in found[3][2]
    assert config.concurrency.of("kling") == 2


def test_a_bom_in_film_toml_is_accepted(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_bytes("\ufeff[pacing]\nwords_per_second = 2\n".encode())
    reporter = Reporter()
    project = load_project(write(tmp_path / "s.film", PLAIN), reporter)
    assert project.config.pacing.words_per_second == 2
    assert reporter.sorted() == ()


# ---- files a script may read -----------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a film.toml, a cast sheet, a reference image and a file outside it."""
    root = tmp_path / "proj"
    write(root / CONFIG_NAME, "")
    write(root / "cast" / "people.film", "[[cast ALIN: a lean fisherman]]\n")
    (root / "refs").mkdir()
    (root / "refs" / "alin.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    write(tmp_path / "secret.film", "[[cast EVE: a spy]]\n")
    write(tmp_path / "proj-other" / "cast.film", "[[cast EVE: a spy]]\n")
    write(tmp_path / "outside" / "cast.film", "[[cast EVE: a spy]]\n")
    return root


SCENE = "\nEXT. SEA - DAY\n\nALIN (19) and EVE (30) swim.\n"


def test_an_include_inside_the_project_is_read(project: Path) -> None:
    result = compile_file(write(project / "s.film", "[[include cast/people.film]]\n" + SCENE))
    assert result.diagnostics == ()
    assert result.symbols.cast["alin"].declared
    assert result.symbols.cast["alin"].look == "a lean fisherman"


def test_an_include_outside_the_project_via_dotdot(project: Path) -> None:
    result = compile_file(write(project / "s.film", "[[include ../secret.film]]\n" + SCENE))
    diagnostic = only(result, "outside-project")
    assert diagnostic.severity is Severity.ERROR
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (1, 11, 25)
    assert "`../secret.film` is outside the project folder" in diagnostic.message
    assert not result.symbols.cast["eve"].declared  # the file was not read


def test_an_include_in_a_sibling_folder_sharing_the_prefix_is_outside(project: Path) -> None:
    # proj-other starts with "proj" but is not inside proj.
    result = compile_file(write(project / "s.film", "[[include ../proj-other/cast.film]]\n" + SCENE))
    only(result, "outside-project")
    assert not result.symbols.cast["eve"].declared


def test_an_absolute_include_outside_the_project(project: Path) -> None:
    outside = project.parent / "secret.film"
    result = compile_file(write(project / "s.film", f"[[include {outside}]]\n" + SCENE))
    only(result, "outside-project")


def test_an_include_through_a_symlink_to_a_file_outside(project: Path) -> None:
    (project / "link.film").symlink_to(project.parent / "secret.film")
    result = compile_file(write(project / "s.film", "[[include link.film]]\n" + SCENE))
    diagnostic = only(result, "outside-project")
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 11)
    assert not result.symbols.cast["eve"].declared


def test_an_include_through_a_symlinked_folder_outside(project: Path) -> None:
    (project / "shared").symlink_to(project.parent / "outside", target_is_directory=True)
    result = compile_file(write(project / "s.film", "[[include shared/cast.film]]\n" + SCENE))
    only(result, "outside-project")
    assert not result.symbols.cast["eve"].declared


def test_a_symlink_to_a_file_inside_the_project_is_fine(project: Path) -> None:
    (project / "alias.film").symlink_to(project / "cast" / "people.film")
    result = compile_file(write(project / "s.film", "[[include alias.film]]\n" + SCENE))
    assert result.diagnostics == ()
    assert result.symbols.cast["alin"].declared


def test_a_missing_include_suggests_a_close_name(project: Path) -> None:
    result = compile_file(write(project / "s.film", "[[include cast/peple.film]]\n" + SCENE))
    diagnostic = only(result, "missing-file")
    assert diagnostic.severity is Severity.ERROR
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 11)
    assert "`cast/peple.film` does not exist" in diagnostic.message
    assert diagnostic.hints == ("did you mean `people.film`?",)


def test_a_missing_include_in_a_missing_folder(project: Path) -> None:
    result = compile_file(write(project / "s.film", "[[include nowhere/cast.film]]\n" + SCENE))
    diagnostic = only(result, "missing-file")
    assert diagnostic.hints == ("check the path: it is relative to the file that names it",)


def test_an_include_of_a_folder_is_an_io_error(project: Path) -> None:
    result = compile_file(write(project / "s.film", "[[include cast]]\n" + SCENE))
    diagnostic = only(result, "io-error")
    assert "`cast` is a folder, not a file" in diagnostic.message


def test_a_ref_that_exists(project: Path) -> None:
    script = write(project / "s.film", "[[cast ALIN: a lean fisherman\n  ref: refs/alin.png]]\n" + SCENE)
    result = compile_file(script)
    assert [c for c in codes(result) if c in ("missing-file", "io-error", "outside-project")] == []
    assert result.symbols.cast["alin"].ref == "refs/alin.png"


def test_a_ref_that_is_a_folder(project: Path) -> None:
    script = write(project / "s.film", "[[cast ALIN: a lean fisherman\n  ref: refs]]\n" + SCENE)
    diagnostic = only(compile_file(script), "io-error")
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (2, 8, 12)
    assert diagnostic.message == "the reference image `refs` is a folder, not a file"


def test_a_missing_ref_suggests_a_close_name(project: Path) -> None:
    script = write(project / "s.film", "[[set SEA: blue\n  ref: refs/alin.pgn]]\n" + SCENE)
    diagnostic = only(compile_file(script), "missing-file")
    assert diagnostic.span.line == 2
    assert diagnostic.message.startswith("the reference image `refs/alin.pgn` does not exist")
    assert diagnostic.hints == ("did you mean `alin.png`?",)


def test_a_ref_outside_the_project(project: Path) -> None:
    (project.parent / "face.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    script = write(project / "s.film", "[[cast ALIN: a lean fisherman\n  ref: ../face.png]]\n" + SCENE)
    diagnostic = only(compile_file(script), "outside-project")
    assert diagnostic.message.startswith("the reference image `../face.png` is outside the project folder")


def test_a_ref_in_an_included_file_is_relative_to_that_file(project: Path) -> None:
    write(project / "cast" / "people.film", "[[cast ALIN: a lean fisherman\n  ref: ../refs/alin.png]]\n")
    result = compile_file(write(project / "s.film", "[[include cast/people.film]]\n" + SCENE))
    assert result.diagnostics == ()
    write(project / "cast" / "people.film", "[[cast ALIN: a lean fisherman\n  ref: refs/alin.png]]\n")
    diagnostic = only(compile_file(project / "s.film"), "missing-file")
    assert diagnostic.span.file.endswith("people.film") and diagnostic.span.line == 2


def test_an_unreadable_include_is_an_io_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write(project / "locked.film", "[[cast EVE: a spy]]\n").resolve()
    real_open = Path.open

    def open_(self, *args, **kwargs):
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    result = compile_file(write(project / "s.film", "[[include locked.film]]\n" + SCENE))
    diagnostic = only(result, "io-error")
    assert diagnostic.message == "cannot read the included file `locked.film`: Permission denied"
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 11)
    assert not result.symbols.cast["eve"].declared


def test_reference_returns_the_resolved_file(project: Path) -> None:
    reporter = Reporter()
    loaded = load_project(project / "s.film", reporter)
    found = loaded.reference("../refs/alin.png", project / "cast", "cast", span(), reporter, "the reference image")
    assert found == (project / "refs" / "alin.png").resolve()
    assert reporter.sorted() == ()


def test_reference_shows_where_it_looked_from_the_users_folder(project: Path) -> None:
    reporter = Reporter()
    loaded = load_project(project / "s.film", reporter)
    assert loaded.reference("gone.png", project / "cast", "proj/cast", span(), reporter, "the reference image") is None
    (diagnostic,) = reporter.sorted()
    assert diagnostic.message == "the reference image `gone.png` does not exist (looked for `proj/cast/gone.png`)"


def test_a_symlink_loop_is_not_reported_as_a_misspelling_of_itself(project: Path) -> None:
    (project / "loop.film").symlink_to(project / "loop.film")
    result = compile_file(write(project / "s.film", "[[include loop.film]]\n" + SCENE))
    assert len(result.diagnostics) == 1
    assert not any("`loop.film`?" in hint for d in result.diagnostics for hint in d.hints)



def test_a_coverage_framing_must_be_a_framing(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, '[coverage]\nspeaker = "clsoe"\nexchange = "Over-the-Shoulder"\n')
    reporter = Reporter()
    config = load_project(write(tmp_path / "s.film", PLAIN), reporter).config
    (found,) = reporter.sorted()
    assert (found.code, found.span.line) == ("invalid-config", 2)
    assert found.message == "`coverage.speaker = 'clsoe'` is not valid: 'clsoe' is not a framing " \
                            "(wide, medium, close, over-the-shoulder, two-shot, ...)"
    assert (config.coverage.speaker, config.coverage.exchange) == ("close", "Over-the-Shoulder")


@pytest.mark.parametrize("value", ["0", "300", '"4"', "true", "2.5"])
def test_a_backend_concurrency_must_be_a_whole_number_in_range(tmp_path: Path, value: str) -> None:
    write(tmp_path / CONFIG_NAME, f"[backend.kling]\nconcurrency = {value}\nmodel = \"v2\"\n")
    reporter = Reporter()
    config = load_project(write(tmp_path / "s.film", PLAIN), reporter).config
    (found,) = reporter.sorted()
    assert (found.code, found.span.line) == ("invalid-config", 2)
    assert config.backend == {"kling": {"model": "v2"}}


@pytest.mark.parametrize("value", ["/tmp/cache", ".", "..", "../elsewhere", "a/../../b"])
def test_the_cache_is_a_folder_inside_the_project(tmp_path: Path, value: str) -> None:
    write(tmp_path / CONFIG_NAME, f'[cache]\ndir = "{value}"\n')
    reporter = Reporter()
    config = load_project(write(tmp_path / "s.film", PLAIN), reporter).config
    (found,) = reporter.sorted()
    assert found.code == "invalid-config" and "the cache must be a folder inside the project" in found.message
    assert config.cache.dir == ".filmc"
