"""`filmc new` and `filmc watch` as a new user runs them: a scaffolded project that checks,
formats and builds as it is, and a watcher that rebuilds only what an edit touches, reports
mistakes and waits them out, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from filmc.compiler.cache import file_digest
from filmc.compiler.cli import main
from filmc.compiler.scaffold import POLL_S, SETTLE_S, Round, Watcher, new, watch

# The commands are called as `filmc new` and `filmc watch` would call them, registered on `filmc`
# or not.
NEW = [sys.executable, "-c", "from filmc.compiler.scaffold import new; new()"]
WATCH = [sys.executable, "-c", "from filmc.compiler.scaffold import watch; watch()"]
SUMMARY = re.compile(r"^\d\d:\d\d:\d\d (?:(?P<changed>.+) changed: )?(?P<verb>built|rebuilt) (?P<film>\S+) in \d+\.\ds "
                     r"\((?P<made>\d+) made, (?P<cached>\d+) cached\)$")


def filmc(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "filmc", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project made by `filmc new`, built once at draft quality (the tests copy it, cache and all)."""
    home = tmp_path_factory.mktemp("new")
    made = subprocess.run([*NEW, "kite"], cwd=home, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    project = home / "kite"
    run = filmc("build", "kite.film", "--draft", cwd=project)
    assert run.returncode == 0, run.stderr
    return project


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "kite"
    shutil.copytree(built, copy, symlinks=True)
    return copy


# ---- filmc new ----------------------------------------------------------------------------------


def test_new_makes_a_project_that_checks_formats_and_builds(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == sorted(
        [".filmc", ".gitattributes", ".gitignore", "README.md", "film.lock", "film.toml", "kite.draft.mp4",
         "kite.draft.srt", "kite.film"])
    script = built / "kite.film"
    assert len(script.read_text(encoding="utf-8").splitlines()) <= 45
    runner = CliRunner()
    check = runner.invoke(main, ["check", "--strict", str(script)])
    assert check.exit_code == 0 and "no problems" in check.output, check.output
    fmt = runner.invoke(main, ["fmt", "--check", str(script)])
    assert fmt.exit_code == 0 and "0 files would be reformatted" in fmt.output, fmt.output
    parsed = json.loads(runner.invoke(main, ["parse", "--json", str(script)]).stdout)
    assert parsed["title_page"]["Title"] == ["Kite"]
    assert set(parsed["title_page"]) >= {"Title", "Credit", "Author", "Style", "Aspect"}
    types = {e["type"] for e in parsed["elements"]}
    assert {"cast", "set", "shot", "music", "scene_heading", "action", "character", "dialogue"} <= types
    assert sum(e["type"] == "scene_heading" for e in parsed["elements"]) == 2
    assert (built / "kite.draft.mp4").stat().st_size > 10_000
    srt = (built / "kite.draft.srt").read_text(encoding="utf-8")
    assert "Today it flies." in srt


def test_new_says_what_it_made_and_what_to_run_next(tmp_path: Path) -> None:
    result = CliRunner().invoke(new, [str(tmp_path / "films" / "my-first_film")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"created {tmp_path / 'films' / 'my-first_film'}/"
    for name in ("my-first_film.film", "film.toml", "README.md", ".gitignore", ".gitattributes"):
        assert any(line.strip().startswith(name) for line in lines[1:6]), name
    assert lines[-1] == f"next: cd {tmp_path / 'films' / 'my-first_film'} && filmc build my-first_film.film --draft"
    title = (tmp_path / "films" / "my-first_film" / "my-first_film.film").read_text(encoding="utf-8").splitlines()[0]
    assert title == "Title: My First Film"


def test_new_refuses_a_folder_with_something_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "kite"
    folder.mkdir()
    (folder / "kite.film").write_text("Title: Mine\n", encoding="utf-8")
    result = subprocess.run([*NEW, "kite", "--title", "Other"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == ("filmc: `kite` already exists and is not an empty folder; nothing was written "
                             "(give a new name, or empty it first)\n")
    assert result.stdout == ""
    assert [p.name for p in folder.iterdir()] == ["kite.film"]
    assert (folder / "kite.film").read_text(encoding="utf-8") == "Title: Mine\n"


def test_new_title_option(tmp_path: Path) -> None:
    title = "Kites: *Part One* of_two /* x"
    result = CliRunner().invoke(new, [str(tmp_path / "kite"), "--title", title])
    assert result.exit_code == 0, result.output
    script = tmp_path / "kite" / "kite.film"
    runner = CliRunner()
    assert runner.invoke(main, ["check", "--strict", str(script)]).exit_code == 0
    assert runner.invoke(main, ["fmt", "--check", str(script)]).exit_code == 0
    parsed = json.loads(runner.invoke(main, ["parse", "--json", str(script)]).stdout)
    assert parsed["title_page"]["Title"] == [title]
    bad = CliRunner().invoke(new, [str(tmp_path / "other"), "--title", "a [[note]]"])
    assert bad.exit_code == 1 and "cannot hold `[[`" in bad.output and not (tmp_path / "other").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_new_git(tmp_path: Path) -> None:
    result = CliRunner().invoke(new, [str(tmp_path / "kite"), "--git"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "kite" / ".git").is_dir()
    assert "initialised a git repository" in result.output
    git = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path / "kite",
                         capture_output=True, text=True, check=True)
    assert sorted(line[3:] for line in git.stdout.splitlines()) == sorted(
        [".gitattributes", ".gitignore", "README.md", "film.toml", "kite.film"])
    no_git = CliRunner().invoke(new, [str(tmp_path / "plain"), "--git"], env={"PATH": ""})
    assert no_git.exit_code == 0 and "git is not on PATH" in no_git.output
    assert (tmp_path / "plain" / "plain.film").is_file() and not (tmp_path / "plain" / ".git").exists()


# ---- filmc watch --------------------------------------------------------------------------------


class Driven:
    """`filmc watch` on a thread: its lines, each build as it ends, and a way to stop it."""

    def __init__(self, script: Path, stop: threading.Event | None = None, **options) -> None:
        self.lines: list[str] = []
        self.rounds: queue.Queue[Round] = queue.Queue()
        self.stop = stop or threading.Event()
        self.watcher = Watcher(script, str(script), echo=self.lines.append, stop=self.stop,
                               on_round=self.rounds.put, **options)
        self.status: list[int] = []
        self.thread = threading.Thread(target=lambda: self.status.append(self.watcher.run()), daemon=True)
        self.thread.start()

    def next(self, timeout: float = 60) -> Round:
        try:
            return self.rounds.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no build within a minute; the watch said:\n" + "\n".join(self.lines)) from None

    def close(self) -> int:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()
        return self.status[0]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def position(path: Path, needle: str) -> str:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return f"{path}:{number}:{line.index(needle) + 1}"
    raise AssertionError(needle)


def test_watch_rebuilds_what_changed_reports_errors_and_keeps_going(project: Path) -> None:
    script, film = project / "kite.film", project / "kite.draft.mp4"
    # An editor that saves in two steps: the file emptied while the watch polls, then written
    # while it waits for the files to settle. (The sleep is the watch's own, so the steps land
    # exactly there.)
    text = script.read_text(encoding="utf-8").replace("Today it flies.", "Today it soars!")
    steps = {POLL_S: [], SETTLE_S: []}
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        if steps[seconds]:
            steps[seconds].pop()()
        stop.wait(seconds)

    driven = Driven(script, sleep=sleep, stop=stop)
    try:
        first = driven.next()
        assert (first.status, first.changed, first.made) == ("built", (), ())  # all in the cache already
        assert SUMMARY.match(driven.lines[-1])["verb"] == "built"
        before = file_digest(film)

        # The two-step save is one build, of what changed.
        steps[SETTLE_S].append(lambda: script.write_text(text, encoding="utf-8"))
        steps[POLL_S].append(lambda: script.write_text("", encoding="utf-8"))
        second = driven.next()
        assert not steps[POLL_S] and not steps[SETTLE_S]
        assert second.status == "built", driven.lines
        assert "shot/1.2/line/1" in second.made
        assert all(task.startswith("shot/1.2/") or task == "film" for task in second.made), second.made
        summary = SUMMARY.match(driven.lines[-1])
        assert summary and summary["changed"] == str(script) and summary["verb"] == "rebuilt"
        assert summary["film"] == str(film) and int(summary["made"]) == len(second.made) > 0
        assert int(summary["cached"]) == second.cached > 0
        assert file_digest(film) != before
        assert "Today it soars!" in (project / "kite.draft.srt").read_text(encoding="utf-8")

        # A mistake is reported as `filmc check` reports it, and the watch goes on.
        edit(script, "push in, 3s", "push in, sideways")
        third = driven.next()
        assert third.status == "errors"
        said = "\n".join(driven.lines)
        assert f"--> {position(script, 'sideways')}" in said and "`sideways` is not a shot term" in said
        assert "not built, because of the 1 error above" in driven.lines[-1] and "Traceback" not in said
        assert file_digest(film) != before  # the last good film stays

        edit(script, "push in, sideways", "pull out, 3s")
        fourth = driven.next()
        assert fourth.status == "built" and "shot/1.2/clip" in fourth.made
        assert all(task.startswith("shot/1.2/") or task == "film" for task in fourth.made), fourth.made
        assert driven.rounds.empty()
    finally:
        assert driven.close() == 0
    assert list((project / ".filmc" / "tmp").iterdir()) == []


def test_watch_follows_includes_film_toml_and_prompt_templates(project: Path) -> None:
    script = project / "kite.film"
    text = script.read_text(encoding="utf-8")
    cast = text[text.index("[[cast MIRA"):text.index("[[set CLIFF")]
    (project / "cast.film").write_text(cast, encoding="utf-8")
    script.write_text(text.replace(cast, "[[include cast.film]]\n\n"), encoding="utf-8")
    driven = Driven(script, poll_s=0.2, settle_s=0.1)
    try:
        assert driven.next().status == "built"
        edit(project / "cast.film", "wild red hair", "short black hair")
        round_ = driven.next()
        assert round_.status == "built" and round_.changed == (str(project / "cast.film"),)
        assert "sheet/mira" in round_.made

        edit(project / "film.toml", "max_cost_usd = 5.0", "max_cost_usd = 6.0")
        round_ = driven.next()
        assert round_.status == "built" and round_.changed == (str(project / "film.toml"),) and round_.made == ()

        template = project / "prompts" / "default" / "music_cue.j2"
        template.parent.mkdir(parents=True)
        template.write_text("{{ moods | join(', ') }}, for a kite", encoding="utf-8")
        round_ = driven.next()
        assert round_.status == "built" and round_.changed == (str(template),)
        assert "music/1" in round_.made
    finally:
        assert driven.close() == 0


COUNTING = "[backends]\n" + "".join(f'{cap} = "counting"\n' for cap in ("image", "video", "speech", "music", "edit"))


def test_watch_reports_a_failed_build_and_retries_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(new, [str(tmp_path / "kite")])
    assert result.exit_code == 0, result.output
    project = tmp_path / "kite"
    (project / "film.toml").write_text(COUNTING + '\n[backend.counting]\nfail = ["shot/1.2/clip"]\n', encoding="utf-8")
    driven = Driven(project / "kite.film", poll_s=0.2, settle_s=0.1)
    try:
        first = driven.next()
        assert first.status == "failed"
        said = "\n".join(driven.lines)
        assert "failed: shot/1.2/clip: the service refused `shot/1.2/clip` (content policy)" in said
        assert f"shot 1.2 at {project / 'kite.film'}:" in said and "not built: 1 task failed" in driven.lines[-1]
        assert not (project / "kite.draft.mp4").exists()
        (project / "film.toml").write_text(COUNTING, encoding="utf-8")
        second = driven.next()
        assert second.status == "built"
        assert sorted(second.made) == ["film", "shot/1.2/clip", "shot/1.2/segment"]
        assert (project / "kite.draft.mp4").is_file()
    finally:
        assert driven.close() == 0


def test_watch_starts_on_a_broken_script_and_keeps_to_the_budget(tmp_path: Path) -> None:
    assert CliRunner().invoke(new, [str(tmp_path / "kite")]).exit_code == 0
    project = tmp_path / "kite"
    script = project / "kite.film"
    (project / "film.toml").write_text(COUNTING + "\n[budget]\nmax_cost_usd = 0.01\n", encoding="utf-8")
    edit(script, "tilt up, 4s", "tilt upward, 4s")
    driven = Driven(script, poll_s=0.2, settle_s=0.1)
    try:
        first = driven.next()
        assert first.status == "errors" and not (project / "kite.draft.mp4").exists()
        assert f"--> {position(script, 'tilt upward')}" in "\n".join(driven.lines)
        edit(script, "tilt upward, 4s", "tilt up, 4s")
        second = driven.next()
        assert second.status == "refused" and second.made == ()
        assert "over the limit of $0.01 ([budget] max_cost_usd in film.toml)" in driven.lines[-1]
        edit(project / "film.toml", "max_cost_usd = 0.01", "max_cost_usd = 5.0")
        third = driven.next()
        assert third.status == "built" and len(third.made) == 21
    finally:
        assert driven.close() == 0


def test_watch_full_quality_to_another_file(tmp_path: Path) -> None:
    assert CliRunner().invoke(new, [str(tmp_path / "kite")]).exit_code == 0
    project = tmp_path / "kite"
    (project / "film.toml").write_text(COUNTING, encoding="utf-8")
    out = tmp_path / "renders" / "kite-full.mp4"
    watcher = Watcher(project / "kite.film", "kite.film", full=True, out=out, echo=lambda line: None)
    assert watcher.run(max_builds=1) == 0 and watcher.rounds[0].status == "built"
    assert out.is_file() and (tmp_path / "renders" / "kite-full.srt").is_file()
    assert not (project / "kite.draft.mp4").exists()
    assert list(json.loads((project / "film.lock").read_text(encoding="utf-8"))["films"]) == ["kite.film"]


def test_a_bug_in_filmc_is_one_line_and_not_the_end(project: Path, monkeypatch) -> None:
    from filmc.compiler import build

    def broken(*args, **kwargs):
        raise RuntimeError("the planner fell over")

    monkeypatch.setattr(build, "prepare", broken)
    lines: list[str] = []
    watcher = Watcher(project / "kite.film", "kite.film", echo=lines.append)
    assert watcher.run(max_builds=1) == 0 and watcher.rounds[0].status == "failed"
    assert lines[0] == "filmc: internal error: RuntimeError: the planner fell over"
    assert re.fullmatch(r"\d\d:\d\d:\d\d not built, because of the internal error above; waiting for the next change",
                        lines[-1])


def test_watch_will_not_overwrite_a_film_it_did_not_write(project: Path) -> None:
    mine = project / "kite.draft.mp4"
    mine.write_bytes(b"my own cut")
    result = CliRunner().invoke(watch, [str(project / "kite.film")])
    assert result.exit_code == 1
    assert "not watching" in result.output and "--force" in result.output and "Traceback" not in result.output
    assert mine.read_bytes() == b"my own cut"
    forced = Watcher(project / "kite.film", str(project / "kite.film"), force=True, echo=lambda line: None)
    assert forced.refusal() is None and forced.run(max_builds=1) == 0
    assert forced.rounds[0].status == "built" and mine.read_bytes() != b"my own cut"
    # Written by filmc now: watched without --force.
    assert Watcher(project / "kite.film", str(project / "kite.film")).refusal() is None


class Process:
    """`filmc watch` in a process of its own (a new session, so that only it gets the SIGINT),
    its standard error read line by line as it comes."""

    def __init__(self, project: Path) -> None:
        self.process = subprocess.Popen([*WATCH, "kite.film"], cwd=project, stderr=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, text=True, start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def line(self, timeout: float = 60) -> str:
        return self.lines.get(timeout=timeout)

    def interrupt(self) -> tuple[int, list[str]]:
        """Ctrl-C: the exit status and the lines printed since the last one read."""
        self.process.send_signal(signal.SIGINT)
        try:
            status = self.process.wait(timeout=30)
        finally:
            self.process.kill()
        self.reader.join(timeout=10)
        self.process.stderr.close()
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return status, rest


def test_ctrl_c_stops_watching(project: Path) -> None:
    watching = Process(project)
    assert watching.line(timeout=30).startswith("watching kite.film")
    assert SUMMARY.match(watching.line())
    status, rest = watching.interrupt()
    assert status == 0
    assert len(rest) == 1 and rest[0].endswith(" stopped watching"), rest
    assert list((project / ".filmc" / "tmp").iterdir()) == []


def test_ctrl_c_during_a_build_keeps_what_was_made(tmp_path: Path) -> None:
    assert CliRunner().invoke(new, [str(tmp_path / "kite")]).exit_code == 0
    project = tmp_path / "kite"
    watching = Process(project)
    actions = project / ".filmc" / "actions"
    deadline = time.monotonic() + 60
    while not (actions.is_dir() and any(actions.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.02)
    status, said = watching.interrupt()
    assert status == 130
    assert "interrupted" in said[-1] and "what was made is kept" in said[-1], said
    assert "Traceback" not in "\n".join(said)
    assert list((project / ".filmc" / "tmp").iterdir()) == []
    assert not (project / "kite.draft.mp4").exists()
    plan = json.loads(filmc("plan", "kite.film", "--draft", "--json", cwd=project).stdout)
    assert 0 < plan["cached"] < plan["tasks"] and plan["locked"] == plan["cached"]
