"""`filmc export` on a small film built for real with the `local` backend: the OTIO timeline
(read back with opentimelineio: one clip per shot, durations of the plan, media copied),
EDL and FCP X XML through OTIO's adapters, subtitles, the shot list, the statistics and the
Fountain export, and the command's rules (stdout, never overwriting a user's file)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import opentimelineio as otio
import pytest
from click.testing import CliRunner

from filmc.backends.base import frames
from filmc.compiler.build import prepare
from filmc.compiler.cli import main

FILM = """\
Title: Low Tide
Credit: Written by
Author: The export test

[[cast ALIN: 19-year-old fisherman, lean, sunburnt
  voice: young male]]

[[cast MOTHER: woman in her fifties, long grey braid
  voice: low female]]

[[set SHORE: black sand beach, stormy sea
  lighting: grey dawn]]

EXT. SHORE - DAWN

[[music: low strings, tense, 80 bpm]]

[[shot wide, push in, 3s]]

ALIN hauls the boat up the sand.

MOTHER
(quietly)
You went out past the reef again.

ALIN
The fish don't wait.

[[shot close on MOTHER, 2s]]

MOTHER looks at the sea.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The film, built at full quality (24 fps: FCP X XML needs a standard rate)."""
    folder = tmp_path_factory.mktemp("export")
    script = folder / "tide.film"
    script.write_text(FILM, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(script)])
    assert result.exit_code == 0, result.output
    return script


def run(*args: str) -> object:
    return CliRunner().invoke(main, ["export", *args])


def test_otio_timeline_matches_the_plan(built: Path) -> None:
    out = built.with_name("edit.otio")
    result = run(str(built), "--to", "otio", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "not built" not in result.output
    prepared, _ = prepare(built, str(built))
    plan = prepared.plan
    fps = int(plan.graph.tasks["film"].params["fps"])
    timeline = otio.adapters.read_from_file(str(out))
    picture, dialogue, music = timeline.tracks
    assert [t.kind for t in timeline.tracks] == ["Video", "Audio", "Audio"]
    shot_clips = [c for c in picture.find_clips() if "shot" in c.metadata["filmc"]]
    assert [c.metadata["filmc"]["shot"] for c in shot_clips] == [s.id for s in plan.shots.shots]
    for clip, shot in zip(shot_clips, plan.shots.shots, strict=True):
        assert clip.duration().value == frames(shot.duration_s, fps)
        assert clip.metadata["filmc"]["heading"] == "EXT. SHORE - DAWN"
        assert clip.metadata["filmc"]["source"] == f"{built}:{shot.span.line}"
        assert Path(clip.media_reference.target_url.removeprefix("file://")).is_file()
    assert picture.duration().to_seconds() == pytest.approx(plan.runtime_s, abs=len(plan.graph) / fps)
    assert [c.name for c in picture.find_clips()][:2] == ["title card", "1.1 wide on ALIN"]
    speeches = [s for shot in plan.shots.shots for s in shot.speeches]
    lines = list(dialogue.find_clips())
    assert [c.metadata["filmc"]["character"] for c in lines] == [s.name for s in speeches]
    for clip, speech in zip(lines, speeches, strict=True):
        start = dialogue.range_of_child(clip).start_time
        assert start.value == round(speech.start_s * fps)
        assert clip.duration().value == frames(speech.duration_s, fps)
    assert len(list(music.find_clips())) == len(plan.shots.music) == 1
    media = sorted(p.name for p in built.with_name("edit_media").iterdir())
    assert "shot-1.1.mov" in media or "shot-1.1.mp4" in media
    assert any(name.startswith("line-1.2-1.") for name in media)


def test_edl_and_fcpxml_read_back(built: Path) -> None:
    prepared, _ = prepare(built, str(built))
    shots = len(prepared.plan.shots.shots)
    for kind, adapter in (("edl", "cmx_3600"), ("fcpxml", "fcpx_xml")):
        out = built.with_name(f"edit.{kind}")
        result = run(str(built), "--to", kind, "-o", str(out))
        assert result.exit_code == 0, result.output
        timeline = otio.adapters.read_from_file(str(out), adapter_name=adapter)
        names = [c.name for c in timeline.find_clips()]
        assert sum(1 for n in names if n[:1].isdigit()) == shots, names


def test_fcpxml_refuses_the_draft_rate(built: Path) -> None:
    result = run(str(built), "--to", "fcpxml", "--draft", "-o", str(built.with_name("d.fcpxml")))
    assert result.exit_code == 1
    assert "12 fps" in result.output and "Traceback" not in result.output


def test_unbuilt_timeline_has_missing_references(tmp_path: Path) -> None:
    script = tmp_path / "tide.film"
    script.write_text(FILM, encoding="utf-8")
    result = run(str(script), "--to", "otio")
    assert result.exit_code == 0
    assert "not built yet" in result.output and "filmc build" in result.output
    timeline = otio.adapters.read_from_file(str(tmp_path / "tide.otio"))
    assert all(c.media_reference.is_missing_reference for c in timeline.find_clips())


def test_subtitles(built: Path) -> None:
    srt = run(str(built), "--to", "srt", "-o", "-")
    assert srt.exit_code == 0
    assert srt.output == built.with_suffix(".srt").read_text(encoding="utf-8")  # what build wrote beside the film
    vtt = run(str(built), "--to", "vtt", "-o", "-").output
    assert vtt.startswith("WEBVTT\n\n00:00:")
    assert "<v MOTHER>You went out past the reef again." in vtt
    assert vtt.count(" --> ") == srt.output.count(" --> ") == 2


def test_shotlist_and_its_cache_state(built: Path, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run(str(built), "--to", "shotlist", "-o", "-").output)))
    # The annotated shot films the action; the coverage rules add a shot for each speech.
    assert [r["shot"] for r in rows] == ["1.1", "1.2", "1.3", "1.4"]
    assert rows[0]["framing"] == "wide" and rows[0]["camera_move"] == "push in"
    assert rows[1]["dialogue"] == "MOTHER: You went out past the reef again."
    assert rows[1]["subjects"] == "MOTHER, ALIN" and rows[3]["subjects"] == "MOTHER"
    assert [r["duration_s"] for r in rows] == ["3", "3.2", "2", "2"]
    assert {r["cache"] for r in rows} == {"built"}
    assert rows[0]["backend"] == "local" and rows[0]["source"].endswith("tide.film:18")
    fresh = tmp_path / "tide.film"
    fresh.write_text(FILM, encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(run(str(fresh), "--to", "shotlist", "-o", "-").output)))
    assert {r["cache"] for r in rows} == {"not built"}


def test_stats(built: Path) -> None:
    result = run(str(built), "--to", "stats", "-o", str(built.with_name("stats.json")))
    assert result.exit_code == 0
    stats = json.loads(built.with_name("stats.json").read_text(encoding="utf-8"))
    assert stats["title"] == "Low Tide" and stats["scenes"] == 1 and stats["shots"] == 4
    characters = {c["name"]: c for c in stats["characters"]}
    assert characters["MOTHER"]["lines"] == 1 and characters["ALIN"]["lines"] == 1
    assert characters["ALIN"]["screen_time_s"] == pytest.approx(3 + 3.2 + 2)
    assert characters["MOTHER"]["screen_time_s"] == pytest.approx(3.2 + 2 + 2)
    assert characters["MOTHER"]["words"] == 7
    assert stats["locations"][0]["name"] == "SHORE"
    assert 0 < stats["pages"] <= 1
    text = run(str(built), "--to", "stats", "-o", "-").output
    assert "MOTHER" in text and "pages" in text


def test_fountain_and_the_rules_of_writing(tmp_path: Path) -> None:
    script = tmp_path / "tide.film"
    script.write_text(FILM, encoding="utf-8")
    result = run(str(script), "--to", "fountain")
    assert result.exit_code == 0, result.output
    exported = (tmp_path / "tide.fountain").read_text(encoding="utf-8")
    assert "[[" not in exported and "ALIN hauls the boat" in exported
    again = run(str(script), "--to", "fountain")  # filmc wrote it: it may replace it
    assert again.exit_code == 0
    mine = tmp_path / "mine.fountain"
    mine.write_text("my own notes\n", encoding="utf-8")
    refused = run(str(script), "--to", "fountain", "-o", str(mine))
    assert refused.exit_code == 1 and "filmc did not write it" in refused.output
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    assert run(str(script), "--to", "fountain", "-o", str(mine), "--force").exit_code == 0
    assert "[[" not in mine.read_text(encoding="utf-8")
    plain = tmp_path / "scene.fountain"
    plain.write_text("INT. ROOM - DAY\n\nA chair.\n", encoding="utf-8")
    assert run(str(plain), "--to", "fountain").exit_code == 0
    assert (tmp_path / "scene.plain.fountain").is_file()  # never the script itself
    assert plain.read_text(encoding="utf-8") == "INT. ROOM - DAY\n\nA chair.\n"


def test_bad_input(tmp_path: Path) -> None:
    script = tmp_path / "bad.film"
    script.write_text("[[shot wibble]]\n\nINT. X - DAY\n\nHi.\n", encoding="utf-8")
    result = run(str(script), "--to", "shotlist")
    assert result.exit_code == 1
    assert "bad.film:1:8" in result.output and "Traceback" not in result.output
    assert run(str(tmp_path / "missing.film"), "--to", "fountain").exit_code == 1
    assert run(str(script), "--to", "storyboard", "-o", "-").exit_code == 2


def test_media_folder_keeps_a_users_file(built: Path) -> None:
    media = built.with_name("cut.v2_media")
    media.mkdir()
    mine = media / "title.mov"
    mine.write_bytes(b"my own title card")
    result = run(str(built), "--to", "otio", "-o", str(built.with_name("cut.v2.otio")))
    assert result.exit_code == 1 and "filmc did not write it" in result.output
    assert mine.read_bytes() == b"my own title card"
    assert run(str(built), "--to", "otio", "-o", str(built.with_name("cut.v2.otio")), "--force").exit_code == 0
    assert mine.read_bytes() != b"my own title card"
    again = run(str(built), "--to", "otio", "-o", str(built.with_name("cut.v2.otio")))  # filmc's own copies now
    assert again.exit_code == 0, again.output


def test_edl_refuses_the_draft_rate(built: Path) -> None:
    result = run(str(built), "--to", "edl", "--draft", "-o", str(built.with_name("d.edl")))
    assert result.exit_code == 1 and "12 fps" in result.output and "Traceback" not in result.output


REPEATED = """\
Title: Knock

