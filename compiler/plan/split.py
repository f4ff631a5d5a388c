"""Split a shot longer than its video backend's longest clip into chained parts.

A 14 s shot on a backend that makes at most 10 s becomes two 7 s clips: the first starts from
the shot's keyframe, the second from the end of the first (`previous`), so the motion runs on.
The shot's segment takes all parts in order; a continuous shot after it continues from the
last part.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from .tasks import Graph, Task, derived_seed


def run(graph: Graph, max_clip_s: Mapping[str, float | None]) -> Graph:
    """`max_clip_s` is each backend's longest clip by backend name (None: any length)."""
    parts_of: dict[str, list[str]] = {}
    tasks: list[Task] = []
    for task in graph:
        longest = max_clip_s.get(task.backend) if task.kind == "clip" else None
        duration = float(task.params.get("duration_s", 0))
        if longest is None or duration <= longest + 1e-9:
            tasks.append(task)
            continue
        count = math.ceil(duration / longest - 1e-9)
        length = round(duration / count, 3)
        ids = []
        for n in range(1, count + 1):
            params = {**task.params, "duration_s": length if n < count else round(duration - length * (count - 1), 3),
                      "part": n, "parts": count}
            if n > 1:
                # A part of its own seed: the same seed would restart the same motion.
                params["seed"] = derived_seed("clip", {**params, "seed": task.params.get("seed")})
            # The first part starts where the shot does; the last ends where it must (on the
            # next continuous shot's keyframe, when the backend takes a last frame).
            inputs = tuple((role, source) for role, source in task.inputs if role != "last_frame") if n == 1 else (
                (("previous", ids[-1]),) + tuple((role, source) for role, source in task.inputs if role.startswith("sheet:")))
            if n == count:
                inputs += tuple((role, source) for role, source in task.inputs if role == "last_frame")
            ids.append(f"{task.id}.{n}")
            tasks.append(replace(task, id=ids[-1], params=params, inputs=inputs))
        parts_of[task.id] = ids
    if not parts_of:
        return graph
    rewired = []
    for task in tasks:
        if not any(source in parts_of for source in task.input_ids()):
            rewired.append(task)
            continue
        inputs: list[tuple[str, str]] = []
        for role, source in task.inputs:
            parts = parts_of.get(source)
            if parts is None:
                inputs.append((role, source))
            elif role == "previous":  # continuing from a split shot: from its last part
                inputs.append((role, parts[-1]))
            else:
                inputs += [(f"{role}.{n}", part) for n, part in enumerate(parts, 1)]
        rewired.append(replace(task, inputs=tuple(inputs)))
    return graph.replace_tasks(rewired)
