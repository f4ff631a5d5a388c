"""Backends that exist only for filmc's tests, installed by putting this folder on sys.path
(tests/conftest.py does): the `.dist-info` beside it registers them in the `filmc.backends`
entry-point group exactly as a third-party package would. (`test-broken` there names an
object this module does not have: a plugin that fails to load.)"""

import asyncio
import hashlib
import json
import os
import signal
from pathlib import Path

from filmc.backends.base import Backend, BackendError, Capabilities, Job, Price


class TenSecondVideo:
    """Declares what a Kling-like service does: video clips of at most 10 s (and no more than
    that: a plugin that only declares capabilities)."""

    capabilities = Capabilities(produces=frozenset({"video"}), max_clip_s=10, reference_images=True, seeds=True)


_EVERYTHING = frozenset({"image", "video", "speech", "music", "edit"})
_PRICES = {
    "character_sheet": Price(per_task=0.04), "set_plate": Price(per_task=0.04), "keyframe": Price(per_task=0.04),
    "clip": Price(per_second=0.10), "voice_line": Price(per_task=0.01), "music_cue": Price(per_second=0.002),
}


class Counting(Backend):
    """A fake that makes everything, cheaply and deterministically, and counts its calls.

    Each call appends one JSON line (task id, kind, seed) to the file named by the
    FILMC_COUNTING_LOG environment variable, so a test can count calls across processes. Its
    output is a hash of the task's parameters, seed and inputs' bytes: equal requests, equal
    outputs, like a seeded model. Settings (in film.toml's [backend.counting]): `delay_s` to
    take time, `fail` a list of task ids that fail, `interrupt_after` a number of calls after
    which the next one is interrupted by SIGINT (a Ctrl-C mid-build).
    """

    version = "1.0"
    capabilities = Capabilities(produces=_EVERYTHING, reference_images=True, seeds=True, first_frame=True,
                                prices=_PRICES)
    SCHEDULING = Backend.SCHEDULING | {"delay_s", "fail", "interrupt_after"}
    calls = 0
    # How many calls were in flight at once, now and at most (for concurrency tests).
    running = 0
    most = 0

    async def generate(self, job: Job) -> Path:
        limit = self.settings.get("interrupt_after")
        if limit is not None and Counting.calls >= limit:
            # Ctrl-C while a request is in flight: SIGINT, which asyncio.run turns into the
            # cancellation of the build, delivered here at the next await.
            signal.raise_signal(signal.SIGINT)
            await asyncio.sleep(3600)
        Counting.running += 1
        Counting.most = max(Counting.most, Counting.running)
        try:
            if self.settings.get("delay_s"):
                await asyncio.sleep(float(self.settings["delay_s"]))
        finally:
            Counting.running -= 1
        if job.task_id in self.settings.get("fail", ()):
            raise BackendError(f"the service refused `{job.task_id}` (content policy)")
        sha = hashlib.sha256(json.dumps({"kind": job.kind, "params": dict(job.params), "seed": job.seed},
                                        sort_keys=True).encode())
        for role in sorted(job.inputs):
            sha.update(role.encode() + job.inputs[role].read_bytes())
        out = job.workdir / f"out{_SUFFIX.get(job.kind, '.bin')}"
        out.write_bytes(f"{job.kind} {job.task_id}\n".encode() + sha.digest())
        Counting.calls += 1
        log = os.environ.get("FILMC_COUNTING_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"task": job.task_id, "kind": job.kind, "seed": job.seed}) + "\n")
        return out


class CountingEightSeconds(Counting):
    """The counting fake with a Kling-like limit: clips of at most 8 s."""

    capabilities = Capabilities(produces=_EVERYTHING, max_clip_s=8, reference_images=True, seeds=True,
                                first_frame=True, prices=_PRICES)


_SUFFIX = {"character_sheet": ".png", "set_plate": ".png", "keyframe": ".png", "clip": ".mp4", "voice_line": ".wav",
           "music_cue": ".wav", "segment": ".mp4", "film": ".mp4"}


class CountingPlain(Counting):
    """The counting fake as a plain text-to-image and text-to-video service: no reference
    images, no first frame."""

    capabilities = Capabilities(produces=_EVERYTHING, seeds=True, prices=_PRICES)


class CountingPicky(Counting):
    """The counting fake that will not start without a `model` setting, as a real service's
    backend may refuse incomplete settings."""

    def __init__(self, settings=None) -> None:
        super().__init__(settings)
        if "model" not in self.settings:
            raise ValueError("[backend.counting-picky] needs `model`")


class CountingEnds(Counting):
    """The counting fake as a Kling- or Runway-like video service that can end a clip on a
    given image (`last_frame`), with an 8 s limit, and as an ElevenLabs-like voice that reads
    the lines around each line (`line_context`)."""

    capabilities = Capabilities(produces=_EVERYTHING, max_clip_s=8, reference_images=True, seeds=True,
                                first_frame=True, last_frame=True, line_context=True, prices=_PRICES)
