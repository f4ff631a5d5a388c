"""Timing: a speech must fit the shot that shows it, at a natural pace, and a shot longer than
the video backend's longest clip is noted, because the planner will split it.

A shot annotation right before a character cue frames that speech; with a duration, the speech's
words at the project's words per second (stdlib/defaults.toml, overridable in film.toml) must
fit in it. Shots without a duration are timed by the planner, which fits them to their words.
"""

from __future__ import annotations

import math
import re

from .. import diagnostics as codes
from .. import ir
from . import Context

_DURATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*(?:seconds?|secs?|s)\b", re.I)
# Annotations between a shot and what it frames, which do not take screen time.
_PASS_OVER = ("music", "sound", "wardrobe", "note")
_SPEECH = ("dialogue", "parenthetical", "lyrics")


def run(ctx: Context) -> None:
    rate = ctx.project.config.pacing.words_per_second
    video = ctx.project.config.backends.video
    declared = None
    if _has_durations(ctx.film):  # only then is the backend (and importlib.metadata) needed
        from ...backends import registry

        declared = registry.capabilities(video)
    longest = declared.max_clip_s if declared else None
    for scene in ctx.film.scenes:
        elements = scene.elements
        for k, element in enumerate(elements):
            if not isinstance(element, ir.ShotAnnotation) or element.duration_s is None:
                continue
            if longest is not None and element.duration_s > longest:
                parts = math.ceil(element.duration_s / longest)
                ctx.reporter.report(
                    codes.SHOT_WILL_BE_SPLIT, ctx.find(element.span, _DURATION),
                    f"this {element.duration_s:g} s shot is longer than the `{video}` backend can make in one clip "
                    f"({longest:g} s); the planner will make it as {parts} chained clips",
                    ("to choose where it cuts, write it as shorter shots",),
                )
            j = k + 1
            while j < len(elements) and elements[j].type in _PASS_OVER:
                j += 1
            if j == len(elements) or not isinstance(elements[j], ir.Character):
                continue
            cue = elements[j]
            lines = []
            j += 1
            while j < len(elements) and elements[j].type in _SPEECH:
                if elements[j].type != "parenthetical":
                    lines.append(elements[j].text)
                j += 1
            words = sum(len(line.split()) for line in lines)
            needed = words / rate
            if needed <= element.duration_s:
                continue
            ctx.reporter.report(
                codes.DIALOGUE_TOO_LONG, ctx.find(element.span, _DURATION),
                f"`{cue.name}` says {words} words here, about {needed:.1f} s at a natural pace, but the shot lasts "
                f"{element.duration_s:g} s",
                (f"make the shot at least {_seconds(needed)}, cut the speech, or drop the duration and let filmc "
                 "time the shot",
                 f"the pace is {rate:g} words a second; a project can change it in film.toml under [pacing]"),
            )


def _has_durations(film: ir.Film) -> bool:
    return any(isinstance(e, ir.ShotAnnotation) and e.duration_s is not None for s in film.scenes for e in s.elements)


def _seconds(value: float) -> str:
    rounded = -(-value * 2 // 1) / 2  # up to the next half second
    return f"{rounded:g}s"
