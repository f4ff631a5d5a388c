"""A deterministic execution order: every task after its inputs, ties broken the same way on
every machine (references, then pictures, sound and the edit; then script order), so the
scheduler starts the things many shots wait for first and a build log reads like the film."""

from __future__ import annotations

from .tasks import Graph, topological


def run(graph: Graph) -> Graph:
    return graph.replace_tasks(graph[task_id] for task_id in topological(graph))
