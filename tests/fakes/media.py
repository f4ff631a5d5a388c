"""Real media for fakes to serve: a PNG that shows what was asked, a short H.264 clip, a WAV
and an MP3 of a tone. Made with Pillow, numpy and the ffmpeg of imageio-ffmpeg, once each."""

from __future__ import annotations

import functools
import hashlib
import io
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw


def png(text: str, width: int = 640, height: int = 360) -> bytes:
    """A picture whose colour comes from `text` (so different requests look different), with
    the text written on it."""
    digest = hashlib.sha256(text.encode()).digest()
    image = Image.new("RGB", (width, height), tuple(64 + b % 160 for b in digest[:3]))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 8, height // 4, width * 7 // 8, height * 3 // 4), fill=tuple(255 - b % 128 for b in digest[3:6]))
    draw.text((12, 12), text[:80], fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@functools.cache
def mp4(seconds: float = 2.0, width: int = 320, height: int = 180) -> bytes:
    """A short H.264 clip of a moving test pattern."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "clip.mp4"
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                        f"testsrc2=size={width}x{height}:rate=24:duration={seconds}", "-c:v", "libx264",
                        "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)], check=True)
        return out.read_bytes()


def wav(seconds: float = 1.0, hz: float = 220.0, rate: int = 24000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())
    return out.getvalue()


@functools.cache
def mp3(seconds: float = 1.0) -> bytes:
    import imageio_ffmpeg

    result = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "wav", "-i", "pipe:0", "-c:a",
                             "libmp3lame", "-b:a", "64k", "-f", "mp3", "pipe:1"], input=wav(seconds), capture_output=True,
                            check=True)
    return result.stdout
