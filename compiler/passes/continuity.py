"""Continuity of time and place: headings that say where and when, and time of day that holds
through continuous action.

A heading marked CONTINUOUS (or SAME, MOMENTS LATER) is the same moment as the scene before, so
its light cannot change; a `continuous` shot continues the shot before it, across a scene
break too. A scene that shows something needs a location and a time of day for its set plate;
when a heading leaves the time out, filmc carries the light over and says so.
"""

from __future__ import annotations

import re

from .. import diagnostics as codes
from .. import ir
from . import Context

_SHOWS = ("action", "character", "shot")


def run(ctx: Context) -> None:
    previous: tuple[ir.SceneHeading, str, str] | None = None  # the last heading, its light, its time as said
    for scene, heading, setting in zip(ctx.film.scenes, ctx.headings, ctx.symbols.settings, strict=True):
        shows = any(e.type in _SHOWS for e in scene.elements)
        if heading is not None:
            where = scene.heading.span
            if heading.continuous and heading.time and previous and heading.light != previous[1]:
                ctx.reporter.report(
                    codes.TIME_CONTRADICTION, ctx.find(where, heading.time),
                    f"this scene continues the one before, which is at {previous[2]} (line {previous[0].span.line}), "
                    f"but its heading says {heading.time}",
                    (f"a continuous scene keeps the light of the one before: write `{previous[2]}`, or drop "
                     "CONTINUOUS if time has passed",),
                )
            if shows and not heading.location:
                ctx.reporter.report(
                    codes.INCOMPLETE_HEADING, where, "this scene heading does not say where the scene happens",
                    ("write the location after INT. or EXT., such as `EXT. SHORE - DAWN`: filmc makes one set per location",),
                )
            elif shows and heading.time is None and heading.place and not heading.continuous and not heading.later:
                # A heading without INT./EXT. (`.INSIDE`, `.THE FINGER`) is a shot within the
                # scene, in its light; only a new master scene needs its own time.
                assumed = (f"lights it like the scene before ({setting.light.upper()})" if setting.light_from == "previous"
                           else "assumes DAY")
                ctx.reporter.report(
                    codes.INCOMPLETE_HEADING, where,
                    f"this scene heading has no time of day; filmc {assumed}",
                    (f"end the heading with a time, such as `{scene.heading.text} - NIGHT`, or `- CONTINUOUS`",),
                )
        light = setting.light
        if previous is not None and (heading is None or not heading.continuous):
            _check_continuous_shot(ctx, scene, previous, light)
        if scene.heading is not None:
            said = heading.time.upper() if heading and heading.time else previous[2] if previous else light.upper()
            previous = (scene.heading, light, said)


def _check_continuous_shot(ctx: Context, scene: ir.Scene, previous, light: str) -> None:
    """A scene's first shot marked `continuous` continues the last shot of the scene before."""
    first = next((e for e in scene.elements if isinstance(e, ir.ShotAnnotation)), None)
    if first is None or not first.continuous or light == previous[1]:
        return
    ctx.reporter.report(
        codes.TIME_CONTRADICTION, ctx.find(first.span, re.compile(r"\bcontinuous\b")),
        f"this shot continues the last shot of the scene before, which is at {previous[2]} (heading on line "
        f"{previous[0].span.line}), but this scene is at {light.upper()}",
        ("mark the scene heading `CONTINUOUS` and give it the same time, or drop `continuous` from the shot",),
    )
