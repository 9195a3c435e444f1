// The Swift API: errors, threads, snapshots, conversions and helpers.

import Dispatch
import Foundation
import XCTest
import Vigil

private func msg(_ id: String, _ text: String, conversation: String = "c-1", at: Int64 = 1_762_020_245_000,
                 channel: String = "direct", relationship: String = "stranger") -> Message {
    Message(
        conversationId: conversation, messageId: id, timestampMs: at,
        sender: Participant(id: "u-9", ageBand: .adult, accountAgeDays: 2),
        recipient: Participant(id: "u-4", ageBand: .minor),
        channel: channel, relationship: relationship, text: text
    )
}

final class ApiTests: XCTestCase {
    private let shipped = try! Engine.shipped()

    func testPolicyErrorsCarryTheCoreMessage() {
        XCTAssertThrowsError(try PolicyBuilder().addToml(name: "my.toml", text: "[[rule]]\nid = \"x\"\ncategory = \"nope\"\nwieght = 3\n")) { error in
            guard case let VigilError.Policy(message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.hasPrefix("my.toml:4:1"), message)
            XCTAssertTrue(message.contains("wieght"), message)
            XCTAssertEqual((error as? VigilError)?.message, message)
        }
    }

    func testAFailedAddLeavesTheBuilderAsItWas() throws {
        let builder = try PolicyBuilder().addShipped()
        XCTAssertThrowsError(try builder.addToml(name: "bad.toml", text: "[[rule]\n"))
        XCTAssertEqual(try builder.build().hash(), try Policy.shipped().hash())
    }

    func testUnknownPacksAndUnreadableFilesAreErrors() {
        XCTAssertThrowsError(try PolicyBuilder().addPack(name: "klingon")) { error in
            XCTAssertTrue((error as? VigilError)?.message.contains("no shipped pack named `klingon`") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try PolicyBuilder().addFile(path: "/nonexistent/acme.toml")) { error in
            guard case let VigilError.Io(message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.hasPrefix("/nonexistent/acme.toml: "), message)
        }
    }

    func testAnOverrideFileChangesThePolicy() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("acme-\(UUID().uuidString).toml")
        try "[policy]\nid = \"acme\"\nversion = \"3\"\n[scoring]\nlevels = { review = 55 }\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let engine = try engineWithOverrides([url])
        XCTAssertTrue(engine.policy().id().hasSuffix("+acme"))
        XCTAssertEqual(engine.levelFor(risk: 55), .review)
        XCTAssertEqual(engine.levelFor(risk: 54), .watch)
    }

