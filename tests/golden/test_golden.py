"""Golden tests of filmc's diagnostics: one small script per diagnostic code, and what it prints.

Each case `diagnostics/<name>.film` sits beside `diagnostics/<name>.expected`, which holds
exactly what

    filmc check tests/golden/diagnostics/<name>.film --format short

prints when run from the repository root (nothing at all for a clean script). A case is named
after the code it shows, `<code>.film` or `<code>-<situation>.film`; `clean*.film` cases must
print nothing.

Some problems cannot live in a committed .film file: a file that cannot be read, a binary file,
bytes that are not UTF-8. Those cases are written into a temporary folder by the test itself
(`GENERATED` below); their .expected files sit with the others and show the bare file name, as
`filmc check <name>.film --format short` prints it when run in that folder.

After changing a message on purpose, rewrite the expected files and review the diff:

    python -m pytest tests/golden --update-golden
    git diff tests/golden docs/DIAGNOSTICS.md
"""

from __future__ import annotations

import codecs
import difflib
import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from filmc.compiler.cli import main
from filmc.compiler.diagnostics import CODES, render
from filmc.compiler.driver import compile_file

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "diagnostics"
UPDATE_HINT = "python -m pytest tests/golden --update-golden"


# ---- the cases -----------------------------------------------------------------------------


def _write(data: bytes) -> Callable[[Path, str], Path]:
    def make(folder: Path, filename: str) -> Path:
        path = folder / filename
        path.write_bytes(data)
        return path

    return make


def _missing(folder: Path, filename: str) -> Path:
    return folder / filename


def _directory(folder: Path, filename: str) -> Path:
    path = folder / filename
    path.mkdir()
    return path


def _with_config(config: str, script: str) -> Callable[[Path, str], Path]:
    """A script with a film.toml beside it (one in this folder would be every case's project)."""

    def make(folder: Path, filename: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "film.toml").write_text(config, encoding="utf-8")
        path = folder / filename
        path.write_text(script, encoding="utf-8")
        return path

    return make


def _with_files(files: dict[str, str], script: str) -> Callable[[Path, str], Path]:
    """A script in a project (with a film.toml) holding other files, such as prompt templates."""

    def make(folder: Path, filename: str) -> Path:
        path = _with_config("", script)(folder, filename)
        for name, text in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        return path

    return make


# Cases that cannot be committed as .film files: name -> how to make `<folder>/<name>.film`.
GENERATED: dict[str, Callable[[Path, str], Path]] = {
    # A NUL byte, as in a word-processor file or an image renamed to .film.
    "binary-file": _write(b"EXT. SHORE - DAWN\n\nWaves \x00hammer the basalt.\n"),
    # \xe9 is `é` in Latin-1: a script saved in the wrong encoding.
    "invalid-utf8": _write(b"EXT. SHORE - DAWN\n\nALIN sings a caf\xe9 song.\n"),
    # The path names nothing.
    "io-error-missing": _missing,
    # The path names a folder (the CLI refuses this itself, as a usage error; compile_file
    # reports it).
    "io-error-directory": _directory,
    # A film.toml with a value out of range, a misspelt setting and a misspelt table.
    "invalid-config": _with_config(
        "[pacing]\nwords_per_second = 0\nwords_per_minute = 150\n\n[pacnig]\nwords_per_second = 2\n",
        "EXT. SHORE - DAWN\n\nALIN (19) hauls the boat up the sand.\n",
    ),
    # A video backend whose clips are at most 10 s (a test plugin, tests/plugins/) and a 14 s shot.
    "shot-will-be-split": _with_config(
        '[backends]\nvideo = "test-video-10s"\n',
        "EXT. SHORE - DAWN\n\n[[shot wide, push in, 14s]]\n\nWaves hammer the basalt as the storm comes in.\n",
    ),
    # A project prompt template (prompts/default/keyframe.j2) that uses a name it is not given.
    # (No single quote in it: docs/DIAGNOSTICS.md writes it with printf '...'.)
    "template-error": _with_files(
        {"prompts/default/keyframe.j2": '{{ framing }} shot of {{ characters | map(attribute="name") | join(", ") }}.\n'
                                        "Mood: {{ mood }}.\n"},
        "EXT. SHORE - DAWN\n\nALIN (19) hauls the boat up the sand.\n",
    ),
}


