"""Shot inference: the film as a list of shots, whatever the script annotates.

A `[[shot]]` frames what follows it: an action paragraph, or the speech right after it. What is
not annotated is inferred by the coverage rules of stdlib/defaults.toml (a project overrides
them in film.toml):

- each action paragraph is a shot; the first of a scene shows the place (`establishing`), the
  others frame who the paragraph names (`action` for one or two, `action_group` otherwise);
- each speech heard on screen is a shot of its speaker (`speaker`), or over the listener's
  shoulder in a scene of two (`exchange`); a long speech cuts to the listener for its second
  half (`reaction`, after `reaction_after_words`); dual dialogue is one `dual` shot of both;
  a crowd speaking (ALL, THE CROWD) is a `group` shot;
- a voice off screen (V.O., O.S.) plays over the shot before it when it fits there;
- a centered line (`> THE END <`) is a card; a scene with nothing to show is one
  establishing shot of its set.

Durations come from the annotation, else from the words: speech at [pacing] words_per_second,
action at [timing] action_words_per_second, never shorter than [timing] min_shot_s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import regex

from .. import ir
from ..names import fold, is_group_name, is_off_screen, is_voice_name, mention_words, speakers
from ..project import Config

_SPEECH_PARTS = ("parenthetical", "dialogue", "lyrics")
_PASS_OVER = ("note", "section", "synopsis", "page_break")
_BARE_TRANSITION = re.compile(r"^(?:fade in|fade out|fade to black|cut to black|fade up)\s*[:.]?$", re.I)
_TRANSITION = re.compile(r"\b(smash cut|match cut|jump cut|dissolve|fade in|fade out|fade to black|wipe|cut)\b", re.I)


@dataclass
class _Draft:
    """A shot being assembled from the elements that make it."""

    scene: int
    span: object
    annotated: bool
    setting: ir.SceneSetting
    framing: str | None = None
    subjects: list[str] = field(default_factory=list)
    move: str | None = None
    lens_mm: float | None = None
    duration_s: float | None = None
    transition: str | None = None
    fade_out: bool = False
    continuous: bool = False
    take: int | None = None
    seed: int | None = None
    prompt: str | None = None
    action: str = ""
    card: str | None = None
    speeches: list[ir.Speech] = field(default_factory=list)
    sounds: list[str] = field(default_factory=list)
    # What everyone wears when the shot begins.
    wardrobe: dict[str, str] = field(default_factory=dict)
    filled: bool = False
    dual: bool = False
    # A reaction shot shares its speaker shot's speech: the speaker shot is `reaction_to`.
    reaction_to: _Draft | None = None


def infer(film: ir.Film, symbols: ir.Symbols, config: Config) -> ir.ShotList:
    """The shot list of a checked film."""
    return _Inference(film, symbols, config).run()


class _Inference:
    def __init__(self, film: ir.Film, symbols: ir.Symbols, config: Config) -> None:
        self.film = film
        self.symbols = symbols
        self.config = config
        self.rules = config.coverage
        self.mentions = _Mentions(symbols)
        self.wardrobe = {key: member.wardrobe for key, member in symbols.cast.items()}
        self.drafts: list[_Draft] = []
        self.music: list[tuple[ir.MusicCue, int, int | None]] = []  # cue, first draft, end draft
        self.pending_transition: str | None = None
        self.pending_sounds: list[str] = []
        self.pending_music: list[ir.MusicCue] = []

    # ---- walking the script --------------------------------------------------------------

    def run(self) -> ir.ShotList:
        number = 0
        for index, scene in enumerate(self.film.scenes):
            if scene.heading is not None:
                number += 1
            setting = self.symbols.settings[index] if index < len(self.symbols.settings) else _NO_SETTING
            self.scene(scene, number if scene.heading is not None else 0, setting)
        if self.drafts and self.pending_sounds:
            self.drafts[-1].sounds.extend(self.pending_sounds)
        return self.finish()

    def scene(self, scene: ir.Scene, number: int, setting: ir.SceneSetting) -> None:
        first = len(self.drafts)
        if scene.heading is not None and not any(map(_shows, scene.elements)):
            # Nothing to show but the place: one establishing shot, made now so that what
            # follows the heading (a transition, a music cue) lands on the next scene.
            draft = self.new(number, scene.heading.span, setting, annotated=False)
            draft.framing, draft.filled = self.rules.establishing, True
        self.participants = self.scene_participants(scene)
        self.spoke: list[str] = []  # on-screen speakers of this scene, latest last
        self.named: list[str] = []  # characters named in its action, latest last
        elements = scene.elements
        k = 0
        while k < len(elements):
            element = elements[k]
            if isinstance(element, ir.ShotAnnotation):
                self.annotated(element, number, setting)
            elif isinstance(element, ir.Action) and _BARE_TRANSITION.match(element.text.strip()):
                self.transition(element.text)  # FADE IN: is action in Fountain, a transition on film
            elif isinstance(element, ir.Action) and element.text.strip():
                self.action(element, number, setting, first)
            elif isinstance(element, ir.Centered) and element.text.strip():
                draft = self.new(number, element.span, setting, annotated=False)
                draft.framing, draft.card, draft.filled = "card", " ".join(element.text.split()), True
            elif isinstance(element, ir.Character):
                k = self.speech(elements, k, number, setting, first)
                continue
            elif isinstance(element, ir.Transition):
                self.transition(element.text)
            elif isinstance(element, ir.WardrobeChange):
                who = self.symbols.character(element.name)
                if who is not None:
                    self.wardrobe[who.key] = element.wardrobe
            elif isinstance(element, ir.MusicCue):
                self.cue_music(element)
            elif isinstance(element, ir.SoundCue):
                target = self.unfilled()
                (target.sounds if target else self.pending_sounds).append(element.description)
            k += 1

    def scene_participants(self, scene: ir.Scene) -> list[str]:
        """Who is on screen in a scene, in order of appearance: speakers heard on screen,
        characters its action names, and the subjects of its shots."""
        seen: dict[str, None] = {}
        for element in scene.elements:
            if isinstance(element, ir.Character) and not _off_screen(element) \
                    and not is_group_name(element.name, element.extensions):
                for key in self.speaker_keys(element.name):
                    seen.setdefault(key)
            elif isinstance(element, ir.Action):
                for key in self.mentions.find(element.text):
                    seen.setdefault(key)
            elif isinstance(element, ir.ShotAnnotation):
                for name in element.subjects:
                    member = self.symbols.character(name)
                    if member is not None:
                        seen.setdefault(member.key)
        return list(seen)

    def speaker_keys(self, name: str) -> list[str]:
        member = self.symbols.character(name)
        if member is not None:
            return [member.key]
        found = [self.symbols.character(part) for part in speakers(name)]
        return [m.key for m in found if m is not None]

    # ---- drafts ----------------------------------------------------------------------------

    def new(self, scene: int, span, setting: ir.SceneSetting, annotated: bool) -> _Draft:
        draft = _Draft(scene=scene, span=span, annotated=annotated, setting=setting, wardrobe=dict(self.wardrobe))
        draft.transition, self.pending_transition = self.pending_transition, None
        draft.sounds, self.pending_sounds = self.pending_sounds, []
        for cue in self.pending_music:
            self.music.append((cue, len(self.drafts), None))
        self.pending_music = []
        self.drafts.append(draft)
        return draft

    def unfilled(self) -> _Draft | None:
        """The annotated shot still waiting for what it frames, if any."""
        last = self.drafts[-1] if self.drafts else None
        return last if last is not None and last.annotated and not last.filled else None

    def annotated(self, shot: ir.ShotAnnotation, number: int, setting: ir.SceneSetting) -> None:
        draft = self.new(number, shot.span, setting, annotated=True)
        draft.framing = shot.framing
        draft.subjects = _unique(m.key for m in map(self.symbols.character, shot.subjects) if m is not None)
        draft.move, draft.lens_mm, draft.duration_s = shot.move, shot.lens_mm, shot.duration_s
        if shot.transition == "fade out":  # `[[shot ..., fade out]]`: this shot ends on black
            draft.fade_out = True
        else:
            draft.transition = shot.transition or draft.transition
        draft.continuous, draft.take, draft.seed, draft.prompt = shot.continuous, shot.take, shot.seed, shot.prompt

    def action(self, element: ir.Action, number: int, setting: ir.SceneSetting, first: int) -> None:
        text = " ".join(element.text.split())
        named = self.mentions.find(element.text)
        self.named.extend(k for k in named if k not in self.named)
        draft = self.unfilled()
        if draft is None:
            draft = self.new(number, element.span, setting, annotated=False)
        draft.action, draft.filled = text, True
        if not draft.subjects:
            draft.subjects = named
        if draft.framing is None:
            if len(self.drafts) - 1 == first:
                draft.framing = self.rules.establishing
            else:
                draft.framing = self.rules.action if 1 <= len(named) <= 2 else self.rules.action_group

    def speech(self, elements, k: int, number: int, setting: ir.SceneSetting, first: int) -> int:
        """Place the speech at `elements[k]` (and a dual one after it) in a shot; returns the
        index after what it consumed."""
        said, k = self.read_speech(elements, k)
        dual = None
        j = k
        while j < len(elements) and elements[j].type in _PASS_OVER:
            j += 1
        # Both cues of a dual pair are marked; a pair starts at a marked cue.
        if elements[said[0]].dual and j < len(elements) and isinstance(elements[j], ir.Character) and elements[j].dual:
            dual, k = self.read_speech(elements, j)
        cue = elements[said[0]]
        speech = said[1]
        group = is_group_name(cue.name, cue.extensions)
        keys = [] if group else self.speaker_keys(cue.name)  # a crowd is nobody to draw
        off = speech.off_screen
        draft = self.unfilled()
        if draft is not None:  # `[[shot]]` right before the cue frames this speech
            draft.speeches.append(speech)
            if dual is not None:
                draft.speeches.append(dual[1])
                draft.dual = True
            draft.filled = True
            if not draft.subjects and not off:
                draft.subjects = keys + ([] if dual is None else self.speaker_keys(elements[dual[0]].name))
            if draft.framing is None:
                draft.framing = self.rules.dual if dual is not None else self.rules.speaker
            self.heard(keys, off)
            return k
        if dual is not None:
            draft = self.new(number, cue.span, setting, annotated=False)
            draft.framing, draft.filled, draft.dual = self.rules.dual, True, True
            draft.subjects = _unique([*keys, *self.speaker_keys(elements[dual[0]].name)])
            draft.speeches += [speech, dual[1]]
            self.heard(draft.subjects, False)
            return k
        if off:
            last = self.drafts[-1] if len(self.drafts) > first else None
            if last is not None and last.card is None and self.fits(last, speech):
                last.speeches.append(speech)
                return k
            draft = self.new(number, cue.span, setting, annotated=False)
            draft.subjects = [p for p in self.participants if p not in keys][:2]
            draft.framing = self.rules.action if draft.subjects else self.rules.establishing
            draft.speeches.append(speech)
            draft.filled = True
            return k
        draft = self.new(number, cue.span, setting, annotated=False)
        draft.filled = True
        draft.speeches.append(speech)
        if not keys:
            draft.framing, draft.subjects = self.rules.group, []
            return k
        listener = self.listener(keys)
        if len(keys) > 1:  # EDWARD AND WILL say it together
            draft.framing, draft.subjects = self.rules.dual, list(keys)
        elif listener and len(self.participants) == 2:
            draft.framing, draft.subjects = self.rules.exchange, [*keys, listener]
        else:
            draft.framing, draft.subjects = self.rules.speaker, list(keys)
        self.heard(keys, False)
        if listener and speech.words > self.rules.reaction_after_words:
            reaction = self.new(number, cue.span, setting, annotated=False)
            reaction.framing, reaction.subjects, reaction.filled = self.rules.reaction, [listener], True
            reaction.reaction_to = draft
        return k

    def read_speech(self, elements, k: int) -> tuple[tuple[int, ir.Speech], int]:
        cue = elements[k]
        lines: list[str] = []
        directions: list[str] = []
        sung = False
        j = k + 1
        while j < len(elements) and elements[j].type in _SPEECH_PARTS + _PASS_OVER:
            part = elements[j]
            if part.type == "parenthetical":
                directions.append(part.text.strip().strip("()").strip())
            elif part.type in ("dialogue", "lyrics"):
                lines.append(" ".join(part.text.split()))
                sung = sung or part.type == "lyrics"
            j += 1
        text = " ".join(lines)
        words = len(text.split())
        member = self.symbols.character(cue.name)
        speech = ir.Speech(
            span=cue.span, name=cue.name, character=member.key if member else None, text=text,
            direction="; ".join(d for d in directions if d), off_screen=_off_screen(cue), sung=sung, words=words,
            duration_s=round(words / self.config.pacing.words_per_second, 3),
        )
        return (k, speech), j

    def heard(self, keys: list[str], off: bool) -> None:
        if off:
            return
        for key in keys:
            if key in self.spoke:
                self.spoke.remove(key)
            self.spoke.append(key)

    def listener(self, keys: list[str]) -> str | None:
        """Who a speech is said to: the last other character who spoke in the scene, else the
        last one named, else the next one to speak."""
        for pool in (reversed(self.spoke), reversed(self.named), iter(self.participants)):
            for key in pool:
                if key not in keys:
                    return key
        return None

    def fits(self, draft: _Draft, speech: ir.Speech) -> bool:
        """Whether an off-screen speech can play over a shot: any inferred shot stretches to
        hold it; an annotated duration must already have room (each line with its pause). A
        reaction shot's time is its speaker's, so nothing more plays over it."""
        if draft.reaction_to is not None:
            return False
        if draft.duration_s is None:
            return True
        pause = self.config.timing.line_pause_s
        said = sum(s.duration_s + pause for s in draft.speeches)
        return said + speech.duration_s <= draft.duration_s + 1e-9

    def transition(self, text: str) -> None:
        m = _TRANSITION.search(text)
        word = " ".join(m.group(1).lower().split()) if m else "cut"
        if word in ("fade out", "fade to black"):
            if self.drafts:
                self.drafts[-1].fade_out = True
            return
        self.pending_transition = word

    def cue_music(self, cue: ir.MusicCue) -> None:
        for i, (started, start, end) in enumerate(self.music):
            if end is None:  # a new cue or a stop ends the one playing
                self.music[i] = (started, start, self.next_index())
        if not cue.stop:
            if self.unfilled() is not None:
                self.music.append((cue, len(self.drafts) - 1, None))
            else:
                self.pending_music.append(cue)

    def next_index(self) -> int:
        return len(self.drafts) - 1 if self.unfilled() is not None else len(self.drafts)

    # ---- timing ----------------------------------------------------------------------------

    def finish(self) -> ir.ShotList:
        timing = self.config.timing
        durations: list[tuple[float, str]] = []
        for draft in self.drafts:
            durations.append(self.duration(draft))
        # A reaction shot takes the second half of its speaker's speech.
        for i, draft in enumerate(self.drafts):
            if draft.reaction_to is not None:
                j = self.drafts.index(draft.reaction_to)
                total = durations[j][0]
                first_half = max(timing.min_shot_s, round(total / 2, 3))
                durations[j] = (first_half, "speech")
                durations[i] = (max(timing.min_shot_s, round(total - first_half, 3)), "speech")
        shots: list[ir.Shot] = []
        ids: dict[int, int] = {}
        has_title = any(e.key.lower() == "title" and any(v.strip() for v in e.values) for e in self.film.title_page)
        title_s = timing.title_card_s if has_title and self.drafts else 0.0
        clock = title_s
        for draft, (duration, timed_by) in zip(self.drafts, durations, strict=True):
            ids[draft.scene] = ids.get(draft.scene, 0) + 1
            speeches = []
            at = clock
            for speech in draft.speeches:
                speeches.append(speech.model_copy(update={"start_s": round(at, 3)}))
                if not draft.dual:
                    at += speech.duration_s + timing.line_pause_s
            setting = draft.setting
            shots.append(ir.Shot(
                id=f"{draft.scene}.{ids[draft.scene]}", scene=draft.scene, span=draft.span, annotated=draft.annotated,
                set_key=setting.set_key, place=setting.place, light=setting.light,
                framing=framing_name(draft.framing or self.rules.establishing), subjects=tuple(draft.subjects),
                wardrobe=tuple((k, draft.wardrobe[k]) for k in draft.subjects if draft.wardrobe.get(k)),
                move=draft.move or "static", lens_mm=draft.lens_mm, duration_s=duration, timed_by=timed_by,
                transition=draft.transition, fade_out=draft.fade_out, continuous=draft.continuous, take=draft.take,
                seed=draft.seed, prompt=draft.prompt, action=draft.action, card=draft.card, speeches=tuple(speeches),
                sounds=tuple(draft.sounds), start_s=round(clock, 3),
            ))
            clock += duration
        music = []
        for cue, start, end in self.music:
            end = len(shots) if end is None else end
            if end <= start:
                continue
            music.append(ir.MusicSpan(
                span=cue.span, moods=cue.moods, tempo_bpm=cue.tempo_bpm, first=start, end=end,
                start_s=shots[start].start_s,
                duration_s=round(sum(s.duration_s for s in shots[start:end]), 3),
            ))
        return ir.ShotList(shots=tuple(shots), music=tuple(music), title_card_s=title_s,
                           end_card_s=timing.end_card_s if shots else 0.0)

    def duration(self, draft: _Draft) -> tuple[float, str]:
        timing = self.config.timing
        if draft.duration_s is not None:
            return draft.duration_s, "annotation"
        if draft.card is not None:
            return timing.card_s, "action"
        pause = timing.line_pause_s
        if draft.dual:
            spoken = max(s.duration_s for s in draft.speeches) + pause
        else:
            spoken = sum(s.duration_s + pause for s in draft.speeches)
        acted = 0.0
        if draft.action:
            words = len(draft.action.split())
            acted = min(words / timing.action_words_per_second, timing.max_action_shot_s)
        longest = max(spoken, acted)
        if longest < timing.min_shot_s:
            return timing.min_shot_s, "minimum"
        return round(longest, 3), "speech" if spoken >= acted else "action"


def framing_name(written: str) -> str:
    """A framing in one spelling, as annotations are lowered: `Two-Shot` → `two shot`."""
    return " ".join(written.lower().replace("-", " ").split())


_NO_SETTING = ir.SceneSetting(set_key=None, place=None, time=None, light="day", light_from="default", continuous=False)


def _shows(element) -> bool:
    """Whether an element makes a shot of its own (a transition or a cue does not)."""
    if isinstance(element, ir.Action):
        text = element.text.strip()
        return bool(text) and not _BARE_TRANSITION.match(text)
    return isinstance(element, (ir.Centered, ir.Character, ir.ShotAnnotation)) and (
        not isinstance(element, ir.Centered) or bool(element.text.strip()))


def _off_screen(cue: ir.Character) -> bool:
    return is_off_screen(cue.extensions) or is_voice_name(cue.name)


def _unique(keys) -> list[str]:
    return list(dict.fromkeys(keys))


class _Mentions:
    """Finds the characters an action paragraph names, in order: a name counts when written
    with a capital (`Will sits`, not `he will`), by its whole name, an alias, or a word
    distinctive to one character (`Bennett` for DR. BENNETT)."""

    def __init__(self, symbols: ir.Symbols) -> None:
        owners: dict[str, set[str]] = {}
        whole: dict[str, str] = {}
        crowds = {key for key, member in symbols.cast.items() if is_group_name(member.name)}
        for spelling, key in symbols.spellings.items():
            if key in symbols.cast and key not in crowds:
                whole.setdefault(spelling, key)
        for key, member in symbols.cast.items():
            if key in crowds:  # THE CROWD is extras, not a character to draw
                continue
            for word in mention_words(member.name)[1:]:
                owners.setdefault(word, set()).add(key)
        self.lookup = dict(whole)
        for word, keys in owners.items():
            if len(keys) == 1 and word not in self.lookup:
                self.lookup[word] = next(iter(keys))
        phrases = sorted((p for p in self.lookup if p), key=len, reverse=True)
        if not phrases:
            self.pattern = None
            return
        alternatives = [r"\.?[\s\-]+".join(regex.escape(word).replace("'", "['\u2019]") for word in p.split())
                        for p in phrases]
        self.pattern = regex.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")\.?(?!\w)", regex.I)

    def find(self, text: str) -> list[str]:
        if self.pattern is None:
            return []
        found: dict[str, None] = {}
        at = 0
        while (m := self.pattern.search(text, at)) is not None:
            if not m.group()[0].isupper():
                # `the SEA GOD` for the alias THE SEA GOD: not a capital, but the words after
                # it may still name someone, so look again from the next word.
                at = m.start() + 1
                continue
            key = self.lookup.get(fold(m.group()))
            if key is not None:
                found.setdefault(key)
            at = m.end()
        return list(found)
