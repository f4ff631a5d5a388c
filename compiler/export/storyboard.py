"""The storyboard: a contact sheet of the film, one frame per shot with what the script says of it.

`write(prepared, out)` writes it as one self-contained HTML page (frames embedded as JPEG,
Lato and the CSS inline, no script; a browser's print gives a decent PDF too) or as a PDF of
A4 landscape pages composed with Pillow, which needs no browser. Shots are grouped by scene
under their heading; each cell has the frame, the shot's number, start and source line, its
framing, move, lens and length, its transition, the action (shortened) and the dialogue.

A shot's frame is what the cache has of it, for the plan given (a draft's plan finds the
draft's pictures), best first:

1. its keyframe, the still the clip starts from;
2. the first frame of its clip (the keyframe was not kept, or a video backend that takes no
   first frame made the clip from its prompt and the plan has no keyframe);
3. the middle frame of its segment (the shot as cut, with its fades);
4. else a box saying the shot is not built yet.

A cached file that cannot be read (a damaged blob) is passed over for the next, with a warning.

The tasks are found through the graph rather than by their ids: the film takes one segment
per shot in order, a segment its clip (`clip`, or `clip.1` for a split shot), a clip its
keyframe (`first_frame`). So a shot whose keyframe was merged with another's (two shots
written the same way, an exchange over the same shoulder) finds the one that was made. Cards
(`> THE END <`) have no picture to find: they show their text.

Same inputs, same bytes: nothing depends on the date, the machine or the order of a dict,
and the images are encoded with fixed settings (the PDF carries no creation date). Another
version of Pillow or ffmpeg may encode the frames differently, as it may draw them differently.
"""

from __future__ import annotations

import base64
import html
import io
import shlex
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageDraw, ImageFont, ImageOps

from .. import ir
from ..build import Prepared
from ..cache import write_atomic, write_streamed
from ..plan import Plan, shot_tasks
from ..plan.tasks import Graph, Task

HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
THUMB = 480           # the largest side of a frame embedded in the HTML, in pixels
JPEG_QUALITY = 85
ACTION_CHARS = 260    # the action is shortened to about this many characters in the HTML
LINE_CHARS = 400      # and each speech to this many


def write(prepared: Prepared, out: Path) -> list[str]:
    """Write the storyboard of a prepared film to `out`: HTML for `.html` or `.htm`, PDF for
    `.pdf`. Returns warnings for the user (shots with no frame yet, frames that could not be
    read). Raises ValueError for any other suffix."""
    suffix = out.suffix.lower()
    if suffix not in HTML_SUFFIXES + PDF_SUFFIXES:
        raise ValueError(f"a storyboard is written as HTML (.html, .htm) or PDF (.pdf), not `{out.name}`")
    board = _board(prepared)
    if suffix in HTML_SUFFIXES:
        text = _html(board)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_streamed(out, lambda stream: _pdf(board, stream))
    return board.warnings()


# ---- what the storyboard shows --------------------------------------------------------------


@dataclass(frozen=True)
class Still:
    """A cached output that shows a shot: an image (`keyframe`), or a video (`clip`,
    `segment`) and the time of the frame to take from it."""

    kind: str
    path: Path
    at_s: float = 0.0


@dataclass(frozen=True)
class Cell:
    """One shot of the storyboard and everything its cell says."""

    shot: ir.Shot
    stills: tuple[Still, ...]                 # what the cache has of it, best first
    subjects: tuple[str, ...]                 # the names of the characters in frame
    running: tuple[ir.Speech, ...] = ()       # lines of earlier shots still being said over this one

    @property
    def missing(self) -> bool:
        """A shot that needs a picture and has none yet (a card needs none)."""
        return self.shot.card is None and not self.stills

    @property
    def source(self) -> str:
        return f"{self.shot.span.file}:{self.shot.span.line}"


@dataclass
class Scene:
    """A scene's cells under its heading; `number` is "" for the shots before the first heading."""

    number: str
    heading: str
    cells: list[Cell]

    @property
    def title(self) -> str:
        return f"{self.number}  {self.heading}" if self.number else self.heading


