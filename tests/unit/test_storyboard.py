"""The storyboard export (compiler/export/storyboard.py) on a small film built for real with the
`local` backend at draft quality: one cell per shot with its frame, text and dialogue, the
fallbacks when a keyframe is not cached, an unbuilt film, escaping, reproducible bytes, and the
PDF read back with Pillow's own PDF parser."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PdfParser

from filmc.compiler.build import Prepared, prepare
from filmc.compiler.export import storyboard
from filmc.compiler.plan import Options

# Portrait (9:16), two scenes, an exchange whose repeated over-the-shoulder keyframe the plan
# merges (1.2 and 1.4), a parenthetical, an off-screen line, a dissolve, a card, and user text
# that must not become markup.
TIDE = """\
Title: The <b>Tide</b> & the <script>alert("title")</script>
Credit: Written by
Author: The storyboard test
Aspect: 9:16

[[cast ALIN: 19-year-old fisherman, lean, sunburnt, short black hair
  wardrobe: white linen tunic, red sash
  voice: young male, determined]]

[[cast MOTHER: woman in her fifties, weathered, long grey braid
  wardrobe: indigo wrap
  voice: low female, tired]]

[[set SHORE: black sand beach under basalt cliffs, stormy green sea
  lighting: grey dawn]]

[[set HUT: fisherman's hut, whitewashed walls, a table, a lamp
  lighting: warm lamplight]]

EXT. SHORE - DAWN

[[shot wide, push in, 24mm, 3s]]

Waves hammer the basalt. ALIN hauls the boat up the sand past MOTHER & yells <script>alert("action")</script>.

MOTHER
(quietly)
You went out past the reef again.

ALIN
The fish are out there.

MOTHER
They were out there for your father too.

ALIN (O.S.)
I am not my father.

DISSOLVE TO:

INT. HUT - NIGHT

[[shot close on MOTHER, 50mm, 3s]]

MOTHER looks at the door, waiting.

> THE END <
"""
SHOTS = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2"]
CARD = "2.2"


def filmc(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "filmc", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def project(folder: Path, text: str = TIDE) -> Path:
    folder.mkdir(parents=True)
    script = folder / "tide.film"
    script.write_text(text, encoding="utf-8")
    return script


def prepared_of(script: Path, draft: bool = True) -> Prepared:
    found, result = prepare(script, script.name, options=Options(draft=draft))
    assert found is not None, result.diagnostics
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The film built at draft quality (a few seconds); returns its script."""
    script = project(tmp_path_factory.mktemp("built") / "tide")
    run = filmc("build", "tide.film", "--draft", cwd=script.parent)
    assert run.returncode == 0, run.stderr
    return script


# ---- reading the HTML back ------------------------------------------------------------------


