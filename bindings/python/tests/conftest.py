"""Shared fixtures: where the golden vectors are, and engines for their policies."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

import vigil


def _find_vectors() -> Path:
    env = os.environ.get("VIGIL_VECTORS")
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "tests" / "vectors" / "index.json"
        if candidate.is_file():
            return candidate.parent
    raise RuntimeError("tests/vectors not found: set VIGIL_VECTORS")


VECTORS = _find_vectors()
INDEX: List[Dict[str, Any]] = json.loads((VECTORS / "index.json").read_text(encoding="utf-8"))


def vector_engine(layers: List[str]) -> vigil.Engine:
    """An engine for a vector's layers: "shipped", or a file in tests/vectors/ loaded under its name."""
    builder = vigil.PolicyBuilder()
    for layer in layers:
        if layer == "shipped":
            builder = builder.add_shipped()
        else:
            builder = builder.add_source(layer, (VECTORS / layer).read_text(encoding="utf-8"))
    return vigil.Engine(builder.build())


def vector_lines(name: str):
    """The vector's input lines and expected observations (parsed)."""
    inputs = [l for l in (VECTORS / f"{name}.input.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    expected = [json.loads(l) for l in (VECTORS / f"{name}.expected.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    assert len(inputs) == len(expected), f"{name}: number of observations"
    return inputs, expected


@pytest.fixture(scope="session")
def shipped() -> vigil.Engine:
    return vigil.Engine.shipped()
