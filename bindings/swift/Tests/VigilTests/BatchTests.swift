// The golden vectors replayed in one batch call each way — `observeBatch` (records),
// `observeBatchEscalations`, `observeJsonBatch` (JSON lines) and `observeColumns` (an
// Arrow-layout `json` column) — against the same vector observed message by message: the same
// observations, escalations and per-row columns. Mirrors the Kotlin `batchCase` (VectorTests.kt).

import Foundation
import XCTest
import Vigil

/// Arrow-layout buffers of a utf8 column of these values (no nulls).
func utf8Column(_ name: String, _ values: [String]) -> Utf8ColumnBuffers {
    var offsets = Data()
    var data = Data()
    var end = Int32(0)
    withUnsafeBytes(of: end.littleEndian) { offsets.append(contentsOf: $0) }
    for v in values {
        data.append(contentsOf: Array(v.utf8))
        end = Int32(data.count)
        withUnsafeBytes(of: end.littleEndian) { offsets.append(contentsOf: $0) }
    }
    return Utf8ColumnBuffers(name: name, offsets: offsets, data: data, len: UInt64(values.count))
}

/// Every escalation of observations, as (row, document), in the order `vigil scan` prints them.
private func raised(_ observations: [Observation]) throws -> [(UInt64, JSON)] {
    var out: [(UInt64, JSON)] = []
    for (i, o) in observations.enumerated() {
        for e in [o.escalation, o.recipientEscalation, o.senderEscalation].compactMap({ $0 }) {
            out.append((UInt64(i), try JSON.parse(e.json)))
        }
    }
    return out
}

private func assertSame(_ got: [(UInt64, JSON)], _ want: [(UInt64, JSON)], _ what: String) {
    XCTAssertEqual(got.map { $0.0 }, want.map { $0.0 }, "\(what): rows")
    XCTAssertEqual(got.map { $0.1 }, want.map { $0.1 }, "\(what): documents")
}

private func levelCode(_ l: Level?) -> UInt8 {
    switch l {
    case nil: return 0
    case .watch?: return 1
    case .review?: return 2
    case .urgent?: return 3
    }
}

private func actionCode(_ i: Intervention?) -> UInt8 {
    switch i?.action {
    case nil: return 0
    case .nudgeRecipient?: return 1
    case .nudgeSender?: return 2
    case .mask?: return 3
    case .hold?: return 4
    }
}

final class BatchTests: XCTestCase {
    func testEveryVectorInOneBatchCall() throws {
        let index = try JSON.parse(try readText("index.json")).items
        XCTAssertFalse(index.isEmpty, "index.json lists no vector")
        for vector in index {
            let vname = vector["name"].string ?? "?"
            let inputs = nonBlankLines(try readText("\(vname).input.jsonl"))
            let expected = try nonBlankLines(try readText("\(vname).expected.jsonl")).map(JSON.parse)
            let engine = try vectorEngine(vector["policy"].items)
            let records = try inputs.map { try parseMessage(json: $0) }
            let one = Tracker(engine: engine)
            let single = try records.map { try one.observe(message: $0) }
            let byJson = Tracker(engine: engine)
            let singleJson = try inputs.map { try byJson.observeJson(messageJson: $0) }
            XCTAssertEqual(try singleJson.map(JSON.parse), expected, "\(vname): one by one")

            let batch = try Tracker(engine: engine).observeBatch(messages: records)
            XCTAssertEqual(batch, single, "\(vname): observeBatch")
            let escalations = try Tracker(engine: engine).observeBatchEscalations(messages: records)
                .map { ($0.row, try JSON.parse($0.json)) }
            assertSame(escalations, try raised(single), "\(vname): observeBatchEscalations")

            let options = BatchOptions(observationJson: true)
            let fromLines = Tracker(engine: engine).observeJsonBatch(lines: inputs, options: options)
            let fromColumns = try Tracker(engine: engine).observeColumns(
                rows: UInt64(inputs.count), utf8: [utf8Column("json", inputs)], int64: [], options: options)
            for (how, out) in [("observeJsonBatch", fromLines), ("observeColumns", fromColumns)] {
                XCTAssertEqual(out.observations, singleJson, "\(vname): \(how) observations")
                XCTAssertEqual(out.messages, UInt64(inputs.count), "\(vname): \(how) messages")
                XCTAssertTrue(out.errors.isEmpty, "\(vname): \(how): \(out.errors)")
                assertSame(try out.escalations.map { ($0.row, try JSON.parse($0.json)) }, try raised(single),
                           "\(vname): \(how) escalations")
                let risks = [UInt8](out.risks)
                let levels = [UInt8](out.levels)
                let counts = [UInt8](out.escalationCounts)
                let actions = [UInt8](out.actions)
                for (i, o) in single.enumerated() {
                    var bits = UInt64(0)
                    for b in 0..<8 { bits |= UInt64(risks[i * 8 + b]) << (8 * UInt64(b)) }
                    XCTAssertEqual(Double(bitPattern: bits), o.risk, "\(vname): \(how) risk \(i + 1)")
                    XCTAssertEqual(levels[i], levelCode(o.level), "\(vname): \(how) level \(i + 1)")
                    let count = [o.escalation, o.recipientEscalation, o.senderEscalation].compactMap { $0 }.count
                    XCTAssertEqual(Int(counts[i]), count, "\(vname): \(how) escalations \(i + 1)")
                    XCTAssertEqual(actions[i], actionCode(o.intervention), "\(vname): \(how) action \(i + 1)")
                }
            }
            let only = Tracker(engine: engine).observeJsonBatch(lines: inputs, options: BatchOptions(escalationsOnly: true))
            XCTAssertTrue(only.levels.isEmpty && only.observations.isEmpty, "\(vname): escalations only")
            assertSame(try only.escalations.map { ($0.row, try JSON.parse($0.json)) }, try raised(single),
                       "\(vname): escalations only")
        }
    }

    func testBadBatchesRaiseBatchErrors() throws {
        let tracker = Tracker(engine: try Engine.shipped())
        let col = utf8Column("json", ["{}"])
        var offsets = col.offsets
        offsets[offsets.startIndex + 4] = 50
        let bad = Utf8ColumnBuffers(name: "json", offsets: offsets, data: col.data, len: 1)
        XCTAssertThrowsError(try tracker.observeColumns(rows: 1, utf8: [bad], int64: [], options: BatchOptions())) { error in
            guard case .Batch = error as? VigilError else { return XCTFail("expected VigilError.Batch, got \(error)") }
            XCTAssertEqual((error as? VigilError)?.message, "column `json`, row 0: offsets 0..50 past the data (2 bytes)")
        }
        let out = tracker.observeJsonBatch(lines: ["{not json", "{}"], options: BatchOptions())
        XCTAssertEqual(out.errors.map { $0.row }, [0, 1], "malformed rows")
        XCTAssertEqual(tracker.stats().observed, 0, "nothing observed")
    }
}
