"""Moving pictures and sound for the local backend, with the ffmpeg that imageio-ffmpeg ships.

The heavy paths stream through ffmpeg; Python only decides what to ask for and mixes audio
(numpy, a second at a time, so memory stays flat however long the film).

- A clip is a camera move over its first frame: one `zoompan` over the still, whose zoom and
  centre follow the move (push in, pan, tilt, handheld...) with an eased start and stop.
- A segment is one shot, ready to cut: its clip (copied as is when nothing about the picture
  changes, re-encoded for a fade, a dissolve, a wipe or burned-in subtitles) with the shot's
  voice lines and sound effects laid under it at their offsets, as PCM.
- The film joins the segments with the concat demuxer (a stream copy: every segment is encoded
  with the same settings), and mixes the music under the dialogue, ducked where anyone speaks.

Every segment lasts a whole number of frames (`frames`); the film maps the plan's times (music
starts, speech) through the segments' real lengths, so nothing drifts.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..base import BackendError, Job, frames

RATE = 48000          # audio sample rate of segments and the film
CHANNELS = 2
_BLOCK_S = 1.0        # the film's audio is mixed a second at a time
_TAIL = 4000          # characters of ffmpeg's stderr kept for an error message


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def missing() -> str | None:
    """Why the local renderer cannot run here, or None."""
    try:
        exe = ffmpeg()
    except Exception as exc:  # noqa: BLE001 - imageio-ffmpeg raises RuntimeError or OSError
        return f"the local renderer needs the ffmpeg of imageio-ffmpeg, which is not usable here: {exc}"
    if not os.access(exe, os.X_OK):
        return f"the ffmpeg of imageio-ffmpeg at {exe} is not executable"
    return None


@dataclass(frozen=True)
class Encoding:
    """How every picture of one film is encoded. Segments are joined by a stream copy, so
    they must all share it; it depends only on the picture size and frame rate."""

    width: int
    height: int
    fps: int

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Encoding:
        return cls(int(params["width"]), int(params["height"]), int(params["fps"]))

    @property
    def draft(self) -> bool:
        return self.height < 480

    def video_args(self) -> list[str]:
        # x264 is most of the render time here (zoompan itself is cheap): the fastest presets
        # that still look clean, 2 to 3 times faster than `veryfast` for somewhat larger files.
        preset, crf = ("ultrafast", "26") if self.draft else ("ultrafast", "21")
        return ["-c:v", "libx264", "-preset", preset, "-crf", crf, "-pix_fmt", "yuv420p", "-profile:v", "high",
                "-g", str(self.fps * 4), "-r", str(self.fps), "-video_track_timescale", str(self.fps * 1000),
                "-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]


async def run(args: Sequence[str], what: str, stdin: bytes | None = None) -> bytes:
    """Run ffmpeg; its stdout, or a BackendError with the end of what it said."""
    head = ["-hide_banner", "-v", "error", "-y"] + (["-nostdin"] if stdin is None else [])
    proc = await asyncio.create_subprocess_exec(
        ffmpeg(), *head, *args,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        out, err = await proc.communicate(stdin)
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise
    if proc.returncode != 0:
        said = err.decode("utf-8", "replace").strip()[-_TAIL:]
        raise BackendError(f"ffmpeg could not {what} (exit {proc.returncode}): {said or 'no message'}")
    return out


# ---- clips: a camera move over a still ----------------------------------------------------

# Each move as where it starts and ends: (zoom, centre x, centre y), the centre as a fraction
# of the picture. A zoom above 1 leaves room to move.
_MOVES: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "static": ((1.0, 0.5, 0.5), (1.0, 0.5, 0.5)),
    "push in": ((1.0, 0.5, 0.5), (1.18, 0.5, 0.45)),
    "pull out": ((1.18, 0.5, 0.45), (1.0, 0.5, 0.5)),
    "pan left": ((1.15, 0.6, 0.5), (1.15, 0.4, 0.5)),
    "pan right": ((1.15, 0.4, 0.5), (1.15, 0.6, 0.5)),
    "tilt up": ((1.15, 0.5, 0.6), (1.15, 0.5, 0.4)),
    "tilt down": ((1.15, 0.5, 0.4), (1.15, 0.5, 0.6)),
    "crane up": ((1.12, 0.5, 0.62), (1.2, 0.5, 0.4)),
    "crane down": ((1.2, 0.5, 0.4), (1.12, 0.5, 0.62)),
    "orbit": ((1.15, 0.42, 0.5), (1.2, 0.58, 0.48)),
    "handheld": ((1.08, 0.5, 0.5), (1.08, 0.5, 0.5)),
}
_SAME_MOVE = {"locked off": "static", "dolly in": "push in", "zoom in": "push in", "pull back": "pull out",
              "dolly out": "pull out", "zoom out": "pull out", "track left": "pan left", "track right": "pan right"}


def move_expressions(move: str, count: int, seed: int) -> tuple[str, str, str]:
    """zoompan's zoom, x and y expressions (of the output frame number `on`) for a move."""
    name = _SAME_MOVE.get(move, move)
    (z0, x0, y0), (z1, x1, y1) = _MOVES.get(name, _MOVES["static"])
    last = max(count - 1, 1)
    ease = f"(3*pow(on/{last},2)-2*pow(on/{last},3))"  # smoothstep: the camera starts and stops gently

    def between(a: float, b: float) -> str:
        return f"{a:g}" if a == b else f"({a:g}+({b - a:g})*{ease})"

    zoom, cx, cy = between(z0, z1), between(x0, x1), between(y0, y1)
    if name == "handheld":
        # A hand's drift: a few slow sines of incommensurate periods, phased by the seed.
        rng = np.random.default_rng(seed)
        px, py = rng.uniform(0, 2 * math.pi, 3), rng.uniform(0, 2 * math.pi, 3)
        cx = _drift((0.012, 0.006, 0.003), (17, 7.3, 3.1), px)
        cy = _drift((0.01, 0.005, 0.003), (13, 5.9, 2.7), py)
    # Keep the window inside the picture whatever the centre.
    x = f"max(0,min(iw-iw/zoom,{cx}*iw-iw/zoom/2))"
    y = f"max(0,min(ih-ih/zoom,{cy}*ih-ih/zoom/2))"
    return zoom, x, y


