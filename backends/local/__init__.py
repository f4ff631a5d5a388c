"""`local`, the embedded default backend: an offline animatic renderer.

Everything it needs comes with pip: Pillow drawings of characters and sets (`draw`), camera
moves and assembly with the ffmpeg that imageio-ffmpeg ships (`media`), voices from the eSpeak
NG library of espeakng-loader (`voice`) and music synthesized with numpy (`music`). The same
task gives the same film on any machine with the same package versions; it costs nothing and
needs no account, so a new user's first build and filmc's own tests use it.

It composes from its inputs the way a real image-to-video service would: a keyframe is drawn
from the set's plate and each character's sheet (their colours are read from the sheet, so a
wardrobe change reaches every later shot through the sheet), a clip moves a camera over the
keyframe, a segment lays the shot's voice lines and sounds under its clip.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path

from ..base import CAPABILITIES, Backend, BackendError, Capabilities, Job


class LocalBackend(Backend):
    # In every task's key: raise it whenever what the renderer makes changes, so that a build
    # after an upgrade makes its assets again instead of reusing the old ones.
    version = "1.0"
    capabilities = Capabilities(
        produces=frozenset(CAPABILITIES), reference_images=True, seeds=True, first_frame=True,
    )

    def unavailable(self) -> str | None:
        from . import media

        return media.missing()

    async def generate(self, job: Job) -> Path:
        make = _MAKERS.get(job.kind)
        if make is None:
            raise BackendError(f"the local backend does not make `{job.kind}` tasks")
        return await make(job)


async def _sheet(job: Job) -> Path:
    from . import draw

    return await _picture(job, lambda: draw.character_sheet(job.params))


async def _plate(job: Job) -> Path:
    from . import draw

    return await _picture(job, lambda: draw.set_plate(job.params))


async def _keyframe(job: Job) -> Path:
    from . import draw

    sheets = {role.split(":", 1)[1]: path for role, path in job.inputs.items() if role.startswith("sheet:")}
    return await _picture(job, lambda: draw.keyframe(job.params, job.inputs.get("plate"), sheets))


async def _picture(job: Job, render: Callable) -> Path:
    from . import draw

    out = job.workdir / "image.png"

    def work() -> None:
        image = render()
        draw.save_png(image, out)

    await asyncio.to_thread(work)
    return out


async def _clip(job: Job) -> Path:
    from . import media

    # (`previous`, the clip before a continuous shot, is a video: the keyframe is what moves.)
    first = job.inputs.get("first_frame")
    if first is None:
        raise BackendError("a local clip moves a camera over a first frame, and this task has none")
    return await media.camera_move(first, job.params, job.workdir / "clip.mov")


async def _voice(job: Job) -> Path:
    from . import voice

    p = job.params
    out = job.workdir / "line.wav"

    def work() -> None:
        try:
            samples, rate = voice.speak(p["text"], character=p.get("character", ""), voice=p.get("voice", ""),
                                        direction=p.get("direction") or None, sung=bool(p.get("sung")),
                                        duration_s=float(p.get("duration_s", 0)), seed=job.seed)
        except voice.VoiceError as exc:
            raise BackendError(str(exc)) from None
        voice.write_wav(out, samples, rate)

    await asyncio.to_thread(work)
    return out


async def _music(job: Job) -> Path:
    from . import music

    p = job.params
    out = job.workdir / "music.wav"

    def work() -> None:
        samples = music.score(p.get("moods", []), p.get("tempo_bpm"), float(p["duration_s"]), job.seed)
        music.write_wav(out, samples, music.RATE)

    await asyncio.to_thread(work)
    return out


async def _segment(job: Job) -> Path:
    from . import media

    return await media.segment(job, job.workdir / "segment.mov")


async def _film(job: Job) -> Path:
    from . import media

    return await media.film(job, job.workdir / "film.mp4")


def stable_seed(*parts: object) -> int:
    """A seed from what something is (for tasks the plan does not seed, like a segment's
    sound effects): the same on every machine and run."""
    text = "\x1f".join(map(str, parts)).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:4], "big")


_MAKERS = {
    "character_sheet": _sheet, "set_plate": _plate, "keyframe": _keyframe, "clip": _clip,
    "voice_line": _voice, "music_cue": _music, "segment": _segment, "film": _film,
}
