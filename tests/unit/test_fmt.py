"""`filmc fmt`: what it respells, what it leaves alone, and the command's contract."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from filmc.compiler.cli import main
from filmc.compiler.fmt import format_text, number


@pytest.mark.parametrize(
    ("source", "formatted"),
    [
        # Shot terms in one order, framings hyphenated, numbers bare, one space after commas.
        ("[[  shot 3 secs,push in , close up on ALIN & SEA GOD, 50.0 mm, dissolve]]\n",
         "[[shot dissolve, close-up on ALIN and SEA GOD, push in, 50mm, 3s]]\n"),
        ('[[shot "a \\"quoted\\" word",seed 7,take 2,continuous]]\n',
         '[[shot continuous, take 2, seed 7, "a \\"quoted\\" word"]]\n'),
        ("[[shot wide,\n  pan left]]\n", "[[shot wide, pan left]]\n"),
        ("[[shot]]\n", "[[shot]]\n"),
        # Declarations: one field per line, in the documented order, continuation lines joined.
        ("[[cast ALIN: lean,\n   sunburnt\n  seed: 42\n  voice: young\n  aka: THE BOY,SON]]\n",
         "[[cast ALIN: lean, sunburnt\n  voice: young\n  seed: 42\n  aka: THE BOY, SON]]\n"),
        ("[[set SHORE: sand\n  lighting: dawn]]\n", "[[set SHORE: sand\n  lighting: dawn]]\n"),
        ("[[music:  taiko drums,tense,96bpm ]]\n", "[[music: taiko drums, tense, 96 bpm]]\n"),
        ("[[music:stop]]\n", "[[music: stop]]\n"),
        ("[[sound:   thunder   rolls]]\n", "[[sound: thunder rolls]]\n"),
        ("[[wardrobe ALIN:  soaked  tunic]]\n", "[[wardrobe ALIN: soaked tunic]]\n"),
        # An annotation inside a line keeps its place.
        ("He dives. [[sound:splash]] Gone.\n", "He dives. [[sound: splash]] Gone.\n"),
        # The title page: known keys capitalised, values at four spaces.
        ("title:   The Waves\ndraft DATE: 1 May\nAuthor:\n\tA\n   B\n\nEXT. SEA - DAY\n",
         "Title: The Waves\nDraft date: 1 May\nAuthor:\n    A\n    B\n\nEXT. SEA - DAY\n"),
        # Blank lines: one between paragraphs, none at the ends; trailing spaces go.
        ("\n\nINT. ROOM - DAY   \n\n\n\nHe sits.  \n\n\n", "INT. ROOM - DAY\n\nHe sits.\n"),
        # A line of spaces inside a speech is Fountain's deliberate blank line: two spaces.
        ("BOB\nOne.\n \t \nTwo.\n", "BOB\nOne.\n  \nTwo.\n"),
        # A final newline.
        ("He sits.", "He sits.\n"),
    ],
)
def test_respells(source: str, formatted: str) -> None:
    assert format_text(source).text == formatted
    assert format_text(formatted).text == formatted


@pytest.mark.parametrize(
    "source",
    [
        "/* a boneyard   \n\n\n   kept as it is */\n",
        "[[Plain  note,   as  written ]]\n",
        "[[shot Wide, pan left]]\n",             # a diagnostic: the writer's to fix, not fmt's
        "[[cast A: x\n  eyes: green]]\n",        # an unknown field is kept
        "CUT TO:  \n",                            # the spaces make it action, not a transition
        "\nTitle: not a title page\n",            # the blank first line stays
        "[[shot close on A /* why */, 3s]]\n",    # a boneyard inside an annotation
    ],
)
def test_leaves_alone(source: str) -> None:
    assert format_text(source).text == source


def test_number() -> None:
    assert [number(x) for x in (50.0, 2.5, 0.00001, 85.25)] == ["50", "2.5", "0.00001", "85.25"]


def test_check_lists_files_and_changes_nothing(tmp_path) -> None:
    messy = tmp_path / "messy.film"
    messy.write_text("[[shot close up on A]]\n\n\nA sits.\n", encoding="utf-8")
    tidy = tmp_path / "tidy.film"
    tidy.write_text("A sits.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"would reformat {messy}" in result.output
    assert str(tidy) not in result.output
    assert messy.read_text(encoding="utf-8").startswith("[[shot close up on A]]")
    assert CliRunner().invoke(main, ["fmt", "--check", str(tidy)]).exit_code == 0


def test_rewrites_in_place_keeping_crlf_bom_and_mode(tmp_path) -> None:
    path = tmp_path / "win.film"
    path.write_bytes(b"\xef\xbb\xbftitle: A\r\n\r\n\r\nINT. X - DAY  \r\n")
    path.chmod(0o640)
    result = CliRunner().invoke(main, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == b"\xef\xbb\xbfTitle: A\r\n\r\nINT. X - DAY\r\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert "1 file reformatted" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["win.film"]  # no staging file left


def test_diff_prints_and_changes_nothing(tmp_path) -> None:
    path = tmp_path / "a.film"
    path.write_text("[[music:stop]]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fmt", "--diff", str(path)])
    assert result.exit_code == 1
    assert "-[[music:stop]]\n+[[music: stop]]" in result.output
    assert path.read_text(encoding="utf-8") == "[[music:stop]]\n"


def test_stdin_to_stdout() -> None:
    result = CliRunner().invoke(main, ["fmt", "-"], input="[[sound:rain]]\n\n\nx\n")
    assert result.exit_code == 0
    assert result.output == "[[sound: rain]]\n\nx\n"


def test_refuses_what_is_not_text_and_missing_files(tmp_path) -> None:
    bad = tmp_path / "bad.film"
    bad.write_bytes(b"caf\xe9\n")
    result = CliRunner().invoke(main, ["fmt", str(bad), str(tmp_path / "missing.film")])
    assert result.exit_code == 1
    assert f"{bad}: 1:4: the file is not UTF-8" in result.output
    assert "cannot read" in result.output and "missing.film" in result.output
    assert "Traceback" not in result.output
    assert bad.read_bytes() == b"caf\xe9\n"


def test_through_a_symbolic_link_the_file_is_formatted_and_the_link_kept(tmp_path) -> None:
    real = tmp_path / "real.film"
    real.write_text("[[music:stop]]\n", encoding="utf-8")
    link = tmp_path / "link.film"
    link.symlink_to(real.name)
    assert CliRunner().invoke(main, ["fmt", str(link)]).exit_code == 0
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "[[music: stop]]\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.film", "real.film"]


def test_diff_marks_a_missing_final_newline(tmp_path) -> None:
    path = tmp_path / "a.film"
    path.write_text("[[music:stop]]", encoding="utf-8")
    output = CliRunner().invoke(main, ["fmt", "--diff", str(path)]).output
    assert "-[[music:stop]]\n\\ No newline at end of file\n+[[music: stop]]\n" in output
