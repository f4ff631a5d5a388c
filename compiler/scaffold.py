"""`filmc new` starts a film project; `filmc watch` rebuilds a film each time it is saved.

`new` writes a folder a new user can build at once: a short starter script, its film.toml, a
README and the git files, from the templates in `stdlib/new/`. It never overwrites anything.

`watch` is `filmc build --draft` in a loop: it builds once, then polls the files the film is
made from (the script, its includes, film.toml, the project's prompt templates, reference
images) and builds again when they change. Each build runs only what is stale, as every build
does, and ends in one line. Bad input is reported like `filmc check` and waited out; nothing
ends the loop but Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import click

# ---- filmc new ----------------------------------------------------------------------------

# What `filmc new` writes: (file name, template in stdlib/new/, what it is for). `{film}` is the
# script's name, the folder's with `.film`.
_FILES = (
    ("{film}", "film.film.j2", "the script: start here"),
    ("film.toml", "film.toml.j2", "settings: which backend makes what, the budget"),
    ("README.md", "README.md.j2", "how to build it"),
    (".gitignore", "gitignore.j2", "keeps the cache and the rendered films out of git"),
    (".gitattributes", "gitattributes.j2", "lets `git diff` show what an edit does to the film"),
)


class ScaffoldError(Exception):
    """Why `filmc new` wrote nothing: one line for the user."""


def default_title(name: str) -> str:
    """A film's title from its folder's name: `the-last_crossing` is `The Last Crossing`."""
    words = [w for w in re.split(r"[-_\s]+", name) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words)


def title_problem(title: str) -> str | None:
    """Why a title cannot go on a title page, or None when it can."""
    if not title.strip():
        return "the title is empty"
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in title):
        return "the title must be one line of text (no line breaks, tabs or control characters)"
    if "[[" in title or "]]" in title:
        # Fountain has no escape for note brackets: `[[...]]` on the title page is a note.
        return "the title cannot hold `[[` or `]]` (Fountain reads them as a note)"
    return None


def fountain_title(title: str) -> str:
    """A title as a title-page value that reads back as exactly `title`. Written as it is when
    it reads back so (`snake_case` stays); otherwise its emphasis markers and backslashes are
    escaped, which also keeps a `/*` from opening a boneyard."""
    from .emphasis import parse_emphasis

    title = title.strip()
    if "/*" not in title and "*/" not in title and parse_emphasis(title) == (title, ()):
        return title
    return re.sub(r"([\\*_])", r"\\\1", title)


def _markdown(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", text.strip())


def _shell(text: str) -> str:
    return shlex.quote(text)


def render_project(name: str, title: str) -> dict[str, str]:
    """The files of a new project called `name` (its folder's name), by file name."""
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters.update(fountain=fountain_title, markdown=_markdown, shell=_shell)
    film = f"{name}.film"
    names = {"title": title, "file": film, "stem": name}
    folder = resources.files("filmc.stdlib").joinpath("new")
    return {out.format(film=film): env.from_string(folder.joinpath(template).read_text(encoding="utf-8")).render(names)
            for out, template, _ in _FILES}


def create_project(folder: Path, title: str | None = None) -> list[Path]:
    """Write a new project into `folder` (made, with its parents, if need be; if it exists it
    must be an empty folder). Returns the files written. Raises ScaffoldError, having written
    nothing, when it cannot."""
    name = Path(os.path.abspath(folder)).name
    if not name:
        raise ScaffoldError(f"`{folder}` has no name to give the film; name a folder, like `filmc new my-film`")
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in name):
        raise ScaffoldError("the folder's name must be one line of text (no line breaks, tabs or control characters)")
    if name.endswith(".film"):
        stem = name.removesuffix(".film") or "my-film"
        raise ScaffoldError(f"`{name}` is the name of a script; NAME is the new project's folder "
                            f"(`filmc new {_shell(stem)}` makes {stem}/{stem}.film)")
    title = default_title(name) if title is None else title.strip()
    problem = title_problem(title)
    if problem:
        raise ScaffoldError(f"{problem}; give another with --title")
    try:
        if folder.is_symlink() or folder.exists():
            if not folder.is_dir() or any(folder.iterdir()):
                raise ScaffoldError(f"`{folder}` already exists and is not an empty folder; nothing was written "
                                    "(give a new name, or empty it first)")
    except OSError as exc:
        raise ScaffoldError(f"cannot use `{folder}`: {exc.strerror or exc}") from None
    files = render_project(name, title)  # before touching the disk: a template error writes nothing
    made_folders: list[Path] = []
    written: list[Path] = []
    try:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        for parent in reversed(missing):
            parent.mkdir()
            made_folders.append(parent)
        for file_name, text in files.items():
            path = folder / file_name
            with open(path, "x", encoding="utf-8", newline="\n") as out:  # "x": never overwrite
                written.append(path)
                out.write(text)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        for made in reversed(made_folders):
            try:
                made.rmdir()
            except OSError:
                break
        raise ScaffoldError(f"cannot write `{folder}`: {exc.strerror or exc}; nothing was kept") from None
    return written


