"""Shot inference: what becomes a shot, how it is framed and timed, and what it carries
(speech, transitions, wardrobe, music) under the coverage rules of stdlib/defaults.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from filmc.compiler import ir
from filmc.compiler.diagnostics import Reporter
from filmc.compiler.driver import compile_file, compile_text
from filmc.compiler.passes.shots import infer
from filmc.compiler.project import default_project, load_project

DEFAULTS = default_project(Path(".")).config

CAST = """[[cast WILL: a tall man
  wardrobe: grey coat]]
[[cast ANNA: a small woman]]
[[cast EDWARD: an old man]]

"""


def shot_list(text: str, title_page: str = "") -> ir.ShotList:
    """The shots of a script (with WILL, ANNA and EDWARD declared) under the default rules."""
    result = compile_text(title_page + CAST + text, "scene.film")
    assert not result.has_errors, [d.message for d in result.diagnostics]
    return infer(result.film, result.symbols, DEFAULTS)


def shots(text: str) -> tuple[ir.Shot, ...]:
    return shot_list(text).shots


def framed(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each shot's framing and subjects."""
    return [(s.framing, s.subjects) for s in shots(text)]


def words(n: int) -> str:
    """A line of `n` words."""
    return " ".join(["word"] * n) + "."


def heard(shot: ir.Shot) -> list[str]:
    return [s.name for s in shot.speeches]


# ---- action --------------------------------------------------------------------------------


def test_each_action_paragraph_is_a_shot_and_the_first_shows_the_place() -> None:
    found = shots("INT. KITCHEN - DAY\n\nSteam rises from a pot.\n\nWILL sits.\n\nANNA stands.\n")
    assert [s.id for s in found] == ["1.1", "1.2", "1.3"]
    assert [s.framing for s in found] == ["wide", "medium", "medium"]
    assert [s.action for s in found] == ["Steam rises from a pot.", "WILL sits.", "ANNA stands."]
    assert not any(s.annotated for s in found)
    assert found[0].set_key == "kitchen"


def test_the_first_shot_of_each_scene_is_establishing() -> None:
    found = shots("INT. KITCHEN - DAY\n\nWILL sits.\n\nWILL eats.\n\nEXT. GARDEN - DAY\n\nWILL digs.\n")
    assert [(s.id, s.framing) for s in found] == [("1.1", "wide"), ("1.2", "medium"), ("2.1", "wide")]


@pytest.mark.parametrize(("paragraph", "expected"), [
    ("WILL sits.", ("medium", ("will",))),
    ("Will sits.", ("medium", ("will",))),                      # a capitalised mention counts
    ("Later he will go.", ("wide", ())),                        # the verb is not WILL
    ("WILL hands ANNA a cup.", ("medium", ("will", "anna"))),
    ("WILL, ANNA and EDWARD sit down.", ("wide", ("will", "anna", "edward"))),
    ("The kettle whistles.", ("wide", ())),
])
def test_a_later_action_frames_who_it_names(paragraph: str, expected) -> None:
    assert framed(f"INT. KITCHEN - DAY\n\nSteam rises.\n\n{paragraph}\n")[1] == expected


def test_a_shot_annotation_frames_the_action_after_it() -> None:
    (shot,) = shots("INT. KITCHEN - DAY\n\n[[shot close on ANNA, push in, 35mm, 3s]]\n\nWILL and ANNA sit.\n")
    assert shot.annotated
    assert (shot.framing, shot.subjects, shot.move, shot.lens_mm) == ("close", ("anna",), "push in", 35.0)
    assert (shot.duration_s, shot.timed_by) == (3.0, "annotation")
    assert shot.action == "WILL and ANNA sit."


