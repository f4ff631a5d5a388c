"""The VS Code grammar for .film (editors/vscode): well formed, in step with the compiler, its own tests passing.

The grammar is a TextMate grammar, matched by Oniguruma in the editor. Its patterns stay within the
syntax that Oniguruma and the `regex` module share (lookarounds, possessive quantifiers, `\\p{..}`,
`\\A`, `\\G`), so they are compiled here with `regex` to count groups and to check that the words the
grammar highlights are the words filmc accepts. The scopes themselves are tested by
vscode-tmgrammar-test (`npm test` in editors/vscode), which the last test runs when it is installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from itertools import product
from pathlib import Path

import pytest
import regex

from filmc.compiler.lower import CAST_FIELDS, SET_FIELDS
from filmc.compiler.parse import ANNOTATION_KEYWORDS, Block, parse_annotation, shot_vocabulary

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"
GRAMMAR_PATH = EXTENSION / "syntaxes" / "film.tmLanguage.json"
GRAMMAR = json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))
REPOSITORY = GRAMMAR["repository"]

# The repository entry that highlights each kind of shot term, and the film.lark terminal it mirrors.
SHOT_TERM_RULES = {"FRAMING": "shot-framing", "MOVE": "shot-move", "TRANSITION": "shot-transition"}


def rules(rule: dict | None = None, path: str = "") -> Iterator[tuple[str, dict]]:
    """Every rule under `rule` (by default the whole grammar: its patterns and repository), with a path for messages.

    A rule's nested rules are its `patterns` and the rules of its `captures`, `beginCaptures` and `endCaptures`.
    """
    if rule is None:
        for i, top in enumerate(GRAMMAR["patterns"]):
            yield from rules(top, f"patterns[{i}]")
        for name, entry in REPOSITORY.items():
            yield from rules(entry, f"#{name}")
        return
    yield path, rule
    for i, nested in enumerate(rule.get("patterns", ())):
        yield from rules(nested, f"{path}.patterns[{i}]")
    for key in ("captures", "beginCaptures", "endCaptures"):
        for index, nested in rule.get(key, {}).items():
            yield from rules(nested, f"{path}.{key}[{index}]")


def resolve(rule: dict) -> dict:
    """The rule an `include` stands for (the rule itself when it is not an include)."""
    while "include" in rule:
        rule = REPOSITORY[rule["include"][1:]]
    return rule


def included(name: str) -> list[dict]:
    """The rules that a repository entry's `patterns` list, includes resolved."""
    return [resolve(p) for p in REPOSITORY[name]["patterns"]]


def alternatives(rule_name: str) -> list[str]:
    """The words of a shot-term rule: the alternation in its first group, as written (`close[- ]up`)."""
    found = regex.search(r"\(\?<!\[\\w-\]\)\(([^()]*)\)", REPOSITORY[rule_name]["match"])
    assert found, f"{rule_name} no longer starts with (?<![\\w-])(word|word|...)"
    return found.group(1).split("|")


def whole_match(pattern: str, text: str) -> regex.Match | None:
    """Match `pattern` at the start of `text` the way Oniguruma scans (no backtracking into a full match)."""
    m = regex.match(pattern, text)
    return m if m and m.end() == len(text) else None


def compiler_term(annotation: str) -> str | None:
    """The rule filmc reads the first term of `annotation` as (`framing`, `lens`, `tempo`...), or None."""
    parsed = parse_annotation(annotation)
    if not isinstance(parsed, Block) or not parsed.children:
        return None
    return parsed.children[0].rule


# ---- the extension folder -----------------------------------------------------------------


