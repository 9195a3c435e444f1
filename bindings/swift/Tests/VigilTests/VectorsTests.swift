// The golden vectors (tests/vectors/) replayed through the Swift binding: each input line is
// parsed with JSONDecoder and turned into a `Message` record by hand — or, when the line is in a
// platform's own shape (integer ids, epoch numbers, ages as digits, band words Vigil does not
// know), read by the core's lenient reader (`parseMessage`) — observed, and checked against the
// expected line twice: the core's JSON (`Observation.json`) exactly, and every field of the
// returned records (numbers within the core's 3-decimal rounding), `platform` included.

import Foundation
import XCTest
import Vigil

private func name(_ b: AgeBand) -> String {
    switch b {
    case .minor: return "minor"
    case .adult: return "adult"
    case .unknown: return "unknown"
    }
}

private func name(_ c: Channel) -> String {
    switch c {
    case .direct: return "direct"
    case .group: return "group"
    case .public: return "public"
    case .unknown: return "unknown"
    }
}

private func name(_ r: Relationship) -> String {
    switch r {
    case .stranger: return "stranger"
    case .contact: return "contact"
    case .family: return "family"
    case .unknown: return "unknown"
    }
}

private func name(_ l: Level?) -> JSON {
    switch l {
    case .none: return .null
    case .some(.watch): return .string("watch")
    case .some(.review): return .string("review")
    case .some(.urgent): return .string("urgent")
    }
}

private func name(_ k: IndicatorKind) -> String {
    switch k {
    case .phone: return "phone"
    case .email: return "email"
    case .handle: return "handle"
    case .inviteLink: return "invite_link"
    case .paymentHandle: return "payment_handle"
    case .wallet: return "wallet"
    case .giftCard: return "gift_card"
    }
}

private func name(_ a: InterventionAction) -> String {
    switch a {
    case .nudgeRecipient: return "nudge_recipient"
    case .nudgeSender: return "nudge_sender"
    case .mask: return "mask"
    case .hold: return "hold"
    }
}

/// An indicator record, in the shape of the document's `indicators` items (absent members left
/// out).
func indicatorValue(_ i: EscalatedIndicator) -> JSON {
    var out: [String: JSON] = [:]
    out["kind"] = .string(name(i.kind))
    out["value"] = .string(i.value)
    out["message_id"] = .string(i.messageId)
    out["span"] = span(i.span)
    out["count"] = .number(Double(i.count))
    if let d = i.detail {
        out["detail"] = .string(d)
    }
    if let c = i.checked {
        out["checked"] = .bool(c)
    }
    return .object(out)
}

private func name(_ k: HitKind) -> String {
    switch k {
    case .term: return "term"
    case .near: return "near"
    case .pattern: return "pattern"
    case .combination: return "combination"
    }
}

/// A whole number member: `.some(nil)` when absent or null, nil when not a whole number.
private func whole(_ v: JSON) -> UInt32?? {
    switch v {
    case .null: return .some(nil)
    case let .number(n) where n >= 0 && n == n.rounded() && n <= Double(UInt32.max): return .some(UInt32(n))
    default: return nil
    }
}

/// A word member: "" when absent or null, nil when not a string.
private func word(_ v: JSON) -> String? {
    switch v {
    case .null: return ""
    case let .string(w): return w
    default: return nil
    }
}

/// A participant built by hand when in the canonical shape (string id, band by name, whole ages).
private func participant(_ p: JSON) -> Participant? {
    guard let id = p["id"].string, let age = whole(p["age"]), let days = whole(p["account_age_days"]) else { return nil }
    let band: AgeBand
    switch p["age_band"] {
    case .null, .string("unknown"): band = .unknown
    case .string("minor"): band = .minor
    case .string("adult"): band = .adult
    default: return nil
    }
    return Participant(id: id, ageBand: band, age: age, accountAgeDays: days)
}

