"""From the shot list to the first shot graph: every shot's tasks, written out shot by shot.

Each shot asks for what it needs on its own (a sheet of each character it shows, a plate of
its set, a keyframe, a clip, its voice lines, a segment); the passes after this one share what
is shared (hoist), adapt to the backends (split), drop what no output needs (prune) and make
identical tasks one (merge). Keeping this step naive keeps it easy to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .. import ir
from ..prompts import Prompts
from .tasks import Graph, Task, derived_seed


@dataclass(frozen=True)
class Backends:
    """The backend serving each capability: its name, prompt family and declarations."""

    names: dict[str, str]
    families: dict[str, str]
    reference_images: dict[str, bool]
    first_frame: dict[str, bool]
    last_frame: dict[str, bool] = field(default_factory=dict)
    line_context: dict[str, bool] = field(default_factory=dict)


@dataclass
class Inputs:
    """What the planner reads besides the shot list."""

    film: ir.Film
    symbols: ir.Symbols
    shots: ir.ShotList
    backends: Backends
    prompts: Prompts
    size: tuple[int, int]
    fps: int
    references: dict[tuple[str, str], str]  # ("cast" | "set", key) → the sha256 of its `ref:` file
    burn_subtitles: bool = False  # segments draw their dialogue into the picture
    draft: bool = False  # a quick preview: pictures ask for less detail


# The transitions that blend the shot before into the next (the others cut, or fade in from black).
BLENDS = frozenset({"dissolve", "wipe"})


def build(inputs: Inputs) -> Graph:
    return _Builder(inputs).run()


class _Builder:
    def __init__(self, inputs: Inputs) -> None:
        self.i = inputs
        self.tasks: list[Task] = []
        self.style = inputs.film.settings.style or ""
        self.looks: dict[tuple, dict[str, Any]] = {}
        self.lengths: dict[str, float] = {}  # segment id → its duration
        self.running: list[tuple[str, ir.Speech]] = []  # voice lines said past their shot, and their task
        self.context: dict[int, tuple[str, str]] = {}  # speech (by id) → the same voice's lines around it

    def add(self, task_id: str, kind: str, params: dict[str, Any], inputs=(), shot: str | None = None,
            seed: int | None = None, seeded: bool = True) -> str:
        from .tasks import CAPABILITY

        if seeded:
            params["seed"] = seed if seed is not None else derived_seed(kind, params)
        self.tasks.append(Task(id=task_id, kind=kind, params=params, inputs=tuple(inputs), shot=shot,
                               backend=self.i.backends.names[CAPABILITY[kind]]))
        if kind == "segment":
            self.lengths[task_id] = params["duration_s"]
        return task_id

    def reference(self, kind: str, look: tuple, make, seed: int | None) -> dict[str, Any]:
        """The parameters of a sheet or a plate, rendered once per look: every shot still asks
        for its own (hoist shares them), but equal requests need not be rendered twice."""
        found = self.looks.get(look)
        if found is None:
            found = make()
            found["seed"] = seed if seed is not None else derived_seed(kind, found)
            self.looks[look] = found
        return found

    def prompt(self, kind: str, capability: str, context: dict[str, Any]) -> str:
        return self.i.prompts.render(self.i.backends.families[capability], kind, {"style": self.style, **context})

    def run(self) -> Graph:
        shots = self.i.shots
        segments: list[str] = []
        if shots.title_card_s:
            segments.append(self.add("title", "segment", {
                "card": "title", "title": self.title_page(), "duration_s": shots.title_card_s, **self.picture(),
            }, seeded=False))
        previous_clip: str | None = None
        self.context = _line_context(shots.shots) if self.i.backends.line_context.get("speech") else {}
        for shot in shots.shots:
            segment, previous_clip = self.shot(shot, previous_clip)
            segments.append(segment)
        if shots.end_card_s:
            credits = {cap: name for cap, name in sorted(self.i.backends.names.items())}
            segments.append(self.add("credits", "segment", {
                "card": "credits", "generators": credits, "duration_s": shots.end_card_s, **self.picture(),
            }, seeded=False))
        music = []
        for n, cue in enumerate(shots.music, 1):
            context = {"moods": list(cue.moods), "tempo_bpm": cue.tempo_bpm, "duration_s": round(cue.duration_s, 3)}
            music.append((self.add(f"music/{n}", "music_cue", {
                **context, "prompt": self.prompt("music_cue", "music", context),
            }), cue))
        film_inputs = [(f"segment:{n:04d}", s) for n, s in enumerate(segments, 1)]
        film_inputs += [(f"music:{n}", task_id) for n, (task_id, _) in enumerate(music, 1)]
        speech = [[round(s.start_s, 3), round(s.start_s + s.duration_s, 3)] for shot in shots.shots for s in shot.speeches]
        self.add("film", "film", {
            "title": self.i.film.settings.title or "", **self.picture(),
            "runtime_s": round(shots.runtime_s, 3),
            # The edit decision list in plan time: each segment's length, in the inputs' order
            # (a renderer that rounds segments to whole frames maps music and speech with it).
            "segments": [self.lengths[s] for s in segments],
            "music": [{"role": f"music:{n}", "start_s": cue.start_s, "duration_s": cue.duration_s}
                      for n, (_, cue) in enumerate(music, 1)],
            "speech": speech,
        }, film_inputs, seeded=False)
        return Graph(tasks={t.id: t for t in self.tasks}, outputs=("film",))

    def picture(self) -> dict[str, Any]:
        width, height = self.i.size
        return {"width": width, "height": height, "fps": self.i.fps}

    def detail(self) -> dict[str, Any]:
        """Added to the parameters of every picture of a draft (and to nothing otherwise, so a
        full render's keys do not change): a backend may draw it with less care."""
        return {"draft": True} if self.i.draft else {}

    def title_page(self) -> dict[str, list[str]]:
        page: dict[str, list[str]] = {}
        for entry in self.i.film.title_page:
            page.setdefault(entry.key.lower(), []).extend(entry.values)
        return page

    # ---- one shot --------------------------------------------------------------------------

    def shot(self, shot: ir.Shot, previous_clip: str | None) -> tuple[str, str | None]:
        sid = f"shot/{shot.id}"
        segment_params: dict[str, Any] = {
            "duration_s": shot.duration_s, "transition": shot.transition, "fade_out": shot.fade_out,
            "sounds": list(shot.sounds), **self.picture(),
        }
        # A speech can run on over the next shots (a reaction shot cuts in while it goes on):
        # their segments play the rest of the line, from before their own start.
        self.running = [(line, s) for line, s in self.running if s.start_s + s.duration_s > shot.start_s + 1e-6]
        segment_inputs = [(f"running:{n}", line) for n, (line, _) in enumerate(self.running, 1)]
        lines = [{"role": f"running:{n}", "offset_s": round(s.start_s - shot.start_s, 3)}
                 for n, (_, s) in enumerate(self.running, 1)]
        if self.i.burn_subtitles:
            segment_params["subtitles"] = [
                {"text": s.text, "start_s": round(s.start_s - shot.start_s, 3),
                 "end_s": round(s.start_s - shot.start_s + s.duration_s, 3)}
                for s in [*(s for _, s in self.running), *shot.speeches]]
        if shot.card is not None:
            segment_params.update(card="text", text=shot.card, lines=lines)
            return self.add(f"{sid}/segment", "segment", segment_params, segment_inputs, shot=shot.id,
                            seeded=False), None
        characters = [self.character(key, dict(shot.wardrobe).get(key, "")) for key in shot.subjects]
        speaker = next((s.character for s in shot.speeches if not s.off_screen and s.character in shot.subjects), None)
        place = self.place(shot)
        inputs: list[tuple[str, str]] = []
        if place is not None:
            params = self.reference("set_plate", ("plate", place["key"], place["light"], place["place"]), lambda: {
                **place, "prompt": self.prompt("set_plate", "image", {**place, "set": place}),
            }, self.i.symbols.sets[shot.set_key].seed)
            inputs.append(("plate", self.add(f"{sid}/plate", "set_plate", params, shot=shot.id, seeded=False)))
        sheets: list[tuple[str, str]] = []
        for c in characters:
            params = self.reference("character_sheet", ("sheet", c["key"], c["wardrobe"]), lambda c=c: {
                **c, "prompt": self.prompt("character_sheet", "image", {"character": c}),
            }, self.i.symbols.cast[c["key"]].seed)
            sheet = self.add(f"{sid}/sheet/{c['key']}", "character_sheet", params, shot=shot.id, seeded=False)
            sheets.append((f"sheet:{c['key']}", sheet))
        inputs += sheets
        context = {
            "framing": shot.framing, "characters": characters, "set": place,
            "light": shot.light, "lens_mm": _number(shot.lens_mm), "action": shot.action, "extra": shot.prompt or "",
        }
        if not self.i.backends.reference_images.get("image"):
            # The image backend takes no reference images: keyframes carry the characters'
            # and the set's descriptions in their prompt only (and sheets and plates are
            # pruned unless the video backend takes them).
            inputs = []
        keyframe = self.add(f"{sid}/keyframe", "keyframe", {
            "framing": shot.framing, "lens_mm": shot.lens_mm, "take": shot.take, **self.picture(),
            # What a renderer that composes the frame itself needs besides the prompt: who is
            # in frame (in order; over the shoulder, the speaker first), the light, the action.
            "subjects": list(shot.subjects), "speaker": speaker, "light": shot.light,
            "place": place["place"] if place else None, "caption": shot.action, **self.detail(),
            "prompt": self.prompt("keyframe", "image", context),
        }, inputs, shot=shot.id, seed=shot.seed)
        # A video backend that cannot start from an image makes clips from the prompt alone
        # (the keyframe is then pruned).
        clip_inputs = [("first_frame", keyframe)] if self.i.backends.first_frame.get("video") else []
        if shot.continuous and previous_clip is not None:
            clip_inputs.append(("previous", previous_clip))
            if self.i.backends.last_frame.get("video"):
                # The shot before ends on this shot's keyframe: the two meet on one frame made
                # from the same sheets, instead of each chaining from the other's last frame.
                self.end_on(previous_clip, keyframe)
        if self.i.backends.reference_images.get("video"):
            clip_inputs += sheets
        speeches = [{"name": s.name, "sung": s.sung, "direction": s.direction} for s in shot.speeches]
        clip = self.add(f"{sid}/clip", "clip", {
            "move": shot.move, "duration_s": shot.duration_s, "take": shot.take, **self.picture(),
            "caption": shot.action,  # for a renderer that captions its animatic
            "prompt": self.prompt("clip", "video", {
                "move": shot.move, "action": shot.action, "speeches": speeches, "extra": shot.prompt or "",
                # Without a first frame the clip's prompt is all the service sees of the shot:
                # then it describes who and where, as a keyframe's would.
                "describe": not clip_inputs or clip_inputs[0][0] != "first_frame",
                "framing": shot.framing, "characters": characters, "set": place, "light": shot.light,
            }),
        }, clip_inputs, shot=shot.id, seed=shot.seed)
        segment_inputs.insert(0, ("clip", clip))
        if shot.transition in BLENDS and previous_clip is not None:
            # A dissolve or a wipe starts from the shot before: the segment needs that shot's end.
            segment_inputs.append(("previous", previous_clip))
        shot_end = shot.start_s + shot.duration_s
        for n, speech in enumerate(shot.speeches, 1):
            line = self.voice_line(f"{sid}/line/{n}", speech, shot.id)
            segment_inputs.append((f"line:{n}", line))
            lines.append({"role": f"line:{n}", "offset_s": round(speech.start_s - shot.start_s, 3)})
            if speech.start_s + speech.duration_s > shot_end + 1e-6:
                self.running.append((line, speech))
        segment_params["lines"] = lines
        return self.add(f"{sid}/segment", "segment", segment_params, segment_inputs, shot=shot.id, seeded=False), clip

    def end_on(self, clip: str, keyframe: str) -> None:
        at = next(n for n, t in enumerate(self.tasks) if t.id == clip)
        self.tasks[at] = replace(self.tasks[at], inputs=self.tasks[at].inputs + (("last_frame", keyframe),))

    def voice_line(self, task_id: str, speech: ir.Speech, shot: str) -> str:
        member = self.i.symbols.cast.get(speech.character) if speech.character else None
        voice = member.voice if member else ""
        context = {"name": speech.name, "voice": voice, "direction": speech.direction, "sung": speech.sung}
        around = self.context.get(id(speech))
        return self.add(task_id, "voice_line", {
            "character": member.name if member else speech.name, "text": speech.text, "voice": voice,
            "direction": speech.direction, "sung": speech.sung, "duration_s": speech.duration_s,
            "prompt": self.prompt("voice_line", "speech", context),
            # For a speech backend that delivers a line better knowing the lines around it.
            **({"previous_text": around[0], "next_text": around[1]} if around is not None else {}),
        }, shot=shot, seed=member.seed if member and member.seed is not None else
            derived_seed("voice", {"character": member.key if member else speech.name}))

    def character(self, key: str, wardrobe: str) -> dict[str, Any]:
        member = self.i.symbols.cast[key]
        return {"key": key, "name": member.name, "look": member.look, "wardrobe": wardrobe, "style": self.style,
                **self.detail(),
                "ref_sha256": self.i.references.get(("cast", key))}

    def place(self, shot: ir.Shot) -> dict[str, Any] | None:
        if shot.set_key is None or shot.set_key not in self.i.symbols.sets:
            return None
        found = self.i.symbols.sets[shot.set_key]
        return {"key": found.key, "name": found.name, "look": found.look, "lighting": found.lighting,
                "place": {"int": "interior", "ext": "exterior", "int/ext": "interior and exterior"}.get(shot.place or "",
                                                                                                   "view"),
                "light": shot.light, "style": self.style, **self.detail(), "ref_sha256": self.i.references.get(("set", found.key))}


def _line_context(shots) -> dict[int, tuple[str, str]]:
    """For each speech (by identity), the same voice's line before it and after it in the same
    scene ("" at either end): what a speech backend needs to keep one delivery across lines."""
    by_voice: dict[tuple[int, str], list[ir.Speech]] = {}
    for shot in shots:
        for speech in shot.speeches:
            by_voice.setdefault((shot.scene, speech.character or speech.name), []).append(speech)
    found = {}
    for lines in by_voice.values():
        for n, speech in enumerate(lines):
            found[id(speech)] = (lines[n - 1].text if n else "", lines[n + 1].text if n + 1 < len(lines) else "")
    return found


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