def test_a_shot_annotation_frames_the_speech_after_it() -> None:
    found = shots("INT. KITCHEN - DAY\n\nSteam rises.\n\n[[shot extreme wide]]\n\nWILL\nPass the salt.\n")
    assert len(found) == 2
    assert (found[1].framing, found[1].annotated, heard(found[1])) == ("extreme wide", True, ["WILL"])
    assert found[1].subjects == ("will",)  # the speaker, when the annotation names nobody


# ---- speech --------------------------------------------------------------------------------


def test_an_onscreen_speech_is_a_shot_of_its_speaker() -> None:
    found = framed("INT. KITCHEN - DAY\n\nWILL, ANNA and EDWARD sit down.\n\nWILL\nPass the salt.\n")
    assert found[1] == ("close", ("will",))


def test_in_a_scene_of_two_a_speech_is_over_the_listeners_shoulder() -> None:
    found = framed("INT. KITCHEN - DAY\n\nWILL and ANNA sit.\n\nWILL\nPass the salt.\n\nANNA\nHere.\n")
    assert found[1:] == [("over the shoulder", ("will", "anna")), ("over the shoulder", ("anna", "will"))]


def test_a_long_speech_cuts_to_the_listener_for_its_second_half() -> None:
    found = shots(f"INT. KITCHEN - DAY\n\nWILL and ANNA sit.\n\nWILL\n{words(41)}\n")
    speaker, reaction = found[1:]
    assert (reaction.framing, reaction.subjects, reaction.speeches) == ("close", ("anna",), ())
    assert heard(speaker) == ["WILL"]
    # 41 words at 2.5 a second and one pause after the line, shared half and half.
    assert speaker.duration_s == reaction.duration_s == pytest.approx(8.4)
    assert reaction.start_s == pytest.approx(speaker.start_s + speaker.duration_s)


def test_a_speech_of_reaction_after_words_has_no_reaction_shot() -> None:
    assert len(shots(f"INT. KITCHEN - DAY\n\nWILL and ANNA sit.\n\nWILL\n{words(40)}\n")) == 2


def test_a_voice_over_plays_over_the_shot_before_it() -> None:
    (shot,) = shots(f"INT. KITCHEN - DAY\n\nWILL sits.\n\nANNA (V.O.)\n{words(10)}\n")
    assert heard(shot) == ["ANNA"]
    assert shot.speeches[0].off_screen
    assert (shot.duration_s, shot.timed_by) == (pytest.approx(4.4), "speech")  # stretched to hold it


def test_an_offscreen_voice_plays_over_the_shot_before_it() -> None:
    (shot,) = shots("INT. KITCHEN - DAY\n\nWILL sits.\n\nANNA (O.S.)\nDinner!\n")
    assert heard(shot) == ["ANNA"]


def test_a_voice_over_that_does_not_fit_an_annotated_shot_gets_its_own() -> None:
    found = shots(f"INT. KITCHEN - DAY\n\n[[shot wide, 2s]]\n\nWILL sits.\n\nANNA (V.O.)\n{words(10)}\n")
    assert [heard(s) for s in found] == [[], ["ANNA"]]
    assert found[0].duration_s == 2.0
    assert found[1].subjects == ("will",)  # the scene's other character, not the voice


def test_a_voice_over_that_fits_an_annotated_shot_plays_over_it() -> None:
    (shot,) = shots(f"INT. KITCHEN - DAY\n\n[[shot wide, 5s]]\n\nWILL sits.\n\nANNA (V.O.)\n{words(5)}\n")
    assert heard(shot) == ["ANNA"]
    assert shot.duration_s == 5.0


def test_a_voice_over_without_room_in_an_annotated_shot_gets_its_own() -> None:
    # ANNA's line with its pause takes 1.6 s of the 2 s shot; WILL's 0.8 s does not fit after it.
    found = shots("INT. KITCHEN - DAY\n\n[[shot close on ANNA, 2s]]\n\nANNA\nWhere were you?\n\nWILL (V.O.)\nI lied.\n")
    assert [heard(s) for s in found] == [["ANNA"], ["WILL"]]
    for shot in found:
        for speech in shot.speeches:
            assert speech.start_s + speech.duration_s <= shot.start_s + shot.duration_s + 1e-9


