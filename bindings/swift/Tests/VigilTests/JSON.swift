import Foundation
import XCTest
import Vigil

/// A parsed JSON value (strict: booleans are not numbers).
indirect enum JSON: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSON].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSON].self))
        }
    }

    static func parse(_ text: String) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: Data(text.utf8))
    }

    subscript(key: String) -> JSON {
        if case let .object(o) = self { return o[key] ?? .null }
        return .null
    }

    var string: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    var number: Double? {
        if case let .number(n) = self { return n }
        return nil
    }

    var items: [JSON] {
        if case let .array(a) = self { return a }
        return []
    }
}

/// nil when equal as JSON (numbers within the core's 3-decimal rounding), else where they differ.
func difference(_ path: String, _ got: JSON, _ want: JSON) -> String? {
    switch (got, want) {
    case let (.number(g), .number(w)):
        return abs(g - w) <= 5e-4 + 1e-9 ? nil : "\(path): \(g) != \(w)"
    case let (.array(g), .array(w)):
        if g.count != w.count { return "\(path): \(g.count) items != \(w.count)" }
        for (i, (a, b)) in zip(g, w).enumerated() {
            if let d = difference("\(path)[\(i)]", a, b) { return d }
        }
        return nil
    case let (.object(g), .object(w)):
        if Set(g.keys) != Set(w.keys) { return "\(path): keys \(g.keys.sorted()) != \(w.keys.sorted())" }
        for (k, b) in w {
            if let d = difference("\(path).\(k)", g[k] ?? .null, b) { return d }
        }
        return nil
    default:
        return got == want ? nil : "\(path): \(got) != \(want)"
    }
}

/// `tests/vectors/`: $VIGIL_VECTORS, or found from this file's location in the repository.
let vectorsDir: URL = {
    if let env = ProcessInfo.processInfo.environment["VIGIL_VECTORS"] {
        return URL(fileURLWithPath: env)
    }
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<8 {
        let candidate = dir.appendingPathComponent("tests/vectors/index.json")
        if FileManager.default.fileExists(atPath: candidate.path) {
            return candidate.deletingLastPathComponent()
        }
        dir = dir.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: "tests/vectors")
}()

func readText(_ name: String) throws -> String {
    try String(contentsOf: vectorsDir.appendingPathComponent(name), encoding: .utf8)
}

func nonBlankLines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
}

/// An engine for a vector's layers: "shipped" or a file in tests/vectors/ loaded under its name.
func vectorEngine(_ layers: [JSON]) throws -> Engine {
    var builder = PolicyBuilder()
    for layer in layers {
        let name = layer.string ?? ""
        if name == "shipped" {
            builder = try builder.addShipped()
        } else {
            builder = try builder.addSource(name: name, text: try readText(name))
        }
    }
    return try Engine(policy: builder.build())
}
