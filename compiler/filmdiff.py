"""`filmc diff`: two versions of a film, compared in film terms.

A writer who keeps a film in git wants to know what an edit does to the film, not which lines
of text moved: which shots were added, removed, re-timed, re-framed or re-prompted, whose look
changed, what a build after the edit makes again and what that costs.

Both versions are compiled and planned against one project, the new version's (its film.toml,
prompt templates and backends), so their task keys can be compared: a task of the new plan
whose key is not among the old plan's keys is exactly what a build after the edit runs, since
the cache is addressed by key (assuming the old version was built).

Shots are matched by what they show and say, not by id (`SCENE.N` shifts when a shot is
inserted): difflib's SequenceMatcher over a signature of each shot, then the shots of a
replaced run are paired by similarity. A version is a file, a git blob (`REV:PATH`, read with
`git show`), or, when git runs filmc as an external diff driver, git's temporary file.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import click

from . import diagnostics
from .cache import Cache
from .diagnostics import Diagnostic, Reporter
from .driver import Result, compile_source
from .ir import Shot, Symbols
from .plan import Plan, ShotTasks, make_plan, shot_tasks
from .plan.tasks import KINDS, Task
from .project import Project
from .source import SourceFile

# What can change about a matched shot, in the order the report gives them.
CHANGES = ("retimed", "reframed", "reprompted", "revoiced", "dialogue", "recut", "remade")
_SAID = {
    "retimed": "re-timed", "reframed": "re-framed", "reprompted": "re-prompted", "revoiced": "re-voiced",
    "dialogue": "dialogue", "recut": "re-cut", "remade": "re-made",
}
# The fields of a shot behind each kind of change (`reprompted`, `revoiced` and `remade` are
# found from the plan's tasks as well).
_FIELDS = {
    "retimed": ("duration_s",),
    "reframed": ("framing", "subjects", "move", "lens_mm"),
    "recut": ("transition", "fade_out", "sounds", "card"),
    "remade": ("take", "seed", "continuous"),
}
# What a character's or a set's declaration says, compared field by field.
_CAST_FIELDS = ("name", "look", "wardrobe", "voice", "ref", "seed", "aka", "declared")
_SET_FIELDS = ("name", "look", "lighting", "ref", "seed", "aka", "declared")
# Fields of a character that show in pictures (the rest, `voice`, in voice lines).
_PICTURE_FIELDS = frozenset({"name", "look", "wardrobe", "ref", "seed", "declared"})
_WORD = re.compile(r"\w+")
# A task's parameters, in the film maker's words, for saying why a shot is made again.
_PARAM_SAID = {
    "previous_text": "the line before it changed", "next_text": "the line after it changed",
    "duration_s": "its length", "width": "the picture size", "height": "the picture size", "fps": "the frame rate",
    "caption": "its action", "subjects": "who is in it", "speaker": "who speaks",
}


class DiffUsageError(Exception):
    """A version that cannot be read: a path or a revision that does not exist. One line for
    the user, exit status 2."""


# ---- the two versions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """One side of a diff: its bytes and where it is compiled as if it lived.

    `label` is how the report and diagnostics name it (a path, `REV:PATH`, `a/PATH`,
    `/dev/null`); `script` is the file whose folder decides its project and includes; `shown`
    the script's path as the compiler names it (then renamed to `label`). `absent` is the empty
    side of an added or removed file."""

    label: str
    data: bytes
    script: Path
    shown: str
    absent: bool = False


def read_version(spec: str) -> Version:
    """A `.film` file, or a git revision spec `REV:PATH` (`HEAD~1:ep1.film`, `:ep1.film` for the
    index) whose PATH is relative to the current folder. An existing file wins."""
    if not spec or "\0" in spec:
        raise DiffUsageError(f"{spec!r} is not a file or a revision")
    path = Path(spec)
    try:
        is_file, exists, is_dir = path.is_file(), path.exists(), path.is_dir()
    except OSError as exc:  # a name too long for the file system, say
        raise DiffUsageError(f"cannot read `{spec}`: {exc.strerror or exc}") from None
    if is_file:
        return _read_file(path, spec)
    if ":" in spec and not exists:
        return read_revision(spec)
    if is_dir:
        raise DiffUsageError(f"`{spec}` is a folder, not a .film file")
    raise DiffUsageError(f"`{spec}` does not exist (a git version is written REV:PATH, such as HEAD~1:{path.name})")


def _read_file(path: Path, label: str) -> Version:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DiffUsageError(f"cannot read `{label}`: {exc.strerror or exc}") from None
    return Version(label=label, data=data, script=Path(os.path.abspath(path)), shown=label)


def read_revision(spec: str) -> Version:
    """The blob `REV:PATH` as `git show REV:./PATH` gives it: PATH is relative to the current
    folder, found in the repository by its path from the top. It is compiled as if it were the
    working tree's file at PATH (that file's project and includes)."""
    rev, _, written = spec.partition(":")
    if "\0" in spec:
        raise DiffUsageError(f"{spec!r} is not a revision and a path")
    if not written:
        raise DiffUsageError(f"`{spec}` names no file after the colon (write REV:PATH, such as HEAD~1:ep1.film)")
    top = _git(["rev-parse", "--show-toplevel"], spec)
    if top.returncode != 0:
        raise DiffUsageError(f"`{spec}` is not a file, and `{os.getcwd()}` is not in a git repository")
    toplevel = os.path.realpath(top.stdout.decode("utf-8", "replace").strip())
    # The folder's real path (the repository's is real) but not the file's: a symbolic link in
    # the working tree is its own path in the repository.
    absolute = os.path.abspath(written)
    target = Path(os.path.realpath(os.path.dirname(absolute))) / os.path.basename(absolute)
    inside = os.path.relpath(target, toplevel)
    if inside == ".." or inside.startswith(".." + os.sep) or os.path.isabs(inside):
        raise DiffUsageError(f"`{written}` is outside the git repository at `{toplevel}`")
    name = f"{rev}:{PurePosixPath(Path(inside).as_posix())}"
    shown = _git(["show", "--no-textconv", name], spec, cwd=toplevel)
    if shown.returncode != 0:
        raise DiffUsageError(f"cannot read `{spec}` from git: {_git_message(shown)}")
    kind = _git(["cat-file", "-t", name], spec, cwd=toplevel)
    if kind.stdout.decode("utf-8", "replace").strip() != "blob":
        raise DiffUsageError(f"`{spec}` is not a file at `{rev or 'the index'}` (it is a folder)")
    return Version(label=spec, data=shown.stdout, script=target,
                   shown=Path(os.path.normpath(written)).as_posix())


def _git(args: list[str], spec: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60, check=False)
    except FileNotFoundError:
        raise DiffUsageError(f"`{spec}` is not a file, and git is not installed to read it as REV:PATH") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiffUsageError(f"cannot run git to read `{spec}`: {exc}") from None


def _git_message(run: subprocess.CompletedProcess) -> str:
    lines = [line.strip() for line in run.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    message = lines[-1] if lines else f"git exited with status {run.returncode}"
    return message.removeprefix("fatal: ").removeprefix("error: ")


def driver_versions(args: Sequence[str]) -> tuple[Version, Version]:
    """The versions git gives an external diff driver: `path old-file old-hex old-mode new-file
    new-hex new-mode`, and for a rename two more, `new-path` and git's rename message. git runs
    the driver at the top of the working tree, and either file may be /dev/null (a film added
    or removed). Both are compiled as if at their path in the working tree."""
    path, old_file, _old_hex, _old_mode, new_file, _new_hex, _new_mode = args[:7]
    new_path = args[7] if len(args) > 7 else path
    return _driver_side(old_file, path, "a"), _driver_side(new_file, new_path, "b")


def _driver_side(file: str, path: str, side: str) -> Version:
    script = Path(os.path.abspath(path))
    if file == os.devnull:
        return Version(label=os.devnull, data=b"", script=script, shown=path, absent=True)
    try:
        data = Path(file).read_bytes()
    except (OSError, ValueError) as exc:
        raise DiffUsageError(f"cannot read `{file}` (git's copy of {path}): {getattr(exc, 'strerror', None) or exc}") from None
    return Version(label=f"{side}/{path}", data=data, script=script, shown=path)


# ---- compiling and planning ------------------------------------------------------------------


@dataclass
class Side:
    """A version compiled and planned: its result (diagnostics named by the version's label)
    and its plan (None when it has errors)."""

    version: Version
    result: Result
    plan: Plan | None = None

    @property
    def has_errors(self) -> bool:
        return self.result.film is None or self.result.has_errors or self.plan is None

    @property
    def symbols(self) -> Symbols:
        return self.result.symbols


def compile_version(version: Version) -> Result:
    """Compile a version where it lives; its own lines are named by its label."""
    result = compile_source(SourceFile.from_bytes(version.shown, version.data), version.script)
    return _relabel(result, version.shown, version.label)


def plan_version(version: Version, result: Result, project: Project) -> Side:
    """Plan a compiled version against `project` (the new version's)."""
    side = Side(version, result)
    if result.film is None or result.has_errors:
        return side
    reporter = Reporter()
    side.plan = make_plan(result.film, result.symbols, project, reporter, dict(result.sources))
    if side.plan is None:
        found = sorted(result.diagnostics + reporter.sorted(), key=Diagnostic.sort_key)
        side.result = dataclasses.replace(result, diagnostics=tuple(found))
    return side


def load(old: Version, new: Version) -> tuple[Side, Side]:
    """Compile and plan both versions, the old against the new one's project."""
    new_result = compile_version(new)
    project = new_result.project
    new_side = plan_version(new, new_result, project) if project else Side(new, new_result)
    if old.data == new.data and old.script == new.script and old.label == new.label:
        return new_side, new_side
    old_result = compile_version(old)
    old_side = plan_version(old, old_result, project) if project else Side(old, old_result)
    return old_side, new_side


def _relabel(result: Result, shown: str, label: str) -> Result:
    if shown == label:
        return result
    moved = tuple(d.model_copy(update={"span": dataclasses.replace(d.span, file=label)}) if d.span.file == shown else d
                  for d in result.diagnostics)
    sources = {(label if name == shown else name): (SourceFile(label, s.text, s.problems) if name == shown else s)
               for name, s in result.sources.items()}
    return dataclasses.replace(result, diagnostics=moved, sources=sources)


# ---- what changed ----------------------------------------------------------------------------


@dataclass
class ShotChange:
    """A shot added, removed or changed. `old`/`new` are the shots (one is None for an added or
    removed one); `what` the kinds of change (from CHANGES); `details` each changed field as
    (old, new); `stale` the ids of the shot's own tasks a build makes again."""

    change: str
    old: Shot | None
    new: Shot | None
    what: list[str] = field(default_factory=list)
    details: dict[str, tuple] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)
    because: list[str] = field(default_factory=list)


@dataclass
class EntityChange:
    """A character or a set added, removed or changed, with the changed fields and the shots
    (by id in the new version; the old one for a removal) that the change re-makes."""

    change: str
    key: str
    name: str
    fields: dict[str, tuple] = field(default_factory=dict)
    shots: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)


