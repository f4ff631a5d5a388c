"""Timing: a speech must fit the shot that shows it, at a natural pace.

A shot annotation right before a character cue frames that speech; with a duration, the speech's
words at the project's words per second (stdlib/defaults.toml, overridable in film.toml) must
fit in it. Shots without a duration are timed by the planner, which fits them to their words.
"""

from __future__ import annotations

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
    for scene in ctx.film.scenes:
        elements = scene.elements
        for k, element in enumerate(elements):
            if not isinstance(element, ir.ShotAnnotation) or element.duration_s is None:
                continue
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


def _seconds(value: float) -> str:
    rounded = -(-value * 2 // 1) / 2  # up to the next half second
    return f"{rounded:g}s"
