import Foundation

/// The JSON envelope of every message on the bus (docs/protocol.md, "Envelope").
///
/// The envelope carries identity and routing facts (id, correlation id, type,
/// timestamp, schema version); the domain content is in `body`, kept as raw JSON so
/// the broker never has to parse domain data and each handler decodes exactly the
/// type it expects.
public struct Envelope: Sendable, Equatable {
    /// The envelope schema version this code writes and accepts.
    public static let currentVersion = 1

    public var version: Int
    /// Unique per message, made by the sender; the idempotency key.
    public var id: String
    /// For a reply or a consequence: the id of the message it answers.
    public var correlationID: String?
    /// `service.action` for requests (`referrals.submit`), `topic` for events.
    public var type: String
    /// ISO 8601 time the sender made the message.
    public var timestamp: String
    /// For requests: the request body. For replies: the result (when `error` is nil).
    public var body: JSONValue
    /// For replies only: the structured error, when the request failed.
    public var error: HubError?

    public init(
        version: Int = Envelope.currentVersion,
        id: String = MessageID.make(),
        correlationID: String? = nil,
        type: String,
        timestamp: String = Timestamp.now(),
        body: JSONValue = .object([:]),
        error: HubError? = nil
    ) {
        self.version = version
        self.id = id
        self.correlationID = correlationID
        self.type = type
        self.timestamp = timestamp
        self.body = body
        self.error = error
    }

    /// A successful reply to `request` carrying `result`.
    public static func reply(to request: Envelope, result: JSONValue) -> Envelope {
        Envelope(correlationID: request.id, type: request.type + ".reply", body: result)
    }

    /// An error reply. `request` may be nil when the request could not be parsed.
    public static func failure(to requestID: String?, type: String, _ error: HubError) -> Envelope {
        Envelope(correlationID: requestID, type: type + ".reply", body: .null, error: error)
    }

    /// Encodes to the wire JSON.
    public func encoded() -> [UInt8] {
        var object: [String: JSONValue] = [
            "v": .number(Double(version)),
            "id": .string(id),
            "type": .string(type),
            "ts": .string(timestamp),
            "body": body,
        ]
        if let correlationID { object["corr"] = .string(correlationID) }
        if let error {
            var e: [String: JSONValue] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
            if let field = error.field { e["field"] = .string(field) }
            if let reason = error.reason { e["reason"] = .string(reason.rawValue) }
            if let details = error.details, !details.isEmpty {
                e["details"] = .array(details.map { d in
                    var item: [String: JSONValue] = ["field": .string(d.field), "message": .string(d.message)]
                    if let reason = d.reason { item["reason"] = .string(reason.rawValue) }
                    return .object(item)
                })
            }
            object["error"] = .object(e)
        }
        return JSONValue.object(object).serialized()
    }

    /// Parses and validates wire JSON; every problem is reported with the field it concerns.
    public static func decode(_ bytes: some Collection<UInt8>) throws(HubError) -> Envelope {
        let value: JSONValue
        do {
            value = try JSONValue.parse(Array(bytes))
        } catch {
            throw HubError(.invalidJSON, "The payload is not valid JSON.")
        }
        guard case .object(let o) = value else {
            throw HubError(.invalidJSON, "The envelope must be a JSON object.")
        }
        // A whole number small enough to be an Int (1e300 would trap in `Int(v)`: found by fuzzing).
        guard case .number(let v)? = o["v"], v == v.rounded(), abs(v) < 1_000_000 else {
            throw HubError(.invalidJSON, "The schema version is missing or not a whole number.", field: "v")
        }
        guard Int(v) == currentVersion else {
            throw HubError(.unsupportedVersion, "Schema version \(Int(v)) is not supported; use \(currentVersion).", field: "v")
        }
        guard case .string(let id)? = o["id"], MessageID.isValid(id) else {
            throw HubError(.invalidJSON, "The message id is missing or not 1–128 printable characters.", field: "id")
        }
        guard case .string(let type)? = o["type"], MessageType.isValid(type) else {
            throw HubError(.invalidJSON, "The message type is missing or not of the form service.action.", field: "type")
        }
        guard case .string(let ts)? = o["ts"], Timestamp.isValid(ts) else {
            throw HubError(.invalidJSON, "The timestamp is missing or not ISO 8601 (UTC).", field: "ts")
        }
        var corr: String?
        switch o["corr"] {
        case nil, .null?: corr = nil
        case .string(let c)? where MessageID.isValid(c): corr = c
        default: throw HubError(.invalidJSON, "The correlation id is not a valid message id.", field: "corr")
        }
        var error: HubError?
        if case .object(let e)? = o["error"] {
            guard case .string(let code)? = e["code"], case .string(let message)? = e["message"] else {
                throw HubError(.invalidJSON, "An error needs a code and a message.", field: "error")
            }
            var field: String?
            if case .string(let f)? = e["field"] { field = f }
            var details: [HubError.Detail]?
            if case .array(let items)? = e["details"] {
                details = items.compactMap { item in
                    guard case .string(let f)? = item["field"], case .string(let m)? = item["message"] else { return nil }
                    return HubError.Detail(field: f, message: m, reason: item["reason"]?.stringValue.map(HubError.Reason.init(_:)))
                }
            }
            let reason = e["reason"]?.stringValue.map(HubError.Reason.init(_:))
            error = HubError(HubError.Code(code), message, field: field, reason: reason, details: details)
        }
        return Envelope(version: Int(v), id: id, correlationID: corr, type: type, timestamp: ts,
                        body: o["body"] ?? .null, error: error)
    }
}

/// Message ids: UUIDs made by the sender, the key for idempotency.
public enum MessageID {
    /// A random (version 4) UUID in lower case. Made from the system's random generator
    /// (`getrandom`) directly: Foundation's `UUID()` opened /dev/urandom for each one,
    /// a system call or three on every message (`perf`, `hub bench bus`).
    public static func make() -> String {
        var g = SystemRandomNumberGenerator()
        let hi = g.next() as UInt64, lo = g.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: hi >> (56 - 8 * i)); bytes[8 + i] = UInt8(truncatingIfNeeded: lo >> (56 - 8 * i)) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40 // version 4
        bytes[8] = (bytes[8] & 0x3f) | 0x80 // RFC 4122 variant
        let hex = Hex.digits
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
    public static func isValid(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 128 && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f }
    }
}

/// Message types: lower-case dotted names, the first part naming the service.
public enum MessageType {
    public static func isValid(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, s.utf8.count <= 100 else { return false }
        return parts.allSatisfy { p in
            !p.isEmpty && p.utf8.allSatisfy { c in (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c == 0x2d }
        }
    }
    /// The service a request type is routed to: the part before the first dot.
    public static func service(of type: String) -> Substring {
        type.prefix { $0 != "." }
    }
}

/// ISO 8601 timestamps in UTC with milliseconds.
public enum Timestamp {
    public static func now() -> String { string(from: Date()) }
    /// `2026-05-12T07:00:00.250Z`. By hand (`UTCFields`): the ISO 8601 format style cost
    /// about 2 % of a referral's CPU, and this runs for every stored row and event.
    public static func string(from date: Date) -> String { UTCFields(date).isoMilliseconds }
    public static func isValid(_ s: String) -> Bool { date(from: s) != nil }
    public static func date(from s: String) -> Date? {
        if let d = try? Date(s, strategy: .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)) { return d }
        return try? Date(s, strategy: .iso8601)
    }
}