def film_cases() -> list[str]:
    return sorted(p.stem for p in CASES.glob("*.film"))


def all_cases() -> list[str]:
    return sorted(set(film_cases()) | set(GENERATED))


def expected_path(name: str) -> Path:
    return CASES / f"{name}.expected"


def relative(path: Path) -> str:
    """A path as shown relative to the repository root, with forward slashes on any system."""
    return path.relative_to(ROOT).as_posix()


def short_output(path: Path, shown: str) -> str:
    """What `filmc check <shown> --format short` prints for the file at `path`."""
    result = compile_file(path, shown)
    text = render(result.diagnostics, "short", result.sources)
    return text + "\n" if text else ""


def actual_output(name: str, tmp_path: Path) -> str:
    if name in GENERATED:
        filename = f"{name}.film"
        return short_output(GENERATED[name](tmp_path, filename), filename)
    path = CASES / f"{name}.film"
    return short_output(path, relative(path))


def code_of(name: str) -> str | None:
    """The code a case is named after: the longest slug that is the name or a prefix of it."""
    owners = [slug for slug in CODES if name == slug or name.startswith(slug + "-")]
    return max(owners, key=len) if owners else None


def is_clean(name: str) -> bool:
    return name == "clean" or name.startswith("clean-")


# ---- the golden comparison -----------------------------------------------------------------


@pytest.mark.parametrize("name", all_cases())
def test_golden(name: str, tmp_path: Path, update_golden: bool) -> None:
    actual = actual_output(name, tmp_path)
    expected_file = expected_path(name)
    if update_golden:
        if not expected_file.exists() or expected_file.read_text(encoding="utf-8") != actual:
            expected_file.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not expected_file.exists():
        pytest.fail(
            f"{relative(expected_file)} is missing; create it from what filmc prints now with\n"
            f"    {UPDATE_HINT}\nand check that its content is right",
            pytrace=False,
        )
    expected = expected_file.read_text(encoding="utf-8")
    assert actual == expected, (
        f"filmc's diagnostics for the case {name!r} changed; if the change is intended, run "
        f"`{UPDATE_HINT}` and review the diff"
    )


def test_every_expected_file_has_a_case() -> None:
    assert not set(GENERATED) & set(film_cases()), "a GENERATED case has the name of a .film case"
    cases = set(all_cases())
    orphans = sorted(p.name for p in CASES.glob("*.expected") if p.stem not in cases)
    assert not orphans, f"expected files without a .film case or a GENERATED entry: {orphans}"


@pytest.mark.parametrize("name", [n for n in all_cases() if not is_clean(n)])
def test_case_is_named_after_a_code(name: str) -> None:
    assert code_of(name) is not None, (
        f"the case {name!r} is named after no registered code; call it <code>.film, "
        f"<code>-<situation>.film or clean-<situation>.film"
    )


# ---- every code is covered -----------------------------------------------------------------

# Codes that are registered but that filmc does not report yet. Their cases exist and show
# what a writer would expect to be warned about; the expected files record today's output
# (nothing). When the compiler starts reporting one, its golden test fails: run
# `--update-golden`, check the new expected file, then remove the code from this list (the
# coverage test below fails as an unexpected pass until you do).
NOT_REPORTED_YET: dict[str, str] = {}


def _coverage_params() -> list:
    params = []
    for slug in sorted(CODES):
        marks = ()
        if slug in NOT_REPORTED_YET:
            marks = pytest.mark.xfail(reason=NOT_REPORTED_YET[slug], strict=True)
        params.append(pytest.param(slug, marks=marks, id=slug))
    return params


