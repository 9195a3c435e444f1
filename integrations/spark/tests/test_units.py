"""Pure-Python pieces, no Spark: escalations from the core, languages, policy specs."""

import json
import pickle

import vigil

from vigil_spark.escalations import escalation_row, language_of, replay
from vigil_spark.policy import engine_for, load_policy, tracker_for

from conftest import HERE, SOFTER

MSG = {
    "conversation_id": "c-1", "message_id": "m-1", "timestamp": "2026-05-01T10:00:00Z",
    "sender": {"id": "u-9", "age_band": "adult", "account_age_days": 3},
    "recipient": {"id": "u-4", "age_band": "minor"}, "channel": "direct", "relationship": "stranger",
    "text": "how old are you? dont tell your mum we talk",
}


def test_escalation_json_is_the_core_text():
    tracker = vigil.Tracker(vigil.Engine.shipped())
    obs = tracker.observe(vigil.parse_message(json.dumps(MSG)))
    assert obs.escalation is not None
    tracker.clear()
    text = tracker.observe_json_escalation(json.dumps(MSG))
    assert text == obs.escalation.json
    tracker.clear()
    assert json.loads(tracker.observe_json(json.dumps(MSG)))["escalation"] == json.loads(text)
    quiet = dict(MSG, message_id="m-2", conversation_id="c-2", text='he said "escalation": null, ok')
    assert tracker.observe_json_escalation(json.dumps(quiet)) is None


def test_replay_yields_escalations_and_errors():
    tracker = vigil.Tracker(vigil.Engine.shipped())
    quiet = dict(MSG, message_id="m-0", text="hello")
    lines = [json.dumps(quiet), "not json", json.dumps(MSG)]
    out = list(replay(tracker, lines))
    assert [o[0] for o in out] == lines
    assert out[0][1:] == ([], None)
    assert out[1][1] == [] and out[1][2].startswith("invalid JSON")
    assert [json.loads(e)["message_id"] for e in out[2][1]] == ["m-1"] and out[2][2] is None


def test_a_minor_streamer_s_view_comes_with_the_viewers_escalations():
    """In a public channel, messages addressed to a minor streamer by several viewers add up in
    the streamer's view: `observe_json_escalations` returns its documents (scope "recipient")
    after the viewer's, as `vigil scan` prints them."""
    tracker = vigil.Tracker(vigil.Engine.shipped())
    lines = ["how old are you", "add me on snap", "send me a pic", "how old r u", "add me on snap pls"]
    docs = []
    for i, text in enumerate(lines):
        msg = {
            "conversation_id": "stream-1",
            "message_id": f"m-{i}",
            "timestamp": f"2026-05-01T18:0{i}:00Z",
            "sender": {"id": f"viewer-{i}", "age_band": "adult"},
            "recipient": {"id": "streamer", "age_band": "minor"},
            "channel": "public",
            "relationship": "stranger",
            "text": text,
        }
        docs += [json.loads(e) for e in tracker.observe_json_escalations(json.dumps(msg))]
    views = [d for d in docs if d.get("scope") == "recipient"]
    assert views, docs
    assert views[-1]["participants"]["recipient"]["id"] == "streamer"
    assert len({e["sender"] for e in views[-1]["evidence"]}) >= 3


def test_escalation_row_columns():
    tracker = vigil.Tracker(vigil.Engine.shipped())
    text = tracker.observe_json_escalation(json.dumps(MSG))
    row = escalation_row(text)
    doc = json.loads(text)
    assert row["conversation_id"] == "c-1" and row["message_id"] == "m-1"
    assert row["level"] == doc["level"] and row["policy_hash"] == doc["policy"]["hash"]
    assert row["categories"] == [c["id"] for c in doc["categories"]]
    assert row["evidence_message_ids"] == ["m-1"]
    assert row["language"] == "en"
    assert row["raised_at_ms"] == vigil.parse_timestamp("2026-05-01T10:00:00Z")
    assert row["indicators"] == [], "the message names no contact or payment detail"
    assert row["scope"] == "conversation" and "scope" not in doc, "a conversation key's: the document leaves it out"
    assert row["case"] == doc["case"] and row["case"].startswith("sender-")


