"""The planner's passes on small hand-built graphs: hoist, split, prune, merge, order, and keys."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import write

from filmc.compiler.diagnostics import Reporter
from filmc.compiler.driver import compile_file, compile_text
from filmc.compiler.plan import hoist, make_plan, merge, order, prune, split
from filmc.compiler.plan.tasks import CycleError, Graph, Task, topological, with_keys
from filmc.compiler.project import default_project, load_project

IDENTITIES = {"b": {"name": "b", "version": "1", "settings": {}}, "v8": {"name": "v8", "version": "1", "settings": {}}}


def task(task_id: str, kind: str, inputs=(), backend: str = "b", shot: str | None = None, **params) -> Task:
    return Task(id=task_id, kind=kind, params=params, inputs=tuple(inputs), shot=shot, backend=backend)


def graph(*tasks: Task, outputs=("film",)) -> Graph:
    return Graph(tasks={t.id: t for t in tasks}, outputs=tuple(outputs))


def inputs_of(g: Graph, task_id: str) -> dict[str, str]:
    return dict(g[task_id].inputs)


# ---- hoist ---------------------------------------------------------------------------------


def sheet(shot: str, wardrobe: str) -> Task:
    return task(f"shot/{shot}/sheet/will", "character_sheet", shot=shot, key="will", wardrobe=wardrobe, seed=7)


def plate(shot: str, light: str) -> Task:
    return task(f"shot/{shot}/plate", "set_plate", shot=shot, key="kitchen", light=light, seed=3)


def keyframe(shot: str) -> Task:
    return task(f"shot/{shot}/keyframe", "keyframe", [("plate", f"shot/{shot}/plate"), ("sheet:will", f"shot/{shot}/sheet/will")],
                shot=shot, framing="wide", seed=1)


def shots_graph(*looks: tuple[str, str, str]) -> Graph:
    """Shots given as (id, wardrobe, light), each with its own sheet, plate and keyframe."""
    tasks = []
    for shot, wardrobe, light in looks:
        tasks += [sheet(shot, wardrobe), plate(shot, light), keyframe(shot)]
    return graph(*tasks, outputs=[f"shot/{shot}/keyframe" for shot, _, _ in looks])


def test_hoist_makes_one_sheet_and_one_plate_of_equal_requests() -> None:
    hoisted = hoist.run(shots_graph(("1.1", "coat", "day"), ("1.2", "coat", "day"), ("1.3", "coat", "day")))
    assert sorted(t.id for t in hoisted if t.kind in ("character_sheet", "set_plate")) == ["plate/kitchen@day", "sheet/will"]
    for shot in ("1.1", "1.2", "1.3"):
        assert inputs_of(hoisted, f"shot/{shot}/keyframe") == {"plate": "plate/kitchen@day", "sheet:will": "sheet/will"}
    assert hoisted["sheet/will"].shot is None  # shared: it belongs to no one shot
    assert dict(hoisted["sheet/will"].params) == {"key": "will", "wardrobe": "coat", "seed": 7}


def test_hoist_gives_a_new_wardrobe_its_own_sheet() -> None:
    hoisted = hoist.run(shots_graph(("1.1", "coat", "day"), ("1.2", "wet shirt", "day"), ("1.3", "coat", "day")))
    assert [inputs_of(hoisted, f"shot/{s}/keyframe")["sheet:will"] for s in ("1.1", "1.2", "1.3")] == [
        "sheet/will", "sheet/will~2", "sheet/will"]
    assert hoisted["sheet/will~2"].params["wardrobe"] == "wet shirt"


def test_hoist_makes_one_plate_per_set_and_light() -> None:
    hoisted = hoist.run(shots_graph(("1.1", "coat", "day"), ("2.1", "coat", "night"), ("3.1", "coat", "day")))
    assert [inputs_of(hoisted, f"shot/{s}/keyframe")["plate"] for s in ("1.1", "2.1", "3.1")] == [
        "plate/kitchen@day", "plate/kitchen@night", "plate/kitchen@day"]
    assert len(hoisted) == 2 + 1 + 3  # two plates, one sheet, three keyframes


def test_hoist_keeps_sheets_of_different_backends_apart() -> None:
    g = shots_graph(("1.1", "coat", "day"), ("1.2", "coat", "day"))
    elsewhere = replace(g["shot/1.2/sheet/will"], backend="v8")
    hoisted = hoist.run(g.replace_tasks([elsewhere if t.id == elsewhere.id else t for t in g]))
    assert {t.backend for t in hoisted if t.kind == "character_sheet"} == {"b", "v8"}


# ---- split ---------------------------------------------------------------------------------


def clip_graph(duration: float) -> Graph:
    """Shot 1.1's clip of `duration` (with a sheet and a voice line), then a 3 s shot 1.2
    continuing from it."""
    return graph(
        task("sheet/will", "character_sheet", key="will"),
        task("shot/1.1/keyframe", "keyframe", [("sheet:will", "sheet/will")]),
        task("shot/1.1/clip", "clip", [("first_frame", "shot/1.1/keyframe"), ("sheet:will", "sheet/will")],
             backend="v8", duration_s=duration, seed=5),
        task("shot/1.1/line/1", "voice_line", text="Hello."),
        task("shot/1.1/segment", "segment", [("clip", "shot/1.1/clip"), ("line:1", "shot/1.1/line/1")], duration_s=duration),
        task("shot/1.2/keyframe", "keyframe"),
        task("shot/1.2/clip", "clip", [("first_frame", "shot/1.2/keyframe"), ("previous", "shot/1.1/clip")],
             backend="v8", duration_s=3.0, seed=6),
        task("shot/1.2/segment", "segment", [("clip", "shot/1.2/clip")], duration_s=3.0),
        task("film", "film", [("segment:0001", "shot/1.1/segment"), ("segment:0002", "shot/1.2/segment")]),
    )


def test_split_chains_a_clip_longer_than_the_backend_makes() -> None:
    g = split.run(clip_graph(14.0), {"b": None, "v8": 8.0})
    assert "shot/1.1/clip" not in g.tasks
    first, second = g["shot/1.1/clip.1"], g["shot/1.1/clip.2"]
    assert [(p.params["duration_s"], p.params["part"], p.params["parts"]) for p in (first, second)] == [(7.0, 1, 2), (7.0, 2, 2)]
    # The first part starts from the keyframe; the second from the end of the first.
    assert inputs_of(g, "shot/1.1/clip.1") == {"first_frame": "shot/1.1/keyframe", "sheet:will": "sheet/will"}
    assert inputs_of(g, "shot/1.1/clip.2") == {"previous": "shot/1.1/clip.1", "sheet:will": "sheet/will"}
    assert first.seed == 5 and second.seed != 5
    assert g["shot/1.1/segment"].inputs == (
        ("clip.1", "shot/1.1/clip.1"), ("clip.2", "shot/1.1/clip.2"), ("line:1", "shot/1.1/line/1"))


def test_split_makes_a_continuous_next_shot_take_the_last_part() -> None:
    g = split.run(clip_graph(20.0), {"v8": 8.0})
    assert inputs_of(g, "shot/1.2/clip")["previous"] == "shot/1.1/clip.3"


@pytest.mark.parametrize(("duration", "longest", "parts"), [(14.0, 8.0, 2), (17.0, 8.0, 3), (10.0, 3.0, 4), (7.3, 2.4, 4), (16.1, 8.0, 3)])
def test_split_parts_sum_to_the_shot_and_none_is_too_long(duration: float, longest: float, parts: int) -> None:
    g = split.run(clip_graph(duration), {"v8": longest})
    lengths = [g[f"shot/1.1/clip.{n}"].params["duration_s"] for n in range(1, parts + 1)]
    assert f"shot/1.1/clip.{parts + 1}" not in g.tasks
    assert sum(lengths) == pytest.approx(duration)
    assert max(lengths) <= longest + 1e-9


@pytest.mark.parametrize(("duration", "limits"), [(8.0, {"v8": 8.0}), (14.0, {"v8": None}), (14.0, {})])
def test_split_leaves_a_clip_the_backend_can_make(duration: float, limits) -> None:
    before = clip_graph(duration)
    assert split.run(before, limits) == before


# ---- prune ---------------------------------------------------------------------------------


def chain_graph() -> Graph:
    """sheet → keyframe → clip → segment → film, and a keyframe and clip nothing takes."""
    return graph(
        task("sheet/will", "character_sheet"),
        task("shot/1.1/keyframe", "keyframe", [("sheet:will", "sheet/will")]),
        task("orphan/keyframe", "keyframe", [("sheet:will", "sheet/will")]),
        task("orphan/clip", "clip", [("first_frame", "orphan/keyframe")]),
        task("shot/1.1/clip", "clip", [("first_frame", "shot/1.1/keyframe")]),
        task("shot/1.1/segment", "segment", [("clip", "shot/1.1/clip")]),
        task("film", "film", [("segment:0001", "shot/1.1/segment")]),
    )


def test_prune_keeps_exactly_what_the_film_needs() -> None:
    pruned = prune.run(chain_graph())
    assert list(pruned.tasks) == ["sheet/will", "shot/1.1/keyframe", "shot/1.1/clip", "shot/1.1/segment", "film"]
    assert pruned.outputs == ("film",)


def test_prune_to_chosen_outputs() -> None:
    pruned = prune.run(chain_graph(), ["shot/1.1/clip"])
    assert list(pruned.tasks) == ["sheet/will", "shot/1.1/keyframe", "shot/1.1/clip"]
    assert pruned.outputs == ("shot/1.1/clip",)


def test_prune_leaves_a_graph_with_nothing_to_drop() -> None:
    whole = prune.run(chain_graph())
    assert prune.run(whole) == whole


# ---- keys ----------------------------------------------------------------------------------


def keyed(*tasks: Task, identities=IDENTITIES) -> dict[str, str]:
    return {t.id: t.key for t in with_keys(graph(*tasks), identities)}


BASE = (task("sheet/will", "character_sheet", key="will", seed=1),
        task("shot/1.1/keyframe", "keyframe", [("sheet:will", "sheet/will")], framing="wide"))


def test_every_task_gets_a_distinct_key() -> None:
    keys = keyed(*BASE)
    assert all(len(k) == 64 for k in keys.values())
    assert len(set(keys.values())) == 2
    assert keyed(*BASE) == keys  # and the same one every time


def test_a_key_changes_with_the_params_and_its_dependents_follow() -> None:
    before = keyed(*BASE)
    after = keyed(task("sheet/will", "character_sheet", key="will", seed=2), BASE[1])
    assert after["sheet/will"] != before["sheet/will"]
    assert after["shot/1.1/keyframe"] != before["shot/1.1/keyframe"]  # its input's key changed


def test_a_key_does_not_change_upstream_of_a_change() -> None:
    before = keyed(*BASE)
    after = keyed(BASE[0], task("shot/1.1/keyframe", "keyframe", [("sheet:will", "sheet/will")], framing="close"))
    assert after["sheet/will"] == before["sheet/will"]
    assert after["shot/1.1/keyframe"] != before["shot/1.1/keyframe"]


def test_a_key_changes_with_the_backends_identity() -> None:
    newer = {**IDENTITIES, "b": {"name": "b", "version": "2", "settings": {}}}
    assert set(keyed(*BASE, identities=newer).values()).isdisjoint(keyed(*BASE).values())


def test_a_key_does_not_depend_on_task_ids_or_shots() -> None:
    renamed = (task("shot/9.9/sheet/will", "character_sheet", shot="9.9", key="will", seed=1),
               task("keyframe/x", "keyframe", [("sheet:will", "shot/9.9/sheet/will")], shot="9.9", framing="wide"))
    assert sorted(keyed(*renamed).values()) == sorted(keyed(*BASE).values())


def test_keys_of_a_cycle_raise() -> None:
    cyclic = graph(task("a", "keyframe", [("previous", "b")]), task("b", "clip", [("first_frame", "a")]))
    with pytest.raises(CycleError, match="cycle"):
        with_keys(cyclic, IDENTITIES)


# ---- merge ---------------------------------------------------------------------------------


def twin_graph() -> Graph:
    """Two shots with the same keyframe (an insert used twice), each clipped differently."""
    return with_keys(graph(
        task("shot/1.1/keyframe", "keyframe", framing="insert", seed=4),
        task("shot/1.1/clip", "clip", [("first_frame", "shot/1.1/keyframe")], move="static"),
        task("shot/2.1/keyframe", "keyframe", framing="insert", seed=4),
        task("shot/2.1/clip", "clip", [("first_frame", "shot/2.1/keyframe")], move="pan left"),
        task("film", "film", [("clip:1", "shot/1.1/clip"), ("clip:2", "shot/2.1/clip")]),
    ), IDENTITIES)


def test_merge_makes_tasks_of_equal_keys_one_and_rewires_what_took_them() -> None:
    before = twin_graph()
    merged = merge.run(before)
    assert list(merged.tasks) == ["shot/1.1/keyframe", "shot/1.1/clip", "shot/2.1/clip", "film"]
    assert inputs_of(merged, "shot/2.1/clip") == {"first_frame": "shot/1.1/keyframe"}
    assert merged.outputs == ("film",)
    # Keys are made from inputs' keys, not ids: merging changes none.
    assert {t.id: t.key for t in merged} == {t.id: t.key for t in before if t.id in merged.tasks}


def test_merge_keeps_an_output_that_was_merged_away() -> None:
    g = with_keys(graph(task("a", "keyframe", framing="insert"), task("b", "keyframe", framing="insert"), outputs=["a", "b"]),
                  IDENTITIES)
    merged = merge.run(g)
    assert list(merged.tasks) == ["a"]
    assert merged.outputs == ("a",)


def test_merge_needs_keys() -> None:
    with pytest.raises(ValueError, match="with_keys"):
        merge.run(graph(task("a", "keyframe")))


# ---- order ---------------------------------------------------------------------------------


def test_order_puts_inputs_before_what_takes_them() -> None:
    backwards = graph(*reversed(chain_graph().tasks.values()))
    ordered = list(order.run(backwards).tasks)
    for t in backwards:
        for source in t.input_ids():
            assert ordered.index(source) < ordered.index(t.id)


def test_order_breaks_ties_by_kind_then_by_insertion() -> None:
    g = graph(
        task("line/1", "voice_line"),
        task("kf/2", "keyframe"),
        task("clip/1", "clip", [("first_frame", "kf/1")]),
        task("kf/1", "keyframe"),
        task("plate", "set_plate"),
        task("sheet", "character_sheet"),
        task("film", "film", [("a", "clip/1"), ("b", "line/1"), ("c", "kf/2"), ("d", "plate"), ("e", "sheet")]),
    )
    assert list(order.run(g).tasks) == ["sheet", "plate", "kf/2", "kf/1", "clip/1", "line/1", "film"]


def test_order_counts_an_input_taken_in_two_roles_once() -> None:
    g = graph(task("film", "film", [("segment:0001", "seg"), ("segment:0002", "seg")]), task("seg", "segment"))
    assert topological(g) == ["seg", "film"]


# ---- through make_plan ---------------------------------------------------------------------

SCRIPT = """[[cast WILL: a tall man
  wardrobe: grey coat]]