    func testInvalidMessagesNameTheField() {
        let tracker = Tracker(engine: shipped)
        XCTAssertThrowsError(try tracker.observeJson(messageJson: #"{"conversation_id":"c","timestamp":0,"sender":{"id":"a"},"text":""}"#)) { error in
            guard case let VigilError.Message(message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("message_id"), message)
        }
        var bad = msg("m-1", "hi")
        bad = Message(conversationId: "", messageId: bad.messageId, timestampMs: bad.timestampMs, sender: bad.sender,
                      recipient: bad.recipient, channel: bad.channel, relationship: bad.relationship, text: bad.text)
        XCTAssertThrowsError(try tracker.observe(message: bad))
        XCTAssertEqual(tracker.stats().observed, 0)
        XCTAssertThrowsError(try parseTimestamp(text: "yesterday"))
    }

    func testAssessHighlightsTheBytesTheUserTyped() throws {
        let m = msg("m-1", "ok \u{1F600} d0n'7 t e l l ur parents about us")
        let a = try shipped.assess(message: m)
        XCTAssertGreaterThan(a.score, 0)
        let hit = try XCTUnwrap(a.hits.first)
        XCTAssertEqual(m.text.slice(hit.span), "d0n'7 t e l l ur parents")
        XCTAssertEqual(String(m.text[m.text.range(of: hit.span)]), "d0n'7 t e l l ur parents")
        let json = try JSON.parse(try shipped.assessJson(messageJson: m.toJson()))
        XCTAssertEqual(json["hits"].items.count, a.hits.count)
    }

    func testEscalationsCarryRecordsAndTheJsonDocument() throws {
        let tracker = Tracker(engine: shipped)
        let texts = ["how old are you?", "dont tell your parents about us", "add me on snap", "send a pic"]
        var escalations: [Escalation] = []
        for (i, t) in texts.enumerated() {
            if let e = try tracker.observe(message: msg("m-\(i)", t, at: 1_762_020_245_000 + Int64(i) * 60_000)).escalation {
                escalations.append(e)
            }
        }
        let e = try XCTUnwrap(escalations.last)
        let doc = try JSON.parse(e.json)
        XCTAssertEqual(doc["schema"].string, "vigil.escalation/1")
        XCTAssertEqual(doc["evidence"].items.count, e.evidence.count)
        XCTAssertEqual(e.participants.recipient?.id, "u-4")
        if case .object = try JSON.parse(escalationSchema()) {} else { XCTFail("schema is not a JSON object") }
    }

    func testAnEscalationListsIndicatorsFieldByField() throws {
        let address = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
        let tracker = Tracker(engine: shipped)
        let first = msg("m-1", "how old r u? dont tell your parents, my btc is \(address)")
        let e = try XCTUnwrap(try tracker.observe(message: first).escalation)
        let wallets = e.indicators.filter { $0.kind == .wallet }
        XCTAssertEqual(wallets.count, 1)
        let w = try XCTUnwrap(wallets.first)
        XCTAssertEqual(w.value, address)
        XCTAssertEqual(w.detail, "bitcoin")
        XCTAssertEqual(w.checked, true)
        XCTAssertEqual(w.messageId, "m-1")
        XCTAssertEqual(first.text.slice(w.span), address)
        XCTAssertEqual(w.count, 1)
        let items = try JSON.parse(e.json)["indicators"].items.filter { $0["kind"].string == "wallet" }
        XCTAssertEqual(items.first?["value"].string, address)
        // Seen again in a later message that escalates: still the first sighting, counted twice.
        let again = try XCTUnwrap(try tracker.observe(message: msg("m-2", "send a pic, same btc \(address)", at: 1_762_020_305_000)).escalation)
        let w2 = try XCTUnwrap(again.indicators.first { $0.kind == .wallet })
        XCTAssertEqual(w2.messageId, "m-1")
        XCTAssertEqual(w2.count, 2)
    }

    func testOneTrackerIsSafeToShareAcrossThreads() {
        let tracker = Tracker(engine: shipped)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<25 {
                _ = try? tracker.observe(message: msg("m-\(i)", "dont tell your parents, add me on snap", conversation: "c-\(t)"))
            }
        }
        XCTAssertEqual(tracker.stats().observed, 200)
        XCTAssertEqual(tracker.len(), 8)
    }

    func testSnapshotsRoundTrip() throws {
        let inputs = nonBlankLines(try readText("sample.input.jsonl"))
        let expected = try nonBlankLines(try readText("sample.expected.jsonl")).map(JSON.parse)
        let a = Tracker(engine: shipped)
        let half = inputs.count / 2
        for line in inputs[..<half] { _ = try a.observeJson(messageJson: line) }
        let b = Tracker(engine: shipped)
        try b.restore(snapshot: a.snapshot())
        XCTAssertEqual(a.len(), b.len())
        for i in half..<inputs.count {
            let fromA = try JSON.parse(try a.observeJson(messageJson: inputs[i]))
            let fromB = try JSON.parse(try b.observeJson(messageJson: inputs[i]))
            XCTAssertEqual(fromB, expected[i], "observation \(i + 1) after restore")
            XCTAssertEqual(fromA, fromB)
        }
        XCTAssertThrowsError(try a.restore(snapshot: Data("not a snapshot".utf8))) { error in
            XCTAssertEqual((error as? VigilError)?.message, "not a Vigil snapshot (bad magic bytes)")
        }
        let snap = a.snapshot()
        XCTAssertThrowsError(try a.restore(snapshot: snap.dropLast()))
        XCTAssertEqual(a.snapshot(), snap, "a failed restore changes nothing")
    }

