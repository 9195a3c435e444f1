"""Vigil: spot potential grooming of children in chat conversations and escalate it, with
evidence, to human moderators.

This package is the Python binding of the Vigil Rust core, generated with uniffi. Everything the
generated module offers is re-exported here: ``PolicyBuilder``, ``Policy``, ``Engine``,
``Tracker``, the records (``Message``, ``Participant``, ``Observation``, ``Escalation``,
``PlatformMetadata``, ``EscalatedIndicator``, ...), the enums (``AgeBand``, ``Channel``,
``Relationship``, ``Level``, ``HitKind``, ``IndicatorKind``), the functions (``parse_message``, the core's lenient JSON reader, and
``parse_timestamp``, ...; ``draft_cybertipline`` and ``draft_case_export`` turn a reviewed
escalation document into a report draft, with ``DraftOptions`` and ``ReportDraft``) and
``VigilError``. A message's ``channel`` and ``relationship`` are the
platform's own words (``"lobby"``, ``"friend"``) or kinds' names (``"direct"``, ``"stranger"``);
the policy maps words to the ``Channel`` and ``Relationship`` kinds, and observations keep the
words in ``platform``. A few helpers are added below; they convert, they do not score.

>>> import vigil
>>> tracker = vigil.Tracker(vigil.Engine.shipped())
>>> obs = tracker.observe(vigil.Message(
...     conversation_id="c-1", message_id="m-1", timestamp_ms=0,
...     sender=vigil.Participant(id="u-9", age_band=vigil.AgeBand.ADULT),
...     recipient=vigil.Participant(id="u-4", age_band=vigil.AgeBand.MINOR),
...     channel="dm", relationship="stranger",
...     text="how old are you? dont tell your parents about us"))
>>> obs.risk > 0
True
>>> (obs.platform.channel.word, obs.platform.channel.kind, obs.platform.channel.mapped)
('dm', 'direct', True)
"""

from __future__ import annotations

import os
from typing import Union

from ._ffi import *  # noqa: F401,F403  (the generated bindings)
from ._ffi import vigil_ffi as _generated
from ._ffi.vigil_ffi import Engine, PolicyBuilder, Span, vigil_version

__version__: str = vigil_version()


def span_text(text: str, span: Span) -> str:
    """The part of ``text`` a ``Span`` covers.

    Spans are byte offsets into the UTF-8 encoding of the text (as in the escalation JSON), not
    ``str`` indices; this converts them. Offsets past the end are clamped.
    """
    data = text.encode("utf-8")
    start = max(0, min(span.start, len(data)))
    end = max(start, min(span.end, len(data)))
    return data[start:end].decode("utf-8", errors="replace")


def span_range(text: str, span: Span) -> range:
    """The ``str`` index range a ``Span`` covers in ``text`` (for highlighting)."""
    data = text.encode("utf-8")
    start = max(0, min(span.start, len(data)))
    end = max(start, min(span.end, len(data)))
    first = len(data[:start].decode("utf-8", errors="replace"))
    return range(first, first + len(data[start:end].decode("utf-8", errors="replace")))


def engine_with_overrides(*overrides: Union[str, "os.PathLike[str]"]) -> Engine:
    """An engine of the shipped packs with override files (TOML or JSON) layered on top, in order.

    Raises ``VigilError.Policy`` (with file, line and column) or ``VigilError.Io``.
    """
    builder = PolicyBuilder().add_shipped()
    for path in overrides:
        builder = builder.add_file(os.fspath(path))
    return Engine(builder.build())


__all__ = [*_generated.__all__, "span_text", "span_range", "engine_with_overrides", "__version__"]