def test_escalation_row_indicators():
    """The ``indicators`` column: the document's indicators, span flattened, absent members null."""
    text = "how old are you? dont tell your mum, add me on snap: coolkid_22"
    tracker = vigil.Tracker(vigil.Engine.shipped())
    esc = tracker.observe_json_escalation(json.dumps(dict(MSG, text=text)))
    row = escalation_row(esc)
    start = text.index("coolkid_22")
    assert row["indicators"] == [
        {
            "kind": "handle",
            "value": "coolkid_22",
            "detail": "snapchat",
            "checked": None,
            "message_id": "m-1",
            "start": start,
            "end": start + len("coolkid_22"),
            "count": 1,
        }
    ]


def test_language_of():
    assert language_of(["de.a.b", "core.x", "de.c", "en.d"]) == "de"
    assert language_of(["core.x"]) == "und"
    assert language_of(["fr.a", "en.b"]) == "en"  # a tie goes to the first alphabetically


def test_policy_spec_pickles_and_rebuilds():
    spec = load_policy([str(SOFTER)])
    assert spec.hash.startswith("sha256:") and spec.id.endswith("+softer")
    assert spec.idle_ttl_ms == 30 * 24 * 3600 * 1000
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec
    assert again.build().policy().hash() == spec.hash
    assert engine_for(again) is engine_for(spec)  # compiled once per process
    assert tracker_for(again) is tracker_for(spec)
    # The first stage's tracker (case contacts) is another one.
    assert tracker_for(again, staged=True) is tracker_for(spec, staged=True)
    assert tracker_for(spec, staged=True) is not tracker_for(spec)
    assert load_policy().hash == vigil.Engine.shipped().policy().hash()


def test_conversation_snapshot_round_trip():
    engine = vigil.Engine.shipped()
    a = vigil.Tracker(engine)
    a.observe_json(json.dumps(MSG))
    state = a.snapshot_conversation("c-1")
    b = vigil.Tracker(engine)
    b.restore_conversation(state)
    nxt = dict(MSG, message_id="m-2", timestamp="2026-05-01T10:01:00Z", text="send me a pic")
    assert a.observe_json(json.dumps(nxt)) == b.observe_json(json.dumps(nxt))


def test_two_stages_rebuild_one_trackers_sender_cases():
    """Without Spark: the golden vector's conversations scored apart (``replay_staged``), their
    case contacts replayed per sender in time order (``observe_contacts``), give the sender
    escalations of one tracker holding everything — the backtest's two stages in miniature.
    Fan-out disabled on both sides (it needs the sender's other conversations)."""
    from collections import defaultdict

    from conftest import VECTORS, vector_lines
    from vigil_spark.escalations import contact_sender, observe_contacts, replay_staged

    spec = load_policy([str(HERE / "fixtures" / "no-fan-out.toml")])
    lines = vector_lines(VECTORS / "senders.input.jsonl")
    whole = vigil.Tracker(engine_for(spec))
    expected = [e for l in lines for e in whole.observe_json_escalations(l) if json.loads(e).get("scope") == "sender"]
    assert len(expected) >= 2
    conversations = defaultdict(list)
    for seq, line in enumerate(lines):
        conversations[json.loads(line)["conversation_id"]].append((seq, line))
    stage1 = tracker_for(spec, staged=True)
    contacts = []
    for items in conversations.values():
        stage1.clear()
        for (seq, _), (_, rows, contact, error) in zip(items, replay_staged(stage1, [l for _, l in items])):
            assert error is None
            assert all(r["scope"] != "sender" for r in rows)
            if contact is not None:
                sender, ts = contact_sender(contact)
                contacts.append((sender, ts, seq, contact))
    contacts.sort(key=lambda c: (c[0], c[1], c[2]))
    stage2 = tracker_for(spec)
    got, current = [], None
    for sender, _, _, contact in contacts:
        if sender != current:
            stage2.clear()
            current = sender
        got.extend(e for e, error in observe_contacts(stage2, [contact]) if e is not None)
    assert sorted(got) == sorted(expected)


