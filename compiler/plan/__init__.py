"""Planning: a checked film becomes its shot graph.

    shot list (passes/shots.py) ─build─▶ graph ─hoist─▶ ─split─▶ ─prune─▶ keys ─merge─▶ ─order─▶ plan

`make_plan` is the one entry: it resolves the backends named in film.toml, infers the shots,
renders the prompts, runs the optimization passes (one module each) and returns a `Plan`: the
ordered graph, the backends, and what the film will cost and how long it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...backends import registry
from ...backends.base import CAPABILITIES, Backend
from .. import diagnostics as codes
from .. import ir
from ..cache import file_digest
from ..diagnostics import Reporter
from ..passes import shots as shot_inference
from ..project import Project
from ..prompts import PromptError, Prompts
from ..source import SourceFile, Span
from . import build, hoist, merge, order, prune, split
from .tasks import Graph, Task, with_keys


@dataclass
class Plan:
    """A film's build plan: its shots, its ordered task graph, and the backends that run it."""

    shots: ir.ShotList
    graph: Graph
    backends: dict[str, Backend]            # by name
    serving: dict[str, str]                 # capability → backend name
    references: dict[str, Path] = field(default_factory=dict)  # sha256 → the `ref:` file

    def cost(self, task: Task) -> float:
        return self.backends[task.backend].price(task.kind, task.params)

    def estimate(self, tasks) -> float:
        return round(sum(self.cost(t) for t in tasks), 4)

    @property
    def runtime_s(self) -> float:
        return round(self.shots.runtime_s, 3)

    @property
    def fps(self) -> int:
        """The frame rate the film is rendered at (the draft's, for a draft plan)."""
        return int(self.graph.tasks[self.graph.outputs[0]].params["fps"])


@dataclass(frozen=True)
class Options:
    """How to render: `draft` at the draft size and frame rate of [output] (a fast preview,
    cached apart from the full render); `burn_subtitles` draws the dialogue into the picture."""

    draft: bool = False
    burn_subtitles: bool = False


DEFAULT_OPTIONS = Options()


def make_plan(film: ir.Film, symbols: ir.Symbols, project: Project, reporter: Reporter,
              sources: dict[str, SourceFile], outputs: list[str] | None = None,
              options: Options = DEFAULT_OPTIONS) -> Plan | None:
    """Plan a film that checked without errors; None (with a diagnostic) when a prompt
    template fails. `outputs` are the tasks to build for (default: the film)."""
    config = project.config
    output = config.output
    height, fps = (output.draft_height, output.draft_fps) if options.draft else (output.height, output.fps)
    try:
        backends, serving = resolve_backends(project)
    except BackendSetupError as exc:
        _report_backend(exc, project, reporter)
        return None
    shots = shot_inference.infer(film, symbols, config)
    references = _references(symbols, project)
    inputs = build.Inputs(
        film=film, symbols=symbols, shots=shots,
        backends=build.Backends(
            names=serving,
            families={cap: backends[name].prompt_family for cap, name in serving.items()},
            reference_images={cap: backends[name].capabilities.reference_images for cap, name in serving.items()},
            first_frame={cap: backends[name].capabilities.first_frame for cap, name in serving.items()},
            last_frame={cap: backends[name].capabilities.last_frame for cap, name in serving.items()},
            line_context={cap: backends[name].capabilities.line_context for cap, name in serving.items()},
        ),
        prompts=Prompts(project.root), size=frame_size(film, height), fps=fps,
        references={k: digest for k, (digest, _) in references.items()}, burn_subtitles=options.burn_subtitles,
        draft=options.draft,
    )
    try:
        graph = build.build(inputs)
    except PromptError as exc:
        _report_template(exc, project, reporter, sources)
        return None
    graph = hoist.run(graph)
    graph = split.run(graph, {name: b.capabilities.max_clip_s for name, b in backends.items()})
    graph = prune.run(graph, outputs)
    graph = with_keys(graph, {name: b.identity() for name, b in backends.items()})
    graph = merge.run(graph)
    graph = order.run(graph)
    return Plan(shots=shots, graph=graph, backends=backends, serving=serving,
                references={digest: path for digest, path in references.values()})


def resolve_backends(project: Project) -> tuple[dict[str, Backend], dict[str, str]]:
    """The backend serving each capability, created with its film.toml settings. A backend
    that is not installed, fails to load or does not make that kind of asset is replaced by
    `local` (film.toml's check has said so)."""
    backends: dict[str, Backend] = {}
    serving: dict[str, str] = {}
    for capability in CAPABILITIES:
        name = getattr(project.config.backends, capability)
        if name not in backends:
            try:
                made = registry.create(name, project.config.backend.get(name, {}))
                if made is not None:
                    made.setup(project.root)
            except Exception as exc:  # noqa: BLE001 - a plugin that rejects its settings
                raise BackendSetupError(name, capability, f"{type(exc).__name__}: {exc}") from None
            if made is not None:
                backends[name] = made
        if name not in backends or capability not in backends[name].capabilities.produces:
            name = "local"
            if name not in backends:
                backends[name] = registry.create("local", project.config.backend.get("local", {}))
        serving[capability] = name
    return backends, serving


