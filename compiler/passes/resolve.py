"""Name resolution: every character cue, every name in an annotation and every scene heading's
location resolves to one character or one set.

Declared characters and sets come first. A plain screenplay declares nothing, so the rest are
inferred the way a script supervisor reads a script: a character is whoever speaks or is
introduced in capitals with an age ("ALIN (19), a lean fisherman, ..."), and the action
sentence that introduces them becomes their one canonical description; a set is a scene
heading's location. A name used once that is a letter or two away from a recurring one is
taken as a misspelling of it, reported, and resolved to it, so one typo never becomes a new
character in the film.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import regex

from .. import diagnostics as codes
from .. import ir
from ..diagnostics import did_you_mean, edit_distance
from ..names import (
    _OFF_SCREEN,
    KNOWN_EXTENSIONS,
    differs_only_in_numbers,
    extension_parts,
    fold,
    is_continued,
    is_group_name,
    is_off_screen,
    is_voice_name,
    mention_words,
    off_screen_slip,
    parse_heading,
    speakers,
    without_article,
)
from ..source import Span
from . import Context

# A run of words in capitals in action text: "ALIN", "DR. JULIUS BENNETT", "SEA GOD".
_CAPS_RUN = regex.compile(
    r"(?<![\p{L}\p{N}'’])\p{Lu}[\p{Lu}\p{N}'’.\-]*(?:[ \t]+\p{Lu}[\p{Lu}\p{N}'’.\-]*)*(?![\p{L}\p{N}])"
)
# An age right after a name, the screenwriting convention for introducing someone: "(19)",
# "(50s)", "(40's)".
_AGE = regex.compile(r"\s*\(\s*(?:\d{1,3}\s*['’]?s?|\d0s|late \d0s|early \d0s|mid-?\d0s)\s*\)", regex.I)
# A sentence ends at . ! or ? before a space, but not after an initial (`A.P.`) or a title
# (`Dr.`, `Mr.`).
_SENTENCE_END = regex.compile(r"(?<!\b\p{L})(?<!\b(?:DR|MR|MRS|MS|ST|JR|SR|PROF|REV|GEN|CAPT|SGT|LT))[.!?]+(?=\s|$)", regex.I)
_LEADING_ARTICLE = regex.compile(r"^(?:A|AN|THE)\s+", regex.I)


@dataclass
class _Use:
    """One place a character is named: a cue, a shot subject or a wardrobe change.
    `where` is the element's span; `at(ctx)` narrows it to the name, when it is reported."""

    key: str
    written: str
    where: Span
    kind: str  # "cue", "subject" or "wardrobe"
    off_screen: bool = False

    def at(self, ctx: Context) -> Span:
        return ctx.find(self.where, self.written)


def run(ctx: Context) -> ir.Symbols:
    """Resolve the film's names into `ctx.symbols` (and `ctx.headings`), reporting problems."""
    return _Resolver(ctx).run()


