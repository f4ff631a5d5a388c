"""Merge identical tasks: tasks with equal keys make equal outputs, so they are one task.

Two shots written the same way (a repeated insert of a clock, a cutaway used twice) need one
keyframe and one clip. The first task of a key in graph order stays; whatever took the others'
outputs takes its output instead. Keys do not change: a key is made from its inputs' keys, not
their ids.
"""

from __future__ import annotations

from .tasks import Graph, Task


def run(graph: Graph) -> Graph:
    first: dict[str, str] = {}
    same: dict[str, str] = {}
    for task in graph:
        if not task.key:
            raise ValueError("merge needs keyed tasks; run tasks.with_keys first")
        kept = first.setdefault(task.key, task.id)
        if kept != task.id:
            same[task.id] = kept
    if not same:
        return graph
    tasks: list[Task] = []
    for task in graph:
        if task.id in same:
            continue
        tasks.append(task.rewired(same))
    outputs = tuple(dict.fromkeys(same.get(o, o) for o in graph.outputs))
    return graph.replace_tasks(tasks, outputs=outputs)