class BackendSetupError(Exception):
    """A backend that could not be created with its film.toml settings."""

    def __init__(self, name: str, capability: str, reason: str) -> None:
        super().__init__(reason)
        self.name, self.capability, self.reason = name, capability, reason


def _report_backend(exc: BackendSetupError, project: Project, reporter: Reporter) -> None:
    source = next(iter(project.sources.values()), None)
    if source is not None:
        from ..project import _key_span

        span = _key_span(source, "backends", exc.capability)
    else:
        span = Span(file="film.toml", line=1, column=1, end_line=1, end_column=1)
    reporter.report(codes.INVALID_CONFIG, span,
                    f"the backend `{exc.name}` cannot start with these settings: {exc.reason}",
                    (f"check its settings under [backend.{exc.name}] (docs/BACKENDS.md)",))


def frame_size(film: ir.Film, height: int) -> tuple[int, int]:
    """The picture size: the configured height, the width from the film's Aspect (16:9 when
    unset), both even (what video encoders need)."""
    w, h = film.settings.aspect or (16.0, 9.0)
    width = int(round(height * w / h / 2)) * 2
    return max(width, 2), height - height % 2


def _references(symbols: ir.Symbols, project: Project) -> dict[tuple[str, str], tuple[str, Path]]:
    """The `ref:` images of the cast and sets: their digest (which goes into every key that
    uses them, so a new reference image re-generates what showed the old one) and path."""
    found: dict[tuple[str, str], tuple[str, Path]] = {}
    root = project.root.resolve()
    for kind, table in (("cast", symbols.cast), ("set", symbols.sets)):
        for key, entity in table.items():
            if not entity.ref:
                continue
            path = (Path(entity.span.file).parent / entity.ref).resolve()
            if path.is_relative_to(root) and path.is_file():
                found[(kind, key)] = (file_digest(path), path)
    return found


def _report_template(exc: PromptError, project: Project, reporter: Reporter, sources: dict[str, SourceFile]) -> None:
    """A template that fails becomes a diagnostic at its line (the whole line: jinja2 gives
    no column)."""
    shown = project.shown(Path(exc.path)) if exc.path else exc.template
    line_text = ""
    if exc.path:
        try:
            sources[shown] = SourceFile.read(Path(exc.path), shown)
            lines = sources[shown].text.splitlines()
            line_text = lines[exc.line - 1] if 1 <= exc.line <= len(lines) else ""
        except OSError:
            pass
    line = max(exc.line, 1)
    reporter.report(
        codes.TEMPLATE_ERROR,
        Span(file=shown, line=line, column=1, end_line=line, end_column=max(len(line_text.rstrip()), 1) + 1),
        f"the prompt template `{exc.template}` cannot be rendered: {exc.message}",
        ("docs/PLANNING.md lists the names each template is given",),
    )


@dataclass
class ShotTasks:
    """A shot's own tasks, found from its segment: a task's own `shot` names only one of the
    shots that share it once merge made their identical tasks one."""

    shot: ir.Shot
    segment: Task | None = None
    keyframes: list[Task] = field(default_factory=list)
    clips: list[Task] = field(default_factory=list)
    lines: list[Task] = field(default_factory=list)

    def all(self) -> list[Task]:
        return ([self.segment] if self.segment else []) + self.keyframes + self.clips + self.lines

    def picture_prompts(self) -> tuple:
        return tuple(t.params.get("prompt") for t in self.keyframes + self.clips)

    def voice_prompts(self) -> tuple:
        return tuple(t.params.get("prompt") for t in self.lines)


def shot_tasks(plan: Plan) -> list[ShotTasks]:
    """Each shot's tasks, in shot order: its segment, the clips the segment takes, their first
    frames, and its voice lines. The film takes the segments in shot order (between the title
    and end cards), which holds even when merge made two shots' tasks one."""
    graph, shots = plan.graph, plan.shots.shots
    film = graph.tasks.get("film")
    segments = [source for role, source in film.inputs if role.startswith("segment:")] if film else []
    if segments and segments[0] == "title":
        segments = segments[1:]
    if segments and segments[-1] == "credits":
        segments = segments[:-1]
    if len(segments) != len(shots):
        segments = [f"shot/{shot.id}/segment" for shot in shots]
    found = []
    for shot, segment_id in zip(shots, segments, strict=True):
        own = ShotTasks(shot=shot, segment=graph.tasks.get(segment_id))
        for role, source in own.segment.inputs if own.segment else ():
            if role == "clip" or role.startswith("clip."):
                clip = graph[source]
                own.clips.append(clip)
                own.keyframes += [graph[s] for r, s in clip.inputs if r == "first_frame"]
            elif role.startswith("line:"):
                own.lines.append(graph[source])
        found.append(own)
    return found
