"""Every example film built for real with the embedded `local` backend, at draft quality, and
the result checked with the ffmpeg that filmc itself uses: streams, length, pictures, speech,
subtitles, and a character's colours from shot to shot."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from filmc.backends.base import frames
from filmc.backends.local import draw
from filmc.compiler.build import prepare
from filmc.compiler.plan import Options

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".film", ".fountain"))
RATE = 16000  # audio is read back at this rate for the checks


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def filmc(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "filmc", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


class Built:
    """One example, built at draft quality in a folder of its own."""

    def __init__(self, folder: Path, script: Path, run: subprocess.CompletedProcess) -> None:
        self.folder, self.script, self.run = folder, script, run
        self.film = folder / "film.mp4"
        self.srt = folder / "film.srt"
        prepared, _ = prepare(script, script.name, options=Options(draft=True))
        assert prepared is not None
        self.prepared = prepared
        self.plan = prepared.plan
        self.fps = int(self.plan.graph.tasks["film"].params["fps"])
        self.size = (int(self.plan.graph.tasks["film"].params["width"]), int(self.plan.graph.tasks["film"].params["height"]))

    def starts(self) -> dict[str, float]:
        """Where each shot starts in the rendered film (segments are whole frames)."""
        shots = self.plan.shots
        at = frames(shots.title_card_s, self.fps) / self.fps if shots.title_card_s else 0.0
        found = {}
        for shot in shots.shots:
            found[shot.id] = at
            at += frames(shot.duration_s, self.fps) / self.fps
        return found

    def frame(self, t: float) -> np.ndarray:
        """The picture at `t` seconds, RGB."""
        w, h = self.size
        raw = subprocess.run([ffmpeg(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(self.film), "-frames:v", "1",
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
        return np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 3)

    def audio(self) -> np.ndarray:
        raw = subprocess.run([ffmpeg(), "-v", "error", "-i", str(self.film), "-vn", "-ac", "1", "-ar", str(RATE),
                              "-f", "s16le", "-"], capture_output=True, check=True).stdout
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.name)
def built(request, tmp_path_factory) -> Built:
    example: Path = request.param
    folder = tmp_path_factory.mktemp(example.stem)
    script = folder / example.name
    shutil.copyfile(example, script)
    run = filmc("build", example.name, "--draft", "-o", "film.mp4", cwd=folder)
    assert run.returncode == 0, run.stderr[-3000:]
    return Built(folder, script, run)


def streams(path: Path) -> str:
    return subprocess.run([ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr


def test_the_film_has_a_picture_and_a_sound_track(built: Built) -> None:
    info = streams(built.film)
    assert re.search(r"Stream #0:\d.*Video: h264", info), info
    assert re.search(r"Stream #0:\d.*Audio: aac.*24000 Hz, mono", info), info  # a draft's sound
    w, h = built.size
    assert f"{w}x{h}" in info and h == 360


def test_the_film_lasts_what_the_plan_said(built: Built) -> None:
    run = filmc("plan", built.script.name, "--draft", "--json", cwd=built.folder)
    predicted = json.loads(run.stdout)["runtime_seconds"]
    counted = subprocess.run([ffmpeg(), "-hide_banner", "-i", str(built.film), "-map", "0:v:0", "-c", "copy",
                              "-f", "null", "-"], capture_output=True, text=True).stderr
    video_frames = int(re.findall(r"frame=\s*(\d+)", counted)[-1])
    segments = len(built.plan.shots.shots) + 2  # the title and end cards
    assert abs(video_frames / built.fps - predicted) <= segments / built.fps, (video_frames, predicted)
    sound_s = built.audio().shape[0] / RATE
    assert abs(sound_s - video_frames / built.fps) < 0.1


def test_every_shot_shows_a_picture(built: Built) -> None:
    starts = built.starts()
    for shot in built.plan.shots.shots:
        picture = built.frame(starts[shot.id] + shot.duration_s * 0.6)
        assert picture.mean() > 20, f"shot {shot.id} is black"
        assert picture.std() > 8, f"shot {shot.id} is a flat colour"


def test_speech_is_heard_where_there_is_dialogue(built: Built) -> None:
    sound = built.audio()
    cues = parse_srt(built.srt.read_text(encoding="utf-8"))
    assert cues, "no dialogue in the subtitles"
    for start, end, text in cues:
        piece = sound[int(start * RATE):int(end * RATE)]
        level = 20 * np.log10(np.sqrt(np.mean(piece ** 2)) + 1e-9)
        assert level > -32, f"{text!r} at {start:.2f}s is silent ({level:.1f} dBFS)"


def test_the_subtitles_are_the_dialogue(built: Built) -> None:
    said = [" ".join(s.text.split()) for shot in built.plan.shots.shots for s in shot.speeches]
    cues = parse_srt(built.srt.read_text(encoding="utf-8"))
    assert [" ".join(text.split()) for _, _, text in cues] == said
    starts = built.starts()
    for (start, _, _), speech_start in zip(cues, [starts[shot.id] + s.start_s - shot.start_s for shot in
                                                  built.plan.shots.shots for s in shot.speeches], strict=True):
        assert abs(start - speech_start) < 0.002


def test_a_second_build_makes_nothing(built: Built) -> None:
    again = filmc("build", built.script.name, "--draft", "-o", "film.mp4", cwd=built.folder)
    assert again.returncode == 0, again.stderr
    assert "0 made" in again.stderr


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    def seconds(clock: str) -> float:
        h, m, rest = clock.split(":")
        s, ms = rest.split(",")
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    found = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        words = re.sub(r"</?i>", "", " ".join(lines[2:]))
        found.append((seconds(start), seconds(end), words))
    return found


# ---- consistency: a character looks the same in every shot -------------------------------

def colour_share(picture: np.ndarray, colour: tuple[int, int, int], within: float = 24.0) -> float:
    """The share of the picture within `within` (RGB distance) of `colour`."""
    distance = np.sqrt(((picture.astype(np.float32) - np.array(colour, dtype=np.float32)) ** 2).sum(axis=2))
    return float((distance < within).mean())


CLOSE_ENOUGH = ("medium", "medium close", "close", "extreme close", "two-shot", "over the shoulder", "full", "cowboy")


def sheet_palettes(b: Built) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Each character sheet task's palette, as the drawn sheet in the cache records it."""
    found = {}
    for task in b.plan.graph:
        if task.kind == "character_sheet":
            entry = b.prepared.cache.get(task.key)
            assert entry is not None, f"{task.id} is not in the cache after the build"
            meta = draw.load_meta(b.prepared.cache.blob(entry))
            found[task.id] = {k: tuple(v) for k, v in meta["figure"]["palette"].items()}
    return found


