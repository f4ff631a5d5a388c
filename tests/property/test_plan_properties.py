"""Properties of the shot graph, the cache and the scheduler (DESIGN.md, "What must always hold").

- the graph is acyclic, and the same (tasks, keys, order) on every run;
- changing one dialogue line changes exactly the keys of the tasks downstream of it: its voice
  line and what takes it, and, when its length changes, the clips and music timed by it;
- a whitespace-only or comment-only edit changes no key;
- a no-op rebuild calls no backend;
- a build interrupted at a random task and resumed makes each task at most once overall.

Scripts come from a small model of a film (declared cast and sets, scenes, shots, action,
speeches, wardrobe changes, music cues), so that an edit can be aimed at one line.
(Determinism across PYTHONHASHSEED values is checked in tests/e2e/test_build.py, which needs
fresh processes.)
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from filmc.compiler import build as builder
from filmc.compiler.plan.tasks import topological

SCALE = int(os.environ.get("FILMC_PROPERTY_SCALE", "1"))
# (The fixtures used with FEW are factories, called afresh for each example.)
FEW = settings(max_examples=25 * SCALE, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SOME = settings(max_examples=60 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CAST = {"ALIN": "a lean young fisherman", "MOTHER": "a weathered woman with a grey braid",
        "SEA GOD": "a towering figure of dark water", "ROKU": "an old boatman with one eye"}
SETS = {"SHORE": "black volcanic beach", "DEEP": "underwater palace of coral", "CLIFF": "a windswept cliff top"}
WORDS = ("water storm sand boat wave light rope net shell coral tide rock wind salt drum smoke fire "
         "green grey cold deep slow quick far near under over across toward").split()
CONFIG = "[backends]\n" + "".join(f'{cap} = "counting"\n' for cap in ("image", "video", "speech", "music", "edit"))


# ---- a model of a film ---------------------------------------------------------------------


@dataclass(frozen=True)
class Para:
    kind: str            # heading | action | speech | shot | wardrobe | music
    text: str = ""
    who: str = ""
    direction: str = ""


def _words(n_min: int, n_max: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=n_min, max_size=n_max).map(" ".join)


@st.composite
def films(draw) -> tuple[tuple[str, ...], tuple[Para, ...]]:
    cast = tuple(draw(st.lists(st.sampled_from(sorted(CAST)), min_size=1, max_size=4, unique=True)))
    paras: list[Para] = []
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(sorted(SETS)))
        time = draw(st.sampled_from(["DAY", "NIGHT", "DAWN", "CONTINUOUS"]))
        paras.append(Para("heading", f"EXT. {place} - {time}"))
        for _ in range(draw(st.integers(0, 6))):
            kind = draw(st.sampled_from(["action", "action", "speech", "speech", "speech", "shot", "wardrobe", "music"]))
            who = draw(st.sampled_from(cast))
            if kind == "action":
                paras.append(Para("action", f"{who} " + draw(_words(2, 14)) + "."))
            elif kind == "speech":
                off = draw(st.sampled_from(["", "", "", " (V.O.)"]))
                direction = draw(st.sampled_from(["", "", "quietly", "shouting"]))
                paras.append(Para("speech", draw(_words(1, 50)), who + off, direction))
            elif kind == "shot":
                framing = draw(st.sampled_from(["wide", "close on " + who, "medium", "two-shot"]))
                extra = draw(st.sampled_from(["", ", push in", ", 4s", ", static, 9s", ", continuous"]))
                paras.append(Para("shot", framing + extra))
            elif kind == "wardrobe":
                paras.append(Para("wardrobe", draw(_words(1, 3)), who))
            else:
                paras.append(Para("music", draw(st.sampled_from(["stop", "taiko drums, tense", "strings, 80 bpm"]))))
    return cast, tuple(paras)


def render(film, blank: str = "\n", trail: str = "", comments: bool = False) -> str:
    """The film as .film text. `blank` separates paragraphs (one or more empty lines),
    `trail` ends every line, `comments` puts a boneyard comment and a note between paragraphs."""
    cast, paras = film
    out = ["Title: The Test", "", *(f"[[cast {n}: {CAST[n]}]]\n" for n in cast),
           *(f"[[set {n}: {SETS[n]}]]\n" for n in sorted(SETS))]
    lines = [line for chunk in out for line in chunk.split("\n")]
    text = "\n".join(lines).rstrip("\n") + "\n\n"
    chunks = []
    for p in paras:
        if p.kind == "heading":
            chunk = [p.text]
        elif p.kind == "action":
            chunk = [p.text]
        elif p.kind == "speech":
            chunk = [p.who] + ([f"({p.direction})"] if p.direction else []) + [p.text.capitalize() + "."]
        elif p.kind == "shot":
            chunk = [f"[[shot {p.text}]]"]
        elif p.kind == "wardrobe":
            chunk = [f"[[wardrobe {p.who}: {p.text}]]"]
        else:
            chunk = [f"[[music: {p.text}]]"]
        chunks.append("\n".join(line + trail for line in chunk))
        if comments:
            chunks.append("/* a thought for the next draft */")
            chunks.append("[[note to self: check this beat]]")
    return text + ("\n" + blank).join(chunks) + "\n"


def plan_of(text: str, folder: Path, config: str = ""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "film.toml").write_text(config, encoding="utf-8")
    script = folder / "a.film"
    script.write_text(text, encoding="utf-8")
    prepared, result = builder.prepare(script, str(script))
    assert prepared is not None, [d.message for d in result.diagnostics if d.severity == "error"]
    return prepared


def keys(prepared) -> dict[str, str]:
    return {task.id: task.key for task in prepared.plan.graph}


# ---- the graph -----------------------------------------------------------------------------


@SOME
@given(films())
def test_the_graph_is_acyclic_and_the_same_every_run(film) -> None:
    text = render(film)
    with tempfile.TemporaryDirectory() as tmp:
        first = plan_of(text, Path(tmp) / "one")
        second = plan_of(text, Path(tmp) / "two")
    graph = first.plan.graph
    assert len(topological(graph)) == len(graph)  # raises CycleError on a cycle
    position = {task_id: n for n, task_id in enumerate(graph.tasks)}
    for task in graph:  # the plan is in execution order: inputs first
        assert all(position[source] < position[task.id] for source in task.input_ids())
    assert list(keys(first).items()) == list(keys(second).items())


@st.composite
def dialogue_edits(draw):
    film = draw(films())
    speeches = [i for i, p in enumerate(film[1]) if p.kind == "speech"]
    assume(speeches)
    at = draw(st.sampled_from(speeches))
    old = film[1][at]
    same_length = draw(st.booleans())
    n = len(old.text.split())
    words = draw(_words(n, n)) if same_length else draw(_words(1, 50))
    # A word no other line has, so the edited line is a line of its own.
    new_text = " ".join(["zanzibar", *words.split()[1:]]) if words else "zanzibar"
    paras = list(film[1])
    paras[at] = replace(old, text=new_text)
    return film, (film[0], tuple(paras)), at


@SOME
@given(dialogue_edits())
def test_a_dialogue_edit_changes_exactly_what_is_downstream(edit) -> None:
    before, after, at = edit
    with tempfile.TemporaryDirectory() as tmp:
        old = plan_of(render(before), Path(tmp) / "old")
        new = plan_of(render(after), Path(tmp) / "new")
    old_keys, new_keys = keys(old), keys(new)
    assume(set(old_keys) == set(new_keys))  # the edit did not change which tasks there are
    graph = old.plan.graph
    # The edited speech is the one that now starts with the new word; its voice line task is
    # named after its shot and its place in it.
    said = [f"shot/{shot.id}/line/{n}" for shot in new.plan.shots.shots
            for n, speech in enumerate(shot.speeches, 1) if speech.text.startswith("Zanzibar")]
    assert len(said) == 1
    timed = set(said)
    old_shots = {s.id: s for s in old.plan.shots.shots}
    for shot in new.plan.shots.shots:
        if old_shots[shot.id].duration_s != shot.duration_s:
            timed |= {t.id for t in graph if t.kind == "clip" and t.shot == shot.id}
    old_music = {f"music/{n}": m for n, m in enumerate(old.plan.shots.music, 1)}
    for n, cue in enumerate(new.plan.shots.music, 1):
        if old_music[f"music/{n}"].duration_s != cue.duration_s:
            timed.add(f"music/{n}")
    changed = {task_id for task_id in old_keys if old_keys[task_id] != new_keys[task_id]}
    assert changed == graph.downstream(timed & set(graph.tasks))


@SOME
@given(films(), st.sampled_from(["\n", "\n\n", "\n\n\n"]), st.sampled_from(["", " ", "\t"]), st.booleans())
def test_whitespace_and_comments_change_no_key(film, blank, trail, comments) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plain = plan_of(render(film), Path(tmp) / "plain")
        edited = plan_of(render(film, blank=blank, trail=trail, comments=comments), Path(tmp) / "edited")
    assert keys(plain) == keys(edited)


# ---- building ------------------------------------------------------------------------------


@pytest.fixture
def counting_log(monkeypatch: pytest.MonkeyPatch):
    """The counting fake backend's call log, fresh for each example."""

    def fresh() -> Path:
        handle, path = tempfile.mkstemp(suffix=".log")
        os.close(handle)
        monkeypatch.setenv("FILMC_COUNTING_LOG", path)
        return Path(path)

    return fresh