class _Broadcast:
    """Stands in for a Spark broadcast variable."""

    def __init__(self, value):
        self.value = value


def _stage1(spec, lines, size):
    """The backtest's stage 1 (``_replay_partition``) over ``lines`` sorted by conversation, in
    Arrow batches of ``size`` rows: its result rows (as dicts), without Spark."""
    import pyarrow as pa

    from vigil_spark.backtest import _replay_partition

    cids = []
    for line in lines:
        try:
            cids.append(str(json.loads(line)["conversation_id"]))
        except (ValueError, KeyError):
            cids.append(None)
    table = pa.table(
        {
            "conversation_id": pa.array(cids, pa.string()),
            "json": pa.array(lines, pa.string()),
            "invalid_utf8": pa.array([False] * len(lines)),
            "ts_ms": pa.array(list(range(len(lines))), pa.int64()),
            "seq": pa.array(list(range(len(lines))), pa.int64()),
        }
    )
    out = _replay_partition(_Broadcast([spec]))(iter(table.to_batches(max_chunksize=size)))
    return [r for b in out for r in b.to_pylist()]


def test_stage1_batches_may_split_conversations():
    """Stage 1 observes each Arrow batch in one binding call, clearing the tracker between
    conversations: a conversation that spans two batches (or many: batches of 1 row) is still
    scored as one, the conversation counter counts it once, and every batch size gives the rows
    of one whole-partition batch — which are those of observing each conversation message by
    message on a cleared tracker (escalations, case contacts, interventions)."""
    from collections import defaultdict

    from conftest import VECTORS, corpus_lines, vector_lines
    from vigil_spark.escalations import replay_staged

    spec = load_policy([str(VECTORS / "interventions.toml")])
    groups = defaultdict(list)
    for line in corpus_lines()[:400] + vector_lines(VECTORS / "interventions.input.jsonl"):
        groups[str(json.loads(line)["conversation_id"])].append(line)
    lines = [l for cid in sorted(groups) for l in groups[cid]]
    lines.insert(0, "{not json")  # a malformed line (no conversation id: sorted first)
    by_kind = lambda rows: {k: [r for r in rows if r["kind"] == k] for k in ("escalation", "contact", "intervention", "malformed", "stats")}  # noqa: E731
    whole = _stage1(spec, lines, len(lines))
    for size in (1, 2, 7, 64):
        assert by_kind(_stage1(spec, lines, size)) == by_kind(whole), size

    # The reference: each conversation on a cleared tracker, message by message.
    tracker = vigil.Tracker.with_case_contacts(engine_for(spec))
    escalations, contacts, interventions = [], [], []
    current = object()
    for line in lines:
        if line.startswith("{not"):
            continue
        cid = str(json.loads(line)["conversation_id"])
        if cid != current:
            tracker.clear()
            current = cid
        (_, rows, contact, error), = replay_staged(tracker, [line])
        assert error is None
        escalations.extend(r["escalation_json"] for r in rows)
        if contact is not None:
            contacts.append(contact)
    tracker.clear()
    current = object()
    for line in lines:
        if line.startswith("{not"):
            continue
        doc = json.loads(line)
        if doc["conversation_id"] != current:
            tracker.clear()
            current = doc["conversation_id"]
        iv = json.loads(tracker.observe_json(line)).get("intervention")
        if iv:
            interventions.append((str(doc["conversation_id"]), str(doc["message_id"]), iv))
    kinds = defaultdict(list)
    for r in whole:
        kinds[r["kind"]].append(r)
    assert [r["escalation_json"] for r in kinds["escalation"]] == escalations and escalations
    assert [r["contact_json"] for r in kinds["contact"]] == contacts and contacts
    got = [(r["conversation_id"], r["message_id"], json.loads(r["intervention_json"])) for r in kinds["intervention"]]
    assert got == interventions and interventions
    assert [r["line"] for r in kinds["malformed"]] == ["{not json"]
    (stats,) = kinds["stats"]
    assert stats["messages"] == len(lines)
    assert stats["conversations"] == len(groups)