def test_a_voice_over_after_a_long_speech_does_not_overlap_it() -> None:
    found = shots(f"INT. KITCHEN - DAY\n\nWILL and ANNA sit.\n\nWILL\n{words(41)}\n\nEDWARD (V.O.)\nHe lied.\n")
    said = [s for shot in found for s in shot.speeches]
    will, edward = said
    assert edward.start_s >= will.start_s + will.duration_s


def test_a_voice_over_opening_a_scene_is_a_shot_of_its_own() -> None:
    found = shots("INT. KITCHEN - DAY\n\nWILL sits.\n\nEXT. GARDEN - DAY\n\nANNA (V.O.)\nHe left.\n")
    assert [(s.id, s.framing, heard(s)) for s in found] == [("1.1", "wide", []), ("2.1", "wide", ["ANNA"])]


def test_dual_dialogue_is_one_two_shot() -> None:
    (_, shot) = shots("INT. KITCHEN - DAY\n\nWILL and ANNA sit.\n\nWILL\nNow!\n\nANNA ^\nNow!\n")
    assert (shot.framing, shot.subjects, heard(shot)) == ("two shot", ("will", "anna"), ["WILL", "ANNA"])
    assert shot.speeches[0].start_s == shot.speeches[1].start_s == shot.start_s  # said together


# ---- transitions and cards -----------------------------------------------------------------


@pytest.mark.parametrize(("written", "transition"), [
    ("CUT TO:", "cut"), ("DISSOLVE TO:", "dissolve"), ("SMASH CUT TO:", "smash cut"), ("FADE IN:", "fade in"),
])
def test_a_transition_lands_on_the_next_shot(written: str, transition: str) -> None:
    found = shots(f"INT. KITCHEN - DAY\n\nWILL sits.\n\n{written}\n\nEXT. GARDEN - DAY\n\nWILL digs.\n")
    assert [s.transition for s in found] == [None, transition]
    assert not any(s.fade_out for s in found)


def test_fade_out_lands_on_the_shot_before_it() -> None:
    found = shots("INT. KITCHEN - DAY\n\nWILL sits.\n\nFADE OUT.\n\nEXT. GARDEN - DAY\n\nWILL digs.\n")
    assert [(s.fade_out, s.transition) for s in found] == [(True, None), (False, None)]


def test_an_annotated_transition_wins() -> None:
    found = shots("INT. KITCHEN - DAY\n\nWILL sits.\n\nCUT TO:\n\nEXT. GARDEN - DAY\n\n[[shot wipe, wide]]\n\nWILL digs.\n")
    assert found[1].transition == "wipe"


def test_a_transition_after_an_empty_scene_lands_on_the_next_scene() -> None:
    found = shots("INT. KITCHEN - DAY\n\nDISSOLVE TO:\n\nEXT. GARDEN - DAY\n\nWILL digs.\n")
    assert [s.transition for s in found] == [None, "dissolve"]


def test_a_centered_line_is_a_card() -> None:
    found = shots("INT. KITCHEN - DAY\n\nWILL sits.\n\n> THE END <\n")
    card = found[-1]
    assert (card.framing, card.card, card.subjects) == ("card", "THE END", ())
    assert (card.duration_s, card.timed_by) == (DEFAULTS.timing.card_s, "action")


def test_a_heading_with_nothing_under_it_is_one_establishing_shot() -> None:
    found = shots("INT. KITCHEN - DAY\n\n[[music: stop]]\n\nEXT. GARDEN - NIGHT\n\nWILL digs.\n")
    empty = found[0]
    assert (empty.id, empty.framing, empty.set_key, empty.light) == ("1.1", "wide", "kitchen", "day")
    assert (empty.action, empty.subjects, empty.duration_s, empty.timed_by) == ("", (), 2.0, "minimum")
    assert [s.id for s in found] == ["1.1", "2.1"]


