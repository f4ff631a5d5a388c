"""Backends are found through the `filmc.backends` entry-point group (tests/plugins/ registers
test ones the way a third-party package would)."""

from __future__ import annotations

from pathlib import Path

from filmc.backends import registry
from filmc.backends.base import Capabilities
from filmc.compiler.driver import compile_file


def test_installed_backends_are_found_by_entry_point() -> None:
    assert {"test-video-10s", "test-broken"} <= set(registry.installed())


def test_capabilities_are_declared_up_front() -> None:
    caps = registry.capabilities("test-video-10s")
    assert caps == Capabilities(produces=frozenset({"video"}), max_clip_s=10, reference_images=True, seeds=True)


def test_a_broken_or_unknown_backend_is_skipped() -> None:
    assert registry.capabilities("test-broken") is None
    assert registry.capabilities("no-such-backend") is None


def _film(tmp_path: Path, backend: str | None, duration: str) -> list[tuple[str, str]]:
    if backend:
        (tmp_path / "film.toml").write_text(f'[backends]\nvideo = "{backend}"\n', encoding="utf-8")
    script = tmp_path / "a.film"
    script.write_text(f"EXT. SHORE - DAWN\n\n[[shot wide, {duration}]]\n\nWaves hammer the basalt.\n", encoding="utf-8")
    return [(d.code, d.severity.value) for d in compile_file(script).diagnostics]


def test_a_shot_longer_than_the_backend_can_make_is_noted(tmp_path: Path) -> None:
    assert _film(tmp_path, "test-video-10s", "14s") == [("shot-will-be-split", "note")]


def test_a_shot_within_the_limit_is_not(tmp_path: Path) -> None:
    assert _film(tmp_path, "test-video-10s", "10s") == []


def test_no_limit_without_a_backend_that_declares_one(tmp_path: Path) -> None:
    # The default `local` backend renders any length; a backend that fails to load is skipped.
    assert _film(tmp_path, None, "60s") == []
    # (film.toml's check says the broken one is not used.)
    assert _film(tmp_path, "test-broken", "60s") == [("invalid-config", "warning")]


def test_a_backend_that_does_not_make_that_kind_of_asset_is_reported(tmp_path: Path) -> None:
    (tmp_path / "film.toml").write_text('[backends]\nimage = "test-video-10s"\n', encoding="utf-8")
    script = tmp_path / "a.film"
    script.write_text("EXT. SHORE - DAWN\n\nWaves hammer the basalt.\n", encoding="utf-8")
    (found,) = compile_file(script).diagnostics
    assert found.code == "invalid-config"
    assert found.message == ("the backend `test-video-10s` does not make image (it makes video); "
                             "filmc uses `local` for image instead")
