"""The Python API: errors, threads, snapshots, conversions, helpers and type hints."""

from __future__ import annotations

import inspect
import json
import threading
import typing

import pytest

import vigil
from conftest import vector_lines


def msg(message_id: str, text: str, conversation: str = "c-1", at: int = 1_762_020_245_000) -> vigil.Message:
    return vigil.Message(
        conversation_id=conversation,
        message_id=message_id,
        timestamp_ms=at,
        sender=vigil.Participant(id="u-9", age_band=vigil.AgeBand.ADULT, account_age_days=2),
        recipient=vigil.Participant(id="u-4", age_band=vigil.AgeBand.MINOR),
        channel="direct",
        relationship="stranger",
        text=text,
    )


def test_policy_errors_carry_the_core_message():
    with pytest.raises(vigil.VigilError.Policy) as e:
        vigil.PolicyBuilder().add_toml("my.toml", '[[rule]]\nid = "x"\ncategory = "nope"\nwieght = 3\n')
    assert str(e.value).startswith("my.toml:4:1"), str(e.value)
    assert "wieght" in str(e.value)
    assert isinstance(e.value, vigil.VigilError) and isinstance(e.value, Exception)


def test_a_failed_add_leaves_the_builder_as_it_was():
    builder = vigil.PolicyBuilder().add_shipped()
    with pytest.raises(vigil.VigilError.Policy):
        builder.add_toml("bad.toml", "[[rule]\n")
    assert builder.build().hash() == vigil.Policy.shipped().hash()


def test_unknown_packs_and_unreadable_files_are_errors():
    with pytest.raises(vigil.VigilError.Policy, match="no shipped pack named `klingon`"):
        vigil.PolicyBuilder().add_pack("klingon")
    with pytest.raises(vigil.VigilError.Io) as e:
        vigil.PolicyBuilder().add_file("/nonexistent/acme.toml")
    assert str(e.value).startswith("/nonexistent/acme.toml: ")


def test_an_override_file_changes_the_policy(tmp_path):
    acme = tmp_path / "acme.toml"
    acme.write_text('[policy]\nid = "acme"\nversion = "3"\n[scoring]\nlevels = { review = 55 }\n', encoding="utf-8")
    engine = vigil.engine_with_overrides(acme)
    assert engine.policy().id().endswith("+acme")
    assert engine.level_for(55.0) == vigil.Level.REVIEW
    assert engine.level_for(54.0) == vigil.Level.WATCH


def test_invalid_messages_name_the_field(shipped):
    tracker = vigil.Tracker(shipped)
    with pytest.raises(vigil.VigilError.Message, match="message_id"):
        tracker.observe_json('{"conversation_id":"c","timestamp":0,"sender":{"id":"a"},"text":""}')
    bad = msg("m-1", "hi")
    bad.conversation_id = ""
    with pytest.raises(vigil.VigilError.Message, match="conversation_id"):
        tracker.observe(bad)
    assert tracker.stats().observed == 0
    with pytest.raises(vigil.VigilError.Timestamp):
        vigil.parse_timestamp("yesterday")
    # A wrong argument type is refused by the generated code before reaching Rust.
    with pytest.raises((TypeError, AttributeError)):
        tracker.observe("not a message")  # type: ignore[arg-type]


def test_assess_highlights_the_bytes_the_user_typed(shipped):
    m = msg("m-1", "ok \U0001F600 d0n'7 t e l l ur parents about us")
    a = shipped.assess(m)
    assert a.score > 0
    hit = a.hits[0]
    assert vigil.span_text(m.text, hit.span) == "d0n'7 t e l l ur parents"
    r = vigil.span_range(m.text, hit.span)
    assert m.text[r.start:r.stop] == "d0n'7 t e l l ur parents"
    as_json = json.loads(shipped.assess_json(vigil.message_to_json(m)))
    assert len(as_json["hits"]) == len(a.hits)


def test_escalations_carry_records_and_the_json_document(shipped):
    tracker = vigil.Tracker(shipped)
    texts = ["how old are you?", "dont tell your parents about us", "add me on snap", "send a pic"]
    escalations = [
        o.escalation
        for o in (tracker.observe(msg(f"m-{i}", t, at=1_762_020_245_000 + i * 60_000)) for i, t in enumerate(texts))
        if o.escalation is not None
    ]
    assert escalations
    e = escalations[-1]
    doc = json.loads(e.json)
    assert doc["schema"] == "vigil.escalation/1" == e.schema
    assert doc["level"] == e.level.name.lower()
    assert len(doc["evidence"]) == len(e.evidence)
    assert e.participants.recipient is not None and e.participants.recipient.id == "u-4"
    assert isinstance(json.loads(vigil.escalation_schema()), dict)


