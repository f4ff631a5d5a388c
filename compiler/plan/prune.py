"""Prune what no output needs.

The outputs are what a build is for: the film, or only some shots' segments when a caller asks
for them (`make_plan(..., outputs=[...])`). Every task none of them needs, directly or not, is
dropped: a reference sheet no shot shows after the backends are taken into account (a video
backend that takes no first frame needs no keyframe), a shot left out of a partial build.
"""

from __future__ import annotations

from collections.abc import Iterable

from .tasks import Graph


def run(graph: Graph, outputs: Iterable[str] | None = None) -> Graph:
    wanted = tuple(outputs) if outputs is not None else graph.outputs
    needed = graph.upstream(wanted)
    if len(needed) == len(graph) and wanted == graph.outputs:
        return graph
    return graph.replace_tasks((t for t in graph if t.id in needed), outputs=wanted)