def test_a_character_wears_the_same_colours_in_every_shot(built: Built) -> None:
    """Measured on the rendered film: in every shot close enough to see clothes, each
    character's clothes show in the colours of their current sheet; after a wardrobe change,
    the new sheet's colours show and the old accent gives way to the new one."""
    palettes = sheet_palettes(built)
    starts = built.starts()
    checked = compared = 0
    for shot in built.plan.shots.shots:
        if shot.framing not in CLOSE_ENOUGH or not shot.subjects:
            continue
        keyframe = built.plan.graph.tasks.get(f"shot/{shot.id}/keyframe") or next(
            (t for t in built.plan.graph if t.kind == "keyframe" and t.shot == shot.id), None)
        if keyframe is None:
            continue
        picture = built.frame(starts[shot.id] + shot.duration_s * 0.5)
        for role, sheet in keyframe.inputs:
            if not role.startswith("sheet:"):
                continue
            palette = palettes[sheet]
            assert colour_share(picture, palette["top"]) > 0.002, (shot.id, role, "top", palette["top"])
            others = [p for s, p in palettes.items() if s != sheet and s.split("~")[0] == sheet.split("~")[0]]
            for other in others:
                if _distance(other["accent"], palette["accent"]) > 60:
                    # A small accent (an armband) may not show at all; a wrong one must not.
                    own, wrong = colour_share(picture, palette["accent"]), colour_share(picture, other["accent"])
                    assert own >= wrong and (wrong == 0 or own > wrong), (shot.id, role, "wears another sheet's accent")
                    compared += own > 0
            checked += 1
    assert checked >= 3
    changed = any(_distance(a["accent"], b["accent"]) > 60 for s, a in palettes.items() for t, b in palettes.items()
                  if s != t and s.split("~")[0] == t.split("~")[0])
    assert compared >= 2 or not changed, "a wardrobe change that no shot was measured against"


def _distance(a, b) -> float:
    return float(np.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True))))


def test_the_same_script_renders_to_the_same_bytes(tmp_path: Path) -> None:
    """The local backend is deterministic: two builds in two places (and two hash seeds) make
    every task's output byte for byte the same."""
    example = ROOT / "examples" / "plain-scene.fountain"
    digests = []
    for n, seed in enumerate(("1", "2")):
        folder = tmp_path / f"build{n}"
        folder.mkdir()
        shutil.copyfile(example, folder / example.name)
        run = subprocess.run([sys.executable, "-m", "filmc", "build", example.name, "--draft"], cwd=folder,
                             capture_output=True, text=True, timeout=600,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert run.returncode == 0, run.stderr[-2000:]
        lock = json.loads((folder / "film.lock").read_text(encoding="utf-8"))
        (section,) = lock["films"].values()
        digests.append({task: entry["digest"] for task, entry in section.items()})
    assert digests[0] == digests[1] and len(digests[0]) > 20