# ---- wardrobe and music --------------------------------------------------------------------


def test_a_wardrobe_change_applies_from_the_next_shot_on() -> None:
    found = shots(
        "INT. KITCHEN - DAY\n\nWILL sits.\n\nWILL eats.\n\n[[wardrobe WILL: wet shirt]]\n\n"
        "WILL stands.\n\nEXT. GARDEN - DAY\n\nWILL digs.\n"
    )
    assert [dict(s.wardrobe).get("will") for s in found] == ["grey coat", "grey coat", "wet shirt", "wet shirt"]


def test_a_shot_records_only_the_wardrobe_of_who_it_shows() -> None:
    found = shots("INT. KITCHEN - DAY\n\nWILL sits.\n\nThe kettle whistles.\n")
    assert [s.wardrobe for s in found] == [(("will", "grey coat"),), ()]


def test_music_plays_from_the_next_shot_until_the_next_cue_or_a_stop() -> None:
    shot_list_ = shot_list(
        "INT. KITCHEN - DAY\n\nSteam rises.\n\n[[music: jazz, 90 bpm]]\n\nWILL sits.\n\nWILL eats.\n\n"
        "[[music: rock]]\n\nWILL leaves.\n\n[[music: stop]]\n\nWILL returns.\n"
    )
    jazz, rock = shot_list_.music
    assert (jazz.moods, jazz.tempo_bpm, jazz.first, jazz.end) == (("jazz",), 90.0, 1, 3)
    assert (rock.moods, rock.first, rock.end) == (("rock",), 3, 4)
    assert (jazz.start_s, jazz.duration_s) == (2.0, 4.0)


def test_music_before_an_annotated_shot_starts_with_it() -> None:
    shot_list_ = shot_list("INT. KITCHEN - DAY\n\nSteam rises.\n\n[[shot close]]\n\n[[music: harp]]\n\nWILL sits.\n")
    (harp,) = shot_list_.music
    assert (harp.first, harp.end) == (1, 2)


def test_music_playing_at_the_end_runs_to_the_last_shot_and_a_cue_after_it_is_dropped() -> None:
    shot_list_ = shot_list("INT. KITCHEN - DAY\n\n[[music: jazz]]\n\nWILL sits.\n\nWILL eats.\n\n[[music: harp]]\n")
    assert [(m.moods, m.first, m.end) for m in shot_list_.music] == [(("jazz",), 0, 2)]


# ---- durations -----------------------------------------------------------------------------


@pytest.mark.parametrize(("paragraph", "duration", "timed_by"), [
    ("WILL sits.", 2.0, "minimum"),              # 2 words: shorter than min_shot_s
    (words(12), 4.0, "action"),                  # at action_words_per_second = 3
    (words(60), 8.0, "action"),                  # never longer than max_action_shot_s
])
def test_an_action_shot_is_timed_by_its_words(paragraph: str, duration: float, timed_by: str) -> None:
    (shot,) = shots(f"INT. KITCHEN - DAY\n\n{paragraph}\n")
    assert (shot.duration_s, shot.timed_by) == (pytest.approx(duration), timed_by)


def test_a_speech_is_timed_by_words_per_second_with_a_pause() -> None:
    shot = shots(f"INT. KITCHEN - DAY\n\nWILL sits.\n\nWILL\n{words(10)}\n")[1]
    assert shot.speeches[0].duration_s == 4.0
    assert (shot.duration_s, shot.timed_by) == (pytest.approx(4.4), "speech")
    assert shot.speeches[0].start_s == shot.start_s == 2.0


