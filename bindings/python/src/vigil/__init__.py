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
words in ``platform``. A few helpers are added below; they convert, they do not score. Batches: ``Tracker.observe_batch``
(records), ``observe_batch_escalations``, ``observe_json_batch`` (JSON lines) and, with
``pyarrow`` installed, ``observe_arrow`` / ``observe_pandas`` (a record batch, table or data frame
of the message columns, in one call).

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
from ._ffi.vigil_ffi import BatchOptions, Engine, Int64ColumnBuffers, PolicyBuilder, Span, Utf8ColumnBuffers, vigil_version

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


# ---- Batches through Arrow ----------------------------------------------------------------------

#: The level of each row code in a batch result (``BatchResult.levels``): 0 is no level.
BATCH_LEVELS = (None, "watch", "review", "urgent")
#: The intervention action of each row code in a batch result (``BatchResult.actions``).
BATCH_ACTIONS = (None, "nudge_recipient", "nudge_sender", "mask", "hold")

#: The message columns ``observe_arrow`` reads, by Arrow kind (others are ignored).
ARROW_UTF8_COLUMNS = (
    "json",
    "conversation_id",
    "message_id",
    "sender_id",
    "sender_age_band",
    "sender_language",
    "recipient_id",
    "recipient_age_band",
    "recipient_language",
    "channel",
    "relationship",
    "text",
)
ARROW_INT64_COLUMNS = (
    "timestamp_ms",
    "sender_age",
    "sender_account_age_days",
    "recipient_age",
    "recipient_account_age_days",
)


def _coded(pa, codes, names):  # noqa: ANN001, ANN202
    """A dictionary array of the names of uint8 codes, code 0 null (vectorized, no Python per row)."""
    import pyarrow.compute as pc

    indices = pc.if_else(pc.equal(codes, 0), pa.scalar(None, pa.uint8()), pc.subtract(codes, pa.scalar(1, pa.uint8())))
    return pa.DictionaryArray.from_arrays(indices, pa.array(names[1:], pa.string()))


class ArrowObservations:
    """What ``observe_arrow`` / ``observe_pandas`` return.

    * ``rows``: a ``pyarrow.RecordBatch`` with one row per input row — ``level`` (dictionary of
      ``watch``, ``review``, ``urgent``; null for none), ``level_code`` (uint8: 0 to 3), ``risk``
      (float64; NaN for a row without a valid message), ``escalations`` (uint8: how many the row
      raised), ``action`` (dictionary of the intervention actions; null for none), ``action_code`` (uint8)
      and, with ``observation_json=True``, ``observation`` (the row's observation as JSON, the
      golden-vector format). The code and number columns are built over the bytes the core
      returned, without a copy. ``None``
      with ``escalations_only=True``.
    * ``escalations``: a ``RecordBatch`` of every escalation raised — ``row`` (int64), ``scope``,
      ``level``, ``json`` (the ``vigil.escalation/1`` document) — in row order and, within a
      row, the order ``vigil scan`` prints them.
    * ``interventions``, ``case_contacts``: ``RecordBatch`` of ``row`` and ``json``.
    * ``errors``: ``RecordBatch`` of ``row`` and ``message``: rows without a valid message
      (not observed).
    * ``messages``, ``conversations``, ``malformed``: counters.
    """

    def __init__(self, result, rows: int, pa) -> None:  # noqa: ANN001 (pyarrow is optional)
        self.result = result
        self.messages: int = result.messages
        self.conversations: int = result.conversations
        self.malformed: int = result.malformed
        self.rows = None
        if len(result.levels) == rows:
            levels = pa.Array.from_buffers(pa.uint8(), rows, [None, pa.py_buffer(result.levels)])
            actions = pa.Array.from_buffers(pa.uint8(), rows, [None, pa.py_buffer(result.actions)])
            columns = {
                "level": _coded(pa, levels, BATCH_LEVELS),
                "level_code": levels,
                "risk": pa.Array.from_buffers(pa.float64(), rows, [None, pa.py_buffer(result.risks)]),
                "escalations": pa.Array.from_buffers(pa.uint8(), rows, [None, pa.py_buffer(result.escalation_counts)]),
                "action": _coded(pa, actions, BATCH_ACTIONS),
                "action_code": actions,
            }
            if len(result.observations) == rows:
                columns["observation"] = pa.array(result.observations, pa.string())
            self.rows = pa.RecordBatch.from_pydict(columns)
        esc = result.escalations
        self.escalations = pa.RecordBatch.from_pydict(
            {
                "row": pa.array([e.row for e in esc], pa.int64()),
                "scope": pa.array([e.scope.name.lower() for e in esc], pa.string()),
                "level": pa.array([e.level.name.lower() for e in esc], pa.string()),
                "json": pa.array([e.json for e in esc], pa.string()),
            }
        )

        def docs(items):  # noqa: ANN001, ANN202
            return pa.RecordBatch.from_pydict(
                {"row": pa.array([d.row for d in items], pa.int64()), "json": pa.array([d.json for d in items], pa.string())}
            )

        self.interventions = docs(result.interventions)
        self.case_contacts = docs(result.case_contacts)
        self.errors = pa.RecordBatch.from_pydict(
            {
                "row": pa.array([e.row for e in result.errors], pa.int64()),
                "message": pa.array([e.message for e in result.errors], pa.string()),
            }
        )

    def __repr__(self) -> str:
        return (
            f"ArrowObservations(messages={self.messages}, conversations={self.conversations}, "
            f"malformed={self.malformed}, escalations={self.escalations.num_rows})"
        )