@dataclass
class FilmDiff:
    """Everything `filmc diff` reports about two versions."""

    old: Side
    new: Side
    shots: list[ShotChange]
    characters: list[EntityChange]
    sets: list[EntityChange]
    title_page: list[tuple[str, str | None, str | None]]
    music: list[tuple[str, int, str]]          # ("added" | "removed", line, description)
    stale: list[Task]
    cached: int | None                          # of the stale tasks, how many the cache has
    to_pay: float | None                        # the estimated cost of the stale tasks not cached

    @property
    def changed(self) -> bool:
        """Whether there is anything to report: the two versions make different films."""
        return bool(self.shots or self.characters or self.sets or self.title_page or self.music or self.stale
                    or self.old_runtime != self.new_runtime)

    @property
    def old_runtime(self) -> float:
        return self.old.plan.runtime_s if self.old.plan else 0.0

    @property
    def new_runtime(self) -> float:
        return self.new.plan.runtime_s if self.new.plan else 0.0

    @property
    def cost(self) -> float:
        return self.new.plan.estimate(self.stale) if self.new.plan else 0.0




def _signature(shot: Shot) -> tuple:
    """What a shot is, for matching it across versions: what it shows and says. A shot with no
    words of its own (a reaction shot) is known by its framing and who is in it."""
    said = tuple((s.name, s.text) for s in shot.speeches)
    if shot.card is None and not shot.action and not said and not shot.prompt:
        return ("", (shot.framing, shot.subjects))
    return (shot.card, shot.action, said, shot.prompt)


