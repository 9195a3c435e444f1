// Report drafts through the Swift binding: a reviewed escalation document becomes a draft;
// refusals are VigilError.Draft with the core's message.

import Foundation
import XCTest
import Vigil

/// `tests/drafts/sextortion.jsonl`, next to the vectors.
private func sextortionLines() throws -> [String] {
    let url = vectorsDir.deletingLastPathComponent().appendingPathComponent("drafts/sextortion.jsonl")
    return nonBlankLines(try String(contentsOf: url, encoding: .utf8))
}

private func level(_ doc: String) throws -> String? {
    try JSON.parse(doc)["level"].string
}

private func options(reviewedBy: String = "mod-7", decision: String = "confirmed") -> DraftOptions {
    DraftOptions(
        reviewedBy: reviewedBy, decision: decision, reviewedAtMs: 1_790_000_000_000,
        platform: "ExampleChat", medium: "online_gaming", declaredAges: ["u-3141": 13]
    )
}

final class DraftTests: XCTestCase {
    /// The conversation-scope escalation documents of `sx-1`, in order.
    private func escalations() throws -> [String] {
        let tracker = Tracker(engine: try Engine.shipped())
        return try sextortionLines().compactMap { try tracker.observeJsonEscalation(messageJson: $0) }
    }

    private func assertDraftError(_ body: @autoclosure () throws -> Any, contains needle: String,
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case let VigilError.Draft(message) = error else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(message.contains(needle), message, file: file, line: line)
        }
    }

    func testAConfirmedUrgentEscalationMakesACyberTiplineDraft() throws {
        let urgent = try XCTUnwrap(try escalations().last)
        XCTAssertEqual(try level(urgent), "urgent")
        let d = try draftCybertipline(escalationJson: urgent, options: options())
        XCTAssertTrue(d.xml.contains("<sextortion/>"), d.xml)
        XCTAssertTrue(d.xml.contains("Online Enticement of Children for Sexual Acts"), d.xml)
        XCTAssertTrue(d.xml.contains("TO_BE_COMPLETED"), d.xml)
        XCTAssertTrue(d.xml.contains("<onlineGamingIncident>"), d.xml)
        XCTAssertTrue(d.xml.contains("<age>13</age>"), d.xml)
        XCTAssertEqual(try JSON.parse(d.json)["schema"].string, "vigil.draft.cybertipline/1")
        // Only the reviewer and the decision are required.
        let plain = try draftCybertipline(escalationJson: urgent, options: DraftOptions(reviewedBy: "mod-7", decision: "confirmed"))
        XCTAssertTrue(plain.xml.contains("<chatImIncident>"), plain.xml)
    }

    func testACaseExportIsNeutral() throws {
        let urgent = try XCTUnwrap(try escalations().last)
        let x = try draftCaseExport(escalationJson: urgent, options: options())
        XCTAssertEqual(try JSON.parse(x)["schema"].string, "vigil.case-export/1")
        XCTAssertFalse(x.contains("Online Enticement"))
    }

    func testDraftsAreRefusedWithTheTypedError() throws {
        let all = try escalations()
        let urgent = try XCTUnwrap(all.last)
        assertDraftError(try draftCybertipline(escalationJson: urgent, options: options(reviewedBy: "")), contains: "reviewer")
        assertDraftError(try draftCaseExport(escalationJson: urgent, options: options(reviewedBy: " ")), contains: "reviewer")
        let watch = try XCTUnwrap(try all.first { try level($0) == "watch" })
        assertDraftError(try draftCybertipline(escalationJson: watch, options: options()), contains: "this one is at `watch`")
        assertDraftError(try draftCaseExport(escalationJson: watch, options: options()), contains: "`review` or above")
        assertDraftError(try draftCybertipline(escalationJson: urgent, options: options(decision: "dismissed")), contains: "`confirmed` decision")
        assertDraftError(try draftCybertipline(escalationJson: urgent, options: options(decision: "maybe")), contains: "unknown decision")
        assertDraftError(try draftCaseExport(escalationJson: "{", options: options()), contains: "invalid escalation document")
    }
}
