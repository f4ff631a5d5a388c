"""The storyboard HTML in a real browser: headless Chromium opens it, and its screenshot shows one
frame per shot, each the picture the storyboard embedded (a frame that failed to load would show
Chromium's broken-image icon, and a shot left out would leave one frame short).

Chromium is found through `FILMC_CHROMIUM`, else `chromium`, `chromium-browser` or
`google-chrome` on the PATH (Debian: `apt-get install -y chromium`); without one the test skips.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filmc.compiler.build import prepare
from filmc.compiler.export import storyboard
from filmc.compiler.plan import Options

# Wide frames this time (the unit tests' film is portrait): five drawn shots and a card.
FILM = """\
Title: Low Tide
Aspect: 16:9

[[cast ALIN: 19-year-old fisherman, lean, sunburnt, short black hair
  wardrobe: white linen tunic, red sash
  voice: young male, determined]]

[[cast MOTHER: woman in her fifties, weathered, long grey braid
  wardrobe: indigo wrap
  voice: low female, tired]]

[[set SHORE: black sand beach under basalt cliffs, stormy green sea
  lighting: grey dawn]]

EXT. SHORE - DAWN

[[shot extreme wide, pan right, 3s]]

Waves hammer the basalt. ALIN hauls the boat up the sand past MOTHER.

[[shot close on MOTHER, push in, 2s]]

MOTHER
(quietly)
You went out past the reef again.

[[shot close on ALIN, 2s]]

ALIN
The fish are out there.

[[shot two shot on ALIN and MOTHER, 3s]]

They stand together and watch the sea.

[[shot insert, 2s]]

The boat's rope, frayed.

> THE END <
"""
SHOTS = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
CARD = "1.6"
MAGENTA = "#ff00ff"
OUTLINE = 4      # the outline the test gives each frame, and its gap from the frame
OFFSET = 1
WINDOW = (1280, 1400)


def chromium() -> str | None:
    found = os.environ.get("FILMC_CHROMIUM")
    if found:
        return found
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


needs_chromium = pytest.mark.skipif(
    chromium() is None,
    reason="no Chromium to open the storyboard in: install it (Debian: `apt-get install -y chromium`) "
           "or set FILMC_CHROMIUM to its path")


def screenshot(page: Path, png: Path, profile: Path) -> None:
    """A headless Chromium's picture of the page at the top of a window of WINDOW."""
    flags = ["--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
             f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={png}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    run = subprocess.run([chromium(), *flags, page.as_uri()], capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    assert run.returncode == 0 and png.is_file(), run.stderr[-2000:]


def outlined(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The bounding boxes (left, top, right, bottom; exclusive) of the connected regions of
    `mask`, in reading order (rows top to bottom, then left to right)."""
    seen = np.zeros_like(mask)
    boxes = []
    height, width = mask.shape
    for y0, x0 in zip(*np.nonzero(mask)):
        if seen[y0, x0]:
            continue
        seen[y0, x0] = True
        stack, left, top, right, bottom = [(y0, x0)], x0, y0, x0, y0
        while stack:
            y, x = stack.pop()
            left, top, right, bottom = min(left, x), min(top, y), max(right, x), max(bottom, y)
            for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        boxes.append((int(left), int(top), int(right) + 1, int(bottom) + 1))
    rows: dict[int, list] = {}
    for box in boxes:
        row = next((r for r in rows if abs(r - box[1]) < 10), box[1])
        rows.setdefault(row, []).append(box)
    return [box for row in sorted(rows) for box in sorted(rows[row])]


@needs_chromium
def test_the_storyboard_shows_one_frame_per_shot_in_chromium(tmp_path: Path) -> None:
    folder = tmp_path / "film"
    folder.mkdir()
    script = folder / "tide.film"
    script.write_text(FILM, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "filmc", "build", "tide.film", "--draft"], cwd=folder,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    prepared, result = prepare(script, script.name, options=Options(draft=True))
    assert prepared is not None, result.diagnostics
    assert [s.id for s in prepared.plan.shots.shots] == SHOTS
    board = tmp_path / "board.html"
    assert storyboard.write(prepared, board) == []
    html = board.read_text(encoding="utf-8")

    # The frames the storyboard embedded, in page order (the card has none).
    thumbnails = [Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
                  for data in re.findall(r'<img class="frame" src="data:image/jpeg;base64,([^"]+)"', html)]
    assert len(thumbnails) == len(SHOTS) - 1

    # The same page with every frame ringed in magenta (a colour no drawing here uses), so
    # that the frames can be found in the screenshot whatever they show.
    ringed = tmp_path / "ringed.html"
    style = f"<style>.frame {{ outline: {OUTLINE}px solid {MAGENTA} !important; outline-offset: {OFFSET}px !important; }}</style>"
    ringed.write_text(html.replace("</head>", style + "</head>", 1), encoding="utf-8")
    png = tmp_path / "storyboard.png"
    screenshot(ringed, png, tmp_path / "profile")

    shot = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    assert shot.shape[:2] == (WINDOW[1], WINDOW[0])
    red, green, blue = shot[..., 0], shot[..., 1], shot[..., 2]
    boxes = outlined((red > 230) & (green < 40) & (blue > 230))
    assert len(boxes) == len(SHOTS), boxes
    inset = OUTLINE + OFFSET
    frames = [shot[top + inset:bottom - inset, left + inset:right - inset].astype(np.float32)
              for left, top, right, bottom in boxes]
    # Every frame is whole on screen and as wide as the film: 16:9.
    for frame in frames:
        assert frame.shape[1] > 300 and abs(frame.shape[1] / frame.shape[0] - 16 / 9) < 0.03, frame.shape
    # Each drawn frame shows its own picture, scaled by the browser, where the layout puts it.
    for n, (frame, thumbnail) in enumerate(zip(frames, thumbnails, strict=False)):
        expected = np.asarray(thumbnail.resize((frame.shape[1], frame.shape[0]), Image.Resampling.BILINEAR),
                              dtype=np.float32)
        own = np.abs(frame - expected).mean()
        assert own < 8, (SHOTS[n], own)
        others = [np.abs(frame - np.asarray(t.resize((frame.shape[1], frame.shape[0])), dtype=np.float32)).mean()
                  for m, t in enumerate(thumbnails) if m != n]
        assert all(own < other for other in others), (SHOTS[n], own, others)
    # The card: its dark box with its words in light letters.
    card = frames[SHOTS.index(CARD)]
    assert card.mean() < 60 and (card.min(axis=2) > 180).sum() > 200