def _git_init(folder: Path) -> str:
    """`git init` the new project, with filmc's diff driver; what happened, in one line."""
    git = shutil.which("git")
    if git is None:
        return "note: git is not on PATH, so no repository was made (run `git init` there later)"
    try:
        subprocess.run([git, "init", "-q"], cwd=folder, check=True, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        return f"note: `git init` failed, so no repository was made: {detail.strip()}"
    if shutil.which("filmc") is None:
        return ("initialised a git repository; for film diffs, run there: "
                'git config diff.film.command "/path/to/filmc diff" (docs/GIT.md)')
    subprocess.run([git, "config", "diff.film.command", "filmc diff"], cwd=folder, capture_output=True, timeout=60)
    return "initialised a git repository, with `filmc diff` as its diff driver for .film files"


@click.command("new")
@click.argument("name")
@click.option("--title", default=None, help="The film's title (default: NAME, with dashes and underscores as spaces, in title case).")
@click.option("--git", "init_git", is_flag=True, help="Also run `git init` in it (if git is installed).")
def new(name: str, title: str | None, init_git: bool) -> None:
    """Start a film project in a new folder NAME: a starter script NAME.film that builds as it
    is, its film.toml, a README, .gitignore and .gitattributes. Nothing is overwritten."""
    folder = Path(name)
    try:
        if not name.strip():
            raise ScaffoldError("give the new project's folder, like `filmc new my-film`")
        written = create_project(folder, title)
    except ScaffoldError as exc:
        click.echo(f"filmc: {exc}", err=True)
        sys.exit(1)
    shown = name.rstrip("/" + os.sep) or name
    click.echo(f"created {shown}/" if shown != "." else f"created {Path.cwd().name}/ (here)")
    width = max(len(path.name) for path in written)
    for path, (_, _, what) in zip(written, _FILES, strict=True):
        click.echo(f"  {path.name:<{width}}  {what}")
    if init_git:
        click.echo(_git_init(folder))
    script = written[0].name
    click.echo("\nnext: " + (f"cd {_shell(shown)} && " if Path(os.path.abspath(folder)) != Path.cwd() else "")
               + f"filmc build {_shell(script)} --draft")


# ---- filmc watch --------------------------------------------------------------------------

POLL_S = 0.5  # how often the files are looked at
SETTLE_S = 0.3  # how long they must stay still before a build (an editor saves in steps)


@dataclass
class Round:
    """One build of `filmc watch`, and what set it off.

    `status` is `built` (the film was written), `errors` (the script has errors), `refused`
    (the build did not start: over budget, a backend missing, an output filmc may not
    overwrite, another build running), `failed` (tasks failed, or filmc failed) or
    `interrupted` (Ctrl-C during the build)."""

    status: str
    changed: tuple[str, ...] = ()
    made: tuple[str, ...] = ()
    cached: int = 0
    seconds: float = 0.0
    # The files the film was made from this time, to be watched for the next change.
    watched: frozenset[Path] = field(default_factory=frozenset)


class Watcher:
    """The loop of `filmc watch` for one script, with the clock, the sleep and the printing
    given from outside so that a test can drive it.

    `echo` prints a line (to standard error in the command); `clock` times builds; `now` gives
    the wall-clock time for the summary lines; `sleep(seconds)` waits between looks at the
    files (by default `stop.wait`, so that setting `stop` ends a wait at once). `progress`, given
    the number of tasks to run, returns a build listener with `status` and `close`, or None.
    """

    def __init__(self, script: Path, shown: str, *, full: bool = False, out: Path | None = None, force: bool = False,
                 echo: Callable[[str], None] | None = None, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], time.struct_time] = time.localtime, sleep: Callable[[float], object] | None = None,
                 stop: threading.Event | None = None, poll_s: float = POLL_S, settle_s: float = SETTLE_S,
                 progress: Callable[[int], object] | None = None, on_round: Callable[[Round], None] | None = None) -> None:
        from .plan import Options

        self.script, self.shown, self.force = script, shown, force
        self.options = Options(draft=not full)
        self.target = out if out is not None else script.with_suffix(".mp4" if full else ".draft.mp4")
        self.subtitles = self.target.with_suffix(".srt")
        self.echo = echo or (lambda line: click.echo(line, err=True))
        self.clock, self.now, self.stop = clock, now, stop or threading.Event()
        self.sleep = sleep or self.stop.wait
        self.poll_s, self.settle_s = poll_s, settle_s
        self.progress, self.on_round = progress, on_round
        self.rounds: list[Round] = []
        self._warnings: str | None = None
        self._prepared = None  # the build under way, whose scratch files Ctrl-C must not leave behind
        self._read: dict[Path, tuple | None] = {}  # the files the last build read, as it read them

    # ---- the loop

    def refusal(self) -> str | None:
        """Why watching must not start: the output exists and filmc did not write it (and no
        --force). Checked before the first build, whatever state the script is in."""
        if self.force:
            return None
        from . import build as builder

        project, cache = builder.outputs_of(self.script, self.shown)
        for output in (self.target, self.subtitles):
            if not builder.may_overwrite(project, cache, output):
                return (f"`{output}` exists and filmc did not write it; use --force to overwrite it, "
                        "or -o to write elsewhere")
        return None

    def run(self, max_builds: int | None = None) -> int:
        """Build, then build again on each change, until `stop` is set, `max_builds` builds
        have run, or Ctrl-C. Returns the exit status: 0, or 130 when Ctrl-C cut a build short."""
        watched: frozenset[Path] = frozenset({Path(os.path.abspath(self.script))})
        changed: tuple[str, ...] = ()
        try:
            while True:
                before = self._snapshot(watched)
                result = self._round(changed)
                self.rounds.append(result)
                if self.on_round is not None:
                    self.on_round(result)
                if result.status == "interrupted":
                    return 130
                if max_builds is not None and len(self.rounds) >= max_builds:
                    return 0
                # Compare against what the files were before this build: an edit saved while
                # it ran sets off the next one. A file first read by this build (a new include)
                # is as the build read it; any other new one (a template added to prompts/
                # since) is new.
                watched = result.watched
                last = {path: before[path] if path in before else self._read.get(path)
                        for path in self._paths(watched)}
                found = self._wait(watched, last)
                if found is None:
                    return 0
                changed = found
        except KeyboardInterrupt:
            # Between builds, or before one got going: nothing was cut short. (Ctrl-C during a
            # build ends that build, which says so, above.)
            if self._prepared is not None:
                self._prepared.cache.clean_tmp()
            self.echo(f"{self._time()} stopped watching")
            return 0

    def _wait(self, watched: frozenset[Path], last: dict[Path, tuple | None]) -> tuple[str, ...] | None:
        """Wait until the files change and then stay still for `settle_s`; the names of
        those that changed, or None when told to stop."""
        while not self.stop.is_set():
            self.sleep(self.poll_s)
            if self.stop.is_set():
                break
            current = self._snapshot(watched)
            if current == last:
                continue
            while not self.stop.is_set():
                self.sleep(self.settle_s)
                again = self._snapshot(watched)
                if again == current:
                    break
                current = again
            if self.stop.is_set():
                break
            changed = sorted(path for path in set(current) | set(last) if current.get(path) != last.get(path))
            if changed:
                return tuple(_shown(path) for path in changed)
        return None

    def _paths(self, watched: Iterable[Path]) -> set[Path]:
        """The watched files, with every file under the project's prompts/ (a template added
        there changes the prompts) and film.toml where one would be read."""
        from .project import CONFIG_NAME, find_root

        paths = set(watched)
        root, config = find_root(self.script)
        paths.add(config or root / CONFIG_NAME)
        prompts = root / "prompts"
        if prompts.is_dir():
            for folder, dirs, files in os.walk(prompts):
                dirs.sort()
                paths.update(Path(folder) / name for name in files)
        return paths

    def _snapshot(self, watched: Iterable[Path]) -> dict[Path, tuple | None]:
        return {path: _stat(path) for path in self._paths(watched)}

    # ---- one build

    def _round(self, changed: tuple[str, ...]) -> Round:
        started = self.clock()
        try:
            return self._build(changed, started)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in filmc must not end the watch
            self.echo(f"filmc: internal error: {type(exc).__name__}: {exc}")
            self.echo("This is a bug in filmc; please report it with the input that caused it.")
            self._end("not built, because of the internal error above; waiting for the next change", changed)
            return Round("failed", changed, seconds=self.clock() - started,
                         watched=frozenset({Path(os.path.abspath(self.script))}))

    def _build(self, changed: tuple[str, ...], started: float) -> Round:
        from . import build as builder
        from . import diagnostics
        from .cache import CacheError
        from .execute import stale

        prepared, result = builder.prepare(self.script, self.shown, None, self.options)
        self._prepared = prepared
        watched = {Path(os.path.abspath(self.script)), *(Path(os.path.abspath(p)) for p in result.sources)}
        if prepared is not None:
            watched.update(Path(os.path.abspath(p)) for p in prepared.plan.references.values())
        self._read = {path: _stat(path) for path in watched}

        def done(status: str, line: str, **more) -> Round:
            self._end(line, changed)
            return Round(status, changed, seconds=self.clock() - started, watched=frozenset(watched), **more)

        if prepared is None:
            self._warnings = None
            self.echo(diagnostics.render(result.diagnostics, "human", result.sources))
            self.echo("")
            return done("errors", f"not built, because of the {_plural(result.diagnostics)} above; "
                                  "waiting for the next change")
        # Warnings are printed when they change, not on every save.
        warnings = diagnostics.render(result.diagnostics, "human", result.sources) if result.diagnostics else ""
        if warnings and warnings != self._warnings:
            self.echo(warnings)
            self.echo(f"\n{diagnostics.summary(result.diagnostics)}")
        self._warnings = warnings

        to_run, _ = stale(prepared.plan, prepared.cache)
        summary = builder.status(prepared, to_run)
        cap = prepared.project.config.budget.max_cost_usd
        if cap is not None and summary["estimated_cost_usd"] > cap + 1e-9:
            from .cli import _money

            return done("refused", f"not built: the estimated cost is {_money(summary['estimated_cost_usd'])} for "
                                   f"{summary['to_run']} tasks, over the limit of {_money(cap)} ([budget] max_cost_usd "
                                   "in film.toml)")
        blocked = builder.unavailable(prepared, to_run)
        if blocked:
            for name, reason in blocked.items():
                self.echo(f"filmc: the `{name}` backend cannot run here: {reason}")
            return done("refused", "not built: a backend cannot run here (above)")
        if not prepared.plan.shots.shots:
            return done("refused", f"not built: `{self.shown}` has no shots (no action, dialogue or [[shot]] "
                                   "under a heading)")
        folder = self.target.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir() or self.target.is_dir():
            return done("refused", f"not built: cannot write the film to `{self.target}` ({folder} is not a folder)")
        for output in (self.target, self.subtitles):
            if not self.force and not builder.may_write(prepared, output):
                return done("refused", f"not built: `{output}` exists and filmc did not write it (was it replaced?); "
                                       "move it away, or restart with --force")

        progress = self.progress(len(to_run)) if self.progress is not None and to_run else None
        try:
            with builder.exclusive(prepared):
                outcome = builder.run(prepared, progress, getattr(progress, "status", None))
        except (builder.Busy, CacheError) as exc:
            return done("refused", f"not built: {exc}")
        finally:
            if progress is not None:
                progress.close()
        made = tuple(outcome.built)
        counts = f"{len(outcome.built)} made, {len(outcome.cached)} cached"
        if outcome.interrupted:
            self.echo(f"{self._time()} interrupted ({counts}); what was made is kept, and the next build carries on "
                      "from there")
            return Round("interrupted", changed, made, len(outcome.cached), self.clock() - started, frozenset(watched))
        for note in builder.outcome_notes(prepared, outcome):
            self.echo(note)
        entry = builder.film_entry(prepared, outcome)
        if not outcome.ok or entry is None:
            failed = len(outcome.failed)
            return done("failed", f"not built: {failed} {'task' if failed == 1 else 'tasks'} failed ({counts}); "
                                  "save again to retry only what failed", made=made, cached=len(outcome.cached))
        if not prepared.cache.verify(entry):
            return done("failed", "not built: the finished film in the cache was damaged; filmc removed it, and "
                                  "saving again makes it again", made=made, cached=len(outcome.cached))
        with _held_interrupt():  # a film and its subtitles are written whole, and said so
            try:
                builder.write_film(prepared, outcome, self.target)
                builder.write_subtitles(prepared, self.subtitles)
            except OSError as exc:
                return done("failed", f"not built: cannot write `{self.target}`: {exc.strerror or exc}", made=made,
                            cached=len(outcome.cached))
            verb = "rebuilt" if changed else "built"
            seconds = self.clock() - started
            return done("built", f"{verb} {self.target} in {seconds:.1f}s ({counts})", made=made,
                        cached=len(outcome.cached))

    # ---- printing

    def _time(self) -> str:
        return time.strftime("%H:%M:%S", self.now())

    def _end(self, line: str, changed: tuple[str, ...]) -> None:
        """The one line that ends each build: when, what set it off, what happened."""
        cause = ""
        if changed:
            named = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            cause = f"{named} changed: "
        self.echo(f"{self._time()} {cause}{line}")


