"""Finding backends: the `filmc.backends` entry-point group, as OpenTimelineIO finds its plugins.

A package makes a backend available by declaring, in its pyproject.toml,

    [project.entry-points."filmc.backends"]
    kling = "filmc_kling:KlingBackend"

where the object named has a `capabilities` attribute (a `Capabilities`). Entry points are
loaded lazily, one backend at a time, and a backend that fails to load is skipped: a broken
plugin must not stop a film that does not use it.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from .base import Capabilities

GROUP = "filmc.backends"


def installed() -> list[str]:
    """The names of every installed backend, sorted."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def capabilities(name: str) -> Capabilities | None:
    """The declared capabilities of the backend called `name`; None when no installed backend
    has that name or it fails to load."""
    for ep in entry_points(group=GROUP):
        if ep.name != name:
            continue
        try:
            declared = ep.load().capabilities
            return declared if isinstance(declared, Capabilities) else Capabilities.model_validate(declared)
        except Exception:  # noqa: BLE001 - a broken plugin is skipped, like OTIO's
            return None
    return None
