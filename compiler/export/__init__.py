"""Exports of a film to other tools' formats: `filmc export FILE --to KIND -o OUT`.

Each kind is one module. The screenplay kinds need only the parsed script (`fountain`); the
others need the film's plan (`srt`, `vtt`, `shotlist`, `stats`) and, for the rendered material,
the build cache (`otio`, `edl`, `fcpxml`, `storyboard`, and the cache state of `shotlist`).
"""

from __future__ import annotations

# kind → (the file ending written by default, whether the output is text that may go to stdout)
KINDS: dict[str, tuple[str, bool]] = {
    "fountain": (".fountain", True),
    "otio": (".otio", True),
    "edl": (".edl", True),
    "fcpxml": (".fcpxml", True),
    "srt": (".srt", True),
    "vtt": (".vtt", True),
    "shotlist": (".shots.csv", True),
    "storyboard": (".storyboard.html", False),
    "stats": (".stats.txt", True),
}
