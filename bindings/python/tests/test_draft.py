"""Report drafts through the Python binding: a reviewed escalation document becomes a draft;
refusals are ``VigilError.Draft`` with the core's message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest

import vigil
from conftest import VECTORS


def _sextortion() -> Path:
    candidates = [VECTORS.parent / "drafts"] + [p / "tests" / "drafts" for p in Path(__file__).resolve().parents]
    for d in candidates:
        if (d / "sextortion.jsonl").is_file():
            return d / "sextortion.jsonl"
    raise RuntimeError("tests/drafts/sextortion.jsonl not found")


def escalations(shipped: vigil.Engine) -> List[str]:
    """The conversation-scope escalation documents of ``sx-1``, in order."""
    tracker = vigil.Tracker(shipped)
    lines = [l for l in _sextortion().read_text(encoding="utf-8").splitlines() if l.strip()]
    return [doc for doc in (tracker.observe_json_escalation(l) for l in lines) if doc is not None]


def options(reviewed_by: str = "mod-7", decision: str = "confirmed") -> vigil.DraftOptions:
    return vigil.DraftOptions(
        reviewed_by=reviewed_by,
        decision=decision,
        reviewed_at_ms=1_790_000_000_000,
        platform="ExampleChat",
        medium="online_gaming",
        declared_ages={"u-3141": 13},
    )


def test_a_confirmed_urgent_escalation_makes_a_cybertipline_draft(shipped):
    urgent = escalations(shipped)[-1]
    assert json.loads(urgent)["level"] == "urgent"
    d = vigil.draft_cybertipline(urgent, options())
    assert isinstance(d, vigil.ReportDraft)
    assert "<sextortion/>" in d.xml
    assert "Online Enticement of Children for Sexual Acts" in d.xml
    assert "TO_BE_COMPLETED" in d.xml
    assert "<onlineGamingIncident>" in d.xml and "<age>13</age>" in d.xml
    assert json.loads(d.json)["schema"] == "vigil.draft.cybertipline/1"
    # Only the reviewer and the decision are required.
    plain = vigil.draft_cybertipline(urgent, vigil.DraftOptions(reviewed_by="mod-7", decision="confirmed"))
    assert "<chatImIncident>" in plain.xml


def test_a_case_export_is_neutral(shipped):
    x = vigil.draft_case_export(escalations(shipped)[-1], options())
    assert json.loads(x)["schema"] == "vigil.case-export/1"
    assert "Online Enticement" not in x


def test_drafts_are_refused_with_the_typed_error(shipped):
    all_ = escalations(shipped)
    urgent = all_[-1]
    with pytest.raises(vigil.VigilError.Draft, match="reviewer"):
        vigil.draft_cybertipline(urgent, options(reviewed_by=""))
    with pytest.raises(vigil.VigilError.Draft, match="reviewer"):
        vigil.draft_case_export(urgent, options(reviewed_by="  "))
    watch = next(d for d in all_ if json.loads(d)["level"] == "watch")
    with pytest.raises(vigil.VigilError.Draft, match="this one is at `watch`"):
        vigil.draft_cybertipline(watch, options())
    with pytest.raises(vigil.VigilError.Draft):
        vigil.draft_case_export(watch, options())
    with pytest.raises(vigil.VigilError.Draft, match="`confirmed` decision"):
        vigil.draft_cybertipline(urgent, options(decision="dismissed"))
    with pytest.raises(vigil.VigilError.Draft, match="unknown decision"):
        vigil.draft_cybertipline(urgent, options(decision="maybe"))
    with pytest.raises(vigil.VigilError.Draft, match="invalid escalation document"):
        vigil.draft_case_export("{", options())