def _text(shot: Shot) -> str:
    """What a shot shows and says, on one line, as `filmc plan` sums it up; a shot with no
    words of its own (a reaction shot) by its framing."""
    said = " / ".join(f"{s.name}: {s.text}" for s in shot.speeches)
    extra = f'"{shot.prompt}"' if shot.prompt else ""
    return " / ".join(part for part in (shot.card or "", shot.action, said, extra) if part) or f"({shot.framing})"


def _similarity(a: Shot, b: Shot) -> float:
    """How alike two shots are, 0 to 1: mostly their words, partly how they are filmed."""
    words = difflib.SequenceMatcher(None, _WORD.findall(_text(a).lower()), _WORD.findall(_text(b).lower()),
                                    autojunk=False).ratio()
    alike = sum(getattr(a, f) == getattr(b, f) for f in ("framing", "subjects", "move", "duration_s", "set_key")) / 5
    return 0.8 * words + 0.2 * alike


def match_shots(old: Sequence[Shot], new: Sequence[Shot]) -> list[tuple[int | None, int | None]]:
    """Pairs (old index, new index) in script order; None on one side for a shot added or
    removed. Equal signatures pair in order; in a replaced run, shots pair by similarity
    (keeping their order), and the rest are added or removed."""
    matcher = difflib.SequenceMatcher(None, [_signature(s) for s in old], [_signature(s) for s in new],
                                      autojunk=False)
    pairs: list[tuple[int | None, int | None]] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            pairs += zip(range(a0, a1), range(b0, b1), strict=True)
        elif op == "delete":
            pairs += [(i, None) for i in range(a0, a1)]
        elif op == "insert":
            pairs += [(None, j) for j in range(b0, b1)]
        else:
            pairs += _pair_run(old, new, range(a0, a1), range(b0, b1))
    return pairs


