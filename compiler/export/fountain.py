"""Plain Fountain: the screenplay with its film annotations taken out, for any Fountain app.

Plain notes stay (they are Fountain); cast and set declarations, shots, wardrobe changes,
music and sound cues and includes go. The text is printed by the writer, so it parses (in
filmc, and in other Fountain parsers) to the screenplay elements of the `.film`.
"""

from __future__ import annotations

from .. import ir
from ..writer import write

ANNOTATIONS = (ir.CastDeclaration, ir.SetDeclaration, ir.ShotAnnotation, ir.WardrobeChange, ir.MusicCue,
               ir.SoundCue, ir.Include)


def plain(film: ir.Film) -> ir.Film:
    """The film without its annotations."""
    scenes = tuple(scene.model_copy(update={"elements": tuple(e for e in scene.elements
                                                              if not isinstance(e, ANNOTATIONS))})
                   for scene in film.scenes)
    return film.model_copy(update={"declarations": (), "scenes": scenes})


def text(film: ir.Film) -> str:
    out = write(plain(film))
    if not film.title_page and out and not out.startswith("\n"):
        # A blank first line: no title page, in every app (screenplain reads any first line
        # with a colon, `.INT. DOCK: NIGHT` among them, as a title page key).
        out = "\n" + out
    return out
