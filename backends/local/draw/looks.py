"""Reading a character's look and wardrobe words into a figure spec: its kind (human, or the
element of a non-human figure), its palette by role and its features (hair style, build, age,
garment cut, accessory). Defaults the words leave open come from a sha256 of the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .base import Colour, _digest, _pick
from .colours import COLOURS, _colour_word, _colour_words, _described, _distance, _mix, _phrases, _scale, _words

SPEC_VERSION = 1  # of the figure spec a sheet stores; a keyframe ignores a spec of another version


# Garment and feature nouns: the palette role each colours and the cut it names.
NOUNS: dict[str, tuple[str, str]] = {
    **{w: ("top", w) for w in (
        "tunic", "shirt", "blouse", "t-shirt", "tee", "jacket", "coat", "overcoat", "suit", "dress", "gown", "robe", "robes",
        "sweater", "jumper", "hoodie", "cardigan", "kimono", "wrap", "uniform", "armor", "armour", "vest", "waistcoat", "tank",
        "smock", "kaftan", "sari", "poncho", "parka", "blazer", "top", "jersey", "habit", "toga", "overalls", "scrubs", "tux",
        "tuxedo", "raincoat", "trenchcoat", "frock", "doublet", "bodice", "chemise", "shift", "coveralls")},
    **{w: ("bottom", w) for w in (
        "trousers", "pants", "jeans", "skirt", "shorts", "leggings", "slacks", "breeches", "kilt", "sarong", "chinos")},
    **{w: ("accent", w) for w in (
        "sash", "belt", "scarf", "necklace", "tie", "necktie", "bowtie", "hat", "cap", "beret", "hood", "crown", "tiara",
        "headband", "bandana", "headscarf", "turban", "cape", "cloak", "shawl", "mantle", "apron", "gloves", "ribbon", "collar",
        "pendant", "amulet", "beads", "choker", "circlet", "diadem", "stole", "cravat", "bandanna", "fedora", "helmet",
        "armband", "armbands", "armlet", "bracelet", "bangle", "wristband", "girdle", "cummerbund", "brooch", "torc")},
    **{w: ("shoes", w) for w in ("boots", "shoes", "sandals", "sneakers", "heels", "slippers", "loafers", "trainers", "clogs")},
    **{w: ("hair", w) for w in (
        "hair", "braid", "braids", "plait", "plaits", "ponytail", "bun", "curls", "locks", "mane", "dreadlocks", "afro",
        "mohawk", "bob")},
    **{w: ("beard", w) for w in ("beard", "moustache", "mustache", "stubble", "goatee", "whiskers")},
    **{w: ("eyes", w) for w in ("eyes", "eye", "gaze")},
    **{w: ("skin", w) for w in ("skin", "complexion")},
}

OUTER = {"coat", "overcoat", "suit", "jacket", "blazer", "robe", "robes", "gown", "dress", "parka", "raincoat", "trenchcoat",
         "uniform", "armor", "armour", "tux", "tuxedo", "kimono", "wrap", "poncho", "habit", "toga"}
# How far down a top reaches (fraction of the figure's height from the top of the head).
HEMS = {"tunic": 0.6, "coat": 0.74, "overcoat": 0.8, "trenchcoat": 0.8, "raincoat": 0.76, "parka": 0.62, "jacket": 0.55,
        "blazer": 0.55, "suit": 0.55, "tux": 0.55, "tuxedo": 0.55, "dress": 0.8, "gown": 0.95, "robe": 0.93, "robes": 0.93,
        "kimono": 0.93, "wrap": 0.84, "habit": 0.95, "toga": 0.88, "sari": 0.93, "kaftan": 0.9, "poncho": 0.6, "smock": 0.62,
        "frock": 0.78, "shift": 0.74, "overalls": 0.52, "coveralls": 0.52, "armor": 0.58, "armour": 0.58}
SHORT_SLEEVES = {"tunic", "t-shirt", "tee", "jersey", "smock", "toga", "poncho", "shift"}
NO_SLEEVES = {"tank", "vest", "waistcoat", "bodice", "sari"}

FEMININE = {"woman", "women", "girl", "mother", "mom", "mum", "grandmother", "grandma", "she", "her", "lady", "queen",
            "princess", "wife", "sister", "daughter", "aunt", "witch", "goddess", "nun", "bride", "actress", "waitress",
            "heroine", "widow", "matriarch", "empress", "priestess", "fisherwoman", "mistress", "niece", "granddaughter"}
MASCULINE = {"man", "men", "boy", "father", "dad", "grandfather", "grandpa", "he", "his", "king", "prince", "husband",
             "brother", "son", "uncle", "fisherman", "monk", "priest", "lord", "sir", "emperor", "widower", "nephew", "guy",
             "gentleman", "patriarch", "grandson", "hero", "god"}
HUMANS = FEMININE | MASCULINE | {"person", "child", "kid", "baby", "teen", "teenager", "sailor", "soldier", "doctor", "nurse",
                                 "farmer", "detective", "officer", "student", "worker", "chef", "cook", "driver", "pilot"}
CREATURES = {"god", "goddess", "spirit", "creature", "dragon", "serpent", "demon", "ghost", "elemental", "monster", "golem",
             "phantom", "wraith", "djinn", "jinn", "titan", "kraken", "beast", "deity", "specter", "spectre", "apparition"}
ELEMENTS = {"water": "water", "waves": "water", "wave": "water", "tide": "water", "sea": "water", "ocean": "water", "ice": "water",
            "fire": "fire", "flame": "fire", "flames": "fire", "ember": "fire", "embers": "fire", "lava": "fire", "magma": "fire",
            "smoke": "smoke", "mist": "smoke", "fog": "smoke", "cloud": "smoke", "steam": "smoke", "ash": "smoke",
            "shadow": "shadow", "shadows": "shadow", "darkness": "shadow", "night": "shadow", "void": "shadow",
            "stone": "stone", "rock": "stone", "granite": "stone", "marble": "stone", "basalt": "stone", "clay": "stone",
            "coral": "coral", "light": "light", "starlight": "light", "moonlight": "light", "sunlight": "light"}
CREATURE_ELEMENT = {"dragon": "fire", "demon": "fire", "djinn": "fire", "jinn": "fire", "serpent": "water", "kraken": "water",
                    "golem": "stone", "titan": "stone", "ghost": "smoke", "phantom": "smoke", "specter": "smoke",
                    "spectre": "smoke", "apparition": "smoke", "wraith": "shadow"}
# Body, lower body, head, eye glow and highlight colours of each elemental kind.
ELEMENTAL: dict[str, dict[str, Colour]] = {
    "water": {"top": (30, 98, 122), "bottom": (14, 54, 80), "skin": (38, 116, 140), "eyes": (255, 216, 120), "highlight": (130, 206, 216)},
    "fire": {"top": (236, 108, 28), "bottom": (168, 36, 22), "skin": (246, 148, 44), "eyes": (255, 250, 214), "highlight": (255, 214, 86)},
    "smoke": {"top": (112, 112, 122), "bottom": (70, 70, 80), "skin": (132, 132, 142), "eyes": (220, 236, 255),
              "highlight": (176, 176, 186)},
    "shadow": {"top": (40, 34, 52), "bottom": (20, 18, 28), "skin": (50, 44, 64), "eyes": (240, 66, 60), "highlight": (92, 80, 116)},
    "stone": {"top": (122, 116, 104), "bottom": (84, 78, 70), "skin": (134, 128, 116), "eyes": (255, 186, 72),
              "highlight": (170, 162, 148)},
    "coral": {"top": (214, 96, 78), "bottom": (150, 56, 60), "skin": (230, 120, 96), "eyes": (255, 244, 190), "highlight": (250, 176, 150)},
    "light": {"top": (226, 230, 238), "bottom": (168, 186, 216), "skin": (238, 240, 246), "eyes": (110, 196, 255),
              "highlight": (255, 255, 255)},
}
GLOW_WORDS = {"lantern": (255, 206, 110), "lanterns": (255, 206, 110), "embers": (255, 120, 40), "ember": (255, 120, 40),
              "fire": (255, 150, 50), "stars": (220, 236, 255), "moons": (236, 240, 255), "moon": (236, 240, 255),
              "coals": (255, 96, 40), "lightning": (200, 230, 255), "pearls": (238, 236, 228)}

SKIN_WORDS = {"sunburnt": (206, 124, 92), "sunburned": (206, 124, 92), "tanned": (192, 138, 98), "tan": (192, 140, 100),
              "bronzed": (184, 128, 84), "pale": (242, 212, 194), "fair": (244, 214, 192), "weathered": (178, 128, 94),
              "olive": (190, 152, 108), "ruddy": (214, 146, 116), "freckled": (230, 180, 148), "swarthy": (150, 104, 70),
              "dark-skinned": (112, 72, 50), "brown-skinned": (140, 94, 64), "black-skinned": (88, 58, 42), "ashen": (196, 190, 184),
              "pallid": (226, 214, 204), "rosy": (236, 186, 170), "sallow": (214, 190, 150), "ebony": (76, 50, 38)}
SKIN_TONES: tuple[Colour, ...] = ((242, 208, 182), (226, 180, 142), (200, 148, 106), (164, 112, 76), (122, 80, 54), (94, 62, 44))
HAIR_COLOURS: tuple[Colour, ...] = ((32, 28, 26), (66, 44, 32), (104, 70, 44), (136, 62, 36), (204, 168, 100), (48, 36, 30))
TOPS: tuple[Colour, ...] = ((196, 70, 56), (64, 104, 150), (92, 130, 84), (210, 176, 88), (120, 82, 140), (220, 210, 190), (60, 120, 124))
BOTTOMS: tuple[Colour, ...] = ((64, 60, 56), (86, 70, 54), (52, 58, 74), (96, 90, 78), (44, 44, 48), (110, 96, 70))
ACCENTS: tuple[Colour, ...] = ((186, 44, 48), (214, 150, 40), (36, 112, 156), (124, 60, 136), (36, 128, 88), (222, 110, 60))
SHOES: tuple[Colour, ...] = ((56, 40, 32), (32, 30, 30), (92, 64, 44), (70, 60, 52))

AGE_WORDS = {"teens": 16, "twenties": 25, "thirties": 35, "forties": 45, "fifties": 55, "sixties": 65, "seventies": 75,
             "eighties": 85, "nineties": 92, "old": 70, "elderly": 74, "aged": 70, "ancient": 80, "grandmother": 70,
             "grandfather": 70, "grandma": 70, "grandpa": 70, "crone": 78, "middle-aged": 48, "young": 24, "teen": 16,
             "teenage": 16, "teenager": 16, "adolescent": 15, "child": 9, "kid": 9, "toddler": 4, "baby": 2, "boy": 12,
             "girl": 12, "youth": 18}
EXPRESSIONS = {
    "fierce": "fierce", "angry": "fierce", "stern": "fierce", "determined": "fierce", "grim": "fierce", "furious": "fierce",
    "intense": "fierce", "wild": "fierce", "scowling": "fierce", "calm": "calm", "gentle": "calm", "kind": "calm",
    "serene": "calm", "unafraid": "calm", "warm": "calm", "wise": "calm", "tired": "sad", "sad": "sad", "weary": "sad",
    "mournful": "sad", "grieving": "sad", "laughs": "smile", "laughing": "smile", "smiling": "smile", "smiles": "smile",
    "cheerful": "smile", "jolly": "smile", "happy": "smile", "grinning": "smile",
}


def _age(words: Sequence[str], text: str) -> int:
    if m := re.search(r"(\d{1,3})[- ]?(?:years?|yrs?)[- ]?old", text):
        return int(m.group(1))
    if m := re.search(r"\((\d{1,3})\)|\b(\d)0s\b", text):
        return int(m.group(1)) if m.group(1) else int(m.group(2)) * 10 + 5
    return next((AGE_WORDS[w] for w in words if w in AGE_WORDS), 35)


def _kind(words: Sequence[str], text: str) -> str:
    """"human", or the element of a non-human figure ("water" for "a figure of dark water")."""
    creature = next((w for w in words if w in CREATURES), None)
    if creature is None and (any(w in HUMANS for w in words) or not any(w in ELEMENTS for w in words)):
        return "human"
    if m := re.search(r"\b(?:of|from|in)\s+(?:\w+\s+){0,2}?(" + "|".join(ELEMENTS) + r")\b", text):
        return ELEMENTS[m.group(1)]
    element = next((ELEMENTS[w] for w in words if w in ELEMENTS and w != "sea"), None)
    return element or CREATURE_ELEMENT.get(creature or "", "light")


def _garments(text: str) -> dict[str, tuple[str, Colour | None]]:
    """Role → (noun, colour or None) for each garment or feature a text names; an outer garment
    (coat, robe) wins the top over an inner one, a coloured mention over a plain one."""
    found: dict[str, tuple[str, Colour | None]] = {}
    for words in _phrases(text):
        for i, word in enumerate(words):
            if word not in NOUNS:
                continue
            role, noun = NOUNS[word]
            colour = _described(words, i, NOUNS)
            old = found.get(role)
            if (old is None or (role == "top" and noun in OUTER and old[0] not in OUTER)
                    or (old[1] is None and colour is not None and old[0] == noun)):
                found[role] = (noun, colour)
    return found


def _skin(words: Sequence[str], key: str) -> Colour:
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if word in SKIN_WORDS and (after in {"skin", "complexion", "", "face"} or after in HUMANS or not (
                after in NOUNS or _colour_word(after))):
            return SKIN_WORDS[word]
        if word == "dark" and after in {"skin", "skinned", "complexion"}:
            return SKIN_WORDS["dark-skinned"]
    return _pick(SKIN_TONES, key, "skin")


def _hair_style(words: Sequence[str], garments: Mapping[str, tuple[str, Colour | None]], feminine: bool, key: str) -> str:
    said = set(words)
    if said & {"bald", "shaved", "shaven", "hairless"}:
        return "bald"
    for style, names in (("braid", {"braid", "braids", "braided", "plait", "plaits", "plaited"}), ("ponytail", {"ponytail"}),
                         ("bun", {"bun"}), ("curly", {"curly", "curls", "afro", "curled"})):
        if said & names:
            return style
    hair = [i for i, w in enumerate(words) if w in {"hair", "haired", "locks", "mane"}]
    for i in hair:
        near = set(words[max(0, i - 4):i])
        if near & {"long", "flowing", "wild"}:
            return "long"
        if near & {"short", "cropped", "close-cropped", "buzzed", "crew-cut"}:
            return "short"
    return _pick(("long", "bun", "long"), key, "hair") if feminine else "short"


def _hair_colour(words: Sequence[str], garments: Mapping[str, tuple[str, Colour | None]], age: int, key: str) -> Colour:
    if (said := garments.get("hair")) and said[1]:
        return said[1]
    for word in words:  # "silver-haired", "red-headed", "a blonde"
        if m := re.fullmatch(r"([a-z]+)-(?:haired|headed)", word):
            if m.group(1) == "red":
                return COLOURS["ginger"]
            if m.group(1) in COLOURS:
                return COLOURS[m.group(1)]
        if word in {"blonde", "blond", "redhead", "brunette", "ginger"}:
            return COLOURS["ginger" if word == "redhead" else word]
    if age >= 62:
        return (206, 206, 210)
    if age >= 48:
        return (126, 124, 126)
    return _pick(HAIR_COLOURS, key, "hair colour")


def _build(words: Sequence[str], age: int) -> tuple[float, float]:
    """Height and width factors from build words and age."""
    said = set(words)
    height = 1.3 if said & {"towering", "giant", "colossal", "huge", "vast", "gigantic", "enormous"} else 1.0
    if said & {"tall", "lanky", "long-limbed"}:
        height = 1.08
    elif said & {"small", "little", "tiny", "petite", "diminutive", "slight"}:
        height = 0.88
    if age < 14:
        height *= 0.5 + age * 0.033
    width = 1.0
    if said & {"lean", "thin", "slim", "skinny", "wiry", "slender", "gaunt", "lanky", "bony", "willowy"}:
        width = 0.88
    elif said & {"stout", "heavy", "fat", "portly", "burly", "broad", "stocky", "big", "muscular", "heavyset", "hulking", "plump",
                 "rotund", "barrel-chested", "brawny"}:
        width = 1.22
    return height, width


def _default(options: Sequence[Colour], key: str, role: str, avoid: Iterable[Colour] = ()) -> Colour:
    """A colour the description leaves open: chosen from `options` by the key, skipping any too
    close to a colour already used."""
    avoid = list(avoid)
    start = _digest(key, role)
    for k in range(len(options)):
        colour = options[(start + k) % len(options)]
        if all(_distance(colour, a) > 70 for a in avoid):
            return colour
    return options[start % len(options)]


def _style_defaults(style: str) -> tuple[Colour, ...]:
    """Colours a film's style names ("muted greens and storm greys"), for clothes left uncoloured."""
    named = _colour_words(style)
    return tuple(named) if len(named) >= 2 else TOPS