class _Resolver:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.report = ctx.reporter.report
        self.cast: dict[str, ir.CastMember] = {}
        self.sets: dict[str, ir.FilmSet] = {}
        self.spellings: dict[str, str] = {}
        self.set_spellings: dict[str, str] = {}

    def run(self) -> ir.Symbols:
        ctx = self.ctx
        self.declare()
        action_text = ctx.action_text = self.action_texts()
        self.resolve_characters(action_text)
        settings = self.resolve_sets()
        self.check_unused(action_text)
        ctx.symbols = ir.Symbols(
            cast=dict(sorted(self.cast.items())), sets=dict(sorted(self.sets.items())), settings=tuple(settings),
            spellings=dict(sorted(self.spellings.items())), set_spellings=dict(sorted(self.set_spellings.items())),
        )
        return ctx.symbols

    # ---- declarations ------------------------------------------------------------------

    def declare(self) -> None:
        first: dict[tuple[str, str], ir.CastDeclaration | ir.SetDeclaration] = {}
        for declaration in self.ctx.declarations:
            kind = declaration.type
            table, spellings = (self.cast, self.spellings) if kind == "cast" else (self.sets, self.set_spellings)
            key = fold(declaration.name)
            earlier = first.get((kind, key))
            if earlier is not None:
                self.duplicate(earlier, declaration)
                continue
            owner = spellings.get(key)
            if owner is not None and owner != key:
                # A declared name is stronger than another's alias: the alias gives way.
                self.ambiguous(declaration, declaration.name, table[owner], alias_gives_way=True)
            first[(kind, key)] = declaration
            fields = {k: getattr(declaration, k) for k in ("look", "ref", "seed", "aka")}
            if kind == "cast":
                table[key] = ir.CastMember(key=key, name=declaration.name, declared=True, span=declaration.span,
                                           wardrobe=declaration.wardrobe, voice=declaration.voice, **fields)
            else:
                table[key] = ir.FilmSet(key=key, name=declaration.name, declared=True, span=declaration.span,
                                        lighting=declaration.lighting, **fields)
            spellings[key] = key
            for alias in declaration.aka:
                alias_key = fold(alias)
                owner = spellings.get(alias_key)
                if owner is not None and owner != key:
                    self.ambiguous(declaration, alias, table[owner])
                    continue
                spellings[alias_key] = key

    def duplicate(self, earlier, later) -> None:
        what = "character" if later.type == "cast" else "set"
        fields = [f for f in type(later).model_fields if f not in ("span", "text", "fields", "type", "name")]
        differ = [f for f in fields if getattr(earlier, f) != getattr(later, f)]
        at = _at(earlier.span, later.span)
        if not differ:
            self.report(codes.DUPLICATE_DECLARATION, later.span,
                        f"the {what} `{later.name}` is declared twice, the same way both times",
                        (f"the first declaration is {at}; remove this one",))
            return
        shown = ", ".join(f"{f} `{_show(getattr(earlier, f))}` or `{_show(getattr(later, f))}`" for f in differ)
        self.report(
            codes.CONFLICTING_LOOK, later.span,
            f"the {what} `{later.name}` is declared twice with different details: {shown}",
            (f"the first declaration ({at}) is the one filmc uses; keep one, so every shot shows the same {what}",
             "for a change of clothes during the film, use `[[wardrobe NAME: ...]]` where it happens"
             if later.type == "cast" else "for a different place, give it a name of its own"),
        )

    def ambiguous(self, declaration, name: str, owner, alias_gives_way: bool = False) -> None:
        what = "character" if declaration.type == "cast" else "set"
        if alias_gives_way:
            message = (f"`{name}` is also an alias (aka) of the {what} `{owner.name}`; filmc takes it to mean the "
                       f"{what} declared here")
        else:
            message = f"the alias `{name}` already names the {what} `{owner.name}`, so filmc ignores it here"
        self.report(
            codes.DUPLICATE_DECLARATION, self.ctx.find(declaration.span, name), message,
            (f"`{owner.name}` is declared {_at(owner.span, declaration.span)}; give one of them another name",),
        )

    # ---- characters ----------------------------------------------------------------------

    def action_texts(self) -> list[str]:
        """Each scene's action, folded, for finding who is mentioned where."""
        return [
            fold(" \n ".join(e.text for e in scene.elements if e.type in ("action", "centered")))
            for scene in self.ctx.film.scenes
        ]

    def uses(self) -> list[_Use]:
        uses: list[_Use] = []
        known = self.spellings
        for scene in self.ctx.film.scenes:
            for element in scene.elements:
                if isinstance(element, ir.Character):
                    self.check_extensions(element)
                    off = is_off_screen(element.extensions)
                    whole = fold(element.name)
                    names = [element.name] if whole in known or not whole else speakers(element.name)
                    for name in names:
                        uses.append(_Use(fold(name), name, element.span, "cue", off))
                elif isinstance(element, ir.ShotAnnotation):
                    for name in element.subjects:
                        uses.append(_Use(fold(name), name, element.span, "subject"))
                elif isinstance(element, ir.WardrobeChange):
                    uses.append(_Use(fold(element.name), element.name, element.span, "wardrobe"))
        return uses

    def check_extensions(self, cue: ir.Character) -> None:
        for part in extension_parts(cue.extensions):
            if is_continued(part) or _OFF_SCREEN.match(part) or part.upper() in KNOWN_EXTENSIONS:
                continue
            close = off_screen_slip(part) or did_you_mean(part, KNOWN_EXTENSIONS)
            if close and edit_distance(part.upper(), close) <= 1:
                self.report(
                    codes.MISSPELLED_EXTENSION, self.ctx.find(cue.span, part),
                    f"`({part})` is probably `({close})`, and filmc reads it so",
                    (f"write `({close})`, which every Fountain app understands",),
                )

    def introductions(self, wanted: set[str]) -> tuple[dict[str, tuple[Span, str]], dict[str, tuple[str, Span, str]]]:
        """Where each wanted name is first written in capitals in action, with its sentence;
        and the people introduced with an age who are not among the wanted names."""
        by_last_word: dict[str, list[str]] = {}
        for key in wanted:
            words = key.split()
            if words:
                by_last_word.setdefault(words[-1], []).append(key)
        found: dict[str, tuple[Span, str]] = {}
        extras: dict[str, tuple[str, Span, str]] = {}
        for scene in self.ctx.film.scenes:
            for element in scene.elements:
                if element.type != "action":
                    continue
                text = element.text
                for run in _CAPS_RUN.finditer(text):
                    words = fold(run.group()).split()
                    hit = False
                    for word in words:
                        for key in by_last_word.get(word, ()):
                            if _subsequence(key.split(), words) or _named_before(key, text, run.start()):
                                hit = True
                                if key not in found:
                                    found[key] = (self.ctx.find(element.span, run.group()), _sentence(text, run.start(), run.end()))
                    if not hit and _AGE.match(text, run.end()):
                        name = _LEADING_ARTICLE.sub("", run.group()).strip()
                        key = fold(name)
                        if key and key not in extras:
                            extras[key] = (name, self.ctx.find(element.span, run.group()), _sentence(text, run.start(), run.end()))
        return found, extras

    def resolve_characters(self, action_text: list[str]) -> None:
        uses = self.uses()
        counts = Counter(use.key for use in uses)
        first_use: dict[str, _Use] = {}
        for use in uses:
            first_use.setdefault(use.key, use)
        intros, extras = self.introductions(set(counts) | set(self.cast))
        declared_spellings = dict(self.spellings)
        has_declarations = bool(self.cast)
        solid = {k for k in counts if counts[k] >= 2 or k in intros} | set(declared_spellings)
        everywhere = " \n ".join(action_text)
        speaking = {use.key for use in uses if use.kind == "cue"}

        misspelt: dict[str, str] = {}
        for key, use in first_use.items():
            if key in self.spellings or not key:
                continue
            candidates = sorted(solid - {key})
            # A name introduced in capitals is deliberate: a character of its own. Otherwise a
            # name is a slip of a declared one it is close to, or, used once, of a recurring one.
            close = None
            if key not in intros:
                if has_declarations:
                    close = _closest(key, sorted(declared_spellings))
                if close is None and counts[key] == 1:
                    close = _closest(key, candidates)
            if close is not None:
                misspelt[key] = self.spellings.get(close, close)
                continue
            if key not in speaking and key not in intros and not _mentioned(key, everywhere):
                continue  # named only in annotations: unknown, reported below
            intro = intros.get(key)
            self.cast[key] = ir.CastMember(
                key=key, name=use.written, declared=False, span=intro[0] if intro else use.where,
                look=intro[1] if intro else "",
            )
            self.spellings[key] = key

        for key, (name, span, sentence) in sorted(extras.items()):
            if key not in self.spellings and key not in counts:
                self.cast[key] = ir.CastMember(key=key, name=name, declared=False, span=span, look=sentence)
                self.spellings[key] = key

        for use in uses:
            if use.key in misspelt:
                target = self.cast.get(misspelt[use.key]) or self.cast[self.spellings[misspelt[use.key]]]
                self.report(
                    codes.MISSPELLED_NAME, use.at(self.ctx),
                    f"`{use.written}` is probably a misspelling of `{target.name}`",
                    (f"did you mean `{target.name}`? ({'declared' if target.declared else 'first named'} "
                     f"{_at(target.span, use.at(self.ctx))})",
                     f"if `{use.written}` is someone else, "
                     + ("declare them with `[[cast " + use.written + ": ...]]`" if has_declarations
                        else "introduce them in capitals in the action where they first appear"),
                     ),
                )
            elif use.key not in self.spellings:
                close = did_you_mean(use.key, sorted(self.spellings))
                self.report(
                    codes.UNKNOWN_NAME, use.at(self.ctx),
                    f"this {'shot' if use.kind == 'subject' else 'wardrobe change'} names `{use.written}`, "
                    "who is nowhere else in the film",
                    ((f"did you mean `{self.cast[self.spellings[close]].name}`?",) if close else ())
                    + ("declare the character with `[[cast " + use.written + ": ...]]`, or introduce them in the action",),
                )
        for key, target in misspelt.items():
            self.spellings[key] = target
        self.check_undeclared([use for use in uses if use.key not in misspelt], has_declarations, intros)

    def check_undeclared(self, uses: list[_Use], has_declarations: bool, intros) -> None:
        """Characters with no declaration (in a film that declares its cast) or no introduction
        (in a plain screenplay), reported once each, at their first correctly spelt cue."""
        reported: set[str] = set()
        on_screen = {self.spellings.get(use.key) for use in uses if use.kind != "cue" or not use.off_screen}
        for use in uses:
            if is_group_name(use.written):
                continue
            key = self.spellings.get(use.key)
            member = self.cast.get(key) if key else None
            if member is None or member.declared or key in reported:
                continue
            if use.kind != "cue":
                continue
            reported.add(key)
            if has_declarations:
                intro = intros.get(key)
                heard_only = key not in on_screen or is_voice_name(use.written)
                self.report(
                    codes.UNDECLARED_CHARACTER, use.at(self.ctx),
                    f"`{use.written}` speaks but is not declared; "
                    + ("filmc knows nothing of how they sound" if heard_only
                       else f"filmc will describe them from the action that introduces them ({_at(intro[0], use.at(self.ctx))})"
                       if intro else "filmc knows nothing of how they look or sound"),
                    (f"declare them once with `[[cast {use.written}: ...]]` (with a `voice:`) so the film keeps them the same"
                     if heard_only else
                     f"declare them once with `[[cast {use.written}: look, age, build]]` so every shot shows the same person",),
                )
            elif key not in intros and key in on_screen and not is_voice_name(use.written):
                self.report(
                    codes.UNDECLARED_CHARACTER, use.at(self.ctx),
                    f"`{use.written}` speaks on screen but no action line introduces them, so filmc knows nothing "
                    "of how they look",
                    (f"introduce them in capitals where they first appear (`{use.written} (30s), ...`) or declare them "
                     f"with `[[cast {use.written}: ...]]`",
                     "if they are only heard, mark the cue `(O.S.)` or `(V.O.)`"),
                )

    # ---- sets ---------------------------------------------------------------------------

    def resolve_sets(self) -> list[ir.SceneSetting]:
        ctx = self.ctx
        headings = [parse_heading(s.heading.text) if s.heading else None for s in ctx.film.scenes]
        ctx.headings = headings
        has_declarations = bool(self.sets)
        keys: list[str | None] = []
        counts: Counter[str] = Counter()
        for heading in headings:
            key = self.set_key(heading.location) if heading and heading.location else None
            keys.append(key)
            if key:
                counts[key] += 1
        solid = {k for k, n in counts.items() if n >= 2} | set(self.set_spellings)
        reported: set[str] = set()
        misspelt: dict[str, str] = {}
        for scene, heading, key in zip(ctx.film.scenes, headings, keys, strict=True):
            if key is None or key in self.set_spellings:
                continue
            span = ctx.find(scene.heading.span, heading.location)
            close = misspelt.get(key)
            if close is None and has_declarations:
                close = _closest(key, sorted(self.set_spellings))
            if close is None and counts[key] == 1:
                close = _closest(key, sorted(solid - {key}))
            if close is not None:
                target = self.sets.get(self.set_spellings.get(close, close))
                name = target.name if target else _first_location(headings, keys, close)
                misspelt[key] = close
                self.report(
                    codes.MISSPELLED_NAME, span, f"the set `{heading.location}` is probably a misspelling of `{name}`",
                    (f"did you mean `{name}`?", "if it is another place, " + (
                        f"declare it with `[[set {heading.location}: ...]]`" if has_declarations
                        else "ignore this warning")),
                )
                continue
            if has_declarations and key not in reported:
                reported.add(key)
                self.report(
                    codes.UNDECLARED_SET, span, f"`{heading.location}` is not a declared set",
                    (f"declare it once with `[[set {heading.location}: look, lighting]]` so every shot there shows "
                     "the same place",),
                )
        settings: list[ir.SceneSetting] = []
        previous_light: str | None = None
        for scene, heading, key in zip(ctx.film.scenes, headings, keys, strict=True):
            if key is not None:
                key = misspelt.get(key, key)
                key = self.set_spellings.get(key, key)
                if key not in self.sets:
                    self.sets[key] = ir.FilmSet(key=key, name=heading.location, declared=False,
                                                span=scene.heading.span, look=_first_action(scene))
            if heading is None:
                settings.append(ir.SceneSetting(set_key=None, place=None, time=None, light=previous_light or "day",
                                                light_from="previous" if previous_light else "default",
                                                continuous=False))
                continue
            if heading.light:
                light, source = heading.light, "heading"
            elif previous_light:
                light, source = previous_light, "previous"
            else:
                light, source = "day", "default"
            settings.append(ir.SceneSetting(set_key=key, place=heading.place, time=heading.time, light=light,
                                            light_from=source, continuous=heading.continuous))
            previous_light = light
        for key, target in misspelt.items():
            self.set_spellings[key] = self.set_spellings.get(target, target)
        return settings

    def set_key(self, location: str) -> str:
        """The key of a heading's location: a declared set it names (`BLOOM HOUSE - KITCHEN`
        is in `BLOOM HOUSE` when only that is declared), else the location itself."""
        key = fold(location)
        if key in self.set_spellings:
            return key
        parts = regex.split(r"\s+[-\u2013\u2014]+\s+|\s*/\s*|\s*,\s+", location)
        for n in range(len(parts) - 1, 0, -1):
            prefix = fold(" ".join(parts[:n]))
            if prefix in self.set_spellings:
                return prefix
        return key

    # ---- unused ----------------------------------------------------------------------------

    def check_unused(self, action_text: list[str]) -> None:
        """Declarations in the script itself that nothing uses (an included cast sheet is shared
        by many scripts, so its unused entries are fine, and so is a script that is all
        declarations: it is such a sheet, checked on its own)."""
        if not any(d.type != "include" for d in self.ctx.film.declarations):
            return
        if not any(scene.heading is not None or scene.elements for scene in self.ctx.film.scenes):
            return
        used_characters = set()
        for scene in self.ctx.film.scenes:
            for element in scene.elements:
                names: list[str] = []
                if isinstance(element, ir.Character):
                    names = [element.name, *speakers(element.name)]
                elif isinstance(element, ir.ShotAnnotation):
                    names = list(element.subjects)
                elif isinstance(element, ir.WardrobeChange):
                    names = [element.name]
                for name in names:
                    key = self.spellings.get(fold(name))
                    if key:
                        used_characters.add(key)
        everywhere = " \n ".join(action_text)
        used_sets = {self.set_spellings.get(self.set_key(h.location)) for h in self.ctx.headings if h and h.location}
        for declaration in self.ctx.film.declarations:
            if isinstance(declaration, ir.Include):
                continue
            key = fold(declaration.name)
            if declaration.type == "cast":
                member = self.cast.get(key)
                if member is None or member.span != declaration.span or key in used_characters:
                    continue
                if any(_mentioned(fold(n), everywhere) for n in (declaration.name, *declaration.aka)):
                    continue
                what = "character"
            else:
                film_set = self.sets.get(key)
                if film_set is None or film_set.span != declaration.span or key in used_sets:
                    continue
                what = "set"
            self.report(
                codes.UNUSED_DECLARATION, self.ctx.find(declaration.span, declaration.name),
                f"the {what} `{declaration.name}` is declared but never appears in the film",
                ("remove the declaration, or check the spelling where it should appear",),
            )


