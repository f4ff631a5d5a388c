"""The local backend's ffmpeg side on small pictures: camera moves, segments, the timeline,
ducking and laying sounds."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from filmc.backends.base import Job
from filmc.backends.local import media, music

SIZE = {"width": 160, "height": 90, "fps": 12}


@pytest.fixture(scope="module")
def still(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("still") / "still.png"
    image = Image.new("RGB", (160, 90), (30, 50, 80))
    draw = ImageDraw.Draw(image)
    for x in range(0, 160, 16):
        draw.rectangle((x, 30, x + 8, 60), fill=(220, 190, 60))
    image.save(path)
    return path


def frames_of(path: Path) -> np.ndarray:
    raw = subprocess.run([media.ffmpeg(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, 90, 160).astype(np.int16)


@pytest.mark.parametrize("move", ["static", "push in", "pull out", "pan left", "tilt up", "handheld", "orbit", "zoom in"])
def test_a_camera_move_lasts_its_frames_and_moves_unless_static(still: Path, tmp_path: Path, move: str) -> None:
    out = asyncio.run(media.camera_move(still, {**SIZE, "move": move, "duration_s": 2.0, "seed": 7}, tmp_path / "c.mov"))
    pictures = frames_of(out)
    assert len(pictures) == 24
    moved = np.abs(pictures[0] - pictures[-1]).mean()
    assert (moved < 1) if move == "static" else (moved > 2), moved


def test_a_caption_stays_put_while_the_camera_moves(still: Path, tmp_path: Path) -> None:
    params = {**SIZE, "move": "push in", "duration_s": 1.0, "seed": 1, "caption": "A long caption of the action."}
    pictures = frames_of(asyncio.run(media.camera_move(still, params, tmp_path / "c.mov")))
    band = pictures[:, :6]  # the top rows: the caption's dark band, in every frame
    assert band.mean() < 40 and np.abs(band[0] - band[-1]).mean() < 3


def test_handheld_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    assert media.move_expressions("handheld", 48, 3) == media.move_expressions("handheld", 48, 3)
    assert media.move_expressions("handheld", 48, 3) != media.move_expressions("handheld", 48, 4)


def card_job(tmp_path: Path, **params) -> Job:
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    return Job(task_id="title", kind="segment", workdir=workdir, inputs={},
               params={**SIZE, "card": "title", "title": {"title": ["T"]}, "duration_s": 1.5, "lines": [], **params})


def test_a_card_segment_has_picture_and_sound_of_its_length(tmp_path: Path) -> None:
    out = asyncio.run(media.segment(card_job(tmp_path), tmp_path / "s.mov"))
    found = asyncio.run(media.probe(out))
    assert found is not None and found.frames == 18 and (found.width, found.height) == (160, 90)
    sound = asyncio.run(media.decode_audio(out))
    assert sound.shape[0] == 18 * media.RATE // 12


def test_a_segment_copies_a_clip_it_does_not_change_and_reencodes_one_it_fades(still: Path, tmp_path: Path) -> None:
    clip = asyncio.run(media.camera_move(still, {**SIZE, "move": "pan left", "duration_s": 1.0, "seed": 1}, tmp_path / "c.mov"))
    base = {**SIZE, "duration_s": 1.0, "transition": None, "fade_out": False, "sounds": [], "lines": []}
    for name, extra in (("cut", {}), ("fade", {"transition": "fade in"})):
        workdir = tmp_path / name
        workdir.mkdir()
        job = Job(task_id=name, kind="segment", params={**base, **extra}, inputs={"clip": clip}, workdir=workdir)
        out = asyncio.run(media.segment(job, workdir / "s.mov"))
        pictures = frames_of(out)
        assert len(pictures) == 12
        if name == "cut":
            assert np.array_equal(pictures, frames_of(clip))  # the very same frames
        else:
            assert pictures[0].mean() < 5 < pictures[-1].mean()  # from black


def test_a_line_begun_in_the_shot_before_is_heard_from_where_it_was() -> None:
    track = np.zeros((100, 2), dtype=np.float32)
    line = np.tile(np.arange(150, dtype=np.float32)[:, None], (1, 2))
    media.place(track, line, -40, fade=10)
    assert track[0, 0] == 40 and track[59, 0] == 99  # its samples from 40 on,
    assert track[-1, 0] == 0 < track[-5, 0] < 135  # cut at the end of the shot with a fade


def test_the_timeline_maps_plan_time_through_whole_frame_segments() -> None:
    timeline = media.Timeline.of([1.01, 1.01, 1.01], 24)  # each 24.24 frames: 24 in the film
    assert timeline.end == pytest.approx(3.0)
    assert timeline(2.03) == pytest.approx(2.01)  # 0.01 s into the third segment
    assert timeline(0.5) == pytest.approx(0.5)


def test_music_ducks_under_speech_with_ramps() -> None:
    gain = media.duck(0, media.RATE * 4, [(1.0, 2.0)])
    at = lambda t: gain[int(t * media.RATE)]  # noqa: E731
    assert at(0.2) == pytest.approx(1.0) and at(1.5) == pytest.approx(0.25)
    assert 0.25 < at(0.85) < 1.0 and 0.25 < at(2.15) < 1.0
    assert at(3.5) == pytest.approx(1.0)


@pytest.mark.parametrize(("size", "sound"), [((160, 90), "24000 Hz, mono"), ((64, 480), "48000 Hz, stereo")])
def test_the_film_joins_segments_and_lays_music_under_them(tmp_path: Path, size, sound: str) -> None:
    picture = {**SIZE, "width": size[0], "height": size[1]}
    segments = {}
    for n in (1, 2):
        folder = tmp_path / f"s{n}"
        folder.mkdir()
        job = card_job(folder)
        job = Job(task_id=job.task_id, kind=job.kind, workdir=job.workdir, inputs={}, params={**job.params, **picture})
        segments[f"segment:{n:04d}"] = asyncio.run(media.segment(job, folder / "s.mov"))
    score = tmp_path / "music.wav"
    music.write_wav(score, music.score(["warm"], 90, 3.0, 1), music.RATE)
    workdir = tmp_path / "film"
    workdir.mkdir()
    params = {**picture, "segments": [1.5, 1.5], "music": [{"role": "music:1", "start_s": 0.0, "duration_s": 3.0}],
              "speech": []}
    out = asyncio.run(media.film(Job(task_id="film", kind="film", params=params, workdir=workdir,
                                     inputs={**segments, "music:1": score}), workdir / "film.mp4"))
    found = asyncio.run(media.probe(out))
    assert found is not None and found.frames == 36
    heard = asyncio.run(media.decode_audio(out))
    assert np.sqrt(np.mean(heard[media.RATE // 2:media.RATE * 2] ** 2)) > 0.01  # the music is there
    info = subprocess.run([media.ffmpeg(), "-hide_banner", "-i", str(out)], capture_output=True, text=True).stderr
    assert sound in info  # a draft's sound is lighter


def test_a_clip_from_another_service_is_fitted_to_the_film(still: Path, tmp_path: Path) -> None:
    # Another size, another frame rate, and shorter than its shot: a real service's clip.
    foreign = asyncio.run(media.camera_move(still, {"width": 200, "height": 112, "fps": 24, "move": "pan right",
                                                    "duration_s": 0.5, "seed": 1}, tmp_path / "foreign.mov"))
    job = Job(task_id="s", kind="segment", workdir=tmp_path, inputs={"clip": foreign},
              params={**SIZE, "duration_s": 1.0, "transition": None, "fade_out": False, "sounds": [], "lines": []})
    out = asyncio.run(media.segment(job, tmp_path / "s.mov"))
    found = asyncio.run(media.probe(out))
    assert found is not None and (found.width, found.height, found.frames) == (160, 90, 12)
    pictures = frames_of(out)
    assert np.abs(pictures[-1] - pictures[-4]).mean() < 1  # held on its last frame
