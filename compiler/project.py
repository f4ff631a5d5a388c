"""The project around a script: its root folder, its settings, and the files it may read.

A project is the folder holding `film.toml`, found by walking up from the script; a script with
no `film.toml` above it is a project of its own folder. Includes and reference images resolve
relative to the file that names them and must stay inside the project: filmc reads nothing
outside it, so a film cannot leak a file from elsewhere on the machine into a generation
request.

Settings are layered like editly's defaults: `stdlib/defaults.toml`, then the project's
`film.toml`, key by key.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import diagnostics as codes
from .diagnostics import Reporter, did_you_mean
from .source import SourceFile, Span

CONFIG_NAME = "film.toml"


class Pacing(BaseModel):
    """How fast lines are spoken, for timing dialogue against shots."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Strict: `true` is not a number of words (lax pydantic would read it as 1.0).
    words_per_second: float = Field(gt=0, le=10, strict=True)


class Backends(BaseModel):
    """Which backend makes each kind of asset, by its registered name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    image: str = Field(min_length=1)
    video: str = Field(min_length=1)
    speech: str = Field(min_length=1)
    music: str = Field(min_length=1)
    # Joins clips, voices and music into shot segments and the film.
    edit: str = Field(min_length=1)


class Coverage(BaseModel):
    """How filmc frames what the script does not annotate (the coverage rules; see
    stdlib/defaults.toml for what each means)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    establishing: str = Field(min_length=1)
    action: str = Field(min_length=1)
    action_group: str = Field(min_length=1)
    speaker: str = Field(min_length=1)
    exchange: str = Field(min_length=1)
    dual: str = Field(min_length=1)
    group: str = Field(min_length=1)
    reaction: str = Field(min_length=1)
    reaction_after_words: int = Field(ge=1, strict=True)

    @field_validator("establishing", "action", "action_group", "speaker", "exchange", "dual", "group", "reaction")
    @classmethod
    def _a_framing(cls, value: str) -> str:
        """A framing as a [[shot]] writes it; the grammar decides which words those are."""
        from .parse import parse_annotation

        parsed = parse_annotation(f"shot {value.lower()}")
        terms = getattr(parsed, "children", None)
        if not terms or len(terms) != 1 or terms[0].rule != "framing" or len(terms[0].children) != 1:
            raise ValueError(f"{value!r} is not a framing (wide, medium, close, over-the-shoulder, two-shot, ...)")
        return value


class Timing(BaseModel):
    """How long inferred shots last, in seconds (annotated durations always win)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action_words_per_second: float = Field(gt=0, le=20, strict=True)
    min_shot_s: float = Field(gt=0, le=60, strict=True)
    max_action_shot_s: float = Field(gt=0, le=600, strict=True)
    line_pause_s: float = Field(ge=0, le=10, strict=True)
    card_s: float = Field(gt=0, le=60, strict=True)
    title_card_s: float = Field(ge=0, le=60, strict=True)
    end_card_s: float = Field(ge=0, le=60, strict=True)


class Output(BaseModel):
    """The rendered film's picture: its height in pixels (the width follows the film's
    aspect ratio) and frames per second, and the same for `filmc build --draft`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    height: int = Field(ge=90, le=4320, strict=True)
    fps: int = Field(ge=1, le=120, strict=True)
    draft_height: int = Field(ge=90, le=4320, strict=True)
    draft_fps: int = Field(ge=1, le=120, strict=True)


class Budget(BaseModel):
    """The most a build may cost, in US dollars (`filmc build --max-cost` overrides it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_cost_usd: float | None = Field(default=None, ge=0, strict=True, allow_inf_nan=False)


class Cache(BaseModel):
    """Where the build cache lives, relative to the project folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dir: str = Field(min_length=1)

    @field_validator("dir")
    @classmethod
    def _inside(cls, value: str) -> str:
        """A folder of the project's own: filmc writes and cleans it, so never `.`, a path
        outside the project, or an absolute one."""
        parts = PurePosixPath(value.replace("\\", "/")).parts
        if os.path.isabs(value) or not parts or ".." in parts or parts == (".",):
            raise ValueError("the cache must be a folder inside the project, like \".filmc\"")
        return value