@dataclass
class Board:
    """The whole storyboard: the film's title page facts and its scenes."""

    title: str
    byline: str
    facts: str
    script: str
    build_command: str
    aspect: float                 # the picture's width over its height
    scenes: list[Scene]
    unreadable: list[str] = field(default_factory=list)  # filled in while the pictures are read

    def cells(self) -> Iterator[Cell]:
        for scene in self.scenes:
            yield from scene.cells

    @property
    def missing(self) -> int:
        """Shots that need a picture and have none yet (cards need none)."""
        return sum(1 for c in self.cells() if c.missing)

    def notice(self, code: Callable[[str], str] = lambda command: f"`{command}`") -> str:
        """What to do about the shots with no frame ("" when none); `code` sets the command."""
        missing = self.missing
        if not missing:
            return ""
        total = sum(1 for _ in self.cells())
        shots = "shot has" if total == 1 else "shots have"
        return f"{missing} of {total} {shots} no frame yet: run {code(self.build_command)} first"

    def warnings(self) -> list[str]:
        found = [self.notice()] if self.missing else []
        return found + self.unreadable


def _board(prepared: Prepared) -> Board:
    plan = prepared.plan
    film = prepared.result.film
    assert film is not None  # prepare returns no Prepared without a film
    cast = prepared.result.symbols.cast
    stills = _stills(prepared)

    headings: dict[int, ir.SceneHeading] = {}
    number = 0
    for scene in film.scenes:
        if scene.heading is not None:
            number += 1
            headings[number] = scene.heading

    scenes: list[Scene] = []
    running: list[ir.Speech] = []
    for shot in plan.shots.shots:
        if not scenes or scenes[-1].cells[-1].shot.scene != shot.scene:
            heading = headings.get(shot.scene)
            if heading is None:
                scenes.append(Scene("", "Before the first scene", []))
            else:
                scenes.append(Scene(heading.scene_number or str(shot.scene), " ".join(heading.text.split()), []))
        # A long speech that a reaction shot cuts into is still heard over it.
        running = [s for s in running if s.start_s + s.duration_s > shot.start_s + 1e-6]
        names = tuple(cast[k].name if k in cast else k for k in shot.subjects)
        scenes[-1].cells.append(Cell(shot, stills[shot.id], names, tuple(running)))
        running += shot.speeches

    title_page: dict[str, list[str]] = {}
    for entry in film.title_page:
        title_page.setdefault(entry.key.lower(), []).extend(v.strip() for v in entry.values if v.strip())
    title = " ".join(title_page.get("title", [])) or Path(film.path).stem
    byline = " ".join(title_page.get("credit", []) + title_page.get("author", []))

    width, height = _picture_size(prepared)
    aspect = width / height if width and height else 16 / 9
    shots = plan.shots.shots
    counted = len(headings)
    facts = [_runtime(plan.runtime_s), _plural(len(shots), "shot"), _plural(counted, "scene"), _aspect(film)]
    if width and height:
        facts.append(f"{'draft, ' if prepared.options.draft else ''}{width}×{height}")
    draft = " --draft" if prepared.options.draft else ""
    return Board(title=title, byline=byline, facts=" · ".join(facts), script=film.path,
                 build_command=f"filmc build {shlex.quote(film.path)}{draft}", aspect=aspect, scenes=scenes)


def _stills(prepared: Prepared) -> dict[str, tuple[Still, ...]]:
    """What the cache has of each shot: its keyframe, clip and segment, those that are made."""
    plan, cache = prepared.plan, prepared.cache
    graph = plan.graph
    segments = _segments(plan)
    found: dict[str, tuple[Still, ...]] = {}
    for shot in plan.shots.shots:
        if shot.card is not None:
            found[shot.id] = ()
            continue
        segment = graph.tasks.get(segments.get(shot.id, f"shot/{shot.id}/segment"))
        clip = _input(graph, segment, ("clip", "clip.1")) or graph.tasks.get(f"shot/{shot.id}/clip") \
            or graph.tasks.get(f"shot/{shot.id}/clip.1")
        keyframe = _input(graph, clip, ("first_frame",)) or graph.tasks.get(f"shot/{shot.id}/keyframe")
        candidates = [
            ("keyframe", keyframe, 0.0),
            ("clip", clip, 0.0),
            ("segment", segment, float(segment.params.get("duration_s", 0)) / 2 if segment else 0.0),
        ]
        made = []
        for kind, task, at_s in candidates:
            entry = cache.get(task.key) if task is not None and task.kind == kind else None
            if entry is not None:
                made.append(Still(kind, cache.blob(entry), at_s))
        found[shot.id] = tuple(made)
    return found


