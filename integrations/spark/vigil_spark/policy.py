"""Policies for Spark jobs: loaded once on the driver, shipped as source text, compiled once per
executor process.

uniffi objects (``vigil.Engine``, ``vigil.Tracker``) cannot be pickled, so what travels to the
executors is a :class:`PolicySpec`: whether the shipped packs are included, and the text of every
``--policy`` layer with the name it was given (the name appears in error messages and, as with the
``vigil`` command, in the policy's id). Each Python worker compiles the engine the first time it
needs it and keeps it in a module-level dict keyed by the policy hash, so a worker process that runs
many tasks compiles each policy once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Dict, Iterable, Optional, Sequence, Tuple

import vigil

#: Compiled engines of this process, by policy hash.
_ENGINES: Dict[str, "vigil.Engine"] = {}
#: One tracker per policy hash and process (Python workers run one task at a time).
_TRACKERS: Dict[str, "vigil.Tracker"] = {}


@dataclass(frozen=True)
class PolicySpec:
    """What an executor needs to rebuild a policy: picklable, small (only override layers carry
    text; the shipped packs are embedded in the library).

    ``hash``, ``id``, ``version``, ``idle_ttl_ms``, ``capacity`` and ``senders`` are filled in by
    :func:`load_policy` on the driver, after the policy was built and compiled once there (so
    errors surface before any job starts). ``senders``: the policy enables ``[senders]`` (trackers
    keep sender cases).
    """

    layers: Tuple[Tuple[str, str], ...] = ()
    default_packs: bool = True
    hash: str = ""
    id: str = ""
    version: str = ""
    idle_ttl_ms: int = 0
    capacity: int = 0
    senders: bool = False

    def build(self) -> "vigil.Engine":
        """Builds and compiles the engine (raises ``vigil.VigilError`` on a bad policy)."""
        builder = vigil.PolicyBuilder()
        if self.default_packs:
            builder = builder.add_shipped()
        for name, text in self.layers:
            builder = builder.add_source(name, text)
        return vigil.Engine(builder.build())


def load_policy(paths: Sequence[str] = (), default_packs: bool = True) -> PolicySpec:
    """Reads policy layers (TOML or JSON files, in order, on top of the shipped packs unless
    ``default_packs`` is false), builds and compiles the policy once to check it, and returns the
    spec to ship to executors. Raises ``vigil.VigilError`` (policy errors with file, line and column)
    or ``OSError``.
    """
    layers = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            layers.append((str(path), f.read()))
    if not default_packs and not layers:
        raise ValueError("--no-default-packs needs at least one --policy layer")
    spec = PolicySpec(layers=tuple(layers), default_packs=default_packs)
    engine = spec.build()
    policy = engine.policy()
    resolved = json.loads(policy.to_json())
    tracker_cfg = resolved.get("tracker", {})
    full = PolicySpec(
        layers=spec.layers,
        default_packs=default_packs,
        hash=policy.hash(),
        id=policy.id(),
        version=policy.version(),
        idle_ttl_ms=int(tracker_cfg.get("idle_ttl_ms", 0)),
        capacity=int(tracker_cfg.get("capacity", 0)),
        senders=bool((resolved.get("senders") or {}).get("enabled", False)),
    )
    _ENGINES.setdefault(full.hash, engine)
    return full


def engine_for(spec: PolicySpec) -> "vigil.Engine":
    """The compiled engine of ``spec`` in this process (compiled on first use, then cached by
    policy hash)."""
    key = spec.hash or repr((spec.default_packs, spec.layers))
    engine = _ENGINES.get(key)
    if engine is None:
        engine = spec.build()
        _ENGINES[key] = engine
    return engine


def tracker_for(spec: PolicySpec, staged: bool = False) -> "vigil.Tracker":
    """This process's tracker for ``spec`` (cached by policy hash). Callers ``clear()`` it before
    each conversation (or sender): the Spark jobs keep no state in it between them. ``staged``:
    a tracker made ``Tracker.with_case_contacts``, whose observations carry the case contacts a
    second stage keyed by sender reads (a separate tracker)."""
    key = (spec.hash or repr((spec.default_packs, spec.layers))) + ("#staged" if staged else "")
    tracker = _TRACKERS.get(key)
    if tracker is None:
        engine = engine_for(spec)
        tracker = vigil.Tracker.with_case_contacts(engine) if staged else vigil.Tracker(engine)
        _TRACKERS[key] = tracker
    return tracker


def policy_ref(spec: PolicySpec) -> Dict[str, str]:
    """``{"id", "version", "hash"}`` as escalations carry it."""
    return {"id": spec.id, "version": spec.version, "hash": spec.hash}


def describe(specs: Iterable[Optional[PolicySpec]]) -> str:
    """One line per policy, for logs."""
    return "; ".join(f"{s.id} {s.version} ({s.hash})" for s in specs if s is not None)