class Concurrency(BaseModel):
    """How many tasks run at once on one backend: `default`, or a key per backend name."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, Annotated[int, Field(ge=1, le=256, strict=True)]]

    default: int = Field(ge=1, le=256, strict=True)

    def of(self, backend: str) -> int:
        return (self.model_extra or {}).get(backend, self.default)


class Config(BaseModel):
    """A project's settings: the stdlib defaults with its film.toml laid over them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pacing: Pacing
    backends: Backends
    coverage: Coverage
    timing: Timing
    output: Output
    budget: Budget = Budget()
    cache: Cache
    concurrency: Concurrency
    # `[backend.NAME]`: one backend's own settings (a model name, a server URL), handed to it.
    backend: dict[str, dict] = {}


@dataclass
class Project:
    """A script's project: where it is, what it may read, and its settings."""

    root: Path
    config: Config
    config_path: Path | None = None
    sources: dict[str, SourceFile] = field(default_factory=dict)
    # The root as the user sees it from where filmc runs, for naming project files in messages.
    shown_root: str = "."

    def shown(self, path: Path) -> str:
        """A file of the project as the user sees it (like film.toml in messages)."""
        return display_path(self.shown_root, Path(os.path.relpath(path, self.root)).as_posix())

    def reference(self, written: str, base: Path, shown_base: str, span: Span, reporter: Reporter, what: str) -> Path | None:
        """The file an include or a `ref:` names, or None after reporting why it cannot be read.

        `base` is the folder of the file that names it, `shown_base` that folder as the user
        sees it (for messages). Nothing outside the project root is opened.
        """
        try:
            return self._reference(written, base, shown_base, span, reporter, what)
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte, a folder we may not list
            reporter.report(codes.IO_ERROR, span, f"cannot read {what} `{written}`: {getattr(exc, 'strerror', None) or exc}",
                            ("check the path",))
            return None

    def _reference(self, written: str, base: Path, shown_base: str, span: Span, reporter: Reporter, what: str) -> Path | None:
        path = Path(written)
        target = path if path.is_absolute() else base / path
        try:
            resolved = target.resolve()
        except RuntimeError:  # a symlink loop
            resolved = Path(os.path.abspath(target))
        shown = display_path(shown_base, written)
        if not resolved.is_relative_to(self.root.resolve()):
            reporter.report(
                codes.OUTSIDE_PROJECT, span,
                f"{what} `{written}` is outside the project folder, so filmc does not read it",
                (f"the project is `{display_root(self.root)}`; copy the file into it"
                 + ("" if path.is_absolute() else f", or put a {CONFIG_NAME} in a folder that holds both"),),
            )
            return None
        if target.is_symlink() and not resolved.exists():
            reporter.report(codes.IO_ERROR, span,
                            f"cannot read {what} `{written}`: it is a symbolic link to nothing (a loop, or a moved target)",
                            ("point the link at a real file, or name the file itself",))
            return None
        if not resolved.exists():
            siblings = [p.name for p in resolved.parent.iterdir()] if resolved.parent.is_dir() else []
            close = did_you_mean(resolved.name, sorted(n for n in siblings if n != resolved.name))
            reporter.report(
                codes.MISSING_FILE, span,
                f"{what} `{written}` does not exist" + (f" (looked for `{shown}`)" if shown != written else ""),
                (f"did you mean `{close}`?",) if close else ("check the path: it is relative to the file that names it",),
            )
            return None
        if resolved.is_dir():
            reporter.report(codes.IO_ERROR, span, f"{what} `{written}` is a folder, not a file",
                            ("name a file inside it",))
            return None
        try:
            with resolved.open("rb") as handle:
                handle.read(1)
        except OSError as exc:
            reporter.report(codes.IO_ERROR, span, f"cannot read {what} `{written}`: {exc.strerror or exc}",
                            ("check the file's permissions",))
            return None
        return resolved


def display_path(shown_base: str, written: str) -> str:
    """A path named inside a file, as a user finds it from where filmc was run."""
    if os.path.isabs(written):
        return written
    return Path(os.path.normpath(os.path.join(shown_base, written))).as_posix()


