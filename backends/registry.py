"""Finding backends: the `filmc.backends` entry-point group, as OpenTimelineIO finds its plugins.

A package makes a backend available by declaring, in its pyproject.toml,

    [project.entry-points."filmc.backends"]
    kling = "filmc_kling:KlingBackend"

where the object named is a `filmc.backends.base.Backend` subclass. filmc's own backends are
registered the same way, in filmc's pyproject.toml. Entry points are loaded lazily, one backend
at a time, and a backend that fails to load is skipped: a broken plugin must not stop a film
that does not use it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from .base import Backend, Capabilities

GROUP = "filmc.backends"


def installed() -> list[str]:
    """The names of every installed backend, sorted."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


# Why a backend failed to load, by name (for `filmc backends`).
_PROBLEMS: dict[str, str] = {}


def problem(name: str) -> str | None:
    """Why the backend called `name` failed to load, or None (it loaded, or is not installed)."""
    load(name)
    return _PROBLEMS.get(name)


def package(name: str) -> str | None:
    """The distribution that registers the backend called `name` (`filmc` for its own)."""
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            dist = getattr(ep, "dist", None)
            return dist.name if dist is not None else None
    return None


@functools.cache
def load(name: str) -> type[Backend] | None:
    """The backend class registered as `name`; None when there is none or it fails to load."""
    for ep in entry_points(group=GROUP):
        if ep.name != name:
            continue
        try:
            loaded = ep.load()
            declared = loaded.capabilities
            if not isinstance(declared, Capabilities):
                declared = Capabilities.model_validate(declared)
        except Exception as exc:  # noqa: BLE001 - a broken plugin is skipped, like OTIO's
            _PROBLEMS[name] = f"{type(exc).__name__}: {exc}".strip()
            return None
        if not (isinstance(loaded, type) and issubclass(loaded, Backend)):
            # A plugin that only declares: wrap it so the planner can still read it.
            loaded = type(name, (Backend,), {"capabilities": declared, "version": str(getattr(loaded, "version", "0"))})
        return type(loaded.__name__, (loaded,), {"name": name, "capabilities": declared})
    return None


def capabilities(name: str) -> Capabilities | None:
    """The declared capabilities of the backend called `name`; None when no installed backend
    has that name or it fails to load."""
    backend = load(name)
    return backend.capabilities if backend else None


def create(name: str, settings: Mapping[str, Any] | None = None) -> Backend | None:
    """An instance of the backend called `name` with its film.toml settings."""
    backend = load(name)
    return backend(settings) if backend else None