def test_an_escalation_lists_indicators_field_by_field(shipped):
    address = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    tracker = vigil.Tracker(shipped)
    first = msg("m-1", f"how old r u? dont tell your parents, my btc is {address}")
    e = tracker.observe(first).escalation
    assert e is not None
    (w,) = [i for i in e.indicators if i.kind == vigil.IndicatorKind.WALLET]
    assert isinstance(w, vigil.EscalatedIndicator)
    assert (w.value, w.detail, w.checked, w.message_id, w.count) == (address, "bitcoin", True, "m-1", 1)
    assert vigil.span_text(first.text, w.span) == address
    (item,) = [i for i in json.loads(e.json)["indicators"] if i["kind"] == "wallet"]
    assert item == {"kind": "wallet", "value": address, "detail": "bitcoin", "checked": True, "message_id": "m-1",
                    "span": {"start": w.span.start, "end": w.span.end}, "count": 1}
    # Seen again in a later message that escalates: still the first sighting, counted twice.
    again = tracker.observe(msg("m-2", f"send a pic, same btc {address}", at=1_762_020_305_000)).escalation
    assert again is not None
    (w2,) = [i for i in again.indicators if i.kind == vigil.IndicatorKind.WALLET]
    assert (w2.message_id, w2.count) == ("m-1", 2)


def test_observe_json_escalation_gives_the_escalation_document_alone(shipped):
    whole, alone = vigil.Tracker(shipped), vigil.Tracker(shipped)
    texts = ["how old are you?", "hi", "dont tell your parents about us", "add me on snap"]
    escalated = 0
    for i, t in enumerate(texts):
        line = vigil.message_to_json(msg(f"m-{i}", t, at=1_762_020_245_000 + i * 60_000))
        obs = json.loads(whole.observe_json(line))
        esc = alone.observe_json_escalation(line)
        if obs["escalation"] is None:
            assert esc is None
        else:
            escalated += 1
            assert json.loads(esc) == obs["escalation"]
    assert escalated >= 2


def test_one_tracker_is_safe_to_share_across_threads(shipped):
    tracker = vigil.Tracker(shipped)
    text = "dont tell your parents, add me on snap"
    sequential = []
    for t in range(8):
        own = vigil.Tracker(shipped)
        sequential.append([own.observe(msg(f"m-{i}", text, f"c-{t}")).json for i in range(25)])
    parallel = [None] * 8
    errors = []

    def work(t: int) -> None:
        try:
            own = vigil.Tracker(shipped)
            out = []
            for i in range(25):
                tracker.observe(msg(f"m-{i}", text, f"c-{t}"))
                out.append(own.observe(msg(f"m-{i}", text, f"c-{t}")).json)
            parallel[t] = out
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors
    assert parallel == sequential
    assert tracker.stats().observed == 200
    assert tracker.len() == 8


def test_snapshots_round_trip(shipped):
    inputs, expected = vector_lines("sample")
    a = vigil.Tracker(shipped)
    half = len(inputs) // 2
    for line in inputs[:half]:
        a.observe_json(line)
    b = vigil.Tracker(shipped)
    b.restore(a.snapshot())
    assert b.len() == a.len()
    for i in range(half, len(inputs)):
        from_a = json.loads(a.observe_json(inputs[i]))
        from_b = json.loads(b.observe_json(inputs[i]))
        assert from_b == expected[i], f"observation {i + 1} after restore"
        assert from_a == from_b
    c = vigil.Tracker(shipped)
    c.restore_conversation(a.snapshot_conversation(json.loads(inputs[0])["conversation_id"]))
    assert c.len() > 0
    c.clear()
    assert c.is_empty()
    with pytest.raises(vigil.VigilError.Snapshot) as e:
        a.restore(b"not a snapshot")
    assert str(e.value) == "not a Vigil snapshot (bad magic bytes)"
    snap = a.snapshot()
    assert isinstance(snap, bytes)
    with pytest.raises(vigil.VigilError.Snapshot):
        a.restore(snap[:-1])
    assert a.snapshot() == snap, "a failed restore changes nothing"


def test_messages_and_timestamps_convert_both_ways():
    m = msg("m-1", "hello")
    assert vigil.parse_message(vigil.message_to_json(m)) == m
    assert vigil.format_timestamp(vigil.parse_timestamp("2026-11-01T19:04:05+01:00")) == "2026-11-01T18:04:05Z"
    # Timestamps as platforms write them: a space for the T, epoch seconds, milliseconds, a fraction.
    for text in ["2026-11-01 18:04:05Z", "1793556245", "1793556245000", "1793556245.0"]:
        assert vigil.parse_timestamp(text) == 1_793_556_245_000, text