def calls(log: Path) -> list[str]:
    return [json.loads(line)["task"] for line in log.read_text(encoding="utf-8").splitlines()]


@FEW
@given(films())
def test_a_no_op_rebuild_calls_no_backend(counting_log, film) -> None:
    log = counting_log()
    with tempfile.TemporaryDirectory() as tmp:
        first = plan_of(render(film), Path(tmp), CONFIG)
        outcome = builder.run(first)
        assert outcome.ok and len(outcome.built) == len(first.plan.graph)
        made = calls(log)
        again = plan_of(render(film), Path(tmp), CONFIG)
        outcome = builder.run(again)
        assert outcome.ok and outcome.built == []
        assert calls(log) == made
        assert builder.status(again)["to_run"] == 0


@FEW
@given(films(), st.integers(0, 60), st.sampled_from([1, 3]))
def test_an_interrupted_build_resumes_without_making_anything_twice(counting_log, film, stop_after, concurrency) -> None:
    from filmc_test_backends import Counting

    log = counting_log()
    interrupted = CONFIG + f"\n[backend.counting]\ninterrupt_after = {stop_after}\ndelay_s = 0.001\n" \
                           f"\n[concurrency]\ndefault = {concurrency}\n"
    with tempfile.TemporaryDirectory() as tmp:
        Counting.calls = 0
        first = plan_of(render(film), Path(tmp), interrupted)
        total = len(first.plan.graph)
        outcome = builder.run(first)
        assert outcome.interrupted == (stop_after < total)
        # The interruption settings are scheduling settings: the resumed plan has the same keys.
        resumed = plan_of(render(film), Path(tmp), CONFIG)
        assert keys(resumed) == keys(first)
        outcome = builder.run(resumed)
        assert outcome.ok
        made = calls(log)
        assert len(made) == len(set(made)) == total
        assert not any((Path(tmp) / ".filmc" / "tmp").iterdir())


