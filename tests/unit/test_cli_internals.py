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


def test_clock_and_money_read_as_people_write_them() -> None:
    from filmc.compiler.cli import _clock, _money

    assert [_clock(s) for s in (0.04, 59.97, 60, 119.97, 3725.5)] == ["0.0s", "1:00.0", "1:00.0", "2:00.0", "62:05.5"]
    assert [_money(v) for v in (0, 0.001, 0.5, 1234.567)] == ["$0.00", "$0.001", "$0.50", "$1,234.57"]


def test_max_cost_must_be_a_finite_amount() -> None:
    from click.testing import CliRunner

    from filmc.compiler.cli import main

    run = CliRunner().invoke(main, ["build", "x.film", "--max-cost", "nan"])
    assert run.exit_code == 2 and "give an amount of dollars" in run.output