def _segments(plan: Plan) -> dict[str, str]:
    """Each shot's segment (`plan.shot_tasks` follows the film's inputs, as merge leaves them)."""
    return {own.shot.id: own.segment.id for own in shot_tasks(plan) if own.segment is not None}


def _input(graph: Graph, task: Task | None, roles: Sequence[str]) -> Task | None:
    """The task a task takes in the first of `roles` it has."""
    if task is None:
        return None
    inputs = dict(task.inputs)
    for role in roles:
        if role in inputs and inputs[role] in graph.tasks:
            return graph.tasks[inputs[role]]
    return None


def _picture_size(prepared: Prepared) -> tuple[int, int]:
    """The film's picture size, from the plan (the draft's when drafting)."""
    for task in prepared.plan.graph:
        if task.kind in ("film", "segment", "keyframe", "clip") and "width" in task.params:
            return int(task.params["width"]), int(task.params["height"])
    return 0, 0


class Unreadable(Exception):
    """A cached picture that cannot be read (a damaged file, an ffmpeg that fails)."""


def _load(still: Still) -> Image.Image:
    """The still's frame, RGB, at its own size."""
    try:
        if still.kind == "keyframe":
            with Image.open(still.path) as image:
                return image.convert("RGB")
        return _video_frame(still.path, still.at_s)
    except (OSError, ValueError, SyntaxError, subprocess.SubprocessError) as exc:  # Pillow: SyntaxError for a broken file
        raise Unreadable(f"{type(exc).__name__}: {exc}") from None


def _video_frame(path: Path, at_s: float) -> Image.Image:
    import imageio_ffmpeg

    run = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-ss", f"{at_s:.3f}", "-i", str(path),
                          "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"],
                         capture_output=True, timeout=120, check=False)
    if run.returncode != 0 or not run.stdout:
        reason = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no frame"]
        raise ValueError(f"ffmpeg could not take a frame of {path.name}: {reason[0]}")
    with Image.open(io.BytesIO(run.stdout)) as image:
        return image.convert("RGB")


def _frame(board: Board, cell: Cell, box: tuple[int, int]) -> Image.Image | None:
    """A cell's frame fitted into `box` (never enlarged), from the first of its stills that
    can be read (one that cannot is noted for the user); None when there is none."""
    for n, still in enumerate(cell.stills):
        try:
            image = _load(still)
        except Unreadable as exc:
            instead = f"its {cell.stills[n + 1].kind} is shown instead" if n + 1 < len(cell.stills) else "it has no frame"
            board.unreadable.append(f"shot {cell.shot.id}: the cached {still.kind} cannot be read ({exc}); {instead}")
            continue
        image.thumbnail(box, Image.Resampling.LANCZOS)
        return image
    return None


def _placeholder(cell: Cell) -> str:
    """What a frame box says when there is no picture to show."""
    return "frame unreadable" if cell.stills else "not built yet"


# ---- words ------------------------------------------------------------------------------


def _meta(cell: Cell) -> str:
    """"close on ALIN · push in · 50mm · 3.0s"."""
    shot = cell.shot
    if shot.card is not None:
        parts = ["card"]
    else:
        framing = f"{shot.framing} on {', '.join(cell.subjects)}" if cell.subjects else shot.framing
        parts = [framing, shot.move]
        if shot.lens_mm is not None:
            parts.append(f"{shot.lens_mm:g}mm")
    parts.append(f"{shot.duration_s:.1f}s")
    if shot.take is not None:
        parts.append(f"take {shot.take}")
    return " · ".join(parts)


def _transitions(shot: ir.Shot) -> tuple[str, str]:
    """How the shot is entered and how it ends, as a film maker writes them ("" for a cut in
    and a cut out)."""
    before = shot.transition.upper() if shot.transition else ""
    if shot.continuous:
        before = f"{before} · CONTINUOUS" if before else "CONTINUOUS"
    return before, "FADE OUT" if shot.fade_out else ""


def _who(speech: ir.Speech, running: bool = False) -> tuple[str, str]:
    """A speech's name and what is said of its delivery: "(quietly; off screen)"."""
    notes = [speech.direction] if speech.direction else []
    if speech.off_screen:
        notes.append("off screen")
    if speech.sung and "sing" not in speech.direction.lower():
        notes.append("sung")
    if running:
        notes.append("continues")
    return speech.name, f"({'; '.join(notes)})" if notes else ""