/// A `Message` record built by hand from one input line (not through the core's JSON reader) when
/// the line is in the canonical shape: string ids, a text timestamp (read by `parseTimestamp`),
/// bands by name, whole ages; the channel and relationship words pass as written, whatever they
/// are. nil for a line in a platform's own shape.
func messageOf(_ m: JSON) throws -> Message? {
    guard let conversationId = m["conversation_id"].string, let messageId = m["message_id"].string,
          let ts = m["timestamp"].string, let sender = participant(m["sender"]),
          let channel = word(m["channel"]), let relationship = word(m["relationship"]),
          let text = m["text"].string else { return nil }
    var recipient: Participant? = nil
    if m["recipient"] != .null {
        guard let r = participant(m["recipient"]) else { return nil }
        recipient = r
    }
    return Message(
        conversationId: conversationId,
        messageId: messageId,
        timestampMs: try parseTimestamp(text: ts),
        sender: sender,
        recipient: recipient,
        channel: channel,
        relationship: relationship,
        text: text
    )
}

private func s(_ v: String?) -> JSON { v.map { .string($0) } ?? .null }
private func ts(_ ms: Int64) -> JSON { .string(formatTimestamp(timestampMs: ms)) }
private func span(_ sp: Span) -> JSON { .object(["start": .number(Double(sp.start)), "end": .number(Double(sp.end))]) }

/// The records of an observation, in the shape of the core's JSON.
func observationValue(_ o: Observation) -> JSON {
    let a = o.assessment
    var hits: [JSON] = []
    for h in a.hits {
        var hit: [String: JSON] = [:]
        hit["rule"] = .string(h.rule)
        hit["category"] = .string(h.category)
        hit["kind"] = .string(name(h.kind))
        hit["weight"] = .number(h.weight)
        hit["span"] = span(h.span)
        if let e = h.evasion {
            hit["evasion"] = .string(e)
        }
        hits.append(.object(hit))
    }
    var categories: [JSON] = []
    for c in a.categories {
        categories.append(.object(["category": .string(c.category), "stage": .string(c.stage), "score": .number(c.score)]))
    }
    var modifiers: [JSON] = []
    for m in a.modifiers {
        modifiers.append(.object(["id": .string(m.id), "factor": .number(m.factor)]))
    }
    var assessment: [String: JSON] = [:]
    assessment["score"] = .number(a.score)
    assessment["base_score"] = .number(a.baseScore)
    assessment["hits"] = .array(hits)
    assessment["categories"] = .array(categories)
    assessment["modifiers"] = .array(modifiers)
    assessment["discloses_minor"] = .bool(a.disclosesMinor)
    assessment["truncated"] = .bool(a.truncated)
    if a.forcedLevel != nil {
        assessment["forced_level"] = name(a.forcedLevel)
    }
    var out: [String: JSON] = [:]
    out["conversation_id"] = .string(o.conversationId)
    out["message_id"] = .string(o.messageId)
    out["timestamp"] = ts(o.timestampMs)
    out["sender"] = .string(o.sender)
    out["recipient"] = s(o.recipient)
    out["assessment"] = .object(assessment)
    out["risk"] = .number(o.risk)
    out["level"] = name(o.level)
    out["stages"] = .array(o.stages.map { (stage: String) -> JSON in .string(stage) })
    out["out_of_order"] = .bool(o.outOfOrder)
    if let e = o.escalation {
        out["escalation"] = escalationValue(e)
    } else {
        out["escalation"] = JSON.null
    }
    if let i = o.intervention {
        out["intervention"] = interventionValue(i)
    }
    if let e = o.recipientEscalation {
        out["recipient_escalation"] = escalationValue(e)
    }
    if let e = o.senderEscalation {
        out["sender_escalation"] = escalationValue(e)
    }
    if let c = o.caseContact {
        out["case_contact"] = try? JSON.parse(c)
    }
    if let c = o.cappedBy {
        out["capped_by"] = .string(c)
    }
    if let p = o.platform {
        out["platform"] = platformValue(p)
    }
    if let l = o.language {
        var lang: [String: JSON] = ["conversation": .array(l.conversation.map(share))]
        if let m = l.message {
            lang["message"] = share(m)
        }
        if let p = l.packs {
            lang["packs"] = strings(p)
        }
        if !l.outOfScope.isEmpty {
            lang["out_of_scope"] = strings(l.outOfScope)
        }
        out["language"] = .object(lang)
    }
    return .object(out)
}

