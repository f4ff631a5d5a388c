"""Subtitles of a film from its plan: one cue per speech, timed as the rendered film plays it.

Each segment of the film lasts a whole number of frames (`backends.base.frames`), so a cue's
time is its place in its shot plus where that shot really starts in the film, not the plan's
unrounded sum; over a long film the two drift apart by up to half a frame a shot.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..backends.base import frames
from . import ir


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str
    speaker: str
    off_screen: bool = False


def cues(shots: ir.ShotList, fps: int) -> list[Cue]:
    found: list[Cue] = []
    at = frames(shots.title_card_s, fps) / fps if shots.title_card_s else 0.0
    for shot in shots.shots:
        length = frames(shot.duration_s, fps) / fps
        for speech in shot.speeches:
            start = at + min(max(speech.start_s - shot.start_s, 0.0), length)
            end = start + speech.duration_s  # a long speech runs on over the next shot
            text = " ".join(speech.text.split())
            if text and end > start:
                found.append(Cue(round(start, 3), round(end, 3), text, speech.name, speech.off_screen))
        at += length
    return found


def srt(found: list[Cue]) -> str:
    """SubRip text. A voice heard off screen is in italics, as subtitlers set it."""
    blocks = []
    for n, cue in enumerate(found, 1):
        text = _wrap(cue.text)
        if cue.off_screen:
            text = "\n".join(f"<i>{line}</i>" for line in text.split("\n"))
        blocks.append(f"{n}\n{_clock(cue.start_s)} --> {_clock(cue.end_s)}\n{text}\n")
    return "\n".join(blocks)


def vtt(found: list[Cue]) -> str:
    """WebVTT text: each cue with its speaker as a voice span (`<v NAME>`), which players can
    show and style; off screen in italics."""
    blocks = ["WEBVTT\n"]
    for cue in found:
        speaker = _vtt_escape(cue.speaker).replace(">", "&gt;")
        lines = [_vtt_escape(line) for line in _wrap(cue.text).split("\n")]
        if cue.off_screen:
            lines = [f"<i>{line}</i>" for line in lines]
        lines[0] = f"<v {speaker}>{lines[0]}"
        start, end = _clock(cue.start_s).replace(",", "."), _clock(cue.end_s).replace(",", ".")
        blocks.append(f"{start} --> {end}\n" + "\n".join(lines) + "\n")
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    """Cue text cannot hold a raw `&` or `<`, nor `-->`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "--&gt;")


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def _wrap(text: str, width: int = 42) -> str:
    """At most two lines of about `width` characters, broken at the space nearest the middle
    (the convention of broadcast subtitles); longer text keeps its extra length on line two."""
    if len(text) <= width:
        return text
    middle = len(text) // 2
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(i - middle))
    return f"{text[:cut]}\n{text[cut + 1:]}"
