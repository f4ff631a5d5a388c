"""Shared test fixtures: the Fountain corpus in ../shared, golden-file updating, the CLI."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests derandomized (the same examples every run, so a submission's CI
# result does not depend on luck); a developer's run explores new examples each time.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("FILMC_HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "fountain"
EXAMPLES = ROOT / "examples"


# Test-only backends, registered through the `filmc.backends` entry-point group as a third
# party's would be (see tests/plugins/).
PLUGINS = ROOT / "tests" / "plugins"


# Loopback fakes of the services the HTTP backends talk to, importable as `fakes`.
FAKES = ROOT / "tests"


def pytest_configure(config: pytest.Config) -> None:
    for folder in (PLUGINS, FAKES):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    importlib.invalidate_caches()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite the expected files of golden tests from what filmc prints now",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--update-golden")


def corpus_files() -> list[Path]:
    """Every Fountain file of the shared corpus (empty when ../shared is absent)."""
    if not CORPUS.is_dir():
        return []
    files = sorted(CORPUS.rglob("*.fountain")) + sorted(CORPUS.rglob("*.txt"))
    return [f for f in files if f.is_file()]


def corpus_id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/fountain is not beside the repository")


def write(path: Path, text: str) -> Path:
    """Write a test file (and its folders), UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def codes(result) -> list[str]:
    """The codes of a compile result's diagnostics, in order."""
    return [d.code for d in result.diagnostics]