/// An intervention record, in the shape of the core's JSON (absent members left out).
func interventionValue(_ i: Intervention) -> JSON {
    var out: [String: JSON] = [:]
    out["action"] = .string(name(i.action))
    out["id"] = .string(i.id)
    out["categories"] = strings(i.categories)
    out["spans"] = .array(i.spans.map(span))
    if let r = i.reason {
        out["reason"] = .string(r)
    }
    if let n = i.notice {
        out["notice"] = .object(["id": .string(n.id), "language": .string(n.language), "text": .string(n.text)])
    }
    if let t = i.maskedText {
        out["masked_text"] = .string(t)
    }
    return .object(out)
}

/// What an app delivers in the message path: the text, the masked text, or nothing yet (held for
/// review). Nudges deliver the text and show their notice.
func deliver(_ o: Observation, _ text: String) -> String? {
    guard let i = o.intervention else { return text }
    switch i.action {
    case .mask: return i.maskedText
    case .hold: return nil
    case .nudgeRecipient, .nudgeSender: return text
    }
}

private func platformWord(_ w: PlatformWord) -> JSON {
    .object(["word": .string(w.word), "kind": .string(w.kind), "mapped": .bool(w.mapped)])
}

/// The platform's words, in the shape of the core's JSON (absent members left out).
func platformValue(_ p: PlatformMetadata) -> JSON {
    var out: [String: JSON] = [:]
    if let c = p.channel {
        out["channel"] = platformWord(c)
    }
    if let r = p.relationship {
        out["relationship"] = platformWord(r)
    }
    return .object(out)
}

func share(_ x: LanguageShare) -> JSON {
    .object(["language": .string(x.language), "share": .number(x.share)])
}

private func participantRef(_ p: ParticipantRef?) -> JSON {
    guard let p = p else { return .null }
    return .object(["id": .string(p.id), "age_band": .string(name(p.ageBand)), "probable_minor": .bool(p.probableMinor)])
}

private func strings(_ items: [String]) -> JSON {
    .array(items.map { (item: String) -> JSON in .string(item) })
}

/// The records of an escalation, in the shape of the vigil.escalation/1 document.
func escalationValue(_ e: Escalation) -> JSON {
    var categories: [JSON] = []
    for c in e.categories {
        categories.append(.object(["id": .string(c.id), "stage": .string(c.stage), "score": .number(c.score),
                                   "summary": .string(c.summary)]))
    }
    var evidence: [JSON] = []
    for v in e.evidence {
        var item: [String: JSON] = [:]
        item["message_id"] = .string(v.messageId)
        item["timestamp"] = ts(v.timestampMs)
        item["rule"] = .string(v.rule)
        item["category"] = .string(v.category)
        item["span"] = span(v.span)
        if let x = v.excerpt {
            item["excerpt"] = .string(x)
        }
        if let x = v.sender {
            item["sender"] = .string(x)
        }
        if let x = v.conversationId {
            item["conversation_id"] = .string(x)
        }
        evidence.append(.object(item))
    }
    var timeline: [JSON] = []
    for t in e.timeline {
        var entry: [String: JSON] = [:]
        entry["stage"] = .string(t.stage)
        entry["first_message_id"] = .string(t.firstMessageId)
        entry["first_seen"] = ts(t.firstSeenMs)
        entry["last_seen"] = ts(t.lastSeenMs)
        if let c = t.conversationId {
            entry["conversation_id"] = .string(c)
        }
        timeline.append(.object(entry))
    }
    var out: [String: JSON] = [:]
    out["schema"] = .string(e.schema)
    out["conversation_id"] = .string(e.conversationId)
    out["sequence"] = .number(Double(e.sequence))
    out["level"] = name(e.level)
    out["previous_level"] = name(e.previousLevel)
    out["message_id"] = .string(e.messageId)
    out["raised_at"] = ts(e.raisedAtMs)
    out["participants"] = .object(["sender": participantRef(e.participants.sender),
                                   "recipient": participantRef(e.participants.recipient)])
    out["channel"] = .string(name(e.channel))
    out["relationship"] = .string(name(e.relationship))
    out["risk"] = .number(e.risk)
    out["categories"] = .array(categories)
    out["reasons"] = strings(e.reasons)
    out["evidence"] = .array(evidence)
    out["timeline"] = .array(timeline)
    out["modifiers"] = strings(e.modifiers)
    out["policy"] = .object(["id": .string(e.policy.id), "version": .string(e.policy.version),
                             "hash": .string(e.policy.hash)])
    out["recommended_action"] = s(e.recommendedAction)
    var hints: [String: JSON] = ["incident_types": strings(e.reportHints.incidentTypes),
                                 "annotations": strings(e.reportHints.annotations)]
    if !e.reportHints.indicators.isEmpty {
        hints["indicators"] = .array(e.reportHints.indicators.map { (h: IndicatorHint) -> JSON in
            .object(["field": .string(h.field), "kind": .string(name(h.kind)), "value": .string(h.value)])
        })
    }
    out["report_hints"] = .object(hints)
    if !e.language.isEmpty {
        out["language"] = .array(e.language.map(share))
    }
    if let p = e.platform {
        out["platform"] = platformValue(p)
    }
    if !e.indicators.isEmpty {
        out["indicators"] = .array(e.indicators.map(indicatorValue))
    }
    switch e.scope {
    case .conversation: break
    case .recipient: out["scope"] = .string("recipient")
    case .sender: out["scope"] = .string("sender")
    }
    if let c = e.`case` {
        out["case"] = .string(c)
    }
    if !e.conversations.isEmpty {
        out["conversations"] = .array(e.conversations.map(caseConversationValue))
    }
    return .object(out)
}

