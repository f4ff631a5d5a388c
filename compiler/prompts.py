"""Prompt compilation: jinja2 templates that turn a shot into the words a generator reads.

Templates live in `stdlib/prompts/<family>/<kind>.j2`, one family per kind of backend
(`default` serves any backend that names no family of its own). A project overrides any of
them by putting a file at the same place under its own `prompts/` folder. Templates run in
jinja2's sandbox with strict undefined: a project template can read the shot it is given and
nothing else, and a misspelt variable is an error, not an empty string in a paid request.
Whitespace in the output is collapsed, so templates can be laid out for reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment


@dataclass
class PromptError(Exception):
    """A template that cannot be rendered: which file, which line, why."""

    template: str
    path: str | None
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path or self.template}:{self.line}: {self.message}"


class Prompts:
    """The templates of one project: its own `prompts/` over the standard library's."""

    def __init__(self, project_root: Path | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = []
        self.project_dir = project_root / "prompts" if project_root is not None else None
        if self.project_dir is not None and self.project_dir.is_dir():
            loaders.append(_ProjectLoader(self.project_dir, project_root))
        loaders.append(jinja2.PackageLoader("filmc.stdlib", "prompts"))
        self.env = SandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined, autoescape=False,
            lstrip_blocks=True,
        )
        # Same inputs, same prompts: nothing random in a template (a random word would make
        # every build pay again).
        self.env.filters.pop("random", None)
        self.env.globals.pop("lipsum", None)
        self.env.filters["sentence"] = _sentence
        self.env.filters["clause"] = _clause
        self.cache: dict[tuple[str, str], jinja2.Template] = {}

    def template(self, family: str, kind: str) -> jinja2.Template:
        found = self.cache.get((family, kind))
        if found is None:
            names = [f"{family}/{kind}.j2"] + ([f"default/{kind}.j2"] if family != "default" else [])
            try:
                found = self.env.select_template(names)
            except jinja2.TemplateSyntaxError as exc:
                raise PromptError(exc.name or names[0], exc.filename, exc.lineno, exc.message or str(exc)) from None
            except jinja2.TemplateNotFound as exc:
                raise PromptError(names[0], None, 1, f"no template for `{kind}` ({exc})") from None
            except jinja2.TemplateError as exc:
                raise PromptError(names[0], None, 1, str(exc)) from None
            except Exception as exc:  # noqa: BLE001 - a file that is not text, a folder, ...
                raise PromptError(names[0], None, 1, f"{type(exc).__name__}: {exc}") from None
            self.cache[(family, kind)] = found
        return found

    def render(self, family: str, kind: str, context: dict[str, Any]) -> str:
        """The prompt for one task, whitespace collapsed."""
        template = self.template(family, kind)
        try:
            text = template.render(context)
        except jinja2.TemplateNotFound as exc:
            raise PromptError(template.name or kind, template.filename, _line_of(exc, template),
                              f"it includes `{exc.name}`, which does not exist") from None
        except Exception as exc:  # noqa: BLE001 - a project's template may fail any way (1/0, recursion)
            message = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
            raise PromptError(template.name or kind, template.filename, _line_of(exc, template), message) from None
        return " ".join(text.split())


class _ProjectLoader(jinja2.FileSystemLoader):
    """The project's own templates: like any file a script names, they must be inside the
    project (a link out of it is not followed)."""

    def __init__(self, folder: Path, root: Path) -> None:
        super().__init__(str(folder))
        self.root = root.resolve()

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.root):
            raise jinja2.TemplateError(f"`{template}` leads outside the project folder, so filmc does not read it")
        return source, filename, uptodate


def _line_of(exc: Exception, template: jinja2.Template) -> int:
    """The template line an error was raised at: jinja2 rewrites tracebacks so that a frame of
    the template's own file carries its template line."""
    tb = exc.__traceback__
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == template.filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _clause(text: str) -> str:
    """Text ending in a full stop, as written otherwise: what follows a lead-in ("Wearing ...")."""
    text = " ".join(str(text).split())
    return text if not text or text[-1] in ".!?…\"'" else text + "."


def _sentence(text: str) -> str:
    """A sentence of its own: a capital first letter (the rest as written) and a full stop."""
    text = _clause(text)
    return text[:1].upper() + text[1:]
