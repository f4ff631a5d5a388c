"""Who is in a scene: a character who speaks on screen, or a shot framed on them, must be there.

Checked in the scenes a writer frames with `[[shot]]` annotations, where what filmc renders
follows the annotations. In a plain screenplay's scene filmc takes every speaker as present,
as readers do: writers bring characters in by pronoun and relation ("his father", "the
couple") as often as by name, and a check there would mostly be wrong.

A character is in a scene when its action names them (by any distinctive word of their name or
an alias, in any case: "Edward" for EDWARD, "Bennett" for DR. BENNETT), when a shot is framed on
them, or when they were there in the scene before and this one is CONTINUOUS. A voice from off
screen (V.O., O.S., O.C., on the phone) need not be.
"""

from __future__ import annotations

import re

from .. import diagnostics as codes
from .. import ir
from ..names import fold, is_off_screen, is_voice_name, mention_words, speakers
from . import Context


def run(ctx: Context) -> None:
    symbols = ctx.symbols
    carried: set[str] = set()
    spelled: dict[str, list[str]] = {}
    for spelling, key in symbols.spellings.items():
        spelled.setdefault(key, []).append(spelling)
    scenes = ctx.film.scenes
    framed_scenes = [any(isinstance(e, ir.ShotAnnotation) for e in scene.elements) for scene in scenes]
    for index, (scene, heading, text) in enumerate(zip(scenes, ctx.headings, ctx.action_text, strict=True)):
        following = ctx.headings[index + 1] if index + 1 < len(scenes) else None
        if not framed_scenes[index] and not (following and following.continuous and framed_scenes[index + 1]):
            carried = set()  # neither checked nor carried into a checked scene
            continue
        words: set[str] | None = None
        present: set[str] = set(carried) if heading is not None and heading.continuous else set()
        subjects: list[tuple[ir.ShotAnnotation, str, str]] = []
        speaking: list[tuple[ir.Character, str, str]] = []
        for element in scene.elements:
            if isinstance(element, ir.ShotAnnotation):
                for name in element.subjects:
                    key = symbols.spellings.get(fold(name))
                    if key:
                        subjects.append((element, name, key))
            elif isinstance(element, ir.Character):
                whole = symbols.spellings.get(fold(element.name))
                names = [element.name] if whole else speakers(element.name)
                for name in names:
                    key = symbols.spellings.get(fold(name))
                    if key and not is_off_screen(element.extensions) and not is_voice_name(name):
                        speaking.append((element, name, key))
        for key in {k for _, _, k in subjects} | {k for _, _, k in speaking}:
            if key in present:
                continue
            if words is None:
                words = set(_WORD.findall(text))
            if any(_names(text, words, spelling) for spelling in spelled.get(key, [key])):
                present.add(key)
        framed = {k for _, _, k in subjects}
        carried = present | framed | {k for _, _, k in speaking}
        if not framed_scenes[index]:
            continue
        reported: set[str] = set()
        for cue, name, key in speaking:
            if key in present or key in framed or key in reported:
                continue
            reported.add(key)
            ctx.reporter.report(
                codes.SPEAKER_NOT_PRESENT, ctx.find(cue.span, name),
                f"`{name}` speaks in this scene, but nothing in it shows them there",
                (f"bring them in with the action (`{name} enters.`) or a shot on them; if they are heard from off "
                 "screen, mark the cue `(O.S.)`",),
            )
        for shot, name, key in subjects:
            if key in present or key in reported or any(k == key for _, _, k in speaking):
                continue
            reported.add(key)
            ctx.reporter.report(
                codes.SUBJECT_NOT_IN_SCENE, ctx.find(shot.span, name),
                f"this shot is on `{name}`, but nothing in the scene shows them there",
                (f"bring `{name}` into the scene in the action, or frame the shot on someone who is in it",),
            )


_WORD = re.compile(r"[\w']+")


def _names(text: str, words: set[str], key: str) -> bool:
    for word in mention_words(key):
        if " " not in word:
            if word in words or word.removesuffix("'s") in words or word + "'s" in words:
                return True
        elif word in text and re.search(rf"(?<![\w']){re.escape(word)}(?![\w])", text):
            return True  # a name of several words, as whole words
    return False