def test_shots_follow_one_another_after_the_title_card() -> None:
    found = shot_list(f"INT. KITCHEN - DAY\n\n{words(12)}\n\nWILL sits.\n", title_page="Title: Salt\n\n")
    assert found.title_card_s == 3.0
    assert [s.start_s for s in found.shots] == [3.0, 7.0]
    assert found.runtime_s == pytest.approx(3.0 + 4.0 + 2.0 + 4.0)


# ---- a project's own rules -----------------------------------------------------------------


def project_shots(tmp_path: Path, toml: str, script: str) -> tuple[ir.Shot, ...]:
    write(tmp_path / "film.toml", toml)
    path = write(tmp_path / "scene.film", CAST + script)
    result = compile_file(path)
    assert not result.has_errors, [d.message for d in result.diagnostics]
    return infer(result.film, result.symbols, load_project(path, Reporter()).config).shots


def test_a_project_overrides_the_coverage_rules(tmp_path: Path) -> None:
    toml = '[coverage]\nestablishing = "Extreme Wide"\naction = "close"\nexchange = "two-shot"\n'
    script = "INT. KITCHEN - DAY\n\nSteam rises.\n\nWILL sits.\n\nWILL\nPass the salt.\n\nANNA\nHere.\n"
    assert [s.framing for s in project_shots(tmp_path, toml, script)] == ["extreme wide", "close", "two shot", "two shot"]


def test_a_project_overrides_reaction_after_words(tmp_path: Path) -> None:
    script = f"INT. KITCHEN - DAY\n\nWILL and ANNA sit.\n\nWILL\n{words(10)}\n"
    assert len(project_shots(tmp_path, "[coverage]\nreaction_after_words = 5\n", script)) == 3


def test_a_project_overrides_pacing_and_timing(tmp_path: Path) -> None:
    toml = "[pacing]\nwords_per_second = 2.0\n\n[timing]\nline_pause_s = 0.0\nmin_shot_s = 1.0\n"
    script = f"INT. KITCHEN - DAY\n\nWILL sits.\n\nWILL\n{words(10)}\n"
    found = project_shots(tmp_path, toml, script)
    assert [(s.duration_s, s.timed_by) for s in found] == [(1.0, "minimum"), (5.0, "speech")]


def test_a_dual_pair_after_a_speech_pairs_its_own_two_cues() -> None:
    found = shots("INT. KITCHEN - DAY\n\nWILL and ANNA sit.\n\nWILL\nListen.\n\nANNA\nNow!\n\nWILL ^\nNow!\n")
    assert [(heard(s), s.framing) for s in found[1:]] == [(["WILL"], "over the shoulder"),
                                                         (["ANNA", "WILL"], "two shot")]


def test_a_crowd_speaking_is_a_group_shot_with_nobody_to_draw() -> None:
    found = shots("INT. HALL - DAY\n\nWILL faces THE CROWD.\n\nTHE CROWD\nNo!\n\nALL\nNever!\n")
    assert found[0].subjects == ("will",)
    assert [(s.framing, s.subjects) for s in found[1:]] == [("wide", ()), ("wide", ())]


def test_an_alias_starting_with_the_still_lets_the_name_after_it_count() -> None:
    # `aka: THE SEA GOD`: "the SEA GOD" begins with a small letter, but SEA GOD is named.
    text = ("[[cast ALIN: lean fisherman]]\n[[cast SEA GOD: figure of dark water\n  aka: THE SEA GOD]]\n\n"
            "EXT. SHORE - DAWN\n\nALIN waits.\n\nFar out, the SEA GOD rises.\n\nALIN watches the SEA GOD rise.\n")
    assert framed(text)[1:] == [("medium", ("sea god",)), ("medium", ("alin", "sea god"))]


def test_a_shot_annotated_fade_out_ends_on_black() -> None:
    found = shots("INT. KITCHEN - DAY\n\nSteam rises.\n\n[[shot wide, fade out, 3s]]\n\nWILL leaves.\n")
    assert (found[-1].fade_out, found[-1].transition) == (True, None)