def display_root(root: Path) -> str:
    try:
        relative = os.path.relpath(root)
    except ValueError:
        return str(root)
    return "." if relative == "." else Path(relative).as_posix()


def find_root(script: Path) -> tuple[Path, Path | None]:
    """The project folder of a script and its film.toml (None when there is none)."""
    folder = Path(os.path.abspath(script)).parent
    for candidate in (folder, *folder.parents):
        config = candidate / CONFIG_NAME
        if config.is_file():
            return candidate, config
    return folder, None


def load_project(script: Path, reporter: Reporter, shown_script: str | None = None) -> Project:
    """The project of a script, its settings read and checked; problems become diagnostics.
    `shown_script` is the script's path as the user gave it, which film.toml's is shown beside."""
    root, config_path = find_root(script)
    shown_base = str(PurePosixPath(Path(shown_script or script).as_posix()).parent)
    shown_root = display_path(shown_base, Path(os.path.relpath(root, Path(script).absolute().parent)).as_posix())
    settings = _defaults()
    project_sources: dict[str, SourceFile] = {}
    if config_path is not None:
        shown = display_path(shown_base, Path(os.path.relpath(config_path, Path(script).absolute().parent)).as_posix())
        try:
            source = SourceFile.read(config_path, shown)
        except OSError as exc:
            reporter.report(codes.IO_ERROR, Span(file=shown, line=1, column=1, end_line=1, end_column=1),
                            f"cannot read `{shown}`: {exc.strerror or exc}", ("check the file's permissions",))
        else:
            project_sources[shown] = source
            settings = _merge(settings, _read_config(source, reporter, settings))
    try:
        config = Config.model_validate(settings)
    except ValidationError:  # only a bad film.toml value can get here; it was reported
        config = Config.model_validate(_defaults())
    if config_path is not None and shown in project_sources:
        _check_backends(config, project_sources[shown], reporter)
    return Project(root=root, config=config, config_path=config_path, sources=project_sources, shown_root=shown_root)


def default_project(root: Path) -> Project:
    """A project with the stdlib defaults and no film.toml (for scripts given as text)."""
    return Project(root=root, config=Config.model_validate(_defaults()))


def _check_backends(config: Config, source: SourceFile, reporter: Reporter) -> None:
    """A backend named in film.toml that is not installed (`local`, the embedded one, always
    is), fails to load, or does not make the kind of asset it is named for."""
    from ..backends import registry

    installed = None
    for capability, name in config.backends.model_dump().items():
        if name == "local":
            continue
        installed = installed if installed is not None else registry.installed()
        if name not in installed:
            known = sorted({"local", *installed})
            close = did_you_mean(name, known)
            reporter.report(
                codes.INVALID_CONFIG, _key_span(source, "backends", capability),
                f"no installed backend is called `{name}`; filmc uses `local` for {capability} instead",
                ((f"did you mean `{close}`?",) if close else ())
                + (f"the installed backends are {', '.join(known)}",),
                severity=codes.Severity.WARNING,
            )
            continue
        declared = registry.capabilities(name)
        if declared is None:
            reporter.report(
                codes.INVALID_CONFIG, _key_span(source, "backends", capability),
                f"the backend `{name}` is installed but fails to load; filmc uses `local` for {capability} instead",
                ("reinstall or update the package that provides it",), severity=codes.Severity.WARNING,
            )
        elif capability not in declared.produces:
            makes = ", ".join(sorted(declared.produces)) or "nothing"
            reporter.report(
                codes.INVALID_CONFIG, _key_span(source, "backends", capability),
                f"the backend `{name}` does not make {capability} (it makes {makes}); filmc uses `local` for "
                f"{capability} instead",
                ("name a backend that makes it (docs/BACKENDS.md)",), severity=codes.Severity.WARNING,
            )