class Page(HTMLParser):
    """The storyboard page as data: each shot's cell (its frames, its text) and the scenes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: dict[str, dict] = {}
        self.scenes: list[dict] = []
        self.tags: list[str] = []
        self._cell: dict | None = None
        self._depth = 0
        self._frame: dict | None = None
        self._heading = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        classes = (attrs.get("class") or "").split()
        if tag == "section":
            self.scenes.append({"heading": "", "shots": []})
        if tag == "h2":
            self._heading = True
        if tag == "article" and "shot" in classes:
            shot = attrs["id"].removeprefix("shot-")
            self._cell = self.cells[shot] = {"images": [], "boxes": [], "text": ""}
            self.scenes[-1]["shots"].append(shot)
            self._depth = 0
        elif self._cell is not None:
            if tag not in ("img",):
                self._depth += 1
            if tag == "img":
                self._cell["images"].append(attrs)
            elif "frame" in classes:
                self._frame = {"classes": classes, "text": ""}
                self._cell["boxes"].append(self._frame)

    def handle_endtag(self, tag):
        if tag == "h2":
            self._heading = False
        if self._cell is not None:
            if tag == "article" and self._depth == 0:
                self._cell = None
            else:
                self._depth -= 1
                if tag == "div":
                    self._frame = None

    def handle_data(self, data):
        if self._heading:
            self.scenes[-1]["heading"] += data
        if self._frame is not None:
            self._frame["text"] += data
        elif self._cell is not None:
            self._cell["text"] += data


def read_page(path: Path) -> tuple[str, Page]:
    text = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(text)
    page.close()
    return text, page


def picture(img: dict) -> Image.Image:
    head, _, data = img["src"].partition(",")
    assert head == "data:image/jpeg;base64"
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    assert image.format == "JPEG"
    assert (image.width, image.height) == (int(img["width"]), int(img["height"]))
    return image.convert("RGB")


def assert_a_picture(image: Image.Image) -> None:
    """A drawn frame: neither black, nor blank, nor one flat colour."""
    pixels = np.asarray(image, dtype=np.float32)
    assert 20 < pixels.mean() < 235, pixels.mean()
    assert pixels.std() > 20, pixels.std()


def line_of(text: str) -> int:
    return next(n for n, line in enumerate(TIDE.splitlines(), 1) if text in line)


# ---- a built film -------------------------------------------------------------------------


def test_every_shot_has_a_cell_with_its_frame_in_scene_order(built: Path, tmp_path: Path) -> None:
    prepared = prepared_of(built)
    assert [s.id for s in prepared.plan.shots.shots] == SHOTS
    out = tmp_path / "board.html"
    assert storyboard.write(prepared, out) == []
    _, page = read_page(out)
    assert list(page.cells) == SHOTS
    assert [(s["heading"], s["shots"]) for s in page.scenes] == [
        ("1EXT. SHORE - DAWN", ["1.1", "1.2", "1.3", "1.4"]), ("2INT. HUT - NIGHT", ["2.1", "2.2"])]
    for shot in SHOTS:
        cell = page.cells[shot]
        if shot == CARD:
            continue
        assert len(cell["images"]) == 1 and not cell["boxes"], shot
        image = picture(cell["images"][0])
        assert_a_picture(image)
        # Downscaled to at most 480 pixels a side, in the film's 9:16 (the draft is 202x360).
        assert max(image.size) <= storyboard.THUMB
        assert abs(image.width / image.height - 202 / 360) < 0.02, image.size
    # Each shot shows its own frame: the close-up of MOTHER in the hut is not the beach.
    assert picture(page.cells["2.1"]["images"][0]).tobytes() != picture(page.cells["1.1"]["images"][0]).tobytes()


def test_a_shot_whose_keyframe_was_merged_shows_the_one_that_was_made(built: Path, tmp_path: Path) -> None:
    prepared = prepared_of(built)
    keyframes = {t.shot for t in prepared.plan.graph if t.kind == "keyframe"}
    # 1.4 is 1.2's over-the-shoulder again: one keyframe for both, which the plan calls 1.2's.
    assert "1.2" in keyframes and "1.4" not in keyframes
    out = tmp_path / "board.html"
    storyboard.write(prepared, out)
    _, page = read_page(out)
    assert picture(page.cells["1.4"]["images"][0]).tobytes() == picture(page.cells["1.2"]["images"][0]).tobytes()


def test_each_cell_says_how_the_shot_is_filmed_and_where_the_script_says_it(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.html"
    storyboard.write(prepared_of(built), out)
    _, page = read_page(out)
    opening = " ".join(page.cells["1.1"]["text"].split())
    assert "wide on ALIN, MOTHER · push in · 24mm · 3.0s" in opening
    assert f"tide.film:{line_of('[[shot wide')}" in opening
    assert "0:03.0" in opening  # after the 3 s title card
    assert "Waves hammer the basalt." in opening
    hut = " ".join(page.cells["2.1"]["text"].split())
    assert "DISSOLVE" in hut and "close on MOTHER · static · 50mm · 3.0s" in hut
    assert f"tide.film:{line_of('[[shot close')}" in hut


def test_dialogue_shows_who_says_what_and_how(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.html"
    storyboard.write(prepared_of(built), out)
    _, page = read_page(out)
    said = {shot: " ".join(page.cells[shot]["text"].split()) for shot in SHOTS}
    assert "MOTHER (quietly): You went out past the reef again." in said["1.2"]
    assert "ALIN: The fish are out there." in said["1.3"]
    assert "MOTHER: They were out there for your father too." in said["1.4"]
    # The off-screen line plays over the shot before it, marked.
    assert "ALIN (off screen): I am not my father." in said["1.4"]
    assert not any("reef" in said[s] for s in SHOTS if s != "1.2")


def test_a_card_shows_its_text(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.html"
    storyboard.write(prepared_of(built), out)
    _, page = read_page(out)
    card = page.cells[CARD]
    assert not card["images"]
    assert [(b["classes"], b["text"]) for b in card["boxes"]] == [(["frame", "card"], "THE END")]
    assert "card · 3.0s" in " ".join(card["text"].split())


def test_user_text_is_escaped(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.html"
    storyboard.write(prepared_of(built), out)
    text, page = read_page(out)
    assert "<script" not in text.lower() and "<b>" not in text
    assert "&lt;script&gt;alert(&quot;action&quot;)&lt;/script&gt;" in text
    assert "<title>The &lt;b&gt;Tide&lt;/b&gt; &amp; the &lt;script&gt;" in text
    # Read back as HTML, the text is what the script says.
    assert 'yells <script>alert("action")</script>.' in page.cells["1.1"]["text"]
    assert "script" not in page.tags


def test_the_html_is_self_contained_and_the_same_bytes_every_time(built: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "board.html", tmp_path / "b" / "board.htm"
    storyboard.write(prepared_of(built), first)
    storyboard.write(prepared_of(built), second)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    # Nothing to fetch: every picture and font is in the file.
    links = re.findall(r"""(?:\bsrc=|\bhref=|url\()["']?([^"')\s>]{0,8})""", text)
    assert len(links) == 5 + 3  # five frames, three faces of Lato
    assert set(links) == {"data:ima", "data:fon"}
    assert "@media print" in text and "break-inside: avoid" in text
    # Written atomically: nothing is left beside it.
    assert sorted(p.name for p in first.parent.iterdir()) == ["board.html"]


# ---- fallbacks ------------------------------------------------------------------------------


def drop(prepared: Prepared, kind: str) -> int:
    """Forget every cached output of one kind of task; returns how many were cached."""
    count = 0
    for task in prepared.plan.graph:
        action = prepared.cache.root / "actions" / task.key[:2] / f"{task.key}.json"
        if task.kind == kind and action.is_file():
            action.unlink()
            count += 1
    return count


def test_without_keyframes_the_frame_comes_from_the_clip_then_the_segment(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "tide"
    shutil.copytree(built.parent, copy)
    prepared = prepared_of(copy / "tide.film")
    keyframes = {}
    out = tmp_path / "keyframes.html"
    storyboard.write(prepared, out)
    _, page = read_page(out)
    for shot in SHOTS[:-1]:
        keyframes[shot] = picture(page.cells[shot]["images"][0])

    assert drop(prepared, "keyframe") == 4
    out = tmp_path / "clips.html"
    assert storyboard.write(prepared, out) == []
    _, page = read_page(out)
    for shot in SHOTS[:-1]:
        frame = picture(page.cells[shot]["images"][0])
        assert_a_picture(frame)
        assert frame.size == keyframes[shot].size
        # A clip starts on its keyframe; the local backend lays the action's caption over the
        # top of it, so compare below that.
        below = (0, frame.height // 3, frame.width, frame.height)
        difference = np.abs(np.asarray(frame.crop(below), dtype=np.float32)
                            - np.asarray(keyframes[shot].crop(below), dtype=np.float32)).mean()
        assert difference < 12, (shot, difference)

    assert drop(prepared, "clip") == 5
    out = tmp_path / "segments.html"
    assert storyboard.write(prepared, out) == []
    _, page = read_page(out)
    for shot in SHOTS[:-1]:
        assert_a_picture(picture(page.cells[shot]["images"][0]))

    assert drop(prepared, "segment") >= 5
    assert storyboard.write(prepared, tmp_path / "nothing.html") == [
        "5 of 6 shots have no frame yet: run `filmc build tide.film --draft` first"]


def damage(prepared: Prepared, task_id: str) -> None:
    """Overwrite a cached output with garbage of the same size (which the cache still serves)."""
    blob = prepared.cache.blob(prepared.cache.get(prepared.plan.graph[task_id].key))
    blob.chmod(0o644)
    blob.write_bytes(b"\x89PNG but not really".ljust(blob.stat().st_size, b"\0"))


def test_a_damaged_picture_is_passed_over_with_a_warning(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "tide"
    shutil.copytree(built.parent, copy)
    prepared = prepared_of(copy / "tide.film")
    damage(prepared, "shot/2.1/keyframe")
    out = tmp_path / "board.html"
    warnings = storyboard.write(prepared, out)
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("shot 2.1: the cached keyframe cannot be read (UnidentifiedImageError: ")
    assert warnings[0].endswith("; its clip is shown instead")
    _, page = read_page(out)
    assert_a_picture(picture(page.cells["2.1"]["images"][0]))

    damage(prepared, "shot/2.1/clip")
    damage(prepared, "shot/2.1/segment")
    warnings = storyboard.write(prepared, out)
    assert [w.split(" (")[0] for w in warnings] == [f"shot 2.1: the cached {kind} cannot be read"
                                                    for kind in ("keyframe", "clip", "segment")]
    assert warnings[-1].endswith("; it has no frame")
    _, page = read_page(out)
    assert [(b["classes"], b["text"]) for b in page.cells["2.1"]["boxes"]] == [(["frame", "missing"], "frame unreadable")]
    assert len(page.cells["1.1"]["images"]) == 1


def test_an_unbuilt_film_gets_placeholders_and_a_warning(tmp_path: Path) -> None:
    script = project(tmp_path / "tide")
    out = tmp_path / "board.html"
    warnings = storyboard.write(prepared_of(script, draft=False), out)
    assert warnings == ["5 of 6 shots have no frame yet: run `filmc build tide.film` first"]
    text, page = read_page(out)
    assert list(page.cells) == SHOTS
    for shot in SHOTS:
        cell = page.cells[shot]
        assert not cell["images"]
        expected = (["frame", "card"], "THE END") if shot == CARD else (["frame", "missing"], "not built yet")
        assert [(b["classes"], b["text"]) for b in cell["boxes"]] == [expected]
    assert "5 of 6 shots have no frame yet: run <code>filmc build tide.film</code> first." in text
    # Planning spent nothing and made no cache.
    assert not (tmp_path / "tide" / ".filmc").exists()


def test_the_full_render_is_not_the_draft(built: Path, tmp_path: Path) -> None:
    """A film built only at draft has no frames for the full render's plan (keys differ)."""
    warnings = storyboard.write(prepared_of(built, draft=False), tmp_path / "board.html")
    assert warnings == ["5 of 6 shots have no frame yet: run `filmc build tide.film` first"]


def test_other_suffixes_are_refused(built: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"HTML \(\.html, \.htm\) or PDF \(\.pdf\), not `board\.png`"):
        storyboard.write(prepared_of(built), tmp_path / "board.png")
    assert not (tmp_path / "board.png").exists()


# ---- the PDF --------------------------------------------------------------------------------


def pdf_pages(path: Path) -> list[tuple[list[float], Image.Image]]:
    """Each page's media box (in points) and its picture, read with Pillow's PDF parser."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-1.4\n") and data.rstrip().endswith(b"%%EOF")
    pdf = PdfParser.PdfParser(str(path))
    try:
        pages = []
        for ref in pdf.pages:
            page = pdf.read_indirect(ref)
            (image_ref,) = page[b"Resources"][b"XObject"].values()
            stream = pdf.read_indirect(image_ref)
            image = Image.open(io.BytesIO(bytes(stream.buf)))
            image.load()
            pages.append((list(page[b"MediaBox"]), image))
        return pages
    finally:
        pdf.close()


A4_LANDSCAPE = [0, 0, 841.92, 595.2]  # 1754 x 1240 pixels at 150 dpi


def test_the_pdf_has_a_page_a_scene_here_each_a4_landscape(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.pdf"
    assert storyboard.write(prepared_of(built), out) == []
    pages = pdf_pages(out)
    # Portrait frames go three to a row, two rows a page: scene 1's four shots fill the first
    # page (a row of three, a row of one) and scene 2 opens the second.
    assert len(pages) == 2
    for box, image in pages:
        assert box == A4_LANDSCAPE
        assert image.size == storyboard.PAGE and image.mode == "RGB"
    # The frames are on the page: the first row's three cells hold pictures, not white paper.
    first = np.asarray(pages[0][1].convert("L"), dtype=np.float32)
    layout = storyboard._layout(202 / 360)
    top = storyboard.MARGIN + storyboard.HEADER + storyboard.DIVIDER
    for column in range(3):
        left = storyboard.MARGIN + column * (layout.cell[0] + storyboard.GAP)
        frame = first[top + 10: top + layout.frame[1] - 10, left + 10: left + layout.frame[0] - 10]
        assert frame.std() > 20 and frame.mean() < 230, (column, frame.mean(), frame.std())


def test_the_pdf_is_the_same_bytes_every_time_and_has_no_date(built: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    storyboard.write(prepared_of(built), first)
    storyboard.write(prepared_of(built), second)
    assert first.read_bytes() == second.read_bytes()
    assert b"Date" not in first.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.pdf"]


def test_a_long_unbuilt_landscape_film_fills_pages_of_six(tmp_path: Path) -> None:
    """Wide frames go three to a row, two rows a page: 14 shots of one scene are 3 pages."""
    actions = "\n\n".join(f"[[shot wide, 2s]]\n\nThe sea, take {n}." for n in range(1, 15))
    script = project(tmp_path / "sea", f"Title: Sea\nAspect: 16:9\n\nEXT. SHORE - DAY\n\n{actions}\n")
    prepared = prepared_of(script)
    assert len(prepared.plan.shots.shots) == 14
    out = tmp_path / "sea.pdf"
    assert storyboard.write(prepared, out) == ["14 of 14 shots have no frame yet: run `filmc build tide.film --draft` first"]
    assert len(pdf_pages(out)) == 3
