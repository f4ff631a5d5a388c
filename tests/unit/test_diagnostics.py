"""Diagnostics: the registry, positions, sorting and the three renderings."""

from __future__ import annotations

import json

from filmc.compiler import diagnostics
from filmc.compiler.diagnostics import CODES, Reporter, Severity
from filmc.compiler.driver import compile_text
from filmc.compiler.source import SourceFile, Span


def test_codes_are_kebab_case_with_summaries() -> None:
    for slug, code in CODES.items():
        assert slug == code.slug and slug == slug.lower() and " " not in slug
        assert code.summary and isinstance(code.severity, Severity)


def test_human_rendering_puts_the_caret_under_the_span() -> None:
    result = compile_text("Action.\n\n\t[[shot wdie]]\n", "scene.film")
    text = diagnostics.render(result.diagnostics, "human", result.sources)
    lines = text.splitlines()
    assert lines[0] == "error[annotation-syntax]: `wdie` is not a shot term"
    assert lines[1] == "  --> scene.film:3:9"
    source_line = next(line for line in lines if line.startswith("3 | "))
    caret_line = lines[lines.index(source_line) + 1]
    # The tab is kept in the caret's lead so it lines up in a terminal.
    assert caret_line == "  | \t       ^^^^"
    assert source_line[4:].index("wdie") == caret_line[4:].index("^")
    assert any(line.startswith("  = help: did you mean `wide`?") for line in lines)


def test_short_and_json() -> None:
    result = compile_text("[[music:]]\n", "m.film")
    assert diagnostics.render(result.diagnostics, "short", result.sources) == (
        "m.film:1:9: error[annotation-syntax]: this annotation ends too early"
    )
    (item,) = json.loads(diagnostics.render(result.diagnostics, "json", result.sources))
    assert item["code"] == "annotation-syntax" and (item["line"], item["column"]) == (1, 9)
    assert list(item) == ["severity", "code", "message", "file", "line", "column", "end_line", "end_column", "hints"]


def test_sorted_and_deduplicated() -> None:
    reporter = Reporter()
    late = Span("f", 5, 1, 5, 2)
    early = Span("f", 2, 3, 2, 4)
    reporter.report("unknown-field", late, "b")
    reporter.report("unknown-field", early, "a")
    reporter.report("unknown-field", early, "a")
    assert [d.message for d in reporter.sorted()] == ["a", "b"]


def test_control_characters_do_not_reach_the_terminal() -> None:
    source = SourceFile("f", "bad \x1b[31m line")
    d = diagnostics.Diagnostic(severity=Severity.ERROR, code="io-error", span=Span("f", 1, 1, 1, 2), message="m")
    assert "\x1b" not in diagnostics.render_human(d, {"f": source})


def test_decode_problems_are_diagnostics() -> None:
    from filmc.compiler.lower import lower

    reporter = Reporter()
    lower(SourceFile.from_bytes("f", b"ok\n\xff\xfe bad\n"), reporter)
    (d,) = reporter.sorted()
    assert (d.code, d.span.line, d.span.column) == ("invalid-utf8", 2, 1)
    reporter = Reporter()
    film = lower(SourceFile.from_bytes("f", b"\x00\x01\x02"), reporter)
    assert [d.code for d in reporter.sorted()] == ["binary-file"] and film.scenes == ()