def _buffer_bytes(buf) -> bytes:  # noqa: ANN001
    return b"" if buf is None else buf.to_pybytes()


def _utf8_buffers(pa, name: str, array):  # noqa: ANN001, ANN202
    """The Arrow buffers of a column as a utf8 array (large_string, dictionary, numbers cast)."""
    t = array.type
    if pa.types.is_dictionary(t):
        array = array.cast(t.value_type)
        t = array.type
    if not pa.types.is_string(t):
        array = array.cast(pa.string())
    validity, offsets, data = array.buffers()[:3]
    return Utf8ColumnBuffers(
        name=name,
        offsets=_buffer_bytes(offsets),
        data=_buffer_bytes(data),
        validity=None if validity is None or array.null_count == 0 else validity.to_pybytes(),
        offset=array.offset,
        len=len(array),
    )


def _int64_buffers(pa, name: str, array):  # noqa: ANN001, ANN202
    """The Arrow buffers of a column as an int64 array (timestamps as milliseconds)."""
    t = array.type
    if pa.types.is_dictionary(t):
        array = array.cast(t.value_type)
        t = array.type
    if pa.types.is_timestamp(t):
        array = array.cast(pa.timestamp("ms", tz=t.tz)).cast(pa.int64())
    elif not pa.types.is_int64(t):
        array = array.cast(pa.int64())
    validity, values = array.buffers()[:2]
    return Int64ColumnBuffers(
        name=name,
        values=_buffer_bytes(values),
        validity=None if validity is None or array.null_count == 0 else validity.to_pybytes(),
        offset=array.offset,
        len=len(array),
    )


def observe_arrow(
    tracker,  # noqa: ANN001
    data,  # noqa: ANN001
    *,
    escalations_only: bool = False,
    forget_between_conversations: bool = False,
    observation_json: bool = False,
) -> ArrowObservations:
    """Observes the messages of a ``pyarrow.RecordBatch`` or ``Table`` on ``tracker`` in one
    call, in row order: exactly what observing them one by one gives (no Python code, FFI call
    or JSON per message).

    The columns, by name (others are ignored): either ``json`` (each message as one line of
    JSON, read as ``observe_json`` and ``vigil scan`` read it), optionally with
    ``conversation_id`` to group rows; or one column per message field — ``conversation_id``,
    ``message_id``, ``timestamp_ms`` (int64 milliseconds, or an Arrow timestamp; ``timestamp``
    is read too when it is an Arrow timestamp), ``sender_id`` and ``text`` required;
    ``sender_age_band``, ``sender_age``, ``sender_account_age_days``, ``sender_language``, the
    same for ``recipient_*`` (a null ``recipient_id``: no recipient), ``channel`` and
    ``relationship`` optional. ``large_string``, dictionary (categorical) and numeric id columns
    are cast; sliced arrays are read at their offset.

    ``forget_between_conversations``: the rows are sorted by conversation; the tracker is
    cleared whenever the conversation id changes (each conversation scored on its own, as a
    backtest does). ``escalations_only``: no per-row columns. Raises ``VigilError.Batch`` for
    buffers that are not valid Arrow (naming the column and row); rows that do not hold a valid
    message are in ``errors``. Requires ``pyarrow`` (imported here only).
    """
    import pyarrow as pa

    if isinstance(data, pa.Table):
        data = data.combine_chunks()
        batches = data.to_batches()
        data = batches[0] if batches else pa.RecordBatch.from_pylist([], schema=data.schema)
    if not isinstance(data, pa.RecordBatch):
        raise TypeError(f"expected a pyarrow RecordBatch or Table, not {type(data).__name__}")
    names = data.schema.names
    utf8 = []
    int64 = []
    for name in names:
        column = data.column(name)
        if name in ARROW_UTF8_COLUMNS:
            utf8.append(_utf8_buffers(pa, name, column))
        elif name in ARROW_INT64_COLUMNS:
            int64.append(_int64_buffers(pa, name, column))
        elif name == "timestamp" and "timestamp_ms" not in names and pa.types.is_timestamp(column.type):
            int64.append(_int64_buffers(pa, "timestamp_ms", column))
    options = BatchOptions(
        escalations_only=escalations_only,
        forget_between_conversations=forget_between_conversations,
        observation_json=observation_json,
    )
    result = tracker.observe_columns(data.num_rows, utf8, int64, options)
    return ArrowObservations(result, data.num_rows, pa)


def observe_pandas(tracker, frame, **options) -> ArrowObservations:  # noqa: ANN001, ANN003
    """``observe_arrow`` on a ``pandas.DataFrame`` of the message columns (converted by
    ``pyarrow``; the index is not read). ``result.rows.to_pandas()`` gives the per-row results
    as a frame aligned with the input's rows."""
    import pyarrow as pa

    return observe_arrow(tracker, pa.RecordBatch.from_pandas(frame, preserve_index=False), **options)


__all__ = [
    *_generated.__all__,
    "span_text",
    "span_range",
    "engine_with_overrides",
    "observe_arrow",
    "observe_pandas",
    "ArrowObservations",
    "BATCH_LEVELS",
    "BATCH_ACTIONS",
    "ARROW_UTF8_COLUMNS",
    "ARROW_INT64_COLUMNS",
    "__version__",
]