INT. DOOR - NIGHT

[[shot insert, static, 2s]]

A fist knocks on the door.

[[shot wide, static, 2s]]

Nobody answers.

[[shot insert, static, 2s]]

A fist knocks on the door.
"""


def test_repeated_shots_that_share_tasks(tmp_path: Path) -> None:
    """The planner makes two identical shots one set of tasks; each row and clip is still its
    own shot."""
    script = tmp_path / "knock.film"
    script.write_text(REPEATED, encoding="utf-8")
    assert CliRunner().invoke(main, ["build", "--draft", str(script)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(run(str(script), "--draft", "--to", "shotlist", "-o", "-").output)))
    assert [(r["shot"], r["framing"], r["cache"], r["backend"]) for r in rows] == [
        ("1.1", "insert", "built", "local"), ("1.2", "wide", "built", "local"), ("1.3", "insert", "built", "local")]
    assert rows[2]["source"].endswith("knock.film:13")
    out = tmp_path / "knock.otio"
    assert run(str(script), "--draft", "--to", "otio", "-o", str(out)).exit_code == 0
    clips = [c for c in otio.adapters.read_from_file(str(out)).tracks[0].find_clips() if "shot" in c.metadata["filmc"]]
    assert [(c.metadata["filmc"]["shot"], c.metadata["filmc"]["source"]) for c in clips] == [
        ("1.1", f"{script}:5"), ("1.2", f"{script}:9"), ("1.3", f"{script}:13")]


def test_fountain_refuses_what_is_not_text(tmp_path: Path) -> None:
    script = tmp_path / "bin.film"
    script.write_bytes(b"INT. X\x00\n")
    result = run(str(script), "--to", "fountain")
    assert result.exit_code == 1 and "binary" in result.output
    assert not (tmp_path / "bin.fountain").exists()
