"""Hoist shared references: one character sheet per character look, one plate per set and light.

The first graph asks for a sheet of each character in every shot that shows them. A look is a
character with one wardrobe: the same look asked for by twenty shots is one sheet, made once
and given to all twenty, which is what keeps a character the same from shot to shot. A
wardrobe change is a new look, so a new sheet (`sheet/alin`, then `sheet/alin~2`). Plates
likewise, one per set and light (`plate/shore@dawn`).
"""

from __future__ import annotations

from dataclasses import replace

from .tasks import Graph, Task, canonical

HOISTED = ("character_sheet", "set_plate")


def run(graph: Graph) -> Graph:
    shared: dict[str, Task] = {}          # canonical (kind, params) -> the shared task
    count: dict[str, int] = {}            # base id -> looks seen so far
    renamed: dict[str, str] = {}          # per-shot id -> shared id
    texts: dict[int, str] = {}            # params object -> its canonical text (shots share them)
    taken = {task.id for task in graph if task.kind not in HOISTED}
    for task in graph:
        if task.kind not in HOISTED:
            continue
        text = texts.get(id(task.params))
        if text is None:
            text = texts[id(task.params)] = canonical(dict(task.params))
        identity = canonical([task.kind, task.backend]) + text
        found = shared.get(identity)
        if found is None:
            base = _base_id(task)
            count[base] = count.get(base, 0) + 1
            task_id = base if count[base] == 1 else f"{base}~{count[base]}"
            while task_id in taken:  # a character called `X~2` beside X's second look
                count[base] += 1
                task_id = f"{base}~{count[base]}"
            taken.add(task_id)
            found = shared[identity] = replace(task, id=task_id, shot=None)
        renamed[task.id] = found.id
    tasks: list[Task] = list(shared.values())
    for task in graph:
        if task.kind in HOISTED:
            continue
        tasks.append(task.rewired(renamed))
    return graph.replace_tasks(tasks)


def _base_id(task: Task) -> str:
    if task.kind == "character_sheet":
        return f"sheet/{task.params['key']}"
    return f"plate/{task.params['key']}@{task.params['light']}"
