"""CLI behaviour that needs monkeypatching (the rest is in tests/e2e)."""

from __future__ import annotations

from click.testing import CliRunner

from filmc.compiler import cli


def test_an_internal_error_is_one_message_not_a_traceback(monkeypatch, tmp_path) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("the planner fell over")

    monkeypatch.setattr(cli, "compile_file", boom)
    script = tmp_path / "a.film"
    script.write_text("x\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["check", str(script)])
    assert result.exit_code == 3
    assert "filmc: internal error: RuntimeError: the planner fell over" in result.output
    assert "Traceback" not in result.output


def test_parse_prints_elements_for_people(tmp_path) -> None:
    script = tmp_path / "a.film"
    script.write_text("INT. A - DAY\n\nALIN\nHi.\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["parse", str(script)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "    1  scene_heading  INT. A - DAY",
        "    3  character      ALIN",
        "    4  dialogue       Hi.",
    ]