def test_manifest_contributes_the_language_and_grammar() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert manifest["name"] == "filmc-film" and manifest["publisher"] == "filmc"
    assert "vscode" in manifest["engines"]
    (language,) = manifest["contributes"]["languages"]
    assert language["id"] == "film" and language["extensions"] == [".film"] and language["aliases"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert grammar == {"language": "film", "scopeName": "source.film", "path": "./syntaxes/film.tmLanguage.json"}
    assert (EXTENSION / grammar["path"]).resolve() == GRAMMAR_PATH
    assert "vscode-tmgrammar-test" in manifest["scripts"]["test"]
    assert list(manifest["devDependencies"]) == ["vscode-tmgrammar-test"]
    lock = json.loads((EXTENSION / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/vscode-tmgrammar-test"]["version"] == manifest["devDependencies"]["vscode-tmgrammar-test"]
    assert "node_modules/" in (EXTENSION / ".gitignore").read_text(encoding="utf-8").split()

    configuration = json.loads((EXTENSION / language["configuration"]).read_text(encoding="utf-8"))
    assert configuration["comments"]["blockComment"] == ["/*", "*/"]
    assert ["[[", "]]"] in configuration["brackets"]
    assert {"open": "[[", "close": "]]"} in configuration["autoClosingPairs"]
    assert any(pair["open"] == "/*" and pair["close"].strip() == "*/" for pair in configuration["autoClosingPairs"])


def test_grammar_tests_use_the_header_and_assertions_the_tool_reads() -> None:
    cases = sorted((EXTENSION / "tests").glob("*.test.film"))
    assert cases, "no grammar tests in editors/vscode/tests"
    for case in cases:
        lines = case.read_text(encoding="utf-8").split("\n")
        assert regex.fullmatch(r'// SYNTAX TEST "source\.film"(?: "[^"]+")?', lines[0]), case.name
        for number, line in enumerate(lines[1:], 2):
            if regex.match(r"//\s*(\^|<~*-)", line):
                # vscode-tmgrammar-test takes one `-` before the excluded scopes; a second one makes
                # its assertion regex backtrack for minutes instead of failing.
                scopes = regex.sub(r"^//\s*(?:[\^\s]+|<~*-+)", "", line).split()
                assert scopes and scopes.count("-") <= 1, f"{case.name}:{number}: {line}"


# ---- the grammar is well formed --------------------------------------------------------------


def test_grammar_header() -> None:
    assert GRAMMAR["scopeName"] == "source.film"
    assert GRAMMAR["fileTypes"] == ["film"]
    assert GRAMMAR["patterns"], "the grammar matches nothing at the top level"


def test_every_rule_has_one_shape() -> None:
    for path, rule in rules():
        shapes = [key for key in ("match", "begin", "include") if key in rule]
        assert len(shapes) <= 1, f"{path} is both {shapes}"
        if "begin" in rule:
            assert "end" in rule or "while" in rule, f"{path} begins but never ends"
        elif not shapes:
            # A capture or a pure list of patterns; never a rule with nothing to match.
            assert "patterns" in rule or ("name" in rule and "begin" not in rule), path
        assert not ({"end", "contentName", "beginCaptures", "endCaptures"} & rule.keys()) or "begin" in rule, path
        assert not ("captures" in rule and "match" not in rule and "begin" not in rule), path


def test_every_include_resolves() -> None:
    for path, rule in rules():
        target = rule.get("include")
        if target is None:
            continue
        assert target.startswith("#"), f"{path} includes {target!r}: only this grammar's own rules are used"
        assert target[1:] in REPOSITORY, f"{path} includes {target!r}, which is not in the repository"


def test_every_repository_entry_is_reachable() -> None:
    seen: set[str] = set()
    todo = [p["include"][1:] for p in GRAMMAR["patterns"]]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [rule["include"][1:] for _, rule in rules(REPOSITORY[name]) if "include" in rule]
    assert sorted(set(REPOSITORY) - seen) == []


def test_every_pattern_compiles_and_every_capture_exists() -> None:
    for path, rule in rules():
        for key, captures_key in (("match", "captures"), ("begin", "beginCaptures"), ("end", "endCaptures")):
            if key not in rule:
                continue
            try:
                groups = regex.compile(rule[key]).groups
            except regex.error as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{path}.{key} does not compile: {exc}: {rule[key]}")
            # `captures` stands for both beginCaptures and endCaptures when they are not given.
            captures = rule.get(captures_key) or rule.get("captures") or {}
            for index in captures:
                assert index.isdigit() and int(index) <= groups, f"{path}.{captures_key} names group {index} of {groups}"


def test_every_scope_is_a_film_scope() -> None:
    for path, rule in rules():
        for key in ("name", "contentName"):
            for scope in rule.get(key, "").split():
                assert regex.fullmatch(r"[a-z]+(?:\.[a-z0-9-]+)*\.film", scope), f"{path}.{key}: {scope!r}"


# ---- the grammar highlights what the compiler accepts -----------------------------------------


def test_annotation_keywords_match_the_compiler() -> None:
    annotations = [r for r in included("notes") if r.get("name", "").startswith("meta.annotation.")]
    keywords = [regex.fullmatch(r"meta\.annotation\.([a-z]+)\.film", r["name"]).group(1) for r in annotations]
    assert sorted(keywords) == sorted(ANNOTATION_KEYWORDS)
    assert included("notes")[-1] is REPOSITORY["note"], "plain notes must come after every annotation"
    for keyword, rule in zip(keywords, annotations, strict=True):
        assert rule["beginCaptures"]["3"]["name"] == f"keyword.control.{keyword}.film"
        for text in (f"[[{keyword} X", f"[[ {keyword}: x", f"[[{keyword}]]", f"[[{keyword}"):
            assert regex.match(rule["begin"], text), f"{keyword}: {text!r} should start an annotation"
        for text in (f"[[{keyword.capitalize()} x", f"[[{keyword.upper()} x", f"[[{keyword}s x"):
            assert not regex.match(rule["begin"], text), f"{keyword}: {text!r} is a plain note"


@pytest.mark.parametrize("terminal", sorted(SHOT_TERM_RULES))
def test_shot_vocabulary_matches_the_compiler(terminal: str) -> None:
    written = alternatives(SHOT_TERM_RULES[terminal])
    words = [w.replace("[- ]", " ") for w in written]
    assert sorted(words) == sorted(shot_vocabulary()[terminal])
    assert len(set(words)) == len(words)


@pytest.mark.parametrize("terminal", sorted(SHOT_TERM_RULES))
def test_shot_terms_and_their_hyphenations_read_as_the_compiler_reads_them(terminal: str) -> None:
    pattern = REPOSITORY[SHOT_TERM_RULES[terminal]]["match"]
    kind = terminal.lower()
    for word in shot_vocabulary()[terminal]:
        parts = word.split(" ")
        # Every way of joining the words with spaces or hyphens: filmc accepts hyphens in a few terms only.
        for joins in product(" -", repeat=len(parts) - 1):
            term = parts[0] + "".join(j + p for j, p in zip(joins, parts[1:], strict=True))
            m = regex.match(pattern, term)
            highlighted = m is not None and m.group(1) == term  # the whole term, not a shorter word before it
            assert highlighted == (compiler_term(f"shot {term}") == kind), term


def test_shot_subjects_read_as_the_compiler_reads_them() -> None:
    framing = REPOSITORY["shot-framing"]
    subject = next(p["match"] for p in framing["captures"]["3"]["patterns"] if p["name"] == "variable.other.character.film")
    for term in ("close on ALIN", "two shot on ALIN and SEA GOD", "wide on DR. WHO & AMY", "close on McCLANE",
                 "close-up on Old Man", "medium on ЕВА and 李雷", "ots on O'NEIL & R2-D2"):
        parsed = parse_annotation(f"shot {term}")
        assert isinstance(parsed, Block), term
        expected = [t.value for t in parsed.children[0].children[1:]]
        m = whole_match(framing["match"], term)
        assert m and m.group(2) == "on", term
        assert regex.findall(subject, m.group(3)) == expected, term


@pytest.mark.parametrize(("rule", "keyword", "kind", "samples"), [
    ("shot-lens", "shot", "lens", ["50mm", "35 mm", "85.5mm", "0mm", "50 MM", "50mmm", "50 m m", "mm"]),
    ("shot-duration", "shot", "duration",
     ["4s", "2.5 sec", "3 secs", "1 second", "10 seconds", "4S", "4 min", "4ss", "4  s"]),
    ("music-tempo", "music:", "tempo", ["96 bpm", "120bpm", "72.5 bpm", "96 BPM", "96 Bpm", "96 beats", "bpm"]),
])
def test_numbers_with_units_read_as_the_compiler_reads_them(rule: str, keyword: str, kind: str, samples: list[str]) -> None:
    for sample in samples:
        highlighted = whole_match(REPOSITORY[rule]["match"], sample) is not None
        assert highlighted == (compiler_term(f"{keyword} {sample}") == kind), sample


@pytest.mark.parametrize(("kind", "fields"), [("cast", CAST_FIELDS), ("set", SET_FIELDS)])
def test_declaration_fields_match_the_compiler(kind: str, fields: tuple[str, ...]) -> None:
    listed = included(f"{kind}-fields")
    known = [r for r in listed if regex.fullmatch(r"meta\.field\.[a-z]+\.film", r.get("name", ""))]
    names = [r["name"].split(".")[2] for r in known]
    assert sorted(names) == sorted(fields)
    assert listed.index(REPOSITORY["field-unknown"]) > max(listed.index(r) for r in known), \
        "unknown fields must be tried after the known ones"
    unknown = REPOSITORY["field-unknown"]["match"]
    for name, rule in zip(names, known, strict=True):
        m = regex.match(rule["match"], f"  {name}: a value")
        assert m and m.group(2) == name, f"{kind} field {name} is named {rule['name']} but matches something else"
        assert not regex.match(rule["match"], f"  {name}s: a value")
        assert regex.match(unknown, f"  {name}s: a value"), "an unknown field must still read as a field"
    # The fields of the other kind read as unknown here, as filmc warns `unknown-field` for them.
    for other in set(CAST_FIELDS) ^ set(SET_FIELDS):
        if other not in fields:
            assert not any(regex.match(r["match"], f"  {other}: x") for r in known), other


def test_declaration_names_and_the_note_end() -> None:
    for kind in ("cast", "set"):
        head = REPOSITORY[f"{kind}-head"]["match"]
        assert regex.match(head, " ALIN: 19, lean]]").group(1, 3) == ("ALIN", "19, lean")
        assert regex.match(head, " SEA GOD : deep").group(1) == "SEA GOD"
        assert not regex.match(head, " SAM]]")
    assert regex.match(REPOSITORY["note"]["end"], "]]")
    # A note does not cross an empty line (nor a line of one space); a line of two spaces keeps it open.
    end = regex.compile(REPOSITORY["note"]["end"], regex.MULTILINE)
    assert end.match("") and end.match(" ") and not end.match("  ")


# ---- the grammar's own tests ---------------------------------------------------------------------


def test_vscode_tmgrammar_test_passes() -> None:
    npm = shutil.which("npm")
    if npm is None or not (EXTENSION / "node_modules" / "vscode-tmgrammar-test").is_dir():
        pytest.skip("the grammar tests need Node: run `npm ci` in editors/vscode (and have npm on PATH)")
    result = subprocess.run([npm, "test"], cwd=EXTENSION, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
