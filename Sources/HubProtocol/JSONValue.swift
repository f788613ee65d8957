import Foundation

/// A JSON value, used for envelope bodies so that the bus can carry any domain
/// payload while each handler decodes exactly the type it expects.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Parses JSON text strictly (RFC 8259; see `JSONText`). Nesting deeper than 64 levels
    /// is refused (a cheap guard against abuse).
    public static func parse(_ bytes: [UInt8]) throws(HubError) -> JSONValue {
        try JSONText.parse(bytes)
    }

    /// Serialises compactly with sorted keys (stable output for tests and hashing).
    public func serialized() -> [UInt8] {
        JSONText.serialize(self)
    }

    /// Encodes any `Encodable` value as a JSON value.
    public static func from<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONText.parse(Array(try JSONEncoder().encode(value)))
    }

    /// Decodes this value as `T`; a failure names the field that did not fit.
    public func decode<T: Decodable>(_ type: T.Type, fieldPrefix: String = "body") throws(HubError) -> T {
        try decode(type, fieldPrefix: fieldPrefix, recorder: nil)
    }

    /// The same, noting in `recorder` the keys each object's type asks for.
    func decode<T: Decodable>(_ type: T.Type, fieldPrefix: String, recorder: KeyRecorder?) throws(HubError) -> T {
        do {
            return try T(from: JSONValueDecoder(self, recorder: recorder))
        } catch let error as DecodingError {
            throw HubError.from(error, prefix: fieldPrefix)
        } catch let error as HubError {
            throw error
        } catch {
            throw HubError(.validation, "The body could not be read.", field: fieldPrefix)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var numberValue: Double? { if case .number(let n) = self { return n }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
}

extension HubError {
    /// Maps a `DecodingError` to a validation error naming the field, without echoing values.
    public static func from(_ error: DecodingError, prefix: String) -> HubError {
        func path(_ keys: [any CodingKey]) -> String { fieldName(keys, prefix: prefix) }
        switch error {
        case .keyNotFound(let key, let ctx):
            return HubError(.validation, "A required field is missing.", field: path(ctx.codingPath + [key]))
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
            return HubError(.validation, "The field has the wrong type.", field: path(ctx.codingPath))
        case .dataCorrupted(let ctx):
            if let underlying = ctx.underlyingError as? HubError {
                var e = underlying
                if e.field == nil { e.field = path(ctx.codingPath) }
                return e
            }
            return HubError(.validation, "The field has an invalid value.", field: path(ctx.codingPath))
        @unknown default:
            return HubError(.validation, "The body could not be read.", field: prefix)
        }
    }

    /// A coding path as an error names a field: `body.programme[2].title`.
    static func fieldName(_ keys: [any CodingKey], prefix: String) -> String {
        ([prefix] + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue })
            .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