/// A conversation of a sender case, in the shape of the document's `conversations` items.
func caseConversationValue(_ c: CaseConversation) -> JSON {
    var out: [String: JSON] = [:]
    out["conversation_id"] = .string(c.conversationId)
    out["minor"] = .bool(c.minor)
    out["level"] = name(c.level)
    out["points"] = .number(c.points)
    out["risk"] = .number(c.risk)
    out["categories"] = strings(c.categories)
    out["first_message_id"] = .string(c.firstMessageId)
    out["first_seen"] = ts(c.firstSeenMs)
    out["last_message_id"] = .string(c.lastMessageId)
    out["last_seen"] = ts(c.lastSeenMs)
    out["messages"] = .number(Double(c.messages))
    if let r = c.recipient {
        out["recipient"] = .string(r)
    }
    return .object(out)
}

final class VectorsTests: XCTestCase {
    func testEveryVectorMatchesTheCore() throws {
        let index = try JSON.parse(try readText("index.json")).items
        XCTAssertFalse(index.isEmpty, "index.json lists no vector")
        var observations = 0
        for vector in index {
            let vname = vector["name"].string ?? "?"
            let inputs = nonBlankLines(try readText("\(vname).input.jsonl"))
            let expected = try nonBlankLines(try readText("\(vname).expected.jsonl")).map(JSON.parse)
            XCTAssertEqual(inputs.count, expected.count, "\(vname): number of observations")
            let engine = try vectorEngine(vector["policy"].items)
            let tracker = Tracker(engine: engine)
            let byJson = Tracker(engine: engine)
            var byHand = 0
            for (i, (line, want)) in zip(inputs, expected).enumerated() {
                let parsed = try parseMessage(json: line)
                var record = parsed
                if let built = try messageOf(try JSON.parse(line)) {
                    // The core's reader and the hand-built record agree on canonical lines.
                    XCTAssertEqual(built, parsed, "\(vname): message \(i + 1) (parseMessage)")
                    record = built
                    byHand += 1
                }
                let obs = try tracker.observe(message: record)
                XCTAssertEqual(try JSON.parse(obs.json), want, "\(vname): observation \(i + 1) (core JSON)")
                if let d = difference("observation", observationValue(obs), want) {
                    XCTFail("\(vname): observation \(i + 1) (records): \(d)")
                }
                if let e = obs.escalation {
                    XCTAssertEqual(try JSON.parse(e.json), want["escalation"], "\(vname): observation \(i + 1) (escalation JSON)")
                    XCTAssertEqual(e.platform, obs.platform, "\(vname): observation \(i + 1) (escalation platform)")
                }
                for (member, esc) in [("recipient_escalation", obs.recipientEscalation), ("sender_escalation", obs.senderEscalation)] {
                    if let e = esc {
                        XCTAssertEqual(try JSON.parse(e.json), want[member], "\(vname): observation \(i + 1) (\(member) JSON)")
                    }
                }
                XCTAssertEqual(try JSON.parse(try byJson.observeJson(messageJson: line)), want,
                               "\(vname): observation \(i + 1) (observeJson)")
                observations += 1
            }
            XCTAssertGreaterThan(byHand, 0, "\(vname): no line built by hand")
            if vname == "platform" {
                XCTAssertLessThan(byHand, inputs.count, "\(vname): no line in a platform's own shape")
            }
        }
        XCTAssertGreaterThan(observations, 0)
    }