def _shorten(text: str, limit: int) -> str:
    """Text on one line, cut at a word before `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def _runtime(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _clock(seconds: float) -> str:
    """A shot's start: minutes, seconds and tenths ("1:04.5")."""
    tenths = round(seconds * 10)
    return f"{tenths // 600}:{tenths % 600 // 10:02d}.{tenths % 10}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _aspect(film: ir.Film) -> str:
    w, h = film.settings.aspect or (16.0, 9.0)
    return f"{w:g}:{h:g}"


# ---- HTML -------------------------------------------------------------------------------


_CSS = """
@font-face { font-family: "Lato"; font-weight: 400; font-style: normal; src: url(%(regular)s) format("truetype"); }
@font-face { font-family: "Lato"; font-weight: 700; font-style: normal; src: url(%(bold)s) format("truetype"); }
@font-face { font-family: "Lato"; font-weight: 400; font-style: italic; src: url(%(italic)s) format("truetype"); }
* { box-sizing: border-box; }
body { margin: 24px 32px 48px; background: #fff; color: #1c1c1e; font: 14px/1.4 Lato, "Helvetica Neue", Arial, sans-serif; }
header.film { border-bottom: 3px solid #1c1c1e; padding-bottom: 10px; margin-bottom: 8px; }
h1 { font-size: 30px; margin: 0; letter-spacing: .01em; }
.byline { margin: 2px 0 0; color: #555; }
.facts { margin: 6px 0 0; color: #1c1c1e; }
.script { color: #777; }
.notice { margin: 10px 0 0; padding: 8px 12px; background: #fff4d6; border-left: 4px solid #d9a400; }
code { font: 13px/1 Menlo, Consolas, "DejaVu Sans Mono", monospace; background: #fbe7a6; padding: 1px 4px; }
section.scene { margin-top: 22px; }
h2 { font-size: 17px; margin: 0 0 10px; padding: 4px 0; border-bottom: 1px solid #bbb; text-transform: uppercase; letter-spacing: .03em; }
h2 .number { display: inline-block; min-width: 2.2em; color: #8a6d1d; }
.grid { display: grid; gap: 22px 18px; grid-template-columns: repeat(auto-fill, minmax(%(column)s, 1fr)); }
article.shot { break-inside: avoid; page-break-inside: avoid; }
body.beside article.shot { display: grid; grid-template-columns: %(beside)s 1fr; gap: 12px; align-items: start; }
.frame { display: block; width: 100%%; height: auto; aspect-ratio: %(ratio)s; background: #111; }
div.frame { display: flex; align-items: center; justify-content: center; text-align: center; padding: 6%%; overflow: hidden; }
.card { background: #1b1d26; color: #eee8da; font-size: 18px; letter-spacing: .08em; }
.missing { background: #f2f2f2; border: 2px dashed #b5b5b5; color: #777; font-style: italic; }
.text p { margin: 3px 0 0; }
.head { display: flex; gap: 8px; align-items: baseline; margin-top: 6px !important; }
.id { font-weight: 700; font-size: 16px; }
.at { color: #666; font-variant-numeric: tabular-nums; }
.src { margin-left: auto; color: #888; font-size: 12px; }
.meta { color: #333; }
.transition { font-weight: 700; color: #8a6d1d; font-size: 12px; letter-spacing: .04em; }
.action { color: #1c1c1e; }
.line .name { font-weight: 700; }
.line .how { font-style: italic; color: #555; }
.line.running { color: #666; }
.sound { color: #777; font-style: italic; font-size: 12px; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; font-size: 10pt; }
  .grid { grid-template-columns: repeat(%(print_columns)s, 1fr); }
  header.film, h2 { break-after: avoid; page-break-after: avoid; }
  .frame, .card, .notice { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _html(board: Board) -> str:
    beside = board.aspect < 1.2
    css = _CSS % {
        **_fonts(),
        "ratio": f"{board.aspect:.4f}",
        # Portrait and square frames sit beside their text, wide ones above it.
        "column": "420px" if beside else "320px",
        "beside": "42%" if beside else "auto",
        "print_columns": "2" if beside else "3",
    }
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="filmc">',
        f"<title>{e(board.title)}: storyboard</title>",
        f"<style>{css}</style>",
        "</head>",
        f'<body class="{"beside" if beside else "above"}">',
        '<header class="film">',
        f"<h1>{e(board.title)}</h1>",
    ]
    if board.byline:
        parts.append(f'<p class="byline">{e(board.byline)}</p>')
    parts.append(f'<p class="facts">{e(board.facts)} · <span class="script">{e(board.script)}</span></p>')
    if board.missing:
        # Only the command is user text (the script's name); the rest is filmc's words.
        parts.append(f'<p class="notice">{board.notice(lambda command: f"<code>{e(command)}</code>")}.</p>')
    parts.append("</header>")
    for scene in board.scenes:
        parts.append('<section class="scene">')
        number = f'<span class="number">{e(scene.number)}</span>' if scene.number else ""
        parts.append(f"<h2>{number}{e(scene.heading)}</h2>")
        parts.append('<div class="grid">')
        for cell in scene.cells:
            parts.append(_html_cell(board, cell))
        parts.append("</div>")
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _html_cell(board: Board, cell: Cell) -> str:
    e = html.escape
    shot = cell.shot
    label = f"Shot {shot.id}"
    image = _frame(board, cell, (THUMB, THUMB))
    if image is not None:
        frame = (f'<img class="frame" src="data:image/jpeg;base64,{_jpeg_base64(image)}" width="{image.width}" '
                 f'height="{image.height}" alt="{e(label)}">')
    elif shot.card is not None:
        frame = f'<div class="frame card" role="img" aria-label="{e(label)}">{e(_shorten(shot.card, 200))}</div>'
    else:
        frame = f'<div class="frame missing" role="img" aria-label="{e(label)}">{_placeholder(cell)}</div>'
    before, after = _transitions(shot)
    meta = f'<span class="transition">{e(before)}</span> ' if before else ""
    meta += e(_meta(cell))
    if after:
        meta += f' <span class="transition">{e(after)}</span>'
    text = [
        f'<p class="head"><span class="id">{e(shot.id)}</span><span class="at">{_clock(shot.start_s)}</span>'
        f'<span class="src">{e(cell.source)}</span></p>',
        f'<p class="meta">{meta}</p>',
    ]
    if shot.action and shot.card is None:
        text.append(f'<p class="action">{e(_shorten(shot.action, ACTION_CHARS))}</p>')
    for speech in cell.running:
        text.append(_html_line(speech, running=True))
    for speech in shot.speeches:
        text.append(_html_line(speech))
    if shot.sounds:
        text.append(f'<p class="sound">Sound: {e("; ".join(shot.sounds))}</p>')
    return (f'<article class="shot" id="shot-{e(shot.id)}">{frame}<div class="text">' + "".join(text)
            + "</div></article>")


def _html_line(speech: ir.Speech, running: bool = False) -> str:
    e = html.escape
    name, how = _who(speech, running)
    how_html = f' <span class="how">{e(how)}</span>' if how else ""
    said = _shorten(speech.text, 120 if running else LINE_CHARS)
    kind = "line running" if running else "line"
    return f'<p class="{kind}"><span class="name">{e(name)}</span>{how_html}: {e(said)}</p>'


def _jpeg_base64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@lru_cache(maxsize=1)
def _fonts() -> dict[str, str]:
    """Lato (the typeface the local backend sets its cards in) as data URIs, so the page looks
    the same on every machine."""
    found = {}
    for key, name in (("regular", "Regular"), ("bold", "Bold"), ("italic", "Italic")):
        data = (resources.files("font_lato") / "files" / f"Lato-{name}.ttf").read_bytes()
        found[key] = "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")
    return found


# ---- PDF --------------------------------------------------------------------------------

DPI = 150
PAGE = (1754, 1240)       # A4 landscape (297 × 210 mm) at 150 dpi
MARGIN = 48              # 8 mm
GAP = 28                  # between cells
HEADER = 56               # the title band at the top of every page
FOOTER = 30
DIVIDER = 42              # a scene's heading
TEXT = 19                 # body text size, in pixels (9 pt)
LEADING = 25

INK = (28, 28, 30)
GREY = (110, 110, 114)
LIGHT = (150, 150, 154)
GOLD = (138, 109, 29)
CARD = (27, 29, 38)
CARD_INK = (238, 232, 218)


@dataclass(frozen=True)
class _Layout:
    """How cells sit on a page: `columns` a row, each `cell` (width, height) with its frame
    `frame` (width, height) above its text, or beside it."""

    columns: int
    cell: tuple[int, int]
    frame: tuple[int, int]
    beside: bool

    @property
    def text_box(self) -> tuple[int, int, int, int]:
        """Where the text goes in a cell: x, y, width, height."""
        fw, fh = self.frame
        cw, ch = self.cell
        if self.beside:
            return fw + 18, 0, cw - fw - 18, ch
        return 0, fh + 8, cw, ch - fh - 8


def _layout(aspect: float) -> _Layout:
    """Two rows of cells a page, with room for two scene headings (so that short scenes share
    a page): three wide frames a row with their text under them (four for frames near 4:3), or
    portrait and square frames with their text beside them, three a row (two for frames near
    square, whose text needs the room)."""
    width = PAGE[0] - 2 * MARGIN
    height = PAGE[1] - 2 * MARGIN - HEADER - FOOTER - 2 * DIVIDER
    row = (height - GAP) // 2
    if aspect < 1.2:
        columns = 3 if aspect <= 0.7 else 2
        cell_w = (width - GAP * (columns - 1)) // columns
        frame_h = row
        frame_w = round(frame_h * aspect)
        if frame_w > cell_w * 0.6:  # a square frame leaves its text room enough
            frame_w = round(cell_w * 0.6)
            frame_h = round(frame_w / aspect)
        return _Layout(columns, (cell_w, row), (frame_w, frame_h), beside=True)
    columns = 3 if aspect >= 1.5 else 4
    cell_w = (width - GAP * (columns - 1)) // columns
    return _Layout(columns, (cell_w, row), (cell_w, round(cell_w / aspect)), beside=False)


def _pages(board: Board, layout: _Layout) -> list[list[tuple[str, object]]]:
    """What goes on each page, top to bottom: ("scene", title) dividers and ("row", cells).
    A scene starts a new row; one that goes on from the page before repeats its heading."""
    room = PAGE[1] - 2 * MARGIN - HEADER - FOOTER
    pages: list[list[tuple[str, object]]] = [[]]
    used = 0
    for scene in board.scenes:
        rows = [scene.cells[i:i + layout.columns] for i in range(0, len(scene.cells), layout.columns)]
        for n, row in enumerate(rows):
            divider = n == 0 or used == 0
            if used and used + (DIVIDER if divider else 0) + layout.cell[1] > room:
                pages.append([])
                used, divider = 0, True
            if divider:
                pages[-1].append(("scene", scene.title if n == 0 else f"{scene.title} (continued)"))
                used += DIVIDER
            pages[-1].append(("row", row))
            used += layout.cell[1] + GAP  # as _page draws it: a gap after every row
    return [page for page in pages if page] or [[]]


def _pdf(board: Board, out: BinaryIO) -> None:
    layout = _layout(board.aspect)
    pages = _pages(board, layout)

    def jpegs() -> Iterator[tuple[tuple[int, int], bytes]]:
        # One page at a time: drawn, encoded, written, let go.
        for number, content in enumerate(pages, 1):
            image = _page(board, layout, content, number, len(pages))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=90, subsampling=0)
            yield image.size, buffer.getvalue()

    _pdf_document(out, jpegs(), board.title)


def _page(board: Board, layout: _Layout, content: list[tuple[str, object]], number: int, count: int) -> Image.Image:
    page = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(page)
    x0, y = MARGIN, MARGIN
    right = PAGE[0] - MARGIN
    # The title band: the title, then the facts to the right, over a rule.
    # The facts are short and say what the reader needs; a long title gives way to them.
    facts_face, title_face = _font(17), _font(30, "bold")
    facts = _fit(board.facts, facts_face, (right - x0) * 0.5)
    title = _fit(board.title, title_face, right - x0 - facts_face.getlength(facts) - 40)
    draw.text((x0, y + 34), title, font=title_face, fill=INK, anchor="ls")
    draw.text((right, y + 34), facts, font=facts_face, fill=GREY, anchor="rs")
    draw.line((x0, y + 46, right, y + 46), fill=INK, width=3)
    y += HEADER
    for kind, item in content:
        if kind == "scene":
            assert isinstance(item, str)
            draw.text((x0, y + 30), _fit(item.upper(), _font(21, "bold"), right - x0), font=_font(21, "bold"), fill=INK,
                      anchor="ls")
            draw.line((x0, y + 38, right, y + 38), fill=(187, 187, 187), width=1)
            y += DIVIDER
        else:
            assert isinstance(item, list)
            for column, cell in enumerate(item):
                _pdf_cell(page, draw, board, layout, cell, (x0 + column * (layout.cell[0] + GAP), y))
            y += layout.cell[1] + GAP
    footer = f"{board.script} · storyboard · page {number} of {count}"
    draw.text((right, PAGE[1] - MARGIN + 6), footer, font=_font(15), fill=LIGHT, anchor="rs")
    if board.missing:
        notice = _fit(board.notice(lambda command: f"“{command}”") + ".", _font(15, "bold"), right - x0 - _font(15).getlength(footer) - 40)
        draw.text((x0, PAGE[1] - MARGIN + 6), notice, font=_font(15, "bold"), fill=GOLD, anchor="ls")
    return page


def _pdf_cell(page: Image.Image, draw: ImageDraw.ImageDraw, board: Board, layout: _Layout, cell: Cell,
              at: tuple[int, int]) -> None:
    x, y = at
    fw, fh = layout.frame
    box = (x, y, x + fw, y + fh)
    shot = cell.shot
    image = _frame(board, cell, layout.frame)
    if image is not None:
        draw.rectangle(box, fill=(17, 17, 17))
        fitted = ImageOps.contain(image, layout.frame, Image.Resampling.LANCZOS)
        page.paste(fitted, (x + (fw - fitted.width) // 2, y + (fh - fitted.height) // 2))
    elif shot.card is not None:
        draw.rectangle(box, fill=CARD)
        size = max(14, min(40, fh // 7))
        face = _font(size)
        lines = _wrap([(shot.card, face, CARD_INK)], fw * 0.84, 4)
        top = y + fh / 2 - len(lines) * size * 1.3 / 2
        for n, line in enumerate(lines):
            text = " ".join(word for _, word, _, _ in line)
            draw.text((x + fw / 2, top + (n + 0.5) * size * 1.3), text, font=face, fill=CARD_INK, anchor="mm")
    else:
        draw.rectangle(box, fill=(242, 242, 242), outline=(181, 181, 181), width=2)
        draw.text((x + fw / 2, y + fh / 2), _placeholder(cell), font=_font(TEXT + 2, "italic"), fill=GREY, anchor="mm")
    tx, ty, tw, th = layout.text_box
    _pdf_text(draw, cell, (x + tx, y + ty, tw, th))


def _pdf_text(draw: ImageDraw.ImageDraw, cell: Cell, box: tuple[int, int, int, int]) -> None:
    """The cell's words in its text box: what does not fit is cut with an ellipsis, the
    action first (to three lines when there is dialogue), a running line to two."""
    x, y, width, height = box
    shot = cell.shot
    last = y + height - 6  # the lowest baseline that leaves room for descenders
    # The head: number and start on the left, the source line on the right.
    baseline = y + 22
    draw.text((x, baseline), shot.id, font=_font(22, "bold"), fill=INK, anchor="ls")
    start = x + _font(22, "bold").getlength(shot.id) + 12
    draw.text((start, baseline), _clock(shot.start_s), font=_font(TEXT), fill=GREY, anchor="ls")
    draw.text((x + width, baseline), _fit(cell.source, _font(15), width * 0.55), font=_font(15), fill=LIGHT, anchor="rs")
    baseline += LEADING + 4

    before, after = _transitions(shot)
    bold, regular, italic = _font(TEXT, "bold"), _font(TEXT), _font(TEXT, "italic")
    meta = ([(before + " ·", _font(TEXT - 2, "bold"), GOLD)] if before else []) + [(_meta(cell), regular, (60, 60, 64))]
    if after:
        meta.append(("· " + after, _font(TEXT - 2, "bold"), GOLD))
    paragraphs: list[tuple[list[tuple[str, ImageFont.FreeTypeFont, tuple[int, int, int]]], int]] = [(meta, 2)]
    speeches = [(s, True) for s in cell.running] + [(s, False) for s in shot.speeches]
    if shot.action and shot.card is None:
        paragraphs.append(([(shot.action, regular, INK)], 3 if speeches else 99))
    for speech, running in speeches:
        name, how = _who(speech, running)
        runs = [(name, bold, INK)]
        if how:
            runs.append((how, italic, GREY))
        runs[-1] = (runs[-1][0] + ":", runs[-1][1], runs[-1][2])
        runs.append((speech.text, italic if running else regular, GREY if running else INK))
        paragraphs.append((runs, 2 if running else 99))
    if shot.sounds:
        paragraphs.append(([("Sound: " + "; ".join(shot.sounds), italic, GREY)], 2))
    for runs, most in paragraphs:
        room = (last - baseline) // LEADING + 1
        if room <= 0:
            break
        for line in _wrap(runs, width, min(most, room)):
            for offset, word, face, colour in line:
                draw.text((x + offset, baseline), word, font=face, fill=colour, anchor="ls")
            baseline += LEADING
        baseline += 4


Word = tuple[float, str, ImageFont.FreeTypeFont, tuple[int, int, int]]


def _wrap(runs: list[tuple[str, ImageFont.FreeTypeFont, tuple[int, int, int]]], width: float, max_lines: int) -> list[list[Word]]:
    """Runs of text (each in its own face and colour) set in lines of `width` pixels: each
    word with its x offset. At most `max_lines` lines, the last ending in an ellipsis when
    the text goes on; a word wider than a line is broken."""
    words: list[tuple[str, ImageFont.FreeTypeFont, tuple[int, int, int]]] = []
    for text, face, colour in runs:
        for word in text.split():
            while face.getlength(word) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and face.getlength(word[:cut]) > width:
                    cut -= 1
                words.append((word[:cut], face, colour))
                word = word[cut:]
            words.append((word, face, colour))
    lines: list[list[Word]] = []
    x = 0.0
    for word, face, colour in words:
        space = face.getlength(" ")
        w = face.getlength(word)
        if not lines or x + space + w > width:
            if len(lines) == max_lines:
                _ellipsis(lines[-1], width)
                return lines
            lines.append([])
            x = -space
        lines[-1].append((x + space, word, face, colour))
        x += space + w
    return lines


def _ellipsis(line: list[Word], width: float) -> None:
    """End a line with "…", dropping words until it fits."""
    while line:
        offset, word, face, colour = line[-1]
        text = word.rstrip(",;:.-–—") + "…"
        if offset + face.getlength(text) <= width or len(line) == 1:
            line[-1] = (offset, text, face, colour)
            return
        line.pop()


def _fit(text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """One line of text, cut with an ellipsis to fit `width`."""
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _font(size: int, weight: str = "regular") -> ImageFont.FreeTypeFont:
    from ...backends.local.draw import font

    return font(size, weight)


def _pdf_document(out: BinaryIO, pages: Iterable[tuple[tuple[int, int], bytes]], title: str) -> None:
    """Write a PDF of full-page JPEG images at DPI, a page at a time. (Pillow's PDF writer
    keeps every page decoded in memory until the end, about 6.5 MB a page here, and a
    feature's storyboard runs to hundreds of pages.) Objects: 1 the catalog, 2 the page tree,
    3 the info, then for each page its image, its content and itself."""
    start = out.tell()
    offsets: dict[int, int] = {}

    def obj(number: int, body: bytes, stream: bytes | None = None) -> None:
        offsets[number] = out.tell() - start
        out.write(f"{number} 0 obj\n".encode())
        out.write(body)
        if stream is not None:
            out.write(b"\nstream\n" + stream + b"\nendstream")
        out.write(b"\nendobj\n")

    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    kids = []
    count = 0
    for n, ((width, height), jpeg) in enumerate(pages):
        image, content, page = 4 + 3 * n, 5 + 3 * n, 6 + 3 * n
        points = (width * 72 / DPI, height * 72 / DPI)
        obj(image, (f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceRGB "
                    f"/BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpeg)} >>").encode(), jpeg)
        draw = f"q {points[0]:.2f} 0 0 {points[1]:.2f} 0 0 cm /Im0 Do Q".encode()
        obj(content, f"<< /Length {len(draw)} >>".encode(), draw)
        obj(page, (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {points[0]:.2f} {points[1]:.2f}] "
                   f"/Resources << /XObject << /Im0 {image} 0 R >> /ProcSet [/PDF /ImageC] >> "
                   f"/Contents {content} 0 R >>").encode())
        kids.append(f"{page} 0 R")
        count = n + 1
    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(2, f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode())
    obj(3, b"<< /Title " + _pdf_string(f"{title}: storyboard") + b" /Creator (filmc) >>")
    size = 4 + 3 * count
    xref = out.tell() - start
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for number in range(1, size):
        out.write(f"{offsets[number]:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {size} /Root 1 0 R /Info 3 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())


def _pdf_string(text: str) -> bytes:
    """A PDF text string: UTF-16 with its byte order mark, in hex (any title, any script)."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().upper().encode() + b">"

