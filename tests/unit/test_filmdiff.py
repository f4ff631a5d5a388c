"""`filmc diff`'s logic: which shots an edit touches, matched by content rather than id; what
changed about characters, sets and the title page; what a build after the edit makes and
costs. Each test edits a copy of an example film and compares it with the original."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from filmc.compiler.cache import Cache
from filmc.compiler.filmdiff import (
    CHANGES,
    FilmDiff,
    Version,
    compare,
    load,
    match_shots,
    read_version,
    render,
    text_diff,
    to_json,
)
from filmc.compiler.ir import Shot
from filmc.compiler.source import Span

ROOT = Path(__file__).resolve().parents[2]
WAVES = "splitting-the-waves.film"
CROSSING = "the-last-crossing.film"


@pytest.fixture
def films(tmp_path: Path) -> Path:
    """A copy of the examples folder (its films are a project of their own)."""
    folder = tmp_path / "films"
    shutil.copytree(ROOT / "examples", folder)
    return folder


def edited(folder: Path, name: str, old: str, new: str, count: int = 1) -> Path:
    """A copy of `name` beside it with `old` replaced by `new` (which must occur `count` times)."""
    text = (folder / name).read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {name}"
    path = folder / f"edited-{name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def diff_of(old: Path, new: Path) -> FilmDiff:
    old_side, new_side = load(read_version(str(old)), read_version(str(new)))
    assert not old_side.has_errors and not new_side.has_errors
    return compare(old_side, new_side)


def changed(diff: FilmDiff) -> dict[str, list[str]]:
    """Shot id → what changed, for the changed shots."""
    return {c.new.id: c.what for c in diff.shots if c.change == "changed"}


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_a_film_against_itself_has_no_changes(films: Path) -> None:
    diff = diff_of(films / WAVES, films / WAVES)
    assert not diff.changed
    assert diff.shots == [] and diff.stale == [] and diff.characters == [] and diff.title_page == []
    assert diff.old_runtime == diff.new_runtime > 0


def test_a_copy_that_differs_only_in_comments_makes_the_same_film(films: Path) -> None:
    new = edited(films, WAVES, "FADE IN:\n", "FADE IN:\n\n/* a note to self */\n\n[[a plain note]]\n")
    diff = diff_of(films / WAVES, new)
    assert not diff.changed
    assert diff.stale == []


def test_one_edited_action_line_names_that_shot_and_no_other(films: Path) -> None:
    new = edited(films, WAVES, "Out at sea, a wave stands up.", "Out at sea, a black wave stands up.")
    diff = diff_of(films / WAVES, new)
    assert changed(diff) == {"1.2": ["reprompted"]}
    (shot,) = diff.shots
    assert shot.new.span.line == line_of(new, "[[shot wide, tilt up, 4s]]")
    assert {t.id for t in diff.stale} == {"shot/1.2/keyframe", "shot/1.2/clip", "shot/1.2/segment", "film"}
    assert diff.old_runtime == diff.new_runtime


def test_one_edited_dialogue_line_names_its_shot(films: Path) -> None:
    new = edited(films, WAVES, "Alin. Get away from the water.", "Alin. Get back from the water.")
    diff = diff_of(films / WAVES, new)
    assert changed(diff) == {"1.3": ["dialogue"]}
    (shot,) = diff.shots
    assert shot.details["dialogue"] == (["MOTHER: Alin. Get away from the water."],
                                        ["MOTHER: Alin. Get back from the water."])
    assert sorted(t.kind for t in diff.stale) == ["film", "segment", "voice_line"]


def test_a_longer_line_retimes_an_inferred_shot_and_its_reaction(films: Path) -> None:
    # JONAH's long speech is cut in two: his shot, then MARGIT listening; both get longer.
    new = edited(films, CROSSING, "He drew bridges all the way home.", "He drew bridges all the way home, every night.")
    diff = diff_of(films / CROSSING, new)
    assert changed(diff) == {"1.10": ["retimed", "dialogue"], "1.11": ["retimed"]}
    assert diff.new_runtime > diff.old_runtime


def test_a_retimed_shot(films: Path) -> None:
    new = edited(films, WAVES, "[[shot close on ALIN, push in, 3s]]", "[[shot close on ALIN, push in, 4.5s]]")
    diff = diff_of(films / WAVES, new)
    assert changed(diff) == {"1.5": ["retimed"]}
    assert diff.shots[0].details["duration_s"] == (3.0, 4.5)
    assert "shot/1.5/clip" in {t.id for t in diff.stale}
    assert diff.new_runtime == pytest.approx(diff.old_runtime + 1.5)


def test_a_reframed_shot(films: Path) -> None:
    new = edited(films, WAVES, "[[shot close on ALIN, push in, 3s]]", "[[shot medium on ALIN and MOTHER, pan left, 50mm, 3s]]")
    diff = diff_of(films / WAVES, new)
    assert changed(diff) == {"1.5": ["reframed", "reprompted"]}
    details = diff.shots[0].details
    assert details["framing"] == ("close", "medium")
    assert details["move"] == ("push in", "pan left")
    assert details["lens_mm"] == (None, 50.0)
    assert details["subjects"] == (["ALIN"], ["ALIN", "MOTHER"])


def test_an_added_shot_is_one_shot_though_the_ids_after_it_shift(films: Path) -> None:
    new = edited(films, WAVES, "[[shot close on ALIN, push in, 3s]]",
                 "[[shot close on MOTHER, static, 2s]]\n\nMOTHER drops the net.\n\n[[shot close on ALIN, push in, 3s]]")
    diff = diff_of(films / WAVES, new)
    assert [(c.change, c.new.id) for c in diff.shots] == [("added", "1.5")]
    assert diff.shots[0].new.span.line == line_of(new, "[[shot close on MOTHER, static, 2s]]")
    # The old 1.5 is the new 1.6, unchanged: nothing of it is made again.
    assert not any(t.id.startswith("shot/1.6/") for t in diff.stale)
    assert {"shot/1.5/keyframe", "shot/1.5/clip"} <= {t.id for t in diff.stale}


def test_a_removed_shot_gives_its_old_line(films: Path) -> None:
    new = edited(films, WAVES, "[[shot insert on ALIN, static, 100mm, 3s]]\n\n"
                 "ALIN unties the red sash his mother wove and lays it on the anvil.\n\n", "")
    diff = diff_of(films / WAVES, new)
    assert [(c.change, c.old.id) for c in diff.shots] == [("removed", "2.4")]
    assert diff.shots[0].old.span.line == line_of(films / WAVES, "[[shot insert on ALIN")
    assert diff.new_runtime == pytest.approx(diff.old_runtime - 3.0)


def test_a_changed_look_reprompts_every_shot_of_that_character(films: Path) -> None:
    new = edited(films, WAVES, "short black hair, fierce dark eyes", "long black hair tied back, fierce dark eyes")
    diff = diff_of(films / WAVES, new)
    with_alin = [s.id for s in diff.new.plan.shots.shots if "alin" in s.subjects]
    assert len(with_alin) > 5
    assert set(changed(diff)) == set(with_alin)
    assert all("reprompted" in what for what in changed(diff).values())
    assert {tuple(c.because) for c in diff.shots} == {("ALIN's look",)}
    (alin,) = diff.characters
    assert (alin.change, alin.name, list(alin.fields)) == ("changed", "ALIN", ["look"])
    assert alin.shots == with_alin
    # Both of his looks (before and after the [[wardrobe]] change) get a new sheet.
    sheets = {t.id for t in diff.stale if t.kind == "character_sheet"}
    assert sheets == set(alin.tasks) == {t.id for t in diff.new.plan.graph
                                         if t.kind == "character_sheet" and t.params["key"] == "alin"}
    assert len(sheets) == 2


def test_a_changed_voice_revoices_the_lines_of_that_character(films: Path) -> None:
    new = edited(films, CROSSING, "voice: low female, dry, unhurried", "voice: low female, hoarse")
    diff = diff_of(films / CROSSING, new)
    margit = [s.id for s in diff.new.plan.shots.shots if any(x.character == "margit" for x in s.speeches)]
    assert changed(diff) == dict.fromkeys(margit, ["revoiced"])
    (character,) = diff.characters
    assert (character.name, list(character.fields), character.shots) == ("MARGIT", ["voice"], margit)
    assert {t.kind for t in diff.stale} == {"voice_line", "segment", "film"}


def test_a_changed_set_names_the_shots_there(films: Path) -> None:
    new = edited(films, WAVES, "lighting: red glow from below, drifting sparks", "lighting: white-hot glare")
    diff = diff_of(films / WAVES, new)
    in_crater = [s.id for s in diff.new.plan.shots.shots if s.set_key == "crater"]
    (crater,) = diff.sets
    assert (crater.change, crater.name, list(crater.fields), crater.shots) == ("changed", "CRATER", ["lighting"], in_crater)
    assert set(changed(diff)) == set(in_crater)
    assert [t.kind for t in diff.stale if t.id in crater.tasks] == ["set_plate"]


def test_characters_added_and_removed(films: Path) -> None:
    new = edited(films, CROSSING, "FADE IN:", "[[cast GULL: a white gull with one black wing]]\n\nFADE IN:")
    new.write_text(new.read_text(encoding="utf-8").replace(
        "MARGIT steps back from the wheel.", "A GULL lands on the rail. MARGIT steps back from the wheel."), encoding="utf-8")
    diff = diff_of(films / CROSSING, new)
    assert [(c.change, c.name, c.shots) for c in diff.characters] == [("added", "GULL", ["1.19"])]
    back = diff_of(new, films / CROSSING)
    assert [(c.change, c.name, c.shots) for c in back.characters] == [("removed", "GULL", ["1.19"])]


def test_a_new_style_reprompts_every_shot_and_shows_on_the_title_page(films: Path) -> None:
    new = edited(films, WAVES, "Style: ink-wash fantasy, cinematic, muted greens and storm greys, ember orange",
                 "Style: watercolour")
    diff = diff_of(films / WAVES, new)
    assert diff.title_page == [("Style", "ink-wash fantasy, cinematic, muted greens and storm greys, ember orange",
                                "watercolour")]
    shots = diff.new.plan.shots.shots
    assert set(changed(diff)) == {s.id for s in shots if s.card is None}
    assert all("Style" in c.because for c in diff.shots)


def test_a_new_take_remakes_the_shot_with_the_same_prompt(films: Path) -> None:
    new = edited(films, WAVES, "[[shot close on ALIN, push in, 3s]]", "[[shot close on ALIN, push in, 3s, take 2]]")
    diff = diff_of(films / WAVES, new)
    assert changed(diff) == {"1.5": ["remade"]}
    assert diff.shots[0].details["take"] == (None, 2)
    assert diff.shots[0].because == ["take 2"]


def test_a_new_seed_for_a_character_remakes_their_shots_from_a_new_sheet(films: Path) -> None:
    new = edited(films, WAVES, "voice: young male, determined, a little hoarse]]",
                 "voice: young male, determined, a little hoarse\n  seed: 7]]")
    diff = diff_of(films / WAVES, new)
    with_alin = [s.id for s in diff.new.plan.shots.shots if "alin" in s.subjects]
    assert changed(diff) == dict.fromkeys(with_alin, ["remade"])
    assert {tuple(c.because) for c in diff.shots} == {("ALIN's seed",)}


def test_a_continuous_shot_is_remade_with_the_shot_it_continues(films: Path) -> None:
    base = edited(films, WAVES, "[[shot medium wide on ALIN and MOTHER, handheld, 4s]]",
                  "[[shot medium wide on ALIN and MOTHER, handheld, 4s, continuous]]")
    new = edited(films, base.name, "Out at sea, a wave stands up.", "Out at sea, a black wave stands up.")
    diff = diff_of(base, new)
    # 1.3 (MOTHER's close-up) lies between: 1.4 continues from it, not from the edited 1.2.
    assert changed(diff) == {"1.2": ["reprompted"]}
    # A new line for MOTHER is a new voice line; her clip, which 1.4 continues, is the same.
    new = edited(films, base.name, "Alin. Get away from the water.", "Alin. Get back from the water.")
    assert changed(diff_of(base, new)) == {"1.3": ["dialogue"]}
    new = edited(films, base.name, "[[shot close on MOTHER, static, 3s]]", "[[shot close on MOTHER, push in, 3s]]")
    diff = diff_of(base, new)
    assert changed(diff) == {"1.3": ["reframed", "reprompted"], "1.4": ["remade"]}
    assert diff.shots[-1].because == ["it continues from 1.3"]


def test_a_speech_backend_that_hears_the_lines_around_a_line_remakes_them_too(films: Path) -> None:
    # ElevenLabs is told the same voice's lines before and after each line (`line_context`).
    (films / "film.toml").write_text('[backends]\nspeech = "elevenlabs"\n', encoding="utf-8")
    new = edited(films, CROSSING, "It worked.", "It worked, in the end.")
    diff = diff_of(films / CROSSING, new)
    assert changed(diff) == {"1.13": ["remade"], "1.15": ["retimed", "dialogue"], "1.18": ["remade"]}
    why = {c.new.id: c.because for c in diff.shots}
    assert (why["1.13"], why["1.18"]) == (["the line after it changed"], ["the line before it changed"])


def test_a_new_sound_recuts_the_shot(films: Path) -> None:
    new = edited(films, CROSSING, "JONAH opens the box.", "[[sound: a lid creaks]]\n\nJONAH opens the box.")
    diff = diff_of(films / CROSSING, new)
    assert changed(diff) == {"1.16": ["recut"]}
    assert sorted(t.kind for t in diff.stale) == ["film", "segment"]


def test_a_new_music_cue(films: Path) -> None:
    new = edited(films, WAVES, "[[music: war drums, deep choir, rising, 120 bpm]]", "[[music: solo harp, 80 bpm]]")
    diff = diff_of(films / WAVES, new)
    assert diff.music == [("removed", line_of(films / WAVES, "[[music: war drums"), "war drums, deep choir, rising, 120 bpm"),
                          ("added", line_of(new, "[[music: solo harp"), "solo harp, 80 bpm")]
    assert diff.shots == []
    assert "music_cue" in {t.kind for t in diff.stale}


def test_the_cost_is_the_new_plan_estimate_of_the_stale_tasks_and_the_cache_counts(films: Path) -> None:
    (films / "film.toml").write_text('[backends]\nimage = "counting"\nvideo = "counting"\n', encoding="utf-8")
    new = edited(films, WAVES, "[[shot close on ALIN, push in, 3s]]", "[[shot close on ALIN, push in, 4.5s]]")
    diff = diff_of(films / WAVES, new)
    assert diff.cost == diff.new.plan.estimate(diff.stale) > 0
    assert diff.cached is None  # no cache folder yet
    # The new clip made before (on another branch, say): the diff counts it as cached.
    clip = next(t for t in diff.stale if t.kind == "clip")
    made = films / "made.bin"
    made.write_bytes(b"a clip")
    Cache(films / ".filmc").put(clip, "1.0", made)
    again = diff_of(films / WAVES, new)
    assert again.cached == 1
    assert again.to_pay == pytest.approx(again.cost - diff.new.plan.cost(clip))
    assert "  1 of them in the cache already: a build pays $" in render(again)
    report = json.loads(json.dumps(to_json(again)))
    assert report["stale"]["cached"] == 1
    assert report["stale"]["cost_by_kind_usd"]["clip"] == pytest.approx(diff.new.plan.cost(clip))


def test_the_old_version_is_planned_with_the_new_versions_project(films: Path, tmp_path: Path) -> None:
    # The old copy sits in a project whose film.toml paces lines slowly; planned with its own
    # project every speech would be re-timed. With the new one's, only the edit shows.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "film.toml").write_text("[pacing]\nwords_per_second = 1.0\n", encoding="utf-8")
    shutil.copy(films / CROSSING, elsewhere / CROSSING)
    new = edited(films, CROSSING, "Rain on the glass.", "Rain on the black glass.")
    diff = diff_of(elsewhere / CROSSING, new)
    assert set(changed(diff)) == {"1.1"}


def _shot(n: int, action: str, framing: str = "wide") -> Shot:
    return Shot(id=f"1.{n}", scene=1, span=Span("x", n, 1, n, 2), annotated=True, set_key=None, place=None, light="day",
                framing=framing, duration_s=3.0, timed_by="annotation", action=action)


def test_shots_are_matched_by_content_not_by_id() -> None:
    old = [_shot(1, "A boat."), _shot(2, "A gull cries over the harbour."), _shot(3, "The tide turns.")]
    new = [_shot(1, "A boat."), _shot(2, "A net."), _shot(3, "A gull screams over the harbour."), _shot(4, "The tide turns.")]
    assert match_shots(old, new) == [(0, 0), (None, 1), (1, 2), (2, 3)]


def test_a_rewritten_run_pairs_the_similar_shots_and_adds_the_rest() -> None:
    old = [_shot(1, "Start."), _shot(2, "MARA climbs the mast in the storm."), _shot(3, "End.")]
    new = [_shot(1, "Start."), _shot(2, "Lightning."), _shot(3, "MARA climbs the mast in the rain."),
           _shot(4, "Thunder rolls over the bay, long and low."), _shot(5, "End.")]
    assert match_shots(old, new) == [(0, 0), (None, 1), (1, 2), (None, 3), (2, 4)]


def test_shots_with_nothing_alike_are_removed_and_added() -> None:
    old = [_shot(1, "Start."), _shot(2, "MARA climbs the mast in the storm.", "close"), _shot(3, "End.")]
    new = [_shot(1, "Start."), _shot(2, "Quiet kitchen, a kettle boils.", "wide"), _shot(3, "End.")]
    assert match_shots(old, new) == [(0, 0), (1, None), (None, 1), (2, 2)]


def test_the_report_for_people(films: Path) -> None:
    new = edited(films, WAVES, "[[shot close on ALIN, push in, 3s]]", "[[shot close on ALIN, push in, 4.5s]]")
    text = render(diff_of(films / WAVES, new))
    lines = text.splitlines()
    assert lines[0] == f"diff --film {films / WAVES} {new}"
    assert lines[1] == "shots: 1 changed (of 18)"
    assert lines[2].split()[:7] == ["~", "1.5", "line", str(line_of(new, "4.5s]]")), "re-timed", "3s", "→"]
    assert "ALIN: Give her back!" in lines[2]
    assert lines[3].startswith("to make: 4 tasks (1 clip, 1 music cue, 1 segment, 1 film), estimated $0.00")
    assert lines[4] == "runtime: 1:16.5 → 1:18.0 (+1.5s)"


def test_json_keys_are_stable(films: Path) -> None:
    new = edited(films, WAVES, "[[shot close on ALIN, push in, 3s]]",
                 "[[shot close on MOTHER, static, 2s]]\n\nMOTHER drops the net.\n\n[[shot close on ALIN, push in, 4s]]")
    report = to_json(diff_of(films / WAVES, new))
    assert list(report) == ["old", "new", "changed", "counts", "shots", "characters", "sets", "title_page", "music",
                            "stale", "runtime_seconds", "shot_count"]
    assert report["counts"] == {"added": 1, "removed": 0, "changed": 1}
    added, retimed = report["shots"]
    keys = ["change", "id", "old_id", "line", "old_line", "what", "details", "because", "framing", "subjects",
            "duration_s", "text", "stale"]
    assert list(added) == list(retimed) == keys
    assert (added["change"], added["id"], added["old_id"], added["old_line"]) == ("added", "1.5", None, None)
    assert (retimed["id"], retimed["old_id"], retimed["what"]) == ("1.6", "1.5", ["retimed"])
    assert retimed["details"] == {"duration_s": {"old": 3.0, "new": 4.0}}
    assert set(retimed["what"]) <= set(CHANGES)
    assert list(report["stale"]) == ["tasks", "by_kind", "ids", "estimated_cost_usd", "cost_by_kind_usd", "cached",
                                     "to_pay_usd"]
    assert report["shot_count"] == {"old": 18, "new": 19}


def test_an_added_film_against_nothing(films: Path) -> None:
    absent = Version(label="/dev/null", data=b"", script=films / WAVES, shown=WAVES, absent=True)
    old_side, new_side = load(absent, read_version(str(films / WAVES)))
    diff = compare(old_side, new_side)
    assert [c.change for c in diff.shots] == ["added"] * 18
    assert len(diff.stale) == len(new_side.plan.graph)
    assert render(diff).splitlines()[1].startswith("new film: 18 shots, 1:16.5; 5 characters, 3 sets")


def test_the_text_diff_the_git_driver_falls_back_on() -> None:
    old = Version(label="a/x.film", data=b"one\ntwo\n", script=Path("x.film"), shown="x.film")
    new = Version(label="b/x.film", data=b"one\nthree\n", script=Path("x.film"), shown="x.film")
    assert text_diff(old, new).splitlines() == ["--- a/x.film", "+++ b/x.film", "@@ -1,2 +1,2 @@", " one", "-two", "+three"]