@contextlib.contextmanager
def _held_interrupt():
    """Hold back Ctrl-C (on the main thread, where it arrives) until the block ends, then
    raise it: for a few milliseconds' work that must not be cut in half."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _plural(found) -> str:
    """`1 error`, `2 errors`: how many errors there are (warnings come with them)."""
    from .diagnostics import Severity

    errors = sum(d.severity is Severity.ERROR for d in found)
    return f"{errors} error" + ("s" if errors != 1 else "")


def _stat(path: Path) -> tuple | None:
    """What tells a file's change: its modification time, size and inode (an editor that
    saves by renaming a new file into place changes the inode); None when it is missing."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size, found.st_ino)


def _shown(path: Path) -> str:
    """A file as the user sees it from where filmc runs."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith(".." + os.sep + "..") else Path(relative).as_posix()


class _Bar:
    """A terminal's progress bar for one build: transient, so that the build's summary line is
    all that stays on screen."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.count = 0
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
        self.bar = self.progress.add_task("building", total=total)
        self.progress.start()

    def __call__(self, task, what: str, seconds: float) -> None:
        self.count += what in ("built", "failed", "skipped")
        self.progress.update(self.bar, completed=self.count, description=f"{what} {task.id}")

    def status(self, task, text: str) -> None:
        self.progress.update(self.bar, description=f"{task.id}: {text}")

    def close(self) -> None:
        self.progress.stop()


def _terminal_progress(total: int):
    """A progress bar when standard error is a terminal; nothing in a log (the summary line
    says it all)."""
    from rich.console import Console

    return _Bar(total) if Console(stderr=True).is_terminal else None


@click.command("watch")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--full", is_flag=True, help="Rebuild at full quality instead of the draft (`filmc build` rather than `--draft`).")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Where to write the film (default: the script's name with .draft.mp4, or .mp4 with --full, beside it).")
@click.option("--force", is_flag=True, help="Overwrite the output even if filmc did not write it.")
def watch(file: str, full: bool, out: str | None, force: bool) -> None:
    """Build FILE as a draft, then again each time it (or a file it uses: an include, film.toml,
    a prompt template) changes. Only what changed is made again. Ctrl-C stops."""
    watcher = Watcher(Path(file), file, full=full, out=Path(out) if out else None, force=force,
                      sleep=time.sleep, progress=_terminal_progress)
    refusal = watcher.refusal()
    if refusal:
        click.echo(f"filmc: not watching: {refusal}", err=True)
        sys.exit(1)
    click.echo(f"watching {file} and the files it uses; {'the film' if full else 'a draft'} goes to {watcher.target}. "
               "Ctrl-C stops.", err=True)
    sys.exit(watcher.run())