def figure_spec(params: Mapping[str, Any]) -> dict[str, Any]:
    """The figure a character sheet draws: its kind, palette and features, as JSON values."""
    key = str(params.get("key") or params.get("name") or "someone")
    name = str(params.get("name") or key.replace("_", " "))
    look = re.sub(re.escape(name), " ", str(params.get("look") or ""), flags=re.IGNORECASE)  # "BIG FISH (40s), a tall man"
    wardrobe = str(params.get("wardrobe") or "")
    text = f"{look}, {wardrobe}".lower()
    words = _words(text)
    kind = _kind(words + _words(name), text)
    height, width = _build(words, _age(words, text))
    spec: dict[str, Any] = {"v": SPEC_VERSION, "kind": kind, "height": height, "width": width}
    if kind == "human":
        spec.update(_human_spec(key, look, wardrobe, str(params.get("style") or ""), words + _words(name)))
    else:
        spec.update(_elemental_spec(key, kind, text, words))
        spec["height"] = max(height, 1.12)
        spec["width"] = max(width, 1.1)
    return spec


def _human_spec(key: str, look: str, wardrobe: str, style: str, words: Sequence[str]) -> dict[str, Any]:
    text = f"{look}, {wardrobe}".lower()
    age = _age(words, text)
    garments = {**_garments(look), **_garments(wardrobe)}
    said = set(words)
    feminine = bool(said & FEMININE) or (not said & MASCULINE and _digest(key, "feminine") % 2 == 1)
    top, top_colour = garments.get("top", ("shirt", None))
    bottom_noun, bottom_colour = garments.get("bottom", ("trousers", None))
    accent, accent_colour = garments.get("accent", ("tie" if top in {"suit", "tux", "tuxedo", "blazer"} else "belt", None))
    skin = _skin(words, key)
    top_colour = top_colour or _default(_style_defaults(style), key, "top", [skin])
    if bottom_colour is None and top in {"suit", "tux", "tuxedo", "uniform", "overalls", "coveralls", "scrubs"}:
        bottom_colour = top_colour
    bottom_colour = bottom_colour or _default(BOTTOMS, key, "bottom", [top_colour])
    palette = {
        "skin": skin, "hair": _hair_colour(words, garments, age, key), "top": top_colour, "bottom": bottom_colour,
        "accent": accent_colour or _default(ACCENTS, key, "accent", [top_colour, bottom_colour, skin]),
        "shoes": (garments.get("shoes") or ("", None))[1] or _default(SHOES, key, "shoes"),
        "eyes": (garments.get("eyes") or ("", None))[1] or _pick(((60, 44, 32), (44, 70, 100), (70, 96, 60), (40, 30, 26)), key, "eyes"),
    }
    beard: str | bool = "beard" in garments or bool(said & {"bearded", "whiskered"})
    if beard:
        at = next((i for i, w in enumerate(words) if NOUNS.get(w, ("",))[0] == "beard"), 0)
        beard = "long" if set(words[max(0, at - 3):at]) & {"long", "flowing", "bushy", "full", "wild"} else "short"
        palette["beard"] = garments.get("beard", ("", None))[1] or palette["hair"]
    hem = HEMS.get(top, 0.52)
    return {
        "palette": palette, "age": age, "feminine": feminine, "hair": _hair_style(words, garments, feminine, key), "beard": beard,
        "top": top, "hem": hem, "sleeves": "none" if top in NO_SLEEVES else "short" if top in SHORT_SLEEVES else "long",
        "bottom": "none" if hem > 0.85 else "skirt" if bottom_noun in {"skirt", "kilt", "sarong"} else
        "shorts" if bottom_noun == "shorts" else "trousers",
        "accent": accent, "expression": next((EXPRESSIONS[w] for w in words if w in EXPRESSIONS), "neutral"),
        "barefoot": bool(said & {"barefoot", "barefooted", "unshod"}),
    }


