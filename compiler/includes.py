"""Includes and reference images: the files a script names, read only from inside its project.

`[[include cast.film]]` brings in the declarations of another file (a cast sheet shared by the
episodes of a series); a `ref:` field names a reference image. Both resolve relative to the
file that names them. A file included twice, or a cycle of includes, is read once.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from . import diagnostics as codes
from . import ir
from .diagnostics import Reporter
from .lower import lower
from .project import Project, display_path
from .source import SourceFile, find_in

# What an included file may hold without being reported: declarations, and what organises them
# (notes, sections, synopses, page breaks) in a cast sheet.
_SHEET_TYPES = ("cast", "set", "include", "note", "section", "synopsis", "page_break")


def gather(film: ir.Film, script: Path, project: Project, reporter: Reporter, sources: dict[str, SourceFile]):
    """Every declaration in effect for `film`, the included ones spliced in where they are
    included, with each include and reference image checked; included sources join `sources`."""
    declarations: list[ir.CastDeclaration | ir.SetDeclaration] = []
    seen: set[Path] = {Path(script).resolve()}

    def where(span, needle: str):
        return find_in(sources, span, needle)

    def visit(current: ir.Film, base: Path, shown_base: str) -> None:
        for declaration in current.declarations:
            if isinstance(declaration, ir.Include):
                _include(declaration, base, shown_base)
                continue
            if declaration.ref:
                field_span = next((f.span for f in declaration.fields if f.key == "ref"), declaration.span)
                project.reference(declaration.ref, base, shown_base, where(field_span, declaration.ref), reporter,
                                  "the reference image")
            declarations.append(declaration)

    def _include(include: ir.Include, base: Path, shown_base: str) -> None:
        path = project.reference(include.path, base, shown_base, where(include.span, include.path), reporter,
                                 "the included file")
        if path is None or path in seen:
            return
        seen.add(path)
        shown = display_path(shown_base, include.path)
        try:
            source = SourceFile.read(path, shown)
        except OSError as exc:  # vanished or became unreadable since it was checked
            reporter.report(codes.IO_ERROR, where(include.span, include.path),
                            f"cannot read the included file `{include.path}`: {exc.strerror or exc}")
            return
        sources[shown] = source
        included = lower(source, reporter)
        content = [e for e in included.elements() if e.type not in _SHEET_TYPES]
        if content:
            reporter.report(
                codes.INCLUDE_CONTENT, content[0].span,
                f"`{shown}` is included for its declarations; its {content[0].type.replace('_', ' ')} and the rest of "
                "its screenplay are not part of this film",
                (f"it is included on line {include.span.line} of `{include.span.file}`",
                 "an included file is for [[cast]], [[set]] and [[include]] declarations; put scenes in the script "
                 "that includes it",),
            )
        visit(included, path.parent, str(PurePosixPath(shown).parent))

    visit(film, Path(script).resolve().parent, str(PurePosixPath(Path(film.path).as_posix()).parent))
    return declarations
