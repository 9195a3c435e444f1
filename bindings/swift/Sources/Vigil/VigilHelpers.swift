// Small helpers over the generated API in Vigil.swift (records, enums, Engine, Tracker,
// PolicyBuilder, VigilError). They convert; the scoring happens in the Rust core.

import Foundation

extension VigilError {
    /// The core's message, such as `my.toml:4:1: unknown field `wieght`…`.
    public var message: String {
        switch self {
        case let .Policy(message), let .Message(message), let .Snapshot(message),
             let .Timestamp(message), let .Batch(message), let .Contact(message), let .Io(message),
             let .Draft(message), let .Bundle(message):
            return message
        }
    }
}

extension Message {
    /// Parses one message from JSON (one line of a JSON Lines file) with the core's lenient
    /// reader, so a platform's export reads as it is (integer ids, ages as digits, epoch
    /// timestamps, its own channel and relationship words).
    public static func fromJson(_ json: String) throws -> Message {
        try parseMessage(json: json)
    }

    /// The message as one line of JSON, as the core writes it.
    public func toJson() -> String {
        messageToJson(message: self)
    }

    /// When the message was sent.
    public var sentAt: Date {
        Date(timeIntervalSince1970: TimeInterval(timestampMs) / 1000)
    }
}

extension Escalation {
    /// When the escalation was raised (the raising message's timestamp).
    public var raisedAt: Date {
        Date(timeIntervalSince1970: TimeInterval(raisedAtMs) / 1000)
    }
}

extension String {
    /// The index range a `Span` covers. Spans are byte offsets into the UTF-8 encoding (as in
    /// the escalation JSON); offsets past the end are clamped. Use `NSRange(range, in: text)` to
    /// highlight with attributed strings.
    public func range(of span: Span) -> Range<String.Index> {
        let count = UInt64(utf8.count)
        let start = Int(Swift.min(span.start, count))
        let end = Int(Swift.max(Swift.min(span.end, count), UInt64(start)))
        let from = utf8.index(utf8.startIndex, offsetBy: start)
        let to = utf8.index(utf8.startIndex, offsetBy: end)
        return from..<to
    }

    /// The text a `Span` covers.
    public func slice(_ span: Span) -> String {
        String(self[range(of: span)])
    }
}

/// An engine of the shipped packs with override files (TOML or JSON) layered on top, in order.
/// Throws `VigilError.Policy` (with file, line and column) or `VigilError.Io`.
public func engineWithOverrides(_ overrides: [URL]) throws -> Engine {
    var builder = try PolicyBuilder().addShipped()
    for url in overrides {
        builder = try builder.addFile(path: url.path)
    }
    return try Engine(policy: builder.build())
}