def test_a_platform_export_reads_leniently():
    line = json.dumps({
        "conversation_id": 4004, "message_id": 7, "timestamp": "1793556245000",
        "sender": {"id": 9001, "age": "40", "account_age_days": 3},
        "recipient": {"id": "u-4", "age_band": "teen", "age": 13.5},
        "channel": "Lobby", "relationship": "friend", "text": "hi", "extra": [1],
    })
    m = vigil.parse_message(line)
    assert (m.conversation_id, m.message_id, m.sender.id) == ("4004", "7", "9001")
    assert m.timestamp_ms == 1_793_556_245_000
    assert (m.sender.age, m.sender.account_age_days) == (40, 3)
    assert m.recipient is not None and (m.recipient.age_band, m.recipient.age) == (vigil.AgeBand.UNKNOWN, 13)
    assert (m.channel, m.relationship) == ("Lobby", "friend")
    with pytest.raises(vigil.VigilError.Message, match="^field `timestamp`: "):
        vigil.parse_message(line.replace('"1793556245000"', '"soon"'))


def test_platform_words_are_accepted_scored_by_kind_and_kept(shipped):
    tracker = vigil.Tracker(shipped)
    m = msg("m-1", "how old are you? dont tell your parents about us")
    m.channel, m.relationship = "lobby", "friend"
    obs = tracker.observe(m)
    assert obs.platform == vigil.PlatformMetadata(
        channel=vigil.PlatformWord(word="lobby", kind="public", mapped=True),
        relationship=vigil.PlatformWord(word="friend", kind="contact", mapped=True),
    )
    assert obs.recipient is None, "a public channel has no recipient on the key"
    e = obs.escalation
    assert e is not None
    assert (e.channel, e.relationship) == (vigil.Channel.PUBLIC, vigil.Relationship.CONTACT)
    assert e.platform == obs.platform
    assert json.loads(e.json)["platform"]["channel"] == {"word": "lobby", "kind": "public", "mapped": True}

    unmapped = msg("m-2", "hi")
    unmapped.channel = "hologram"
    p = tracker.observe(unmapped).platform
    assert p is not None
    assert p.channel == vigil.PlatformWord(word="hologram", kind="unknown", mapped=False)
    assert p.relationship is None, "a kind's name is not repeated"
    assert tracker.observe(msg("m-3", "hi")).platform is None

    assert shipped.channel_kind("Lobby") == vigil.ChannelKind(kind=vigil.Channel.PUBLIC, mapped=True)
    assert shipped.relationship_kind("nemesis") == vigil.RelationshipKind(kind=vigil.Relationship.UNKNOWN, mapped=False)
    assert shipped.adult_age() == 18


def test_shipped_packs_pass_their_own_examples(shipped):
    names = vigil.shipped_pack_names()
    assert names and names[0] == "core"
    for n in names:
        source = vigil.shipped_pack_source(n)
        assert source is not None and "[policy]" in source
    assert vigil.shipped_pack_source("klingon") is None
    assert shipped.check_examples() == []
    assert shipped.rule_count() > 0
    assert vigil.__version__ == vigil.vigil_version()


def test_the_package_is_typed():
    import importlib.resources

    assert importlib.resources.files("vigil").joinpath("py.typed").is_file()
    hints = typing.get_type_hints(vigil.Tracker.observe_json)
    assert hints["return"] is str
    params = inspect.signature(vigil.Message.__init__).parameters
    assert "timestamp_ms" in params and params["recipient"].default is None


def test_an_engine_loads_from_a_bundle_and_observes_the_same(shipped):
    bundle = shipped.to_bundle()
    assert isinstance(bundle, bytes) and bundle[:8] == b"VIGILBDL"
    loaded = vigil.Engine.from_bundle(bundle)
    assert loaded.policy().hash() == shipped.policy().hash()
    inputs, expected = vector_lines("sample")
    a, b = vigil.Tracker(shipped), vigil.Tracker(loaded)
    for i, line in enumerate(inputs):
        from_b = json.loads(b.observe_json(line))
        assert from_b == json.loads(a.observe_json(line)), f"observation {i + 1}"
        assert from_b == expected[i]
    assert vigil.Engine.from_bundle_for(bundle, shipped.policy().hash()).rule_count() == shipped.rule_count()


def test_bad_bundles_are_refused_with_the_core_message(shipped):
    bundle = shipped.to_bundle()
    with pytest.raises(vigil.VigilError.Bundle) as e:
        vigil.Engine.from_bundle(b"not a bundle")
    assert str(e.value) == "bundle byte 0: not a Vigil bundle (bad magic bytes)"
    with pytest.raises(vigil.VigilError.Bundle, match="truncated"):
        vigil.Engine.from_bundle(bundle[:-1])
    damaged = bytearray(bundle)
    damaged[-1] ^= 1
    with pytest.raises(vigil.VigilError.Bundle, match="checksum mismatch"):
        vigil.Engine.from_bundle(bytes(damaged))
    with pytest.raises(vigil.VigilError.Bundle, match="not sha256:00"):
        vigil.Engine.from_bundle_for(bundle, "sha256:00")
