"""The shot graph: generation tasks and what each needs.

A task is one thing a backend makes: a character sheet, a set plate, a keyframe, a clip, a
voice line, a music cue, a shot segment, the film. Its `inputs` are the tasks whose outputs it
takes, each in a role (`first_frame`, `sheet:alin`, `clip`, `line:1`, ...). Its key is a hash
of the schema version, its kind, its backend's identity (name, version, output-shaping
settings), its parameters (the rendered prompt among them) and its inputs' keys: equal keys
mean equal outputs, so the key is what the cache looks up. Nothing about where the script says
it (line numbers, whitespace, comments) is in a key.

Graphs are values: every optimization pass returns a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

# Bumped whenever what a key covers, or what a task's parameters mean, changes: old cache
# entries then stop matching instead of being misread (like Jinja's bytecode magic).
SCHEMA = 1

KINDS = ("character_sheet", "set_plate", "keyframe", "clip", "voice_line", "music_cue", "segment", "film")
CAPABILITY = {
    "character_sheet": "image", "set_plate": "image", "keyframe": "image", "clip": "video",
    "voice_line": "speech", "music_cue": "music", "segment": "edit", "film": "edit",
}
# References first, then pictures, sound and the edit: the order ties are broken in.
RANK = {kind: n for n, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Task:
    """One node of the shot graph. `shot` is the id of the shot it belongs to, if any;
    `backend` the name of the backend that makes it; `key` is set by `with_keys`."""

    id: str
    kind: str
    params: Mapping[str, Any]
    inputs: tuple[tuple[str, str], ...] = ()
    shot: str | None = None
    backend: str = ""
    key: str = ""

    @property
    def seed(self) -> int | None:
        return self.params.get("seed")

    def input_ids(self) -> list[str]:
        return [task_id for _, task_id in self.inputs]

    def rewired(self, renamed: Mapping[str, str]) -> Task:
        """The task taking its inputs from the renamed tasks instead (itself if none is)."""
        if not any(source in renamed for source in self.input_ids()):
            return self
        return replace(self, inputs=tuple((role, renamed.get(source, source)) for role, source in self.inputs))


@dataclass(frozen=True)
class Graph:
    """Tasks by id, in the order they were added (or, after `order`, in execution order),
    and the ids of the outputs everything else exists for."""

    tasks: Mapping[str, Task]
    outputs: tuple[str, ...] = ()

    def __iter__(self):
        return iter(self.tasks.values())

    def __len__(self) -> int:
        return len(self.tasks)

    def __getitem__(self, task_id: str) -> Task:
        return self.tasks[task_id]

    def replace_tasks(self, tasks: Iterable[Task], outputs: tuple[str, ...] | None = None) -> Graph:
        found: dict[str, Task] = {}
        for task in tasks:
            if task.id in found:
                raise ValueError(f"two tasks are called `{task.id}` (a bug in a planning pass)")
            found[task.id] = task
        return replace(self, tasks=found, outputs=self.outputs if outputs is None else outputs)

    def dependents(self) -> dict[str, list[str]]:
        """For each task, the tasks that take its output."""
        found: dict[str, list[str]] = {task_id: [] for task_id in self.tasks}
        for task in self.tasks.values():
            for source in dict.fromkeys(task.input_ids()):
                found[source].append(task.id)
        return found

    def downstream(self, task_ids: Iterable[str]) -> set[str]:
        """The given tasks and every task that takes their output, directly or not."""
        dependents = self.dependents()
        return _reach(task_ids, lambda task_id: dependents.get(task_id, ()))

    def upstream(self, task_ids: Iterable[str]) -> set[str]:
        """The given tasks and everything they need, directly or not."""
        return _reach(task_ids, lambda task_id: self.tasks[task_id].input_ids())



def _reach(start: Iterable[str], step) -> set[str]:
    """Every task reached from `start` by following `step` (a task id → the next ids)."""
    seen: set[str] = set()
    stack = list(start)
    while stack:
        task_id = stack.pop()
        if task_id not in seen:
            seen.add(task_id)
            stack.extend(step(task_id))
    return seen


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the one text of a value, on every machine."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derived_seed(kind: str, params: Mapping[str, Any]) -> int:
    """A seed for a task that is given none: a hash of what the task is, so the same shot gets
    the same seed on every machine, and a new take (`take 2`) a new one."""
    return int(digest(canonical({"kind": kind, "params": dict(params)}))[:8], 16) & 0x7FFFFFFF


def with_keys(graph: Graph, identities: Mapping[str, Mapping[str, Any]]) -> Graph:
    """The graph with every task's key computed; `identities` gives each backend's identity
    by name. Inputs are keyed before the tasks that take them (the graph must be acyclic)."""
    keys: dict[str, str] = {}
    for task_id in topological(graph):
        task = graph[task_id]
        keys[task_id] = digest(canonical({
            "schema": SCHEMA,
            "kind": task.kind,
            "backend": dict(identities[task.backend]),
            "params": dict(task.params),
            "inputs": [[role, keys[source]] for role, source in task.inputs],
        }))
    # (Built directly rather than with dataclasses.replace: a feature has thousands of tasks.)
    return graph.replace_tasks(Task(t.id, t.kind, t.params, t.inputs, t.shot, t.backend, keys[t.id]) for t in graph)


class CycleError(ValueError):
    """The graph has a cycle (a bug in the planner: no script can make one)."""


def topological(graph: Graph) -> list[str]:
    """Task ids with every task after its inputs; among tasks ready together, references
    before pictures before sound before the edit, then in the order they were added."""
    import heapq

    position = {task_id: n for n, task_id in enumerate(graph.tasks)}
    waiting = {task.id: len(set(task.input_ids())) for task in graph}
    dependents = graph.dependents()
    ready = [(RANK[t.kind], position[t.id], t.id) for t in graph if waiting[t.id] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, _, task_id = heapq.heappop(ready)
        order.append(task_id)
        for dependent in dependents[task_id]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                task = graph[dependent]
                heapq.heappush(ready, (RANK[task.kind], position[dependent], dependent))
    if len(order) != len(graph):
        stuck = sorted(set(graph.tasks) - set(order))[:5]
        raise CycleError(f"the shot graph has a cycle through {', '.join(stuck)}")
    return order