def _fit(enc: Encoding) -> str:
    """The filters that bring any picture to the film's size: scaled to cover it, centre cut."""
    size = f"{enc.width}:{enc.height}"
    return f"scale={size}:force_original_aspect_ratio=increase:flags=bicubic,crop={size},setsar=1"


def _drift(amplitudes, periods, phases) -> str:
    terms = "".join(f"+{a:g}*sin(on/{p:g}+{f:.4f})" for a, p, f in zip(amplitudes, periods, phases, strict=True))
    return f"(0.5{terms})"


async def camera_move(still: Path, params: Mapping[str, Any], out: Path) -> Path:
    enc = Encoding.of(params)
    count = frames(float(params["duration_s"]), enc.fps)
    move = str(params.get("move") or "static")
    fit = f"[0:v]{_fit(enc)}"
    if _SAME_MOVE.get(move, move) not in _MOVES.keys() - {"static"}:
        # Nothing moves: the still, fitted once and repeated (a quarter cheaper than zoompan).
        chain = f"{fit},format=yuv420p,loop=loop={count - 1}:size=1:start=0,setpts=N/{enc.fps}/TB"
    else:
        zoom, x, y = move_expressions(move, count, int(params.get("seed") or 0))
        chain = f"{fit},zoompan=z='{zoom}':x='{x}':y='{y}':d={count}:s={enc.width}x{enc.height}:fps={enc.fps}"
    inputs = ["-i", str(still)]
    text = " ".join(str(params.get("caption") or "").split())
    if text:
        # The caption stays still while the camera moves: laid over the picture after the move.
        from . import draw

        band = out.with_name("caption.png")

        def draw_band() -> tuple[int, int]:
            # Only the band, not the transparent rest: overlay blends every pixel it is given.
            image = draw.caption(text, enc.width, enc.height)
            left, top, right, bottom = image.getbbox() or (0, 0, 2, 2)
            left, top = left - left % 2, top - top % 2
            image.crop((left, top, right + right % 2, bottom + bottom % 2)).save(band)
            return left, top

        left, top = await asyncio.to_thread(draw_band)
        inputs += ["-i", str(band)]
        chain += f"[moved];[moved][1:v]overlay={left}:{top}"
    await run([*inputs, "-filter_complex", chain + ",format=yuv420p", "-frames:v", str(count), *enc.video_args(),
               "-an", str(out)], f"move the camera over {still.name}")
    return out