def _elemental_spec(key: str, kind: str, text: str, words: Sequence[str]) -> dict[str, Any]:
    palette = dict(ELEMENTAL[kind])
    element_at = next((i for i, w in enumerate(words) if ELEMENTS.get(w) == kind), None)
    if element_at is not None and (body := _colour_before_element(words, element_at)):
        palette.update(top=body, skin=_mix(body, (255, 255, 255), 0.1), bottom=_scale(body, 0.6))
    if element_at is not None and element_at > 0 and words[element_at - 1] in {"dark", "deep", "black"}:
        palette.update({role: _scale(palette[role], 0.72) for role in ("top", "bottom", "skin")})
    if m := re.search(r"eyes (?:like|of) (\w+)", text):
        palette["eyes"] = GLOW_WORDS.get(m.group(1)) or COLOURS.get(m.group(1), palette["eyes"])
    garments = _garments(text)
    crown = next((w for w in ("crown", "horns", "antlers", "halo", "tiara", "circlet", "diadem") if w in words), None)
    if crown in (None, "crown") and "coral" in words and kind != "coral":
        crown = "coral"
    crowned = _described(words, words.index(crown), NOUNS) if crown in words else None
    accent = crowned or (garments.get("accent") or ("", None))[1] or ("coral" in words and COLOURS["coral"]) or None
    palette["accent"] = accent or _default(ACCENTS, key, "accent", [palette["top"], palette["eyes"]])
    if _distance(palette["eyes"], palette["skin"]) < 90:  # eyes must glow against the head
        palette["eyes"] = _mix(palette["eyes"], (255, 255, 240), 0.65)
    return {"palette": palette, "crown": crown, "age": 40, "expression": "fierce"}


def _colour_before_element(words: Sequence[str], i: int) -> Colour | None:
    for j in range(i - 1, max(-1, i - 3), -1):
        if (colour := _colour_word(words[j])) is not None:
            return colour
    return None


def figure_palette(params: Mapping[str, Any]) -> dict[str, Colour]:
    """The exact colours a character is drawn with (skin, hair, top, bottom, accent, ...), from the
    params of its character sheet."""
    return {role: tuple(c) for role, c in figure_spec(params)["palette"].items()}  # type: ignore[misc]