    func testMessagesAndTimestampsConvertBothWays() throws {
        let m = msg("m-1", "hello")
        XCTAssertEqual(try Message.fromJson(m.toJson()), m)
        XCTAssertEqual(formatTimestamp(timestampMs: try parseTimestamp(text: "2026-11-01T19:04:05+01:00")), "2026-11-01T18:04:05Z")
    }

    func testTimestampsAsPlatformsWriteThem() throws {
        for text in ["2026-11-01 18:04:05Z", "1793556245", "1793556245000"] {
            XCTAssertEqual(try parseTimestamp(text: text), 1_793_556_245_000, text)
        }
    }

    func testAPlatformExportReadsLeniently() throws {
        let m = try Message.fromJson(#"{"conversation_id": 4004, "message_id": 7, "timestamp": 1793556245, "sender": {"id": 9001, "age": "40"}, "recipient": {"id": "u-4", "age_band": "teen", "age": 13}, "channel": "Lobby", "relationship": "friend", "text": "hi"}"#)
        XCTAssertEqual([m.conversationId, m.messageId, m.sender.id], ["4004", "7", "9001"])
        XCTAssertEqual(m.timestampMs, 1_793_556_245_000)
        XCTAssertEqual(m.sender.age, 40)
        XCTAssertEqual(m.recipient?.ageBand, .unknown)
        XCTAssertEqual(m.channel, "Lobby")
        XCTAssertEqual(m.relationship, "friend")
    }

    func testPlatformWordsAreAcceptedScoredByKindAndKept() throws {
        let tracker = Tracker(engine: shipped)
        let m = msg("m-1", "how old are you? dont tell your parents about us", channel: "lobby", relationship: "friend")
        let obs = try tracker.observe(message: m)
        let platform = try XCTUnwrap(obs.platform)
        XCTAssertEqual(platform.channel, PlatformWord(word: "lobby", kind: "public", mapped: true))
        XCTAssertEqual(platform.relationship, PlatformWord(word: "friend", kind: "contact", mapped: true))
        XCTAssertNil(obs.recipient, "a public channel has no recipient on the key")
        let e = try XCTUnwrap(obs.escalation)
        XCTAssertEqual(e.channel, .public)
        XCTAssertEqual(e.relationship, .contact)
        XCTAssertEqual(e.platform, platform)
        XCTAssertEqual(try JSON.parse(e.json)["platform"]["channel"]["word"].string, "lobby")

        let unmapped = msg("m-2", "hi", channel: "hologram")
        let p = try XCTUnwrap(try tracker.observe(message: unmapped).platform)
        XCTAssertEqual(p.channel, PlatformWord(word: "hologram", kind: "unknown", mapped: false))
        XCTAssertNil(p.relationship, "a kind's name is not repeated")
        XCTAssertNil(try tracker.observe(message: msg("m-3", "hi")).platform)

        XCTAssertEqual(shipped.channelKind(word: "Lobby"), ChannelKind(kind: .public, mapped: true))
        XCTAssertEqual(shipped.relationshipKind(word: "nemesis"), RelationshipKind(kind: .unknown, mapped: false))
        XCTAssertEqual(shipped.adultAge(), 18)
    }

    func testShippedPacksPassTheirOwnExamples() {
        XCTAssertEqual(shippedPackNames().first, "core")
        XCTAssertNil(shippedPackSource(name: "klingon"))
        XCTAssertEqual(shipped.checkExamples(), [])
        XCTAssertGreaterThan(shipped.ruleCount(), 0)
    }
}