# ---- helpers -------------------------------------------------------------------------------


def _closest(key: str, candidates: list[str]) -> str | None:
    """The name `key` is probably a misspelling of, if any.

    Not a misspelling: names of one or two letters, names that differ only in a number (`GUARD 1`, `GUARD 2`) or an article
    (`A VOICE`, `VOICE`), voices and crowds, and names a whole word apart (`GUEST ROOM`,
    `GUEST BEDROOM`): a typo changes letters, not words.
    """
    if is_voice_name(key) or is_group_name(key) or len(key) < 3:
        return None  # (one or two letters are too few to tell a slip from another name)
    bare = without_article(key)
    close = [
        c for c in candidates
        if c != key and len(c) >= 3 and abs(len(c) - len(key)) <= 3 and _typo_apart(key, c)
        and not differs_only_in_numbers(key, c) and without_article(c) != bare and not is_voice_name(c)
    ]
    return did_you_mean(key, close)


def _typo_apart(a: str, b: str) -> bool:
    """Whether two names are a typo apart: a letter or two within words (EDWRAD, EDWARD), or
    one letter that joins or splits words (BIGTOP, BIG TOP); never a word more or less."""
    if abs(len(a) - len(b)) > 3:
        return False
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b):
        return edit_distance(a, b) <= 1
    for x, y in zip(words_a, words_b, strict=True):
        if x != y:
            shorter = min(len(x), len(y))
            limit = 1 if shorter <= 4 else 2 if shorter <= 8 else 3
            if abs(len(x) - len(y)) > limit or edit_distance(x, y) > limit:
                return False
    return True



