"""Prompt templates (compiler/prompts.py): a project's templates fail as diagnostics, never as
filmc's own errors, stay inside the project, and cannot make prompts random."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from filmc.compiler.prompts import PromptError, Prompts

CONTEXT = {"style": "", "framing": "wide", "characters": [], "set": None, "light": "day", "lens_mm": "",
           "action": "Waves.", "extra": ""}


def project_template(tmp_path: Path, text: str, name: str = "keyframe.j2") -> Prompts:
    folder = tmp_path / "prompts" / "default"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return Prompts(tmp_path)


def test_a_project_template_overrides_the_stdlib(tmp_path: Path) -> None:
    assert project_template(tmp_path, "{{ framing }}:  {{ action }}\n\n").render("default", "keyframe", CONTEXT) == \
        "wide: Waves."
    assert Prompts(None).render("default", "keyframe", CONTEXT).startswith("Wide shot")


@pytest.mark.parametrize(("text", "message"), [
    ("line one\n{{ mood }}\n", "'mood' is undefined"),
    ("{{ 1/0 }}", "ZeroDivisionError: division by zero"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "RecursionError"),
    ('{{ ["a", "b"] | random }}', "No filter named 'random'"),
    ("{{ lipsum(1) }}", "'lipsum' is undefined"),
    ('{% include "default/nope.j2" %}', "it includes `default/nope.j2`, which does not exist"),
    ("{{ framing.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe"),
])
def test_a_template_that_fails_is_a_prompt_error(tmp_path: Path, text: str, message: str) -> None:
    prompts = project_template(tmp_path, text)
    with pytest.raises(PromptError) as caught:
        prompts.render("default", "keyframe", CONTEXT)
    assert message in caught.value.message
    assert caught.value.line == (2 if "mood" in text else 1)


def test_a_template_that_is_not_text_is_a_prompt_error(tmp_path: Path) -> None:
    folder = tmp_path / "prompts" / "default"
    folder.mkdir(parents=True)
    (folder / "keyframe.j2").write_bytes(b"\xff\xfe{{ framing }}")
    with pytest.raises(PromptError, match="UnicodeDecodeError"):
        Prompts(tmp_path).render("default", "keyframe", CONTEXT)


def test_a_template_linking_outside_the_project_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("SECRET_TOKEN=hunter2", encoding="utf-8")
    project = tmp_path / "film"
    prompts = project_template(project, '{% include "default/x.j2" %}')
    os.symlink(secret, project / "prompts" / "default" / "x.j2")
    with pytest.raises(PromptError, match="leads outside the project folder") as caught:
        prompts.render("default", "keyframe", CONTEXT)
    assert "hunter2" not in str(caught.value)