INT. KITCHEN - DAY

WILL sits.

WILL stands.

WILL
Hello there.
"""


def test_a_character_in_three_shots_has_one_sheet(tmp_path: Path) -> None:
    result = compile_text(SCRIPT, "scene.film")
    plan = make_plan(result.film, result.symbols, default_project(tmp_path), Reporter(), result.sources)
    assert len(plan.shots.shots) == 3
    (sheet_task,) = [t for t in plan.graph if t.kind == "character_sheet"]
    keyframes = [t for t in plan.graph if t.kind == "keyframe"]
    assert len(keyframes) == 3
    assert all(dict(k.inputs)["sheet:will"] == sheet_task.id == "sheet/will" for k in keyframes)


def test_a_wardrobe_change_makes_a_second_sheet(tmp_path: Path) -> None:
    text = SCRIPT.replace("WILL stands.", "[[wardrobe WILL: wet shirt]]\n\nWILL stands.")
    result = compile_text(text, "scene.film")
    plan = make_plan(result.film, result.symbols, default_project(tmp_path), Reporter(), result.sources)
    assert sorted(t.id for t in plan.graph if t.kind == "character_sheet") == ["sheet/will", "sheet/will~2"]


def test_a_shot_longer_than_the_video_backend_makes_is_split(tmp_path: Path) -> None:
    write(tmp_path / "film.toml", '[backends]\nvideo = "counting-8s"\n')
    path = write(tmp_path / "scene.film", SCRIPT.replace("WILL sits.", "[[shot wide, 14s]]\n\nWILL sits."))
    result = compile_file(path)
    assert not result.has_errors
    plan = make_plan(result.film, result.symbols, load_project(path, Reporter()), Reporter(), result.sources)
    parts = [t for t in plan.graph if t.kind == "clip" and t.id.startswith("shot/1.1/")]
    assert [(t.id, t.params["duration_s"], t.backend) for t in parts] == [
        ("shot/1.1/clip.1", 7.0, "counting-8s"), ("shot/1.1/clip.2", 7.0, "counting-8s")]


# ---- the plan adapts to what the backends take --------------------------------------------


def _plan_with(tmp_path: Path, config: str):
    write(tmp_path / "film.toml", config)
    path = write(tmp_path / "scene.film", SCRIPT)
    result = compile_file(path)
    assert not result.has_errors
    return make_plan(result.film, result.symbols, load_project(path, Reporter()), Reporter(), result.sources)


def test_services_without_reference_images_or_first_frames_get_prompts_only(tmp_path: Path) -> None:
    plan = _plan_with(tmp_path, '[backends]\nimage = "counting-plain"\nvideo = "counting-plain"\n')
    kinds = {t.kind for t in plan.graph}
    # Nothing can take a sheet, a plate or a keyframe: they are pruned, and each clip is made
    # from its prompt, which still says who is in it and what they look like.
    assert not kinds & {"character_sheet", "set_plate", "keyframe"}
    clips = [t for t in plan.graph if t.kind == "clip"]
    assert clips and all(t.inputs == () for t in clips)


def test_a_video_service_with_references_keeps_the_sheets(tmp_path: Path) -> None:
    plan = _plan_with(tmp_path, '[backends]\nimage = "counting-plain"\nvideo = "counting"\n')
    keyframes = [t for t in plan.graph if t.kind == "keyframe"]
    assert keyframes and all(t.inputs == () for t in keyframes)  # the image service takes no references
    clips = [t for t in plan.graph if t.kind == "clip"]
    assert all({"first_frame", "sheet:will"} <= set(dict(t.inputs)) for t in clips[1:])
    assert [t.id for t in plan.graph if t.kind == "character_sheet"] == ["sheet/will"]
    assert not [t for t in plan.graph if t.kind == "set_plate"]


def test_a_clip_without_a_first_frame_describes_who_and_where(tmp_path: Path) -> None:
    write(tmp_path / "film.toml", '[backends]\nvideo = "counting-plain"\n')
    path = write(tmp_path / "scene.film", "[[set KITCHEN: narrow galley, yellow tiles]]\n\n" + SCRIPT)
    result = compile_file(path)
    assert not result.has_errors
    plan = make_plan(result.film, result.symbols, load_project(path, Reporter()), Reporter(), result.sources)
    for clip in (t for t in plan.graph if t.kind == "clip"):
        assert "WILL: a tall man. Wearing grey coat." in clip.params["prompt"]
        assert "KITCHEN: narrow galley, yellow tiles." in clip.params["prompt"]
    with_frames = _plan_with(tmp_path / "framed", '[backends]\nvideo = "counting"\n')
    assert all("KITCHEN:" not in t.params["prompt"] for t in with_frames.graph if t.kind == "clip")


def test_a_speech_that_runs_on_over_a_reaction_shot_is_heard_there_too(tmp_path: Path) -> None:
    long_line = " ".join(["word"] * 41)
    text = f"[[cast WILL: a tall man]]\n[[cast ANNA: a small woman]]\n\nINT. KITCHEN - DAY\n\nWILL and ANNA sit.\n\nWILL\n{long_line}\n"
    result = compile_text(text, "scene.film")
    plan = make_plan(result.film, result.symbols, default_project(tmp_path), Reporter(), result.sources)
    speaker, reaction = plan.shots.shots[1:]
    said = plan.graph.tasks[f"shot/{reaction.id}/segment"]
    (line,) = [t for t in plan.graph if t.kind == "voice_line"]
    assert dict(said.inputs)["running:1"] == line.id
    # The reaction's segment plays the line from before its own start: the second half.
    assert said.params["lines"] == [{"role": "running:1", "offset_s": round(speaker.start_s - reaction.start_s, 3)}]
    assert said.params["lines"][0]["offset_s"] == pytest.approx(-speaker.duration_s)


def test_burned_subtitles_follow_a_speech_over_the_reaction_shot(tmp_path: Path) -> None:
    from filmc.compiler.plan import Options

    long_line = " ".join(["word"] * 41)
    text = f"[[cast WILL: a tall man]]\n[[cast ANNA: a small woman]]\n\nINT. KITCHEN - DAY\n\nWILL and ANNA sit.\n\nWILL\n{long_line}\n"
    result = compile_text(text, "scene.film")
    plan = make_plan(result.film, result.symbols, default_project(tmp_path), Reporter(), result.sources,
                     options=Options(burn_subtitles=True))
    speaker, reaction = plan.shots.shots[1:]
    (shown,) = plan.graph.tasks[f"shot/{reaction.id}/segment"].params["subtitles"]
    assert shown["text"] == long_line and shown["start_s"] == pytest.approx(-speaker.duration_s)


CONTINUOUS = """[[cast WILL: a tall man]]
[[cast ANNA: a small woman]]