@pytest.mark.parametrize("slug", _coverage_params())
def test_code_has_a_golden_case(slug: str) -> None:
    named = [name for name in all_cases() if code_of(name) == slug]
    assert named, f"no golden case for `{slug}`: add tests/golden/diagnostics/{slug}.film and run {UPDATE_HINT}"
    for name in named:
        path = expected_path(name)
        assert path.exists(), f"{relative(path)} is missing; run {UPDATE_HINT}"
        assert f"[{slug}]" in path.read_text(encoding="utf-8"), (
            f"the case {name!r} does not show `{slug}`: its expected output has no `[{slug}]`"
        )


def test_not_reported_yet_lists_only_registered_codes() -> None:
    assert set(NOT_REPORTED_YET) <= set(CODES)


@pytest.mark.parametrize("name", [n for n in all_cases() if is_clean(n)])
def test_clean_cases_print_nothing(name: str) -> None:
    path = expected_path(name)
    assert path.exists() and path.read_text(encoding="utf-8") == ""


def test_clean_case_uses_every_annotation_kind() -> None:
    from filmc.compiler.parse import ANNOTATION_KEYWORDS

    result = compile_file(CASES / "clean.film", "clean.film")
    used = {element.type for element in result.film.elements()}
    assert set(ANNOTATION_KEYWORDS) <= used, f"clean.film does not use {sorted(set(ANNOTATION_KEYWORDS) - used)}"
    assert result.diagnostics == ()


# ---- the command line ----------------------------------------------------------------------

JSON_KEYS = ["severity", "code", "message", "file", "line", "column", "end_line", "end_column", "hints"]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    """Run `filmc` in-process from the repository root; returns click's Result."""
    monkeypatch.chdir(ROOT)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.mark.parametrize("name", film_cases())
def test_cli_prints_the_expected_file(name: str, run) -> None:
    """`filmc check --format short` prints the expected file on stderr and exits 1 iff it has errors."""
    expected_file = expected_path(name)
    if not expected_file.exists():
        pytest.skip(f"{expected_file.name} is missing (test_golden reports it)")
    expected = expected_file.read_text(encoding="utf-8")
    result = run("check", relative(CASES / f"{name}.film"), "--format", "short")
    assert result.stderr == expected
    assert result.stdout == ""
    assert result.exit_code == (1 if "error[" in expected else 0)


def test_exit_status_is_0_for_a_clean_script(run) -> None:
    result = run("check", "tests/golden/diagnostics/clean.film")
    assert result.exit_code == 0
    assert result.stderr == "tests/golden/diagnostics/clean.film: no problems\n"


def test_exit_status_is_0_with_only_warnings(run) -> None:
    result = run("check", "tests/golden/diagnostics/unknown-field.film")
    assert result.exit_code == 0
    assert "warning[unknown-field]" in result.stderr
    assert "error" not in result.stderr


@pytest.mark.parametrize(
    "case",
    ["annotation-syntax", "invalid-value", "conflicting-terms", "invalid-title-key", "annotation-syntax-ends-early"],
)
def test_exit_status_is_1_with_errors(case: str, run) -> None:
    for fmt in ("human", "short", "json"):
        result = run("check", f"tests/golden/diagnostics/{case}.film", "--format", fmt)
        assert result.exit_code == 1, (fmt, result.output)


def test_exit_status_is_1_for_a_missing_file(run) -> None:
    result = run("check", "tests/golden/diagnostics/no-such-script.film", "--format", "short")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "tests/golden/diagnostics/no-such-script.film:1:1: error[io-error]: cannot read "
    )


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--bogus", "tests/golden/diagnostics/clean.film"],
        ["check", "tests/golden/diagnostics/clean.film", "--format", "xml"],
        ["check"],
        ["check", "tests/golden/diagnostics"],  # a folder
        ["chekc", "tests/golden/diagnostics/clean.film"],
    ],
    ids=["unknown-option", "unknown-format", "no-file", "directory", "unknown-command"],
)
def test_exit_status_is_2_for_usage_errors(args: list[str], run) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.stderr