def _pair_run(old: Sequence[Shot], new: Sequence[Shot], olds: range, news: range) -> list:
    """The best order-keeping pairing of a replaced run (most total similarity, pairs below the
    threshold left apart), as an alignment: removed, added and paired shots in script order."""
    # One for one in place is a shot rewritten more often than one removed and one added.
    threshold = 0.35 if len(olds) == len(news) else 0.5
    n, m = len(olds), len(news)
    if n * m > _MOST_COMPARED:
        # A rewrite this large is compared in place, shot for shot, rather than every shot
        # with every other.
        pairs = []
        for i, j in zip(olds, news, strict=False):
            if _similarity(old[i], new[j]) >= threshold:
                pairs.append((i, j))
            else:
                pairs += [(i, None), (None, j)]
        return pairs + [(i, None) for i in olds[m:]] + [(None, j) for j in news[n:]]
    scores = [[_similarity(old[a], new[b]) for b in news] for a in olds]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            paired = best[i + 1][j + 1] + scores[i][j] if scores[i][j] >= threshold else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], paired)
    pairs: list = []
    i = j = 0
    while i < n and j < m:
        score = scores[i][j]
        if score >= threshold and best[i][j] == best[i + 1][j + 1] + score:
            pairs.append((olds[i], news[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((olds[i], None))
            i += 1
        else:
            pairs.append((None, news[j]))
            j += 1
    pairs += [(olds[k], None) for k in range(i, n)] + [(None, news[k]) for k in range(j, m)]
    return pairs


# The most shot pairs a replaced run is scored for (a few seconds at most).
_MOST_COMPARED = 10_000


def compare(old: Side, new: Side) -> FilmDiff:
    """What changed from `old` to `new`, both planned without errors against one project."""
    old_shots = old.plan.shots.shots if not old.version.absent else ()
    new_shots = new.plan.shots.shots if not new.version.absent else ()
    old_keys = {t.key for t in old.plan.graph} if not old.version.absent else set()
    stale = [t for t in new.plan.graph if t.key not in old_keys] if not new.version.absent else []
    stale_ids = {t.id for t in stale}
    old_own, new_own = shot_tasks(old.plan), shot_tasks(new.plan)
    changes: list[ShotChange] = []
    for i, j in match_shots(old_shots, new_shots):
        if j is None:
            changes.append(ShotChange("removed", old_shots[i], None))
        elif i is None:
            changes.append(ShotChange("added", None, new_shots[j],
                                      stale=[t.id for t in new_own[j].all() if t.id in stale_ids]))
        else:
            change = _shot_change(old_shots[i], new_shots[j], old_own[i], new_own[j], old, new, stale_ids)
            if change.what:
                changes.append(change)
    cached, to_pay = _in_cache(new, stale)
    diff = FilmDiff(
        old=old, new=new, shots=changes,
        characters=_entities("cast", old, new, new_own, stale_ids),
        sets=_entities("sets", old, new, new_own, stale_ids),
        title_page=_title_page(old, new), music=_music(old, new), stale=stale, cached=cached, to_pay=to_pay,
    )
    _attribute(diff)
    return diff


def _attribute(diff: FilmDiff) -> None:
    """Say why a shot is made again when the cause is elsewhere: a character's or a set's
    declaration, or the title page's Style (in every prompt) or Aspect (the picture size)."""
    causes: dict[str, list[str]] = {}
    covered: dict[str, set[str]] = {}  # what the cause explains: its sheet or plate being new
    for entity in diff.characters + diff.sets:
        if entity.change == "changed":
            for shot_id in entity.shots:
                causes.setdefault(shot_id, []).append(f"{entity.name}'s {', '.join(entity.fields)}")
                covered.setdefault(shot_id, set()).update({f"the sheet of {entity.name}", f"the plate of {entity.name}"})
    keys = {key.lower(): key for key, _, _ in diff.title_page}
    for change in diff.shots:
        if change.change != "changed" or not {"reprompted", "revoiced", "remade"} & set(change.what):
            continue
        found = causes.get(change.new.id, [])
        if "style" in keys and {"reprompted", "revoiced"} & set(change.what):
            found = [*found, keys["style"]]
        if "aspect" in keys:
            found = [*found, keys["aspect"]]
        kept = [why for why in change.because if why not in covered.get(change.new.id, ())]
        change.because = list(dict.fromkeys(kept + found))


def _shot_change(a: Shot, b: Shot, own_a: ShotTasks, own_b: ShotTasks, old: Side, new: Side, stale_ids: set[str]) -> ShotChange:
    change = ShotChange("changed", a, b)
    for kind, names in _FIELDS.items():
        for name in names:
            before, after = getattr(a, name), getattr(b, name)
            if name == "subjects":
                before, after = _names(before, old.symbols), _names(after, new.symbols)
            if before != after:
                change.details[name] = (_plain(before), _plain(after))
                if kind not in change.what:
                    change.what.append(kind)
    said_a = [(s.name, s.text, s.direction, s.sung, s.off_screen) for s in a.speeches]
    said_b = [(s.name, s.text, s.direction, s.sung, s.off_screen) for s in b.speeches]
    if said_a != said_b:
        change.what.append("dialogue")
        change.details["dialogue"] = ([f"{s.name}: {s.text}" for s in a.speeches],
                                      [f"{s.name}: {s.text}" for s in b.speeches])
    if own_a.picture_prompts() != own_b.picture_prompts():
        change.what.append("reprompted")
    if "dialogue" not in change.what and own_a.voice_prompts() != own_b.voice_prompts():
        change.what.append("revoiced")
    change.stale = [t.id for t in own_b.all() if t.id in stale_ids]
    remade = [t for t in own_b.keyframes + own_b.clips + own_b.lines if t.id in stale_ids]
    if remade and not change.what:
        # Its own request is the same: something it takes is new (a sheet, a plate, the clip it
        # continues from).
        change.what.append("remade")
    if "remade" in change.what:
        for name in _FIELDS["remade"]:
            if name in change.details:
                value = change.details[name][1]
                change.because.append(("continuous" if value else "no longer continuous") if name == "continuous"
                                      else f"{name} {value}" if value is not None else f"no {name}")
        own = {t.id for t in own_b.all()}
        for task in remade:
            for role, source in task.inputs:
                if source in stale_ids and source not in own:
                    change.because.append(_input_said(role, source, new))
        if not change.because:
            # Nothing it takes is new: its own request changed, outside the prompt.
            for before, after in ((own_a.keyframes, own_b.keyframes), (own_a.clips, own_b.clips),
                                  (own_a.lines, own_b.lines)):
                for x, y in zip(before, after, strict=False):
                    change.because += [_PARAM_SAID.get(k, k.replace("_", " ")) for k in sorted(set(x.params) | set(y.params))
                                       if k not in ("prompt", "seed") and x.params.get(k) != y.params.get(k)]
        change.because = list(dict.fromkeys(change.because))
    change.what.sort(key=CHANGES.index)
    return change


def _input_said(role: str, source: str, side: Side) -> str:
    """A stale input of a shot's task, in the film maker's words."""
    task = side.plan.graph[source]
    if task.kind == "character_sheet":
        return f"the sheet of {task.params.get('name', source)}"
    if task.kind == "set_plate":
        return f"the plate of {task.params.get('name', source)}"
    if role == "previous" and task.shot:
        return f"it continues from {task.shot}"
    if role == "last_frame" and task.shot:
        return f"it ends on {task.shot}"
    return source


def _names(keys: Iterable[str], symbols: Symbols) -> tuple[str, ...]:
    return tuple(symbols.cast[k].name if k in symbols.cast else k for k in keys)


def _plain(value):
    """A field's value as JSON writes it (tuples as lists)."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _entities(table: str, old: Side, new: Side, new_own: list[ShotTasks], stale_ids: set[str]) -> list[EntityChange]:
    """Characters (`cast`) or sets (`sets`) added, removed, or declared differently, with the
    shots each change re-makes."""
    before = getattr(old.symbols, table) if not old.version.absent else {}
    after = getattr(new.symbols, table) if not new.version.absent else {}
    names = _CAST_FIELDS if table == "cast" else _SET_FIELDS
    new_shots = new.plan.shots.shots
    found: list[EntityChange] = []
    for key, entity in after.items():
        if key not in before:
            shots = [s.id for s in new_shots if _shows(s, table, key) or _speaks(s, key)]
            found.append(EntityChange("added", key, entity.name, shots=shots))
            continue
        fields = {}
        for name in names:
            a, b = getattr(before[key], name), getattr(entity, name)
            if a != b:
                fields[name] = (_plain(a), _plain(b))
        if not fields:
            continue
        pictures = table == "sets" or bool(_PICTURE_FIELDS & set(fields))
        voice = table == "cast" and "voice" in fields
        shots = []
        for shot, own in zip(new_shots, new_own, strict=True):
            if pictures and _shows(shot, table, key) and any(t.id in stale_ids for t in own.keyframes + own.clips):
                shots.append(shot.id)
            elif voice and _speaks(shot, key) and any(t.id in stale_ids for t in own.lines):
                shots.append(shot.id)
        reference = "character_sheet" if table == "cast" else "set_plate"
        tasks = [t.id for t in new.plan.graph if t.kind == reference and t.params.get("key") == key and t.id in stale_ids]
        found.append(EntityChange("changed", key, entity.name, fields, shots, tasks))
    old_shots = old.plan.shots.shots if old.plan else ()
    for key, entity in before.items():
        if key not in after:
            shots = [s.id for s in old_shots if _shows(s, table, key) or _speaks(s, key)]
            found.append(EntityChange("removed", key, entity.name, shots=shots))
    return found


def _shows(shot: Shot, table: str, key: str) -> bool:
    return key in shot.subjects if table == "cast" else shot.set_key == key


def _speaks(shot: Shot, key: str) -> bool:
    return any(s.character == key for s in shot.speeches)


def _title_page(old: Side, new: Side) -> list[tuple[str, str | None, str | None]]:
    """Title-page keys whose value changed: (key, old value, new value), None when absent."""
    def entries(side: Side) -> dict[str, str]:
        if side.version.absent or side.result.film is None:
            return {}
        found: dict[str, list[str]] = {}
        for entry in side.result.film.title_page:
            found.setdefault(entry.key, []).extend(entry.values)
        return {key: "\n".join(values) for key, values in found.items()}

    a, b = entries(old), entries(new)
    return [(key, a.get(key), b.get(key)) for key in dict.fromkeys([*b, *a]) if a.get(key) != b.get(key)]


def _music(old: Side, new: Side) -> list[tuple[str, int, str]]:
    """Music cues added or removed (a changed cue is one of each), by their moods and tempo."""
    def cues(side: Side):
        return side.plan.shots.music if side.plan and not side.version.absent else ()

    def said(cue) -> str:
        return ", ".join(cue.moods) + (f", {cue.tempo_bpm:g} bpm" if cue.tempo_bpm else "")

    a, b = cues(old), cues(new)
    matcher = difflib.SequenceMatcher(None, [said(c) for c in a], [said(c) for c in b], autojunk=False)
    found = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op != "equal":
            found += [("removed", c.span.line, said(c)) for c in a[a0:a1]]
            found += [("added", c.span.line, said(c)) for c in b[b0:b1]]
    return found


def _in_cache(new: Side, stale: list[Task]) -> tuple[int | None, float | None]:
    """How many of the stale tasks the project's cache already has (built before, or by
    another branch), and what the rest cost; (None, None) without a cache folder."""
    project = new.result.project
    if project is None or not stale:
        return None, None
    root = (project.root / project.config.cache.dir).resolve()
    if not root.is_dir():
        return None, None
    cache = Cache(root)
    missing = [t for t in stale if cache.get(t.key) is None]
    return len(stale) - len(missing), new.plan.estimate(missing)


# ---- reporting -------------------------------------------------------------------------------


def to_json(diff: FilmDiff) -> dict:
    """The report as `filmc diff --json` prints it (its keys are documented in docs/GIT.md)."""
    counts = Counter(c.change for c in diff.shots)
    by_kind = Counter(t.kind for t in diff.stale)
    return {
        "old": diff.old.version.label,
        "new": diff.new.version.label,
        "changed": diff.changed,
        "counts": {"added": counts["added"], "removed": counts["removed"], "changed": counts["changed"]},
        "shots": [_shot_json(c, diff) for c in diff.shots],
        "characters": [_entity_json(e) for e in diff.characters],
        "sets": [_entity_json(e) for e in diff.sets],
        "title_page": [{"key": k, "old": a, "new": b} for k, a, b in diff.title_page],
        "music": [{"change": change, "line": line, "cue": cue} for change, line, cue in diff.music],
        "stale": {
            "tasks": len(diff.stale),
            "by_kind": {kind: by_kind[kind] for kind in KINDS if by_kind[kind]},
            "ids": [t.id for t in diff.stale],
            "estimated_cost_usd": diff.cost,
            "cost_by_kind_usd": _cost_by_kind(diff),
            "cached": diff.cached,
            "to_pay_usd": diff.to_pay,
        },
        "runtime_seconds": {"old": diff.old_runtime, "new": diff.new_runtime},
        "shot_count": {"old": _count(diff.old), "new": _count(diff.new)},
    }


def _cost_by_kind(diff: FilmDiff) -> dict[str, float]:
    plan = diff.new.plan
    kinds = [k for k in KINDS if any(t.kind == k for t in diff.stale)]
    return {k: plan.estimate(t for t in diff.stale if t.kind == k) for k in kinds} if plan else {}


def _count(side: Side) -> int:
    return 0 if side.version.absent or side.plan is None else len(side.plan.shots.shots)


def _shot_json(change: ShotChange, diff: FilmDiff) -> dict:
    shot = change.new or change.old
    symbols = (diff.new if change.new else diff.old).symbols
    return {
        "change": change.change,
        "id": change.new.id if change.new else None,
        "old_id": change.old.id if change.old else None,
        "line": change.new.span.line if change.new else None,
        "old_line": change.old.span.line if change.old else None,
        "what": list(change.what),
        "details": {name: {"old": a, "new": b} for name, (a, b) in change.details.items()},
        "because": list(change.because),
        "framing": shot.framing,
        "subjects": list(_names(shot.subjects, symbols)),
        "duration_s": shot.duration_s,
        "text": _text(shot),
        "stale": list(change.stale),
    }


def _entity_json(change: EntityChange) -> dict:
    return {
        "change": change.change, "key": change.key, "name": change.name,
        "fields": {name: {"old": a, "new": b} for name, (a, b) in change.fields.items()},
        "shots": list(change.shots), "tasks": list(change.tasks),
    }


def render(diff: FilmDiff) -> str:
    """The report for people: a header, then shots, characters, sets, the title page, music,
    and what a build would make again, what it costs and how the running time changes."""
    from .cli import _clock, _cut, _money

    out = [f"diff --film {diff.old.version.label} {diff.new.version.label}"]
    if diff.new.version.absent:
        out.append(f"film removed: {_count(diff.old)} shots, {_clock(diff.old_runtime)}")
        return "\n".join(out)
    fresh = diff.old.version.absent
    if fresh:
        # A film added to the repository: what it is, not each of its shots.
        cast, sets = len(diff.new.symbols.cast), len(diff.new.symbols.sets)
        out.append(f"new film: {_count(diff.new)} shots, {_clock(diff.new_runtime)}; "
                   f"{cast} {'character' if cast == 1 else 'characters'}, {sets} {'set' if sets == 1 else 'sets'}")
    counts = Counter(c.change for c in diff.shots)
    if diff.shots and not fresh:
        tally = ", ".join(f"{counts[k]} {k}" for k in ("added", "removed", "changed") if counts[k])
        total = (f" ({_count(diff.old)} → {_count(diff.new)} shots)" if _count(diff.old) != _count(diff.new)
                 else f" (of {_count(diff.new)})")
        out.append(f"shots: {tally}{total}")
        rows = [_shot_row(c, diff) for c in diff.shots]
        width = max(len(r[1]) for r in rows)
        where = max(len(r[2]) for r in rows)
        # The changes in a column of their own (as wide as the widest short one), then the words.
        said = min(max(len(r[3]) for r in rows), 40)
        for mark, name, line, what, text in rows:
            room = max(24, 100 - (8 + width + where + said))
            out.append(f"  {mark} {name:<{width}}  {line:<{where}}  {what:<{said}}  {_cut(text, room)}")
    for title, table in (("characters", diff.characters), ("sets", diff.sets)):
        if table and not fresh:
            out.append(f"{title}:")
            out += [f"  {_entity_row(e)}" for e in table]
    if diff.title_page and not fresh:
        out.append("title page:")
        for key, a, b in diff.title_page:
            out.append(f"  {key}: {_quoted(a, _cut)} → {_quoted(b, _cut)}")
    if diff.music and not fresh:
        out.append("music:")
        out += [f"  {'+' if change == 'added' else '-'} line {line}{' (old)' if change == 'removed' else ''}  {cue}"
                for change, line, cue in diff.music]
    if diff.stale:
        by_kind = Counter(t.kind for t in diff.stale)
        costs = _cost_by_kind(diff)
        # Each kind with what it costs, where it costs anything: what the money goes on.
        kinds = ", ".join(f"{by_kind[k]} {k.replace('_', ' ')}" + (f" {_money(costs[k])}" if costs.get(k) else "")
                          for k in KINDS if by_kind[k])
        out.append(f"to make: {len(diff.stale)} {'task' if len(diff.stale) == 1 else 'tasks'} ({kinds}), "
                   f"estimated {_money(diff.cost)}")
        if diff.cached:
            out.append(f"  {diff.cached} of them in the cache already: a build pays {_money(diff.to_pay or 0.0)}")
    elif diff.changed:
        out.append("to make: nothing (every task is one the old version had)")
    if diff.old_runtime != diff.new_runtime and not fresh:
        delta = diff.new_runtime - diff.old_runtime
        out.append(f"runtime: {_clock(diff.old_runtime)} → {_clock(diff.new_runtime)} "
                   f"({'+' if delta > 0 else '-'}{_clock(abs(delta))})")
    return "\n".join(out)


def _shot_row(change: ShotChange, diff: FilmDiff) -> tuple[str, str, str, str, str]:
    if change.change == "removed":
        shot = change.old
        return "-", shot.id, f"old line {shot.span.line}", _look(shot, diff.old.symbols), _text(shot)
    shot = change.new
    if change.change == "added":
        return "+", shot.id, f"line {shot.span.line}", _look(shot, diff.new.symbols), _text(shot)
    name = shot.id if change.old.id == shot.id else f"{shot.id} (was {change.old.id})"
    parts = [_what(change, kind) for kind in change.what]
    caused = next((n for n, kind in enumerate(change.what) if kind in ("reprompted", "revoiced", "remade")), None)
    if change.because and caused is not None:
        # The cause goes with what it caused: `re-prompted (ALIN's look)`.
        parts[caused] += f" ({'; '.join(change.because)})"
    return "~", name, f"line {shot.span.line}", "; ".join(parts), _text(shot)


def _look(shot: Shot, symbols: Symbols) -> str:
    who = ", ".join(_names(shot.subjects, symbols))
    return f"{shot.framing}{' on ' + who if who else ''}, {_seconds(shot.duration_s)}"


def _seconds(value: float) -> str:
    return f"{round(value, 1):g}s"


def _what(change: ShotChange, kind: str) -> str:
    """One kind of change of a shot, with what it was and is where that is short."""
    details = change.details
    said = _SAID[kind]
    if kind == "retimed":
        a, b = details["duration_s"]
        return f"{said} {_seconds(a)} → {_seconds(b)}"
    if kind == "reframed":
        parts = []
        for name in _FIELDS["reframed"]:
            if name in details:
                a, b = details[name]
                if name == "subjects":
                    a, b = ("on " + ", ".join(a) if a else "on no one"), ("on " + ", ".join(b) if b else "on no one")
                elif name == "lens_mm":
                    a, b = (f"{a:g}mm" if a else "no lens"), (f"{b:g}mm" if b else "no lens")
                parts.append(f"{a} → {b}")
        return f"{said} {', '.join(parts)}"
    if kind == "dialogue":
        a, b = details["dialogue"]
        who = list(dict.fromkeys(line.split(":", 1)[0] for line in sorted(set(a) ^ set(b))))
        return f"{said} ({', '.join(who)})" if who else said
    if kind == "recut":
        return f"{said} ({', '.join(name.replace('_', ' ') for name in _FIELDS['recut'] if name in details)})"
    return said


def _entity_row(change: EntityChange) -> str:
    mark = {"added": "+", "removed": "-", "changed": "~"}[change.change]
    if change.change != "changed":
        where = f" (in {_ids(change.shots)})" if change.shots else ""
        return f"{mark} {change.name}: {change.change}{where}"
    fields = ", ".join(change.fields)
    count = len(change.shots)
    touches = (f"; re-makes {count} {'shot' if count == 1 else 'shots'}: {_ids(change.shots)}" if count
               else "; re-makes no shot")
    return f"{mark} {change.name}: {fields} changed{touches}"


def _ids(ids: list[str], most: int = 12) -> str:
    shown = ", ".join(ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


def _quoted(value: str | None, cut) -> str:
    return "(none)" if value is None else f'"{cut(value, 40)}"'


def text_diff(old: Version, new: Version) -> str:
    """A unified diff of the two texts: what the git driver shows when it cannot compare the
    versions as films (one has errors)."""
    a = old.data.decode("utf-8", "replace").splitlines(keepends=True)
    b = new.data.decode("utf-8", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, old.label, new.label)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines).rstrip("\n")


# ---- the command ---------------------------------------------------------------------------


def _report_errors(sides: Iterable[Side], stream) -> None:
    """The diagnostics of the versions with errors, as `filmc check` prints them. A file both
    versions read (film.toml, an include) is reported once."""
    found: dict[tuple, Diagnostic] = {}
    sources: dict[str, SourceFile] = {}
    for side in sides:
        if side.has_errors:
            for d in side.result.diagnostics:
                found.setdefault(d.sort_key() + (d.severity.value,), d)
            sources.update(side.result.sources)
    shown = list(found.values())
    if shown:
        click.echo(diagnostics.render(shown, "human", sources), file=stream)
        click.echo(f"\n{diagnostics.summary(shown)}", file=stream)


@click.command("diff", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("versions", nargs=-1, metavar="OLD NEW")
@click.option("--rev", metavar="REV", default=None,
              help="Compare FILE at the git revision REV with the working copy: `filmc diff FILE --rev REV` "
                   "is `filmc diff REV:FILE FILE`.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON (keys in docs/GIT.md).")
@click.option("--exit-code", is_flag=True, help="Exit with status 1 when the films differ (like git diff).")
def command(versions: tuple[str, ...], rev: str | None, as_json: bool, exit_code: bool) -> None:
    """Compare two versions of a film in film terms: shots added, removed, re-timed, re-framed
    or re-prompted, characters and sets whose look changed, and what a build would make again
    and cost.

    OLD and NEW are .film files or git versions written REV:PATH (HEAD~1:ep1.film; PATH is
    relative to the current folder). With the seven arguments git gives an external diff
    driver, it is one (docs/GIT.md)."""
    driver = len(versions) in (7, 9) and rev is None
    try:
        if driver:
            old, new = driver_versions(versions)
        elif rev is not None:
            if len(versions) != 1:
                raise click.UsageError("with --rev, give one FILE: `filmc diff FILE --rev REV`")
            old, new = read_revision(f"{rev}:{versions[0]}"), read_version(versions[0])
        elif len(versions) == 2:
            old, new = read_version(versions[0]), read_version(versions[1])
        else:
            raise click.UsageError("give two versions, OLD and NEW (a .film file or REV:PATH), "
                                   "or one FILE with --rev REV")
    except DiffUsageError as exc:
        click.echo(f"filmc diff: {exc}", err=True)
        sys.exit(2)
    old_side, new_side = load(old, new)
    sides = [old_side] if old_side is new_side else [old_side, new_side]
    broken = [side for side in sides if side.has_errors]
    if broken:
        names = " and ".join(f"`{side.version.label}`" for side in broken)
        if driver:
            # git stops a whole `git diff` or `git log -p` at a driver that fails: show the text
            # instead, and why, and let it go on to the next file.
            click.echo(f"diff --film {old.label} {new.label}")
            click.echo(f"filmc: not compared as films, because {names} {'has' if len(broken) == 1 else 'have'} "
                       f"errors (`filmc check`):")
            for side in broken:
                errors = [d for d in side.result.diagnostics if d.severity is diagnostics.Severity.ERROR]
                click.echo("\n".join(f"  {diagnostics.render_short(d)}" for d in errors))
            click.echo(text_diff(old, new))
            return
        _report_errors(broken, sys.stderr)
        click.echo(f"filmc diff: not compared, because {names} {'has' if len(broken) == 1 else 'have'} errors",
                   err=True)
        sys.exit(1)
    diff = compare(old_side, new_side)
    if as_json:
        click.echo(json.dumps(to_json(diff), indent=2, ensure_ascii=False))
    elif diff.changed or driver:
        report = render(diff)
        if driver and not diff.changed:
            report += ("\nno change to the film" if old.data == new.data else
                       "\nno change to the film: the edit is only in what makes nothing (spacing, notes, comments)")
        click.echo(report)
    sys.exit(1 if exit_code and diff.changed else 0)
