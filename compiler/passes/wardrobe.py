"""Wardrobe continuity: a change of clothes in the action needs a `[[wardrobe]]` annotation.

Only for characters whose clothes filmc knows (a `wardrobe:` in their declaration, or an
earlier `[[wardrobe]]`): a plain screenplay's characters have no tracked wardrobe to keep.

Every shot of a character carries their current wardrobe into its request. When the action
says a character changes clothes ("ALIN pulls on a black coat") and no `[[wardrobe ALIN: ...]]`
in that scene says into what, every later shot would still show the old clothes.
"""

from __future__ import annotations

import regex

from .. import diagnostics as codes
from .. import ir
from ..names import fold, mention_words
from . import Context

_CHANGE = regex.compile(
    r"\b(?:chang(?:es|ed|ing|e) (?:into|out of|clothes)|(?:puts?|putting|pulls?|pulling|slips?|slipping|"
    r"throws?|throwing|shrugs?|shrugging) on|(?:takes?|taking|took|strips?|stripping|pulls?|pulling|sheds?) off|"
    r"now (?:wears|wearing|dressed in)|gets? dressed|dress(?:es|ed) in|undress(?:es|ed)?|removes? (?:his|her|their))\b",
    regex.I,
)
_CLOTHES = regex.compile(
    r"\b(?:clothes|coat|overcoat|jacket|shirt|t-shirt|blouse|dress|gown|skirt|hat|cap|helmet|suit|tie|sash|robe|"
    r"uniform|boots|shoes|sweater|scarf|gloves|mask|armou?r|tunic|cloak|cape|pants|trousers|jeans|vest|apron|"
    r"costume|pajamas|pyjamas|outfit|veil|wig|kimono|hoodie|wetsuit|tuxedo|sari)s?\b",
    regex.I,
)
_SENTENCE = regex.compile(r"[^.!?]+[.!?]*")


def run(ctx: Context) -> None:
    symbols = ctx.symbols
    # Every spelling of every character, so "Edward" goes to EDWARD, not to ADULT EDWARD.
    names: dict[str, list[str]] = {}
    for spelling, key in symbols.spellings.items():
        names.setdefault(key, []).append(spelling)
    for key in names:
        names[key] += [w for w in mention_words(key) if w not in names[key]]
    # Whose clothes filmc knows: those declared with a wardrobe, and those given one since.
    dressed = {key for key, member in symbols.cast.items() if member.wardrobe}
    if not dressed and not any(isinstance(e, ir.WardrobeChange) for scene in ctx.film.scenes for e in scene.elements):
        return  # nobody's clothes are known: nothing to keep consistent
    for scene in ctx.film.scenes:
        changed = {symbols.spellings.get(fold(e.name)) for e in scene.elements if isinstance(e, ir.WardrobeChange)}
        for element in scene.elements:
            if isinstance(element, ir.WardrobeChange):
                dressed.add(symbols.spellings.get(fold(element.name)))
            if element.type != "action":
                continue
            for sentence in _SENTENCE.finditer(element.text):
                text = sentence.group()
                change = _CHANGE.search(text)
                if not change or not _CLOTHES.search(text, change.end()):
                    continue
                # The one named last before the verb, in this sentence or (for "he", "she")
                # earlier in the paragraph.
                who = _who(fold(element.text[: sentence.start() + change.start()]), names)
                if who is None or who in changed or who not in dressed:
                    continue
                member = symbols.cast[who]
                now = f"; later shots would still show {member.wardrobe}" if member.wardrobe else ""
                ctx.reporter.report(
                    codes.UNDECLARED_WARDROBE_CHANGE, ctx.find(element.span, change.group()),
                    f"the action changes `{member.name}`'s clothes, but no `[[wardrobe {member.name}: ...]]` says into what{now}",
                    (f"add `[[wardrobe {member.name}: what they wear now]]` after this paragraph",),
                )
                changed.add(who)


def _who(before: str, names: dict[str, list[str]]) -> str | None:
    """The character named last before the verb: the one who changes (the longer name wins
    where two end at one place, so "Adult Edward" is not EDWARD)."""
    best, best_at = None, (-1, 0)
    for key, words in names.items():
        for word in words:
            at = before.rfind(word)
            while at != -1:
                end = at + len(word)
                if (at == 0 or not before[at - 1].isalnum()) and (end == len(before) or not before[end].isalnum()):
                    break
                at = before.rfind(word, 0, at)
            if at != -1 and (at + len(word), len(word)) > best_at:
                best, best_at = key, (at + len(word), len(word))
    return best