def _defaults() -> dict:
    text = resources.files("filmc.stdlib").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read_config(source: SourceFile, reporter: Reporter, defaults: dict) -> dict:
    """A film.toml's tables that filmc knows and whose values are valid; the rest is reported."""
    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_POSITION.search(str(exc))
        line, column = (int(m[1]), int(m[2])) if m else (1, 1)
        message = _TOML_POSITION.sub("", str(exc)).strip()
        reporter.report(codes.INVALID_CONFIG, Span(file=source.path, line=line, column=column, end_line=line,
                                                   end_column=column + 1),
                        f"{CONFIG_NAME} is not valid TOML: {message}", ("filmc uses its defaults until this is fixed",))
        return {}
    kept: dict = {}
    for table, value in data.items():
        if table == "backend":
            kept[table] = _backend_tables(source, reporter, value)
            continue
        if table not in Config.model_fields:
            close = did_you_mean(table, list(Config.model_fields))
            reporter.report(
                codes.INVALID_CONFIG, _key_span(source, None, table),
                f"`{table}` is not a setting filmc knows; it is ignored",
                ((f"did you mean `{close}`?",) if close else ()) + (f"the tables are {', '.join(Config.model_fields)}",),
                severity=codes.Severity.WARNING,
            )
            continue
        model = Config.model_fields[table].annotation
        if not isinstance(value, dict):
            reporter.report(codes.INVALID_CONFIG, _key_span(source, None, table),
                            f"`{table}` must be a table (`[{table}]`)", ())
            continue
        good = {}
        for key, item in value.items():
            if key not in model.model_fields and model.model_config.get("extra") != "allow":
                close = did_you_mean(key, model.model_fields)
                reporter.report(
                    codes.INVALID_CONFIG, _key_span(source, table, key),
                    f"`{key}` is not a setting of [{table}]; it is ignored",
                    ((f"did you mean `{close}`?",) if close else ()) + (f"the settings are {', '.join(model.model_fields)}",),
                    severity=codes.Severity.WARNING,
                )
                continue
            try:
                model.model_validate({**defaults.get(table, {}), key: item})
            except ValidationError as exc:
                reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
                reporter.report(codes.INVALID_CONFIG, _key_span(source, table, key),
                                f"`{table}.{key} = {item!r}` is not valid: {reason[0].lower() + reason[1:]}",
                                ("filmc uses the default until this is fixed",))
                continue
            good[key] = item
        kept[table] = good
    return kept


def _backend_tables(source: SourceFile, reporter: Reporter, value) -> dict:
    """`[backend.NAME]` tables: each backend's own settings, kept as written (the backend
    reads them); only their shape is checked here."""
    if not isinstance(value, dict):
        reporter.report(codes.INVALID_CONFIG, _key_span(source, None, "backend"),
                        "`backend` must hold one table per backend, like `[backend.comfyui]`", ())
        return {}
    kept = {}
    for name, settings in value.items():
        if not isinstance(settings, dict):
            reporter.report(codes.INVALID_CONFIG, _key_span(source, "backend", name),
                            f"`backend.{name}` must be a table of that backend's settings, like `[backend.{name}]`", ())
            continue
        limit = settings.get("concurrency")
        if "concurrency" in settings and (type(limit) is not int or not 1 <= limit <= 256):
            reporter.report(codes.INVALID_CONFIG, _key_span(source, f"backend.{name}", "concurrency"),
                            f"`backend.{name}.concurrency = {limit!r}` is not valid: it must be a whole number from 1 to 256",
                            ("filmc uses [concurrency] until this is fixed",))
            settings = {k: v for k, v in settings.items() if k != "concurrency"}
        kept[name] = settings
    return kept


def _key_span(source: SourceFile, table: str | None, key: str) -> Span:
    """Where a key (or a table header) is written in a TOML file; line 1 when it cannot be found."""
    text = source.text
    start = 0
    if table is not None:
        header = re.search(rf"^\s*\[\s*{re.escape(table)}\s*\]", text, re.M)
        if header:
            start = header.end()
        pattern = rf"^[ \t]*{re.escape(key)}[ \t]*="
    else:
        pattern = rf"^[ \t]*\[[ \t]*{re.escape(key)}[ \t]*[\].]|^[ \t]*{re.escape(key)}[ \t]*="
    m = re.compile(pattern, re.M).search(text, start)
    if not m:
        return source.span(0, 0)
    at = m.start() + len(m.group()) - len(m.group().lstrip(" \t["))
    return source.span(at, at + len(key))
