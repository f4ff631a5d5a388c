"""Passes over the IR: name resolution, then the consistency checks, one pass a module.

Each pass is `run(ctx)`: it reads the film (and what earlier passes learnt), reports what is
wrong and keeps going, so one `filmc check` shows every problem. `resolve` runs first and gives
the others the film's `Symbols`; the checks after it are independent of one another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import ir
from ..diagnostics import Reporter
from ..names import Heading
from ..project import Project
from ..source import SourceFile, Span, find_in


@dataclass
class Context:
    """What every pass sees: the film, the declarations of its includes, the project, and
    the reporter; `symbols` and `headings` are filled by `resolve`."""

    film: ir.Film
    project: Project
    reporter: Reporter
    sources: dict[str, SourceFile]
    # Every declaration in effect, in the order filmc reads them: the script's own, with each
    # include's spliced in where it is included.
    declarations: list[ir.CastDeclaration | ir.SetDeclaration] = field(default_factory=list)
    symbols: ir.Symbols = field(default_factory=ir.Symbols)
    # The parsed heading of each scene (None for the part before the first heading).
    headings: list[Heading | None] = field(default_factory=list)
    # Each scene's action text, folded (see names.fold), for finding who it mentions.
    action_text: list[str] = field(default_factory=list)

    def find(self, within: Span, needle: str | re.Pattern) -> Span:
        """The span of `needle` inside `within`, for pointing at one name in an annotation."""
        return find_in(self.sources, within, needle)


def run_all(ctx: Context) -> ir.Symbols:
    """Resolve names, then run every check; returns the resolved symbols."""
    from . import continuity, presence, resolve, timing, wardrobe

    resolve.run(ctx)
    for check in (continuity, presence, timing, wardrobe):
        check.run(ctx)
    return ctx.symbols
