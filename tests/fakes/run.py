"""Running one backend call in tests: `generate` a job to its file (closing the backend's
connections after), or the message of the `failure` it must end in."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from filmc.backends.base import BackendError, Job


def generate(backend, job: Job) -> Path:
    async def go():
        try:
            return await backend.generate(job)
        finally:
            await backend.close()

    return asyncio.run(go())


def failure(backend, job: Job) -> str:
    with pytest.raises(BackendError) as caught:
        generate(backend, job)
    return str(caught.value)