# ---- probing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Probe:
    codec: str
    width: int
    height: int
    pix_fmt: str
    fps: float
    frames: int


_STREAM = re.compile(r"Stream #\d+:\d+.*?: Video: (\w+).*?, (\w+)(?:\([^)]*\))?, (\d+)x(\d+).*?, ([\d.]+) fps")
_FRAMES = re.compile(r"frame=\s*(\d+)")


async def probe(path: Path) -> Probe | None:
    """A video file's first video stream and its exact frame count (by reading its packets,
    a stream copy to nowhere); None when it has no video ffmpeg understands."""
    proc = await asyncio.create_subprocess_exec(
        ffmpeg(), "-nostdin", "-hide_banner", "-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-",
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = await proc.communicate()
    text = err.decode("utf-8", "replace")
    stream, counted = _STREAM.search(text), _FRAMES.findall(text)
    if proc.returncode != 0 or stream is None or not counted:
        return None
    codec, pix_fmt, w, h, fps = stream.groups()
    return Probe(codec, int(w), int(h), pix_fmt, float(fps), int(counted[-1]))


# ---- audio --------------------------------------------------------------------------------

async def decode_audio(path: Path) -> np.ndarray:
    """Any audio file as float32 stereo at RATE, shape (n, 2)."""
    raw = await run(["-i", str(path), "-vn", "-f", "s16le", "-ac", str(CHANNELS), "-ar", str(RATE), "-"],
                    f"read the audio of {path.name}")
    return np.frombuffer(raw, dtype="<i2").reshape(-1, CHANNELS).astype(np.float32) / 32768.0


def place(track: np.ndarray, sound: np.ndarray, at: int, gain: float = 1.0, fade: int = RATE // 50) -> None:
    """Add `sound` into `track` from sample `at` (before the track when negative: a line that
    began in the shot before), cut to fit with a short fade (no click)."""
    if at < 0:
        sound, at = sound[-at:], 0
    room = track.shape[0] - at
    if room <= 0 or sound.shape[0] == 0:
        return
    piece = sound[:room] * gain
    if sound.shape[0] > room:
        n = min(fade, piece.shape[0])
        piece[-n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32)[:, None]
    track[at:at + piece.shape[0]] += piece


# ---- segments -----------------------------------------------------------------------------

_FADE_S = 0.5     # a fade in from black, or out to black
_BLEND_S = 0.6    # a dissolve or a wipe


async def segment(job: Job, out: Path) -> Path:
    p = job.params
    enc = Encoding.of(p)
    count = frames(float(p["duration_s"]), enc.fps)
    audio = await _segment_audio(job, count / enc.fps)
    sound = job.workdir / "sound.wav"
    from . import music

    music.write_wav(sound, audio, RATE)
    card = p.get("card")
    if card is not None:
        picture = await _card(job, enc)
        await _encode_segment(job, enc, count, [picture], sound, out, still=True)
        return out
    parts = _parts(job.inputs)
    if not parts:
        raise BackendError("a segment needs its shot's clip, and this task has none")
    if not _reworked(p, job.inputs) and len(parts) == 1:
        found = await probe(parts[0])
        if found and _matches(found, enc, count):
            await run(["-i", str(parts[0]), "-i", str(sound), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
                       "-c:a", "pcm_s16le", "-shortest", str(out)], "put the shot's sound under its clip")
            return out
    await _encode_segment(job, enc, count, parts, sound, out, still=False)
    return out


def _parts(inputs: Mapping[str, Path]) -> list[Path]:
    """The shot's clip, or its parts in order when the plan split it."""
    if "clip" in inputs:
        return [inputs["clip"]]
    numbered = sorted((int(role.split(".", 1)[1]), path) for role, path in inputs.items()
                      if role.startswith("clip.") and role.split(".", 1)[1].isdigit())
    return [path for _, path in numbered]


def _reworked(params: Mapping[str, Any], inputs: Mapping[str, Path]) -> bool:
    """Whether the picture changes on its way from the clip to the segment."""
    return bool(params.get("fade_out") or params.get("subtitles") or _opening(params, inputs) != "cut")


def _opening(params: Mapping[str, Any], inputs: Mapping[str, Path]) -> str:
    """How the shot begins: `fade` (from black), `dissolve` or `wipe` (from the shot before), `cut`."""
    transition = str(params.get("transition") or "")
    if transition in ("fade in", "fade up"):
        return "fade"
    if transition in ("dissolve", "wipe") and "previous" in inputs:
        return transition
    return "cut"


def _matches(found: Probe, enc: Encoding, count: int) -> bool:
    return (found.codec == "h264" and found.pix_fmt.startswith("yuv420p") and (found.width, found.height) ==
            (enc.width, enc.height) and abs(found.fps - enc.fps) < 1e-3 and found.frames == count)


async def _encode_segment(job: Job, enc: Encoding, count: int, pictures: list[Path], sound: Path, out: Path,
                          still: bool) -> None:
    p = job.params
    args: list[str] = []
    graph: list[str] = []
    fit = _fit(enc)
    # A still is fitted once, then repeated (a looped input would decode the PNG every frame);
    # a clip is brought to the film's frame rate.
    timing = f"loop=loop={count - 1}:size=1:start=0,setpts=N/{enc.fps}/TB" if still else f"fps={enc.fps}"
    for n, picture in enumerate(pictures):
        args += ["-i", str(picture)]
        graph.append(f"[{n}:v]{fit},format=yuv420p,{timing}[p{n}]")
    joined = "".join(f"[p{n}]" for n in range(len(pictures)))
    graph.append(f"{joined}concat=n={len(pictures)}:v=1:a=0[joined]" if len(pictures) > 1 else "[p0]null[joined]")
    # Exactly `count` frames: a clip that runs short holds its last frame.
    graph.append(f"[joined]tpad=stop_mode=clone:stop={count},trim=end_frame={count},setpts=PTS-STARTPTS[v0]")
    label, inputs_used = "v0", len(pictures)
    opening = "fade" if still and p.get("card") else _opening(p, job.inputs)
    if opening == "fade":
        graph.append(f"[{label}]fade=t=in:st=0:d={min(_FADE_S, count / enc.fps / 3):.3f}[v1]")
        label = "v1"
    elif opening in ("dissolve", "wipe"):
        last = job.workdir / "previous.png"
        await run(["-sseof", "-1", "-i", str(job.inputs["previous"]), "-update", "1", "-frames:v", "1",
                   "-q:v", "2", str(last)], "take the last frame of the shot before")
        blend = min(_BLEND_S, count / enc.fps / 2)
        args += ["-loop", "1", "-framerate", str(enc.fps), "-t", f"{blend + 1 / enc.fps:.3f}", "-i", str(last)]
        kind = "fade" if opening == "dissolve" else "wipeleft"
        graph.append(f"[{inputs_used}:v]{fit},fps={enc.fps},format=yuv420p[prev]")
        graph.append(f"[prev][{label}]xfade=transition={kind}:duration={blend:.3f}:offset=0,"
                     f"trim=end_frame={count}[v1]")
        label, inputs_used = "v1", inputs_used + 1
    if p.get("fade_out") or (still and p.get("card")):
        length = min(_FADE_S * (2 if p.get("fade_out") else 1), count / enc.fps / 3)
        graph.append(f"[{label}]fade=t=out:st={count / enc.fps - length:.3f}:d={length:.3f}[v2]")
        label = "v2"
    for n, cue in enumerate(p.get("subtitles") or ()):
        from . import draw

        overlay = job.workdir / f"subtitle-{n}.png"
        draw.subtitle(str(cue["text"]), enc.width, enc.height).save(overlay)
        args += ["-i", str(overlay)]
        graph.append(f"[{label}][{inputs_used}:v]overlay=0:0:enable='between(t,{cue['start_s']},{cue['end_s']})'[s{n}]")
        label, inputs_used = f"s{n}", inputs_used + 1
    args += ["-i", str(sound)]
    await run([*args, "-filter_complex", ";".join(graph), "-map", f"[{label}]", "-map", f"{inputs_used}:a:0",
               "-frames:v", str(count), *enc.video_args(), "-c:a", "pcm_s16le", "-shortest", str(out)],
              "render the shot")
    made = await probe(out)
    if made is None or made.frames != count:
        # ffmpeg can end well having made too little (a filter that never saw the end of its
        # input): better a failed shot now than a film that will not join.
        raise BackendError(f"the rendered shot has {made.frames if made else 'no'} frames of the {count} it needs")


async def _card(job: Job, enc: Encoding) -> Path:
    from . import draw

    p = job.params
    picture = job.workdir / "card.png"
    make = {"title": draw.title_card, "credits": draw.credits_card}.get(str(p["card"]), draw.text_card)
    await asyncio.to_thread(lambda: make(p).save(picture))
    return picture


async def _segment_audio(job: Job, length_s: float) -> np.ndarray:
    """The shot's own sound: its voice lines at their offsets and its sound effects."""
    from . import music, stable_seed

    p = job.params
    track = np.zeros((round(length_s * RATE), CHANNELS), dtype=np.float32)
    for line in p.get("lines") or ():
        path = job.inputs.get(str(line["role"]))
        if path is not None:
            place(track, await decode_audio(path), round(float(line["offset_s"]) * RATE))
    for n, description in enumerate(p.get("sounds") or ()):
        effect = await asyncio.to_thread(music.sound, str(description), min(length_s, 4.0),
                                         stable_seed("sound", description, n), RATE)
        place(track, effect, 0, gain=0.6)
    return track


# ---- the film -----------------------------------------------------------------------------

_MUSIC_GAIN = 0.45    # music alone: its RMS about 3 dB under a voice's
_DUCKED = 0.25        # and 12 dB lower again under speech
_DUCK_RAMP_S = 0.25


@dataclass(frozen=True)
class Timeline:
    """Plan time to film time: where each segment starts in the plan and in the film."""

    planned: list[float]
    actual: list[float]
    lengths: list[float]

    @classmethod
    def of(cls, planned_lengths: Sequence[float], fps: int) -> Timeline:
        planned, actual, at_plan, at_film = [], [], 0.0, 0.0
        lengths = [frames(d, fps) / fps for d in planned_lengths]
        for plan_length, real in zip(planned_lengths, lengths, strict=True):
            planned.append(at_plan)
            actual.append(at_film)
            at_plan += float(plan_length)
            at_film += real
        return cls(planned, actual, lengths)

    def __call__(self, t: float) -> float:
        """Where a moment of the plan falls in the film."""
        if not self.planned:
            return t
        i = max(0, np.searchsorted(self.planned, t, side="right") - 1)
        return self.actual[i] + min(max(t - self.planned[i], 0.0), self.lengths[i])

    @property
    def end(self) -> float:
        return (self.actual[-1] + self.lengths[-1]) if self.actual else 0.0


async def film(job: Job, out: Path) -> Path:
    p = job.params
    enc = Encoding.of(p)
    segments = [job.inputs[role] for role in sorted(r for r in job.inputs if r.startswith("segment:"))]
    if not segments:
        raise BackendError("a film needs at least one segment")
    timeline = Timeline.of(p.get("segments") or [], enc.fps)
    listing = job.workdir / "segments.txt"
    listing.write_text("".join(f"file {_quoted(path)}\n" for path in segments), encoding="utf-8")
    music = []
    for cue in p.get("music") or ():
        path = job.inputs.get(str(cue["role"]))
        if path is not None:
            raw = job.workdir / f"{cue['role'].replace(':', '-')}.pcm"
            await run(["-i", str(path), "-f", "s16le", "-ac", str(CHANNELS), "-ar", str(RATE), str(raw)],
                      f"read the music {path.name}")
            music.append((round(timeline(float(cue["start_s"])) * RATE), raw))
    speech = [(timeline(float(a)), timeline(float(b))) for a, b in p.get("speech") or ()]
    await asyncio.to_thread(_mix_and_mux, listing, music, speech, job.workdir, out, enc.draft)
    return out


def _quoted(path: Path) -> str:
    """A path as the concat demuxer reads it: in single quotes, a quote written '\\''."""
    return "'" + str(path.resolve()).replace("'", "'\\''") + "'"


def _mix_and_mux(listing: Path, music: list[tuple[int, Path]], speech: list[tuple[float, float]],
                 workdir: Path, out: Path, draft: bool) -> None:
    """Stream the joined segments' sound through the mixer (music in, ducked under speech) into
    the encoder, which copies the joined picture as it is. A draft's sound is mono at 24 kHz:
    the AAC encoder, single-threaded at the end of the build, then takes a quarter of the time."""
    exe = ffmpeg()
    sound_args = ["-c:a", "aac", "-aac_coder", "fast"] + (
        ["-ac", "1", "-ar", "24000", "-b:a", "64k"] if draft else ["-b:a", "192k"])
    concat = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    with open(workdir / "decode.log", "wb") as dlog, open(workdir / "encode.log", "wb") as elog:
        decoder = subprocess.Popen([exe, "-nostdin", "-hide_banner", "-v", "error", *concat, "-map", "0:a:0",
                                    "-f", "s16le", "-ac", str(CHANNELS), "-ar", str(RATE), "-"],
                                   stdout=subprocess.PIPE, stderr=dlog)
        encoder = subprocess.Popen([exe, "-hide_banner", "-v", "error", "-y", *concat,
                                    "-f", "s16le", "-ac", str(CHANNELS), "-ar", str(RATE), "-i", "-",
                                    "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", *sound_args,
                                    "-movflags", "+faststart", str(out)],
                                   stdin=subprocess.PIPE, stderr=elog)
        try:
            _pump(decoder, encoder, music, speech)
        except BaseException:
            decoder.kill()
            encoder.kill()
            raise
        finally:
            encoder.wait()
            decoder.wait()
            decoder.stdout.close()
    for proc, log in ((decoder, "decode.log"), (encoder, "encode.log")):
        if proc.returncode != 0:
            said = (workdir / log).read_text("utf-8", "replace").strip()[-_TAIL:]
            raise BackendError(f"ffmpeg could not assemble the film (exit {proc.returncode}): {said or 'no message'}")


def _pump(decoder: subprocess.Popen, encoder: subprocess.Popen, music: list[tuple[int, Path]],
          speech: list[tuple[float, float]]) -> None:
    block = int(RATE * _BLOCK_S) * CHANNELS * 2
    tracks = [(start, np.memmap(path, dtype="<i2", mode="r").reshape(-1, CHANNELS)) for start, path in music
              if path.stat().st_size >= CHANNELS * 2]
    at = 0
    assert decoder.stdout is not None and encoder.stdin is not None
    try:
        while True:
            raw = decoder.stdout.read(block)
            if not raw:
                break
            raw = raw[:len(raw) - len(raw) % (CHANNELS * 2)]
            mix = np.frombuffer(raw, dtype="<i2").reshape(-1, CHANNELS).astype(np.float32) / 32768.0
            n = mix.shape[0]
            if tracks:
                gain = _MUSIC_GAIN * duck(at, n, speech)
                for start, track in tracks:
                    lo, hi = max(at, start), min(at + n, start + track.shape[0])
                    if lo < hi:
                        piece = track[lo - start:hi - start].astype(np.float32) / 32768.0
                        mix[lo - at:hi - at] += piece * gain[lo - at:hi - at, None]
            encoder.stdin.write((np.clip(mix, -1.0, 1.0) * 32767.0).astype("<i2").tobytes())
            at += n
    except BrokenPipeError:
        pass  # the encoder stopped; its exit status and log say why
    finally:
        encoder.stdin.close()


def duck(start: int, count: int, speech: Sequence[tuple[float, float]]) -> np.ndarray:
    """The music's gain for `count` samples from `start`: 1, down to _DUCKED while anyone speaks,
    with short ramps either side."""
    t = (start + np.arange(count, dtype=np.float64)) / RATE
    lo, hi = t[0] - _DUCK_RAMP_S, t[-1] + _DUCK_RAMP_S
    depth = np.zeros(count, dtype=np.float64)
    for a, b in speech:
        if b < lo or a > hi:
            continue
        rise = np.clip((t - (a - _DUCK_RAMP_S)) / _DUCK_RAMP_S, 0.0, 1.0)
        fall = np.clip(((b + _DUCK_RAMP_S) - t) / _DUCK_RAMP_S, 0.0, 1.0)
        np.maximum(depth, np.minimum(rise, fall), out=depth)
    return (1.0 - (1.0 - _DUCKED) * depth).astype(np.float32)

