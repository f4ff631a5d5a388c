"""The `local` backend's drawings: an animatic of flat-shaded Pillow illustrations.

Every image here is a pure function of its parameters: randomness comes from a `random.Random`
seeded with a sha256 of `params["seed"]`, and defaults a description leaves open (a tunic's
colour, a skin tone) from a sha256 of the character's key, so a rebuild repaints the same pixels.

- A *character sheet* reads the look and wardrobe words ("white linen tunic, red sash") into a
  figure spec: colours by role (skin, hair, top, bottom, accent, ...) and features (hair
  style, build, age, garment cut, which accessory). Elemental looks ("a figure of dark water",
  "a god of flame") get a legless elemental body with glowing eyes instead. The sheet shows the
  figure from the front, three-quarter and side with its palette, and carries the spec in its
  `info["filmc"]`, which `save_png` stores in the PNG: keyframes redraw the figure from the
  sheet file, crisply at any scale, so consistency flows from the sheet and is never recomputed.
- Figures are built in a small 2.5D model: heads are ellipsoids and limbs and torsos are
  elliptic cross-sections around a spine, turned about the vertical axis and projected, so one
  description gives every view (a hairline, a nose or a necklace lands where the turn puts it)
  and parts are painted far to near. They are supersampled, and their fills are exact palette
  colours, never graded or blurred, so a character measures the same in every shot. A caption
  can pose them: "ALIN sprints" runs, "lifts both hands" raises the arms.
- A *set plate* composes a place from its look words (sea, basalt, city, kitchen, underwater
  palace...) under a sky or in a room lit by the time of day, then tints it with the colour words
  of its lighting and the film's style. Its meta (horizon and ground lines) tells keyframes where
  people stand.
- A *keyframe* crops the plate for the framing (tighter and softer for close shots), stages
  the cast on its ground line by the grammar of the framing (two-shot, over-the-shoulder...),
  and poses it by the action. The action's caption (`caption`) is a separate transparent band
  that the clip lays over the moving picture, at the top, leaving the bottom fifth to subtitles.
- Cards and subtitles are typography in Lato. A draft (`draft` in the params) draws without
  supersampling.

Modules, each importing only those above it:

- `base`: sizes, the `Colour` and `Point` types, supersampling, stable seeds.
- `colours`: colour words, materials and modifiers; mixing; reading colours out of text.
- `typography`: Lato, letter-spacing, wrapping. `meta`: `save_png` and `load_meta`.
- `looks`: look and wardrobe words into a figure spec (`figure_spec`, `figure_palette`).
- `body`: the 2.5D model (painter, turn, head, body, poses). `humans`, `elementals`: the two
  kinds of figure. `sheets`: painting a figure, and the character sheet.
- `plates`: the plate being painted, the words and colours of places, perspective and soft
  masks. `exteriors`, `interiors`, `depths`: the scenes. `places`: `set_plate`.
- `frames`: `keyframe`. `cards`: title, credits and text cards, subtitles, the caption band.
"""

from .base import PLATE_SIZE, SHEET_SIZE
from .cards import CARD_INK, caption, credits_card, subtitle, text_card, title_card
from .colours import COLOURS
from .frames import keyframe
from .looks import SKIN_WORDS, figure_palette, figure_spec
from .meta import load_meta, save_png
from .places import set_plate
from .sheets import character_sheet
from .typography import font

__all__ = [
    "CARD_INK", "COLOURS", "PLATE_SIZE", "SHEET_SIZE", "SKIN_WORDS", "caption", "character_sheet", "credits_card", "figure_palette",
    "figure_spec", "font", "keyframe", "load_meta", "save_png", "set_plate", "subtitle", "text_card", "title_card",
]
