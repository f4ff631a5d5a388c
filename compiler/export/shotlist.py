"""The shot list: one CSV row per shot, what an assistant director plans a shoot from.

Columns: scene, shot, heading, framing, camera_move, lens_mm, subjects, duration_s, start
(the shot's place in the film, H:MM:SS.s), transition, action, dialogue (`NAME: line`, one
speech a line inside the cell), backend (what makes the shot's picture), cache (`built`, `not
built`, or how many of the shot's tasks are made), source (`file:line`).
"""

from __future__ import annotations

import csv
import io

from ..build import Prepared
from ..plan import shot_tasks
from . import heading, names

COLUMNS = ("scene", "shot", "heading", "framing", "camera_move", "lens_mm", "subjects", "duration_s", "start",
           "transition", "action", "dialogue", "backend", "cache", "source")


def rows(prepared: Prepared) -> list[dict[str, str]]:
    plan, cache = prepared.plan, prepared.cache
    found = []
    for own in shot_tasks(plan):
        shot, tasks = own.shot, own.all()
        made = sum(1 for t in tasks if cache.get(t.key) is not None)
        picture = next((t.backend for t in (*own.clips, *own.keyframes, own.segment) if t is not None), "")
        found.append({
            "scene": str(shot.scene),
            "shot": shot.id,
            "heading": heading(prepared, shot),
            "framing": "card" if shot.card is not None else shot.framing,
            "camera_move": "" if shot.card is not None else shot.move,
            "lens_mm": _number(shot.lens_mm),
            "subjects": ", ".join(names(prepared, shot)),
            "duration_s": _number(shot.duration_s),
            "start": _clock(shot.start_s),
            "transition": shot.transition or "",
            "action": shot.card if shot.card is not None else shot.action,
            "dialogue": "\n".join(f"{s.name}: {' '.join(s.text.split())}" for s in shot.speeches),
            "backend": picture,
            "cache": "built" if tasks and made == len(tasks) else "not built" if not made else f"{made}/{len(tasks)} made",
            "source": f"{shot.span.file}:{shot.span.line}",
        })
    return found


def text(prepared: Prepared) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")  # RFC 4180, as spreadsheets expect
    writer.writeheader()
    writer.writerows(rows(prepared))
    return out.getvalue()


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds, 1), 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{rest:04.1f}"
