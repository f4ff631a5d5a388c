"""`filmc plan` on real screenplays, none of them annotated for film: every one plans, and a
feature (Big Fish) gets a shot list a film maker would recognise."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_files, corpus_id, needs_corpus

from filmc.compiler.build import prepare, status

BIG_FISH = CORPUS / "nyousefi-Fountain" / "FountainTests" / "Big Fish.fountain"


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=corpus_id)
def test_every_corpus_screenplay_plans(path: Path) -> None:
    prepared, result = prepare(path, corpus_id(path))
    assert prepared is not None, [d.message for d in result.diagnostics]
    summary = status(prepared)
    graph = prepared.plan.graph
    assert summary["tasks"] == len(graph) and summary["runtime_seconds"] >= 0
    if prepared.plan.shots.shots:
        assert graph.outputs == ("film",)
        # Everything is needed by the film: nothing was left unpruned.
        assert graph.upstream(graph.outputs) == set(graph.tasks)


@needs_corpus
def test_big_fish_gets_a_feature_length_shot_list() -> None:
    prepared, _ = prepare(BIG_FISH, "Big Fish.fountain")
    shots = prepared.plan.shots
    minutes = shots.runtime_s / 60
    # The film runs 125 minutes; a page of screenplay is about a minute.
    assert 100 <= minutes <= 160
    scenes = {shot.scene for shot in shots.shots}
    assert len(scenes) >= 180 and len(shots.shots) >= 3 * len(scenes)
    framings = Counter(shot.framing for shot in shots.shots)
    # Coverage, not one framing for everything: wides open scenes, speakers get closer shots.
    assert framings["wide"] >= len(scenes) * 0.8
    assert framings["close"] + framings["over the shoulder"] >= 0.3 * len(shots.shots)
    assert all(1.9 <= shot.duration_s <= 60 for shot in shots.shots)
    cast = prepared.result.symbols.cast
    edward = [s for s in shots.shots if "edward" in s.subjects]
    assert len(edward) >= 200 and "edward" in cast
    # One reference sheet per look: the main characters are drawn once, not once per shot.
    sheets = [t for t in prepared.plan.graph if t.kind == "character_sheet"]
    assert len(sheets) == len({t.params["key"] for t in sheets}) <= len(cast)
