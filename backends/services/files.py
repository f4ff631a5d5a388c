"""What a service sent: telling an image from a video from a sound by its first bytes, and
turning local files into what requests carry (data URIs, base64, a clip's last frame).

A service's `Content-Type` is checked against what a task makes, and so are the bytes: an
HTML error page served as `application/octet-stream`, or a JPEG where a clip was due, fails the
task instead of entering the cache.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

# (kind, suffix, MIME type) by signature. MP4 and MOV are told by their `ftyp` box.
_SIGNATURES: tuple[tuple[bytes, int, str, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image", ".png", "image/png"),
    (b"\xff\xd8\xff", 0, "image", ".jpg", "image/jpeg"),
    (b"GIF8", 0, "image", ".gif", "image/gif"),
    (b"ftyp", 4, "video", ".mp4", "video/mp4"),
    (b"\x1a\x45\xdf\xa3", 0, "video", ".webm", "video/webm"),
    (b"ID3", 0, "audio", ".mp3", "audio/mpeg"),
    (b"OggS", 0, "audio", ".ogg", "audio/ogg"),
    (b"fLaC", 0, "audio", ".flac", "audio/flac"),
)


def sniff(head: bytes) -> tuple[str, str, str] | None:
    """(kind, suffix, MIME type) of a file from its first bytes (16 are enough): `image`,
    `video` or `audio`; None when it is none filmc knows."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", ".webp", "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", ".wav", "audio/wav"
    for magic, at, kind, suffix, mime in _SIGNATURES:
        if head[at:at + len(magic)] == magic:
            if suffix == ".mp4" and head[8:10] == b"qt":
                return "video", ".mov", "video/quicktime"
            return kind, suffix, mime
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # An MPEG audio frame header with no ID3 tag (MP3), or ADTS (AAC).
        return ("audio", ".aac", "audio/aac") if head[1] & 0x06 == 0 else ("audio", ".mp3", "audio/mpeg")
    return None


# What each task kind makes, as `sniff` names it.
MAKES = {
    "character_sheet": "image", "set_plate": "image", "keyframe": "image", "clip": "video",
    "voice_line": "audio", "music_cue": "audio",
}


def content_type_fits(content_type: str | None, kind: str) -> bool:
    """Whether a response's Content-Type may hold a file of `kind`: its own family, or a
    generic binary type (many object stores serve everything as octet-stream)."""
    if not content_type:
        return True
    family = content_type.split(";")[0].strip().lower()
    return family.startswith(f"{kind}/") or family in {"application/octet-stream", "binary/octet-stream",
                                                       "application/mp4"}


def mime_of(path: Path) -> str:
    with path.open("rb") as handle:
        found = sniff(handle.read(16))
    return found[2] if found else (mimetypes.guess_type(path.name)[0] or "application/octet-stream")


def data_uri(path: Path) -> str:
    """A file as a `data:` URI, which Runway, Replicate and fal take in place of a URL."""
    return f"data:{mime_of(path)};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def bare_base64(path: Path) -> str:
    """A file as plain base64, as Kling takes an image (no `data:` prefix)."""
    return base64.b64encode(path.read_bytes()).decode("ascii")


async def still_of(video: Path, out: Path, last: bool = True) -> Path:
    """A video's last frame (or first) as a PNG: what a service that continues a clip from an
    image needs when filmc has the clip before it."""
    from ..local.media import run

    # The last half second, each frame written over the one before: what stays is the last.
    args = ["-sseof", "-0.5", "-i", str(video), "-update", "1"] if last else ["-i", str(video), "-frames:v", "1"]
    await run([*args, str(out)], "take a frame from the previous clip")
    if not out.is_file():
        raise FileNotFoundError(out)
    return out
