"""Interior scenes: a room in one-point perspective (walls, floor, a window on the light outside,
a door, a ceiling light) with the furniture its look names, and a palace hall.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .base import Colour, _lerp, _pick
from .colours import _mix, _scale
from .plates import PLATE_MATERIALS, SKIES, WALLS, _glow, _gradient, _Plate, _Room


def _box(plate: _Plate, room: _Room, u: tuple[float, float], d: tuple[float, float], up: tuple[float, float], colour: Colour) -> None:
    """A box standing in the room, shaded: its top lit, its side toward the middle darker."""
    (u0, u1), (d0, d1), (b, t) = u, d, up
    face = plate.lit(colour)
    if room.at(u1, d1)[0] < room.vp[0]:
        side = [room.at(u1, d0, b), room.at(u1, d1, b), room.at(u1, d1, t), room.at(u1, d0, t)]
    else:
        side = [room.at(u0, d0, b), room.at(u0, d1, b), room.at(u0, d1, t), room.at(u0, d0, t)]
    plate.draw.polygon(side, fill=_scale(face, 0.72), outline=_scale(face, 0.5))
    if room.at(u0, d1, t)[1] > room.vp[1]:
        top = [room.at(u0, d0, t), room.at(u1, d0, t), room.at(u1, d1, t), room.at(u0, d1, t)]
        plate.draw.polygon(top, fill=_mix(face, (255, 255, 255), 0.12), outline=_scale(face, 0.5))
    front = [room.at(u0, d1, t), room.at(u1, d1, t), room.at(u1, d1, b), room.at(u0, d1, b)]
    plate.draw.polygon(front, fill=face, outline=_scale(face, 0.5), width=3)


def _paint_interior(plate: _Plate) -> None:
    """A room: back wall with a window on the light outside, side walls, floor, ceiling, a door,
    and the furniture its look names."""
    plate.indoor = True
    rng = plate.rng
    vx = plate.w * rng.uniform(0.44, 0.56)
    room = _Room((vx, plate.h * 0.43), plate.w * 0.2, plate.h * 0.1, plate.w * 0.8, plate.h * 0.64, plate.h)
    plate.horizon, plate.ground = 0.43, 0.72
    hospital = plate.has("hospital", "ward", "clinic", "infirmary")
    wall = plate.part("wall", (196, 214, 200) if hospital else _pick(WALLS, *sorted(plate.words)))
    floor = plate.part("floor", (196, 200, 196) if hospital or plate.has("kitchen", "bathroom") else (128, 90, 60))
    plate.palette.update(wall=wall, floor=floor)
    corners = [(room.x0, room.y0), (room.x1, room.y0), (room.x1, room.y1), (room.x0, room.y1)]
    tl, tr, br, bl = corners
    draw = plate.draw
    draw.polygon([room.far(tl), tl, tr, room.far(tr)], fill=plate.lit(_mix(wall, (255, 255, 255), 0.35)))
    draw.polygon([room.far(tl), tl, bl, room.far(bl)], fill=plate.lit(_scale(wall, 0.82)))
    draw.polygon([room.far(tr), tr, br, room.far(br)], fill=plate.lit(_scale(wall, 0.88)))
    draw.polygon(corners, fill=plate.lit(wall))
    draw.polygon([bl, br, room.far(br), room.far(bl)], fill=plate.lit(floor))
    _floor_lines(plate, room, floor, tiled=hospital or plate.has("kitchen", "bathroom", "tiles", "tiled", "diner"))
    for a, b in ((tl, room.far(tl)), (tr, room.far(tr)), (bl, room.far(bl)), (br, room.far(br))):
        draw.line([a, b], fill=plate.lit(_scale(wall, 0.62)), width=4)
    side = rng.choice((-1, 1))  # the window's side of the back wall; furniture keeps clear of it
    _window(plate, room, 0.1 if side < 0 else 0.66, 0.24)
    _door(plate, room, -side)
    _furnish(plate, room, side)
    _ceiling_light(plate, room)


def _floor_lines(plate: _Plate, room: _Room, floor: Colour, tiled: bool) -> None:
    line = (*plate.lit(_scale(floor, 0.72)), 200)
    for u in np.linspace(-3, 4, 36 if tiled else 50):
        plate.draw.line([room.at(u, 0), room.at(u, 1)], fill=line, width=3)
    if tiled:
        for d in np.linspace(0, 1, 12) ** 1.6:
            plate.draw.line([room.at(-3, d), room.at(4, d)], fill=line, width=3)


def _window(plate: _Plate, room: _Room, u: float, width: float) -> None:
    """A window in the back wall showing the sky at this light, with curtains."""
    a, b = room.at(u, 0, 0.82), room.at(u + width, 0, 0.36)
    box = (int(a[0]), int(a[1]), int(b[0]), int(b[1]))
    zenith, middle, horizon = SKIES[plate.light]
    plate.image.paste(_gradient((box[2] - box[0], box[3] - box[1]), [(0, zenith), (0.6, middle), (1, horizon)]), box[:2])
    if plate.light == "night":
        plate.draw.ellipse((box[0] + 40, box[1] + 40, box[0] + 80, box[1] + 80), fill=(236, 238, 248))
    frame = plate.lit((236, 232, 224))
    mid_x, mid_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    plate.draw.rectangle(box, outline=frame, width=14)
    plate.draw.line([(mid_x, box[1]), (mid_x, box[3])], fill=frame, width=10)
    plate.draw.line([(box[0], mid_y), (box[2], mid_y)], fill=frame, width=10)
    curtain = plate.part("curtain", _pick(((150, 60, 54), (70, 100, 130), (200, 180, 130), (90, 120, 80)), *sorted(plate.words)))
    for x in (box[0] - 50, box[2] - 40):
        plate.draw.rectangle((x, box[1] - 40, x + 90, box[3] + 60), fill=plate.lit(curtain),
                             outline=plate.lit(_scale(curtain, 0.7)), width=3)
    if plate.light != "night":  # daylight from the window falls on the floor
        patch = [room.at(u, 0.05), room.at(u + width, 0.05), room.at(u + width + 0.1, 0.5), room.at(u + 0.1, 0.5)]
        plate.draw.polygon(patch, fill=(*_mix(horizon, (255, 255, 255), 0.5), 50))


def _door(plate: _Plate, room: _Room, side: int) -> None:
    u = 0.0 if side < 0 else 1.0
    quad = [room.at(u, 0.12, 0.82), room.at(u, 0.34, 0.82), room.at(u, 0.34), room.at(u, 0.12)]
    door = plate.part("door", (110, 76, 50))
    plate.draw.polygon(quad, fill=plate.lit(door), outline=plate.lit(_scale(door, 0.55)), width=8)
    knob = _lerp(quad[2], quad[1], 0.45)
    plate.draw.ellipse((knob[0] - 10, knob[1] - 10, knob[0] + 10, knob[1] + 10), fill=plate.lit((200, 170, 90)))


def _ceiling_light(plate: _Plate, room: _Room) -> None:
    top, lamp = room.at(0.5, 0.3, 1.0), room.at(0.5, 0.3, 0.78)
    plate.draw.line([top, lamp], fill=(40, 36, 34), width=4)
    shade = [(lamp[0] - 60, lamp[1] + 50), (lamp[0] - 24, lamp[1]), (lamp[0] + 24, lamp[1]), (lamp[0] + 60, lamp[1] + 50)]
    plate.draw.polygon(shade, fill=plate.lit((220, 200, 150)))
    if plate.light in {"night", "dusk"}:
        _glow(plate, (lamp[0], lamp[1] + 60), plate.h * 0.22, (255, 214, 150), 0.45)
        plate.draw.ellipse((lamp[0] - 26, lamp[1] + 36, lamp[0] + 26, lamp[1] + 62), fill=(255, 244, 210))


Span = tuple[float, float]


def _furnish(plate: _Plate, room: _Room, side: int) -> None:
    """The furniture the look names, a table if it names none, each given a free stretch of the
    back wall (away from the window, in the middle, under the window), the floor or a corner."""
    spans = {"far": (0.04, 0.34) if side > 0 else (0.66, 0.96), "centre": (0.38, 0.62),
             "window": (0.66, 0.96) if side > 0 else (0.04, 0.34), "wall": (0.0, 1.0), "floor": (0.37, 0.63),
             "corner": (0.02, 0.06) if side > 0 else (0.94, 0.98)}
    wanted = [(piece, wants) for names, piece, wants in FURNITURE if plate.has(names)] or [(_table, ("floor",))]
    taken: set[str] = set()
    for piece, wants in wanted:
        slot = next((s for s in wants if s not in taken and not (s == "wall" and taken & {"far", "centre", "window"})), None)
        if slot is not None:
            taken |= {"far", "centre", "window"} if slot == "wall" else {slot} - {"corner"}
            piece(plate, room, spans[slot], side)


def _counter(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    """A kitchen (or bar) counter along the back wall, cupboards above, a stove and a sink."""
    wood = plate.part("wood", (150, 110, 76))
    u0, u1 = (0.0, 0.92) if side < 0 else (0.08, 1.0)
    _box(plate, room, (u0, u1), (0.0, 0.1), (0.0, 0.36), wood)
    _box(plate, room, (u0 - 0.01, u1 + 0.01), (0.0, 0.11), (0.36, 0.39), (210, 206, 198))
    for u in np.linspace(u0, u1, 6)[1:-1]:
        plate.draw.line([room.at(u, 0.1, 0.04), room.at(u, 0.1, 0.32)], fill=plate.lit(_scale(wood, 0.6)), width=4)
    cu0, cu1 = (0.4, 0.84) if side < 0 else (0.16, 0.6)  # wall cupboards between the window and the fridge
    upper = [room.at(cu0, 0, 0.82), room.at(cu1, 0, 0.82), room.at(cu1, 0, 0.56), room.at(cu0, 0, 0.56)]
    plate.draw.polygon(upper, fill=plate.lit(_mix(wood, (255, 255, 255), 0.1)), outline=plate.lit(_scale(wood, 0.6)), width=4)
    if plate.has("bar", "pub", "saloon", "tavern"):
        for u in np.linspace(cu0 + 0.02, cu1 - 0.02, 12):
            base = room.at(u, 0, 0.56)
            colour = plate.rng.choice(((60, 110, 60), (130, 60, 40), (180, 150, 80), (60, 80, 120)))
            plate.draw.rectangle((base[0] - 12, base[1] - 70, base[0] + 12, base[1]), fill=plate.lit(colour))
        return
    su = cu0 + 0.12
    stove = [room.at(su, 0.02, 0.392), room.at(su + 0.15, 0.02, 0.392), room.at(su + 0.15, 0.09, 0.392), room.at(su, 0.09, 0.392)]
    plate.draw.polygon(stove, fill=plate.lit((50, 50, 54)))
    for u in (0.04, 0.11):
        c = room.at(su + u, 0.055, 0.392)
        plate.draw.ellipse((c[0] - 30, c[1] - 10, c[0] + 30, c[1] + 10), outline=plate.lit((120, 120, 126)), width=5)
    for k, u in enumerate(np.linspace(cu0 + 0.05, cu1 - 0.05, 4)):  # pans under the cupboards
        hook = room.at(u, 0, 0.56)
        plate.draw.line([hook, (hook[0], hook[1] + 30)], fill=(60, 60, 60), width=3)
        r = 26 + 8 * k
        plate.draw.ellipse((hook[0] - r, hook[1] + 30, hook[0] + r, hook[1] + 30 + r * 2), fill=plate.lit((170, 110, 70)))
    if plate.has("kitchen", "fridge", "refrigerator"):
        fu = (0.86, 1.0) if side < 0 else (0.0, 0.14)
        _box(plate, room, fu, (0.0, 0.12), (0.0, 0.74), (214, 216, 214))


def _table(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    wood = plate.part("wood", (136, 96, 60))
    u = (span[0] + span[1]) / 2
    for du in (-0.14, 0.12):
        _chair(plate, room, u + du, 0.36, wood)
    for lu, ld in ((u - 0.1, 0.28), (u + 0.1, 0.28), (u - 0.1, 0.44), (u + 0.1, 0.44)):
        _box(plate, room, (lu - 0.008, lu + 0.008), (ld - 0.01, ld), (0.0, 0.29), _scale(wood, 0.8))
    _box(plate, room, (u - 0.13, u + 0.13), (0.26, 0.46), (0.29, 0.32), wood)
    cup = room.at(u + 0.03, 0.36, 0.32)
    plate.draw.ellipse((cup[0] - 40, cup[1] - 14, cup[0] + 40, cup[1] + 14), fill=plate.lit((226, 222, 212)))


def _chair(plate: _Plate, room: _Room, u: float, d: float, wood: Colour) -> None:
    _box(plate, room, (u - 0.035, u + 0.035), (d - 0.1, d - 0.03), (0.17, 0.19), _scale(wood, 0.9))
    _box(plate, room, (u - 0.035, u + 0.035), (d - 0.1, d - 0.09), (0.19, 0.42), _scale(wood, 0.85))


def _bed(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    hospital = plate.has("hospital", "ward", "clinic", "infirmary")
    u0, u1 = span
    frame = (190, 196, 200) if hospital else plate.part("wood", (120, 84, 56))
    blanket = (170, 196, 200) if hospital else _pick(((150, 60, 60), (70, 96, 140), (200, 180, 120), (90, 120, 90)), *sorted(plate.words))
    _box(plate, room, (u0, u1), (0.0, 0.02), (0.0, 0.46), frame)
    _box(plate, room, (u0, u1), (0.02, 0.52), (0.06, 0.2), frame)
    _box(plate, room, (u0 + 0.005, u1 - 0.005), (0.02, 0.5), (0.2, 0.26), (236, 234, 228))
    _box(plate, room, (u0 - 0.005, u1 + 0.005), (0.2, 0.52), (0.19, 0.27), blanket)
    for pu in (u0 + 0.04, u1 - 0.13):
        _box(plate, room, (pu, pu + 0.09), (0.03, 0.1), (0.26, 0.31), (246, 244, 240))
    if hospital:
        beside = u1 + 0.04 if u1 < 0.9 else u0 - 0.04
        stand = room.at(beside, 0.3)
        top = room.at(beside, 0.3, 0.8)
        plate.draw.line([stand, top], fill=(170, 174, 180), width=8)
        plate.draw.rounded_rectangle((top[0] - 30, top[1], top[0] + 30, top[1] + 90), radius=14, fill=(220, 236, 240))
        screen = room.at(beside - 0.03, 0, 0.7)
        plate.draw.rectangle((screen[0], screen[1], screen[0] + 150, screen[1] + 100), fill=(30, 40, 44), outline=(150, 150, 150), width=6)
        plate.draw.line([(screen[0] + 10, screen[1] + 60), (screen[0] + 60, screen[1] + 60), (screen[0] + 75, screen[1] + 20),
                         (screen[0] + 90, screen[1] + 80), (screen[0] + 140, screen[1] + 60)], fill=(90, 230, 140), width=4)


def _shelves(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    u0, u1 = span
    wood = plate.part("wood", (110, 80, 54))
    _box(plate, room, (u0, u1), (0.0, 0.06), (0.0, 0.8), wood)
    rng = plate.rng
    for level in (0.08, 0.28, 0.48, 0.66):
        u = u0 + 0.01
        while u < u1 - 0.02:
            width, height = rng.uniform(0.008, 0.018), rng.uniform(0.1, 0.15)
            colour = rng.choice(((150, 50, 44), (60, 90, 130), (200, 170, 90), (70, 110, 70), (120, 80, 120), (220, 210, 190)))
            plate.draw.polygon([room.at(u, 0.06, level), room.at(u + width, 0.06, level), room.at(u + width, 0.06, level + height),
                                room.at(u, 0.06, level + height)], fill=plate.lit(colour))
            u += width + 0.002


def _desk(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    u0, u1 = span
    wood = plate.part("wood", (120, 90, 64))
    _box(plate, room, (u0, u0 + 0.06), (0.05, 0.22), (0.0, 0.3), wood)
    _box(plate, room, (u1 - 0.06, u1), (0.05, 0.22), (0.0, 0.3), wood)
    _box(plate, room, (u0, u1), (0.05, 0.22), (0.3, 0.33), wood)
    a, b = room.at(u0 + 0.08, 0.08, 0.34), room.at(u0 + 0.2, 0.08, 0.52)
    plate.draw.rectangle((a[0], b[1], b[0], a[1]), fill=(34, 38, 44), outline=(20, 20, 24), width=6)
    glow = (120, 170, 220) if plate.light == "night" else (70, 90, 110)
    plate.draw.rectangle((a[0] + 12, b[1] + 12, b[0] - 12, a[1] - 12), fill=glow)


def _fireplace(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    stone = plate.part("rock", (150, 140, 128))
    u0, u1 = span
    mid = (u0 + u1) / 2
    _box(plate, room, (u0, u1), (0.0, 0.05), (0.0, 0.5), stone)
    _box(plate, room, (u0 - 0.02, u1 + 0.02), (0.0, 0.07), (0.5, 0.54), _scale(stone, 0.8))
    plate.draw.polygon([room.at(mid + du, 0.05, up) for du, up in ((-0.08, 0.32), (0.08, 0.32), (0.08, 0.0), (-0.08, 0.0))],
                       fill=(30, 22, 20))
    base = room.at(mid, 0.05)
    for dx, height, colour in ((-50, 150, (240, 120, 40)), (30, 120, (240, 140, 50)), (-5, 190, (255, 190, 80))):
        plate.draw.polygon([(base[0] + dx - 45, base[1]), (base[0] + dx, base[1] - height), (base[0] + dx + 45, base[1])], fill=colour)
    _glow(plate, (base[0], base[1] - 60), plate.h * 0.25, (255, 170, 90), 0.35)


def _sofa(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    u0, u1 = span
    fabric = _pick(((120, 70, 60), (70, 90, 110), (150, 130, 96), (86, 104, 80)), *sorted(plate.words))
    _box(plate, room, (u0, u1), (0.06, 0.12), (0.0, 0.36), _scale(fabric, 0.9))
    _box(plate, room, (u0, u1), (0.12, 0.3), (0.0, 0.18), fabric)
    for u in (u0, u1 - 0.04):
        _box(plate, room, (u, u + 0.04), (0.08, 0.3), (0.0, 0.25), _scale(fabric, 0.85))


def _lamp(plate: _Plate, room: _Room, span: Span, side: int) -> None:
    u = (span[0] + span[1]) / 2
    base, top = room.at(u, 0.2), room.at(u, 0.2, 0.6)
    plate.draw.line([base, top], fill=(50, 44, 40), width=8)
    shade = [(top[0] - 70, top[1] + 40), (top[0] - 40, top[1] - 60), (top[0] + 40, top[1] - 60), (top[0] + 70, top[1] + 40)]
    plate.draw.polygon(shade, fill=plate.lit((236, 214, 170)))
    if plate.light in {"night", "dusk", "dawn"}:
        _glow(plate, top, plate.h * 0.16, (255, 210, 140), 0.5)


# Which words call for each piece, and the places it can go, in order of preference.
FURNITURE: tuple[tuple[set[str], Callable[[_Plate, _Room, Span, int], None], tuple[str, ...]], ...] = (
    ({"kitchen", "counter", "bar", "pub", "saloon", "tavern", "diner", "stove", "shop", "store"}, _counter, ("wall",)),
    ({"fireplace", "hearth", "fire", "cabin", "lodge"}, _fireplace, ("centre",)),
    ({"bed", "bedroom", "hospital", "ward", "clinic", "infirmary", "motel", "hotel", "dormitory"}, _bed, ("window", "far")),
    ({"shelves", "shelf", "books", "bookcase", "library", "study", "bookshelves"}, _shelves, ("far", "centre", "window")),
    ({"desk", "office", "computer", "study", "classroom"}, _desk, ("centre", "far", "window")),
    ({"sofa", "couch", "living", "lounge", "apartment", "flat"}, _sofa, ("far", "window", "centre")),
    ({"table", "dining", "kitchen", "cafe", "diner", "restaurant", "chairs"}, _table, ("floor",)),
    ({"lamp", "lamps", "lamplight", "lamplit", "bedroom", "living"}, _lamp, ("corner",)),
)


def _paint_hall(plate: _Plate) -> None:
    """A palace hall: columns marching to a throne on steps, a tiled floor, banners, tall windows."""
    plate.indoor = True
    room = _Room((plate.w * 0.5, plate.h * 0.42), plate.w * 0.3, plate.h * 0.02, plate.w * 0.7, plate.h * 0.6, plate.h)
    plate.horizon, plate.ground = 0.42, 0.72
    stone = plate.part("building", plate.part("wall", PLATE_MATERIALS["marble"]))
    floor = plate.part("floor", _scale(stone, 0.8))
    plate.palette.update(wall=stone, floor=floor)
    tl, tr, br, bl = (room.x0, room.y0), (room.x1, room.y0), (room.x1, room.y1), (room.x0, room.y1)
    draw = plate.draw
    draw.polygon([room.far(tl), tl, tr, room.far(tr)], fill=plate.lit(_scale(stone, 0.6)))
    draw.polygon([room.far(tl), tl, bl, room.far(bl)], fill=plate.lit(_scale(stone, 0.7)))
    draw.polygon([room.far(tr), tr, br, room.far(br)], fill=plate.lit(_scale(stone, 0.76)))
    draw.polygon([tl, tr, br, bl], fill=plate.lit(_scale(stone, 0.9)))
    draw.polygon([bl, br, room.far(br), room.far(bl)], fill=plate.lit(floor))
    for u in np.linspace(-2, 3, 26):
        draw.line([room.at(u, 0), room.at(u, 1)], fill=plate.lit(_scale(floor, 0.75)), width=3)
    for d in np.linspace(0, 1, 14) ** 1.7:
        draw.line([room.at(-2, d), room.at(3, d)], fill=plate.lit(_scale(floor, 0.75)), width=3)
    for u in (0.38, 0.62):  # tall windows in the back wall
        a, b = room.at(u - 0.06, 0, 0.95), room.at(u + 0.06, 0, 0.35)
        draw.rounded_rectangle((a[0], a[1], b[0], b[1]), radius=int((b[0] - a[0]) / 2), fill=SKIES[plate.light][1])
    banner = plate.part("curtain", (150, 40, 48))
    for u in (0.18, 0.82):
        a, b = room.at(u - 0.05, 0, 0.95), room.at(u + 0.05, 0, 0.45)
        draw.polygon([a, (b[0], a[1]), b, ((a[0] + b[0]) / 2, b[1] - 40), (a[0], b[1])], fill=plate.lit(banner))
    _box(plate, room, (0.36, 0.64), (0.0, 0.14), (0.0, 0.05), _scale(stone, 0.95))
    _box(plate, room, (0.42, 0.58), (0.0, 0.08), (0.05, 0.45), (170, 130, 60))
    _box(plate, room, (0.43, 0.57), (0.06, 0.11), (0.05, 0.17), (150, 40, 48))
    for d in (0.15, 0.4, 0.75):
        for u in (-0.05, 1.05):
            _box(plate, room, (u - 0.04, u + 0.04), (d - 0.04, d), (0.0, 1.0), stone)
