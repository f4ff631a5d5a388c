"""`local`, the embedded default backend: an offline animatic renderer.

It declares here what it makes, so that a film plans (shots, tasks, a cost of zero) on any
machine. The renderer itself (Pillow drawings of sets and characters, camera moves and assembly
with the ffmpeg of imageio-ffmpeg, eSpeak NG voices, numpy music) is not in this release yet:
until it is, `filmc build` says so before it starts and names the backends that are installed.
"""

from __future__ import annotations

from .base import CAPABILITIES, Backend, Capabilities, Job


class LocalBackend(Backend):
    version = "0.1"
    capabilities = Capabilities(
        produces=frozenset(CAPABILITIES), reference_images=True, seeds=True, first_frame=True,
    )

    def unavailable(self) -> str | None:
        return ("the embedded `local` renderer is not part of this version of filmc yet; "
                "name an installed backend for each kind of asset under [backends] in film.toml")

    async def generate(self, job: Job):
        raise RuntimeError(self.unavailable())