def _named_before(key: str, text: str, start: int) -> bool:
    """`Will's pretty DATE` introduces WILL'S DATE: the name's last word in capitals, its other
    words just before it."""
    words = key.split()
    if len(words) < 2:
        return False
    before = fold(text[max(0, start - 40) : start]).split()
    return _subsequence(words[:-1], before)


def _subsequence(needle: list[str], words: list[str]) -> bool:
    it = iter(words)
    return all(any(w == n for w in it) for n in needle)


def _mentioned(key: str, text: str) -> bool:
    """Whether action text (folded) mentions a character by any distinctive word of its name."""
    for word in mention_words(key):
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not before.isalnum() and not after.isalnum():
                return True
            start = text.find(word, start + 1)
    return False


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of `text` around [start, end), on one line."""
    begin = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        begin = m.end()
    m = _SENTENCE_END.search(text, end)
    stop = m.end() if m else len(text)
    return " ".join(text[begin:stop].split())


def _first_action(scene: ir.Scene) -> str:
    """The first sentence of a scene's first action paragraph: a set's description by the same
    convention that introduces characters."""
    for element in scene.elements:
        if element.type == "action" and element.text.strip():
            text = element.text.strip()
            m = _SENTENCE_END.search(text)
            return " ".join(text[: m.end() if m else len(text)].split())
    return ""


def _first_location(headings, keys, key: str) -> str:
    for heading, k in zip(headings, keys, strict=True):
        if k == key:
            return heading.location
    return key


def _at(target: Span, here: Span) -> str:
    """'on line 3', or 'in cast.film, line 3' when the target is in another file."""
    return f"on line {target.line}" if target.file == here.file else f"in {target.file}, line {target.line}"


def _show(value) -> str:
    if isinstance(value, tuple):
        return ", ".join(value)
    return "" if value is None else str(value)