INT. KITCHEN - DAY

[[shot wide on WILL, 4s]]

WILL sits.

[[shot medium on WILL, 12s, continuous]]

WILL stands.

WILL
Hello there.

ANNA
Hello.

WILL
Goodbye then.

INT. HALL - DAY

WILL
Again.
"""


def test_a_clip_ends_on_the_keyframe_of_the_continuous_shot_after_it(tmp_path: Path) -> None:
    plan = _plan_text_with(tmp_path, '[backends]\nvideo = "counting-ends"\n', CONTINUOUS)
    first, second = plan.shots.shots[:2]
    clip = plan.graph.tasks[f"shot/{first.id}/clip"]
    assert dict(clip.inputs)["last_frame"] == f"shot/{second.id}/keyframe"
    # The 12 s shot is split (8 s at most): only its first part starts on the keyframe, and
    # no part ends on a keyframe, because no continuous shot follows it.
    parts = [t for t in plan.graph if t.kind == "clip" and t.id.startswith(f"shot/{second.id}/clip")]
    assert [dict(t.inputs).get("first_frame") for t in parts] == [f"shot/{second.id}/keyframe", None]
    assert dict(parts[0].inputs)["previous"] == clip.id
    assert all("last_frame" not in dict(t.inputs) for t in parts)


def test_only_the_last_part_of_a_split_clip_ends_on_the_next_keyframe(tmp_path: Path) -> None:
    script = CONTINUOUS.replace("[[shot wide on WILL, 4s]]", "[[shot wide on WILL, 14s]]")
    plan = _plan_text_with(tmp_path, '[backends]\nvideo = "counting-ends"\n', script)
    first, second = plan.shots.shots[:2]
    parts = [t for t in plan.graph if t.kind == "clip" and t.id.startswith(f"shot/{first.id}/clip")]
    assert [dict(t.inputs).get("last_frame") for t in parts] == [None, f"shot/{second.id}/keyframe"]


def test_a_service_without_last_frames_gets_none(tmp_path: Path) -> None:
    plan = _plan_text_with(tmp_path, '[backends]\nvideo = "counting"\n', CONTINUOUS)
    assert all("last_frame" not in dict(t.inputs) for t in plan.graph if t.kind == "clip")


def test_a_voice_that_reads_context_gets_the_same_voices_lines_around_it(tmp_path: Path) -> None:
    plan = _plan_text_with(tmp_path, '[backends]\nspeech = "counting-ends"\n', CONTINUOUS)
    lines = {t.params["text"]: t.params for t in plan.graph if t.kind == "voice_line"}
    assert (lines["Hello there."]["previous_text"], lines["Hello there."]["next_text"]) == ("", "Goodbye then.")
    assert (lines["Goodbye then."]["previous_text"], lines["Goodbye then."]["next_text"]) == ("Hello there.", "")
    assert (lines["Hello."]["previous_text"], lines["Hello."]["next_text"]) == ("", "")
    # Another scene is another conversation.
    assert lines["Again."]["previous_text"] == ""
    local = _plan_text_with(tmp_path / "local", "", CONTINUOUS)
    assert all("previous_text" not in t.params for t in local.graph if t.kind == "voice_line")


def _plan_text_with(tmp_path: Path, config: str, script: str):
    write(tmp_path / "film.toml", config)
    path = write(tmp_path / "scene.film", script)
    result = compile_file(path)
    assert not result.has_errors, result.diagnostics
    return make_plan(result.film, result.symbols, load_project(path, Reporter()), Reporter(), result.sources)