    /// The senders vector in two stages, as a batch job runs it: a tracker made
    /// `withCaseContacts` observes every message (`observeJsonStaged`; the records of a second one
    /// carry the same contacts), then a fresh tracker fed the contacts in order
    /// (`observeContactJson`) raises exactly the vector's sender escalations, where one tracker
    /// saw everything.
    func testTheSendersVectorInTwoStages() throws {
        let inputs = nonBlankLines(try readText("senders.input.jsonl"))
        let expected = try nonBlankLines(try readText("senders.expected.jsonl")).map(JSON.parse)
        let want = expected.map { $0["sender_escalation"] }.filter { $0 != .null }
        XCTAssertGreaterThan(want.count, 1, "the vector raises sender escalations")
        let engine = try Engine.shipped()
        let staged = Tracker.withCaseContacts(engine: engine)
        let records = Tracker.withCaseContacts(engine: engine)
        var contacts: [String] = []
        for (i, (line, lineWant)) in zip(inputs, expected).enumerated() {
            let st = try staged.observeJsonStaged(messageJson: line)
            let o = try records.observe(message: try parseMessage(json: line))
            let documents = try [o.escalation, o.recipientEscalation, o.senderEscalation].compactMap { $0 }
                .map { try JSON.parse($0.json) }
            XCTAssertEqual(try st.escalations.map(JSON.parse), documents, "message \(i + 1): escalations")
            let oneTracker = ["escalation", "recipient_escalation", "sender_escalation"].map { lineWant[$0] }
                .filter { $0 != .null }
            XCTAssertEqual(oneTracker, documents, "message \(i + 1): as one tracker")
            XCTAssertEqual(st.caseContact, o.caseContact, "message \(i + 1): contact")
            if let c = st.caseContact {
                contacts.append(c)
            }
        }
        XCTAssertFalse(contacts.isEmpty)
        let second = Tracker(engine: engine)
        let got = try contacts.compactMap { try second.observeContactJson(contactJson: $0) }.map(JSON.parse)
        XCTAssertEqual(got, want)
        XCTAssertThrowsError(try second.observeContactJson(contactJson: "{}"))
    }

    /// The interventions vector as an app uses it before delivering a message: line 8 is
    /// delivered masked, line 9 held for review, and the nudges show their notice in the child's
    /// language (English, then German).
    func testTheInterventionsVectorInTheMessagePath() throws {
        let inputs = nonBlankLines(try readText("interventions.input.jsonl"))
        let engine = try vectorEngine([.string("shipped"), .string("interventions.toml")])
        let tracker = Tracker(engine: engine)
        let observations = try inputs.map { try tracker.observe(message: try parseMessage(json: $0)) }
        let masked = try XCTUnwrap(observations[7].intervention, "line 8 is masked")
        XCTAssertEqual(masked.action, .mask)
        XCTAssertEqual(masked.maskedText, "my snap is \u{2022}\u{2022}\u{2022} or text \u{2022}\u{2022}\u{2022}")
        XCTAssertEqual(masked.spans.count, 2)
        XCTAssertEqual(deliver(observations[7], "unused"), "my snap is ••• or text •••")
        let held = try XCTUnwrap(observations[8].intervention, "line 9 is held")
        XCTAssertEqual(held.action, .hold)
        XCTAssertEqual(held.id, "hold-coercion")
        XCTAssertNil(held.maskedText)
        XCTAssertNil(held.notice)
        XCTAssertNil(deliver(observations[8], "unused"))
        let languages = observations.compactMap { $0.intervention }
            .filter { $0.action == .nudgeRecipient }
            .map { $0.notice?.language ?? "none" }
        XCTAssertTrue(languages.contains("en") && languages.contains("de"), "\(languages)")
        XCTAssertNil(observations.last?.intervention, "adults: delivered as they are")
    }
}