def test_json_format(run) -> None:
    result = run("check", "tests/golden/diagnostics/conflicting-terms-lens.film", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    items = json.loads(result.stdout)
    assert isinstance(items, list) and len(items) == 2
    for item in items:
        assert isinstance(item, dict)
        assert sorted(item) == sorted(JSON_KEYS)
        assert item["severity"] in ("error", "warning", "note")
        assert item["code"] in CODES
        assert item["file"] == "tests/golden/diagnostics/conflicting-terms-lens.film"
        for key in ("line", "column", "end_line", "end_column"):
            assert isinstance(item[key], int) and item[key] >= 1
        assert isinstance(item["message"], str) and item["message"]
        assert isinstance(item["hints"], list) and all(isinstance(h, str) for h in item["hints"])
    first = items[0]
    assert (first["severity"], first["code"], first["line"], first["column"]) == ("error", "conflicting-terms", 3, 20)
    assert (first["end_line"], first["end_column"]) == (3, 24)


def test_json_format_agrees_with_short(run) -> None:
    """The JSON and short formats report the same diagnostics at the same places."""
    name = "unknown-field-set"
    result = run("check", f"tests/golden/diagnostics/{name}.film", "--format", "json")
    items = json.loads(result.stdout)
    short = [
        f"{i['file']}:{i['line']}:{i['column']}: {i['severity']}[{i['code']}]: {i['message']}" for i in items
    ]
    assert "\n".join(short) + "\n" == expected_path(name).read_text(encoding="utf-8")
    assert all(sorted(i) == sorted(JSON_KEYS) for i in items)


def test_json_format_of_a_clean_script_is_an_empty_list(run) -> None:
    result = run("check", "tests/golden/diagnostics/clean.film", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert result.stderr == ""


# ---- docs/DIAGNOSTICS.md -------------------------------------------------------------------
#
# The examples in the documentation are golden files too. Every ```console block is run: its
# `$ filmc ...` lines through click's CliRunner, `$ printf '...' > PATH` by writing the bytes,
# `$ mkdir -p PATH` by making the folder, `$ echo $?` by printing the last exit status; any
# other command fails the test. The lines after each command must be exactly what it prints
# (standard output and standard error, as a terminal shows them). A block that names
# tests/golden/ runs in the repository root and may not write files; any other runs in an empty
# temporary folder of its own, and writes only inside it (relative paths without `..`). When a
# block writes the .film of a GENERATED case, every file that case makes (the script, a
# film.toml, templates) must be written by the block with the same bytes. A ```film block
# right before a console block that checks tests/golden/diagnostics/NAME.film must be that
# file's text. `--update-golden` rewrites the outputs and the snippets.

DOC = ROOT / "docs" / "DIAGNOSTICS.md"
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
PRINTF = re.compile(r"printf '(?P<format>[^']*)' > (?P<target>\S+)")
MKDIR = re.compile(r"mkdir -p (?P<target>\S+)")
CHECKED_CASE = re.compile(r"^\$ filmc check (tests/golden/diagnostics/[\w.-]+\.film)\b", re.M)


def _inside(folder: Path | None, name: str, command: str) -> Path:
    """Where a block may write `name`: inside its own temporary folder, never elsewhere."""
    path = Path(name)
    if folder is None or path.is_absolute() or ".." in path.parts:
        pytest.fail(f"{relative(DOC)} runs `{command}`, which writes outside the example's temporary folder",
                    pytrace=False)
    return folder / path


def _check_generated(folder: Path, made: Path, stem: str) -> None:
    """The files a block wrote for the GENERATED case `stem` are those the case makes."""
    made.mkdir(parents=True)
    GENERATED[stem](made, f"{stem}.film")
    for file in sorted(p for p in made.rglob("*") if p.is_file()):
        name = file.relative_to(made).as_posix()
        written = folder / name
        assert written.is_file(), f"the example of {stem}.film in {relative(DOC)} does not write {name} (GENERATED does)"
        assert written.read_bytes() == file.read_bytes(), (
            f"the example of {stem}.film in {relative(DOC)} writes {name} differently from GENERATED"
        )


def _run_console(body: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The console block `body` with every command's output as filmc prints it now. `folder` is
    an empty folder for this block alone."""
    commands = [line[2:] for line in body.splitlines() if line.startswith("$ ")]
    assert commands, f"a console block in {relative(DOC)} has no `$ ` command:\n{body}"
    work = folder / "work"
    work.mkdir()
    writable = None if "tests/golden/" in body else work
    monkeypatch.chdir(ROOT if writable is None else work)
    runner = CliRunner()
    out: list[str] = []
    status = 0
    generated: list[str] = []
    for command in commands:
        out.append(f"$ {command}\n")
        if command.startswith("filmc "):
            result = runner.invoke(main, shlex.split(command)[1:], prog_name="filmc", catch_exceptions=False)
            status = result.exit_code
            printed = result.output
        elif command == "echo $?":
            printed = f"{status}\n"
        elif m := PRINTF.fullmatch(command):
            data = codecs.escape_decode(m["format"].encode("utf-8"))[0]
            target = _inside(writable, m["target"], command)
            target.write_bytes(data)
            if target.suffix == ".film" and target.parent == work and target.stem in GENERATED:
                generated.append(target.stem)  # the documented files are those of the golden case
            printed = ""
        elif m := MKDIR.fullmatch(command):
            _inside(writable, m["target"], command).mkdir(parents=True, exist_ok=True)
            printed = ""
        else:
            pytest.fail(f"{relative(DOC)} runs `{command}`, which this test cannot run", pytrace=False)
        out.append(printed if printed.endswith("\n") or not printed else printed + "\n")
    for stem in generated:
        _check_generated(work, folder / "made" / stem, stem)
    return "".join(out)


def _regenerated_doc(text: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    blocks = list(FENCE.finditer(text))
    pieces: list[str] = []
    pos = 0
    for i, block in enumerate(blocks):
        if block["lang"] != "console":
            continue
        case = CHECKED_CASE.search(block["body"])
        before = blocks[i - 1] if i else None
        if case and before is not None and before["lang"] == "film" and not text[before.end() : block.start()].strip():
            pieces.append(text[pos : before.start("body")])
            pieces.append((ROOT / case[1]).read_text(encoding="utf-8"))
            pos = before.end("body")
        pieces.append(text[pos : block.start("body")])
        own = folder / f"block-{i}"  # every example starts in an empty folder of its own
        own.mkdir()
        pieces.append(_run_console(block["body"], own, monkeypatch))
        pos = block.end("body")
    pieces.append(text[pos:])
    return "".join(pieces)


def test_documentation_examples_are_what_filmc_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    text = DOC.read_text(encoding="utf-8")
    new = _regenerated_doc(text, tmp_path, monkeypatch)
    if update_golden:
        if new != text:
            DOC.write_text(new, encoding="utf-8", newline="\n")
        return
    if new != text:
        diff = "".join(
            difflib.unified_diff(text.splitlines(True), new.splitlines(True), "docs/DIAGNOSTICS.md", "filmc now")
        )
        pytest.fail(f"the examples in docs/DIAGNOSTICS.md are out of date; run `{UPDATE_HINT}`\n{diff}", pytrace=False)


def _doc_sections() -> dict[str, str]:
    """Each `### \\`code\\`` section of the documentation, by code."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `([\w-]+)`[ \t]*$", text, flags=re.M)
    return {parts[k]: re.split(r"^#{1,3} ", parts[k + 1], flags=re.M)[0] for k in range(1, len(parts), 2)}


@pytest.mark.parametrize("slug", sorted(CODES))
def test_documentation_describes_every_code(slug: str) -> None:
    sections = _doc_sections()
    assert slug in sections, f"docs/DIAGNOSTICS.md has no section `### \\`{slug}\\``"
    section = sections[slug]
    severity = CODES[slug].severity.value
    assert re.search(rf"^\*\*Severity:\*\* {severity}\b", section, re.M), (
        f"the section on `{slug}` does not say `**Severity:** {severity}`"
    )
    assert re.search(r"^\$ filmc check ", section, re.M), f"the section on `{slug}` does not run filmc check"
    if slug not in NOT_REPORTED_YET:
        assert f"[{slug}]" in section, f"no example in the section on `{slug}` shows `[{slug}]`"


def test_documentation_has_no_section_for_an_unknown_code() -> None:
    assert set(_doc_sections()) <= set(CODES)