@SOME
@given(films())
def test_every_shot_carries_its_characters_and_its_set(film) -> None:
    """Consistency by construction: every keyframe of a shot that shows a character takes that
    character's sheet (of the wardrobe worn then) and says their look and wardrobe; every shot
    in a set takes the plate of that set in that light and says the set's look."""
    with tempfile.TemporaryDirectory() as tmp:
        prepared = plan_of(render(film), Path(tmp))
    graph = prepared.plan.graph
    symbols = prepared.result.symbols
    shots = prepared.plan.shots
    # Follow the film to each shot's segment, clip and keyframe (identical shots share tasks,
    # so a task's own `shot` may name the first of them).
    segments = [source for role, source in graph["film"].inputs if role.startswith("segment:")]
    segments = segments[1:] if shots.title_card_s else segments
    for shot, segment in zip(shots.shots, segments):
        if shot.card is not None:
            continue
        clip = graph[dict(graph[segment].inputs)["clip"]]
        keyframe = graph[dict(clip.inputs)["first_frame"]]
        assert keyframe.kind == "keyframe"
        inputs = dict(keyframe.inputs)
        worn = dict(shot.wardrobe)
        for key in shot.subjects:
            sheet = graph[inputs[f"sheet:{key}"]]
            assert sheet.params["look"] == symbols.cast[key].look
            assert sheet.params["wardrobe"] == worn.get(key, "")
            prompt = keyframe.params["prompt"].casefold()  # (prompts start sentences with capitals)
            assert symbols.cast[key].look.casefold() in prompt
            if worn.get(key):
                assert worn[key].casefold() in prompt and worn[key].casefold() in sheet.params["prompt"].casefold()
        plate = graph[inputs["plate"]]
        assert (plate.params["key"], plate.params["light"]) == (shot.set_key, shot.light)
        assert symbols.sets[shot.set_key].look.casefold() in keyframe.params["prompt"].casefold()
