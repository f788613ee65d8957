/// Frame-level constants of the wire protocol (docs/protocol.md, "Frames").
///
/// Kept in one place so the broker, the service runtime, the client and the docs
/// agree; a client in another language needs only these strings.
public enum Wire {
    /// First frame of every message: protocol name and major version.
    public static let protocolName = "UHP1"

    /// The command frame (second frame).
    public enum Command: String, Sendable, CaseIterable {
        /// client → broker: [UHP1, REQ, type, envelope]
        /// broker → worker: [UHP1, REQ, token, principal, type, envelope]
        case request = "REQ"
        /// worker → broker: [UHP1, REP, token, envelope]; broker → client: [UHP1, REP, envelope]
        case reply = "REP"
        /// worker → broker: [UHP1, READY, service, capacity]
        case ready = "READY"
        /// both ways: [UHP1, HB]
        case heartbeat = "HB"
        /// both ways: [UHP1, BYE]
        case disconnect = "BYE"
        /// peer → broker: [UHP1, PUB, topic, envelope]
        case publish = "PUB"
        /// peer → broker: [UHP1, SUB, topic-prefix]
        case subscribe = "SUB"
        /// broker → subscriber: [UHP1, EVT, topic, principal, envelope]
        case event = "EVT"
        /// broker → peer: [UHP1, ERR, envelope] — a protocol error not tied to a request reply
        case error = "ERR"
    }

    /// Message types the broker answers itself (Majordomo MMI style).
    public static let brokerService = "broker"
    /// `broker.status`: workers per service, as the broker sees them.
    public static let statusType = "broker.status"
    /// `broker.metrics`: the broker's Prometheus text, as `{"text": …}`.
    public static let metricsType = "broker.metrics"
    /// `broker.service`: does a service exist (has live workers)? body {"service": name}
    public static let serviceType = "broker.service"
}

/// An authenticated identity on the bus: `gateway`, `service:referrals`, `adapter:police`.
///
/// The broker derives it from the peer's CURVE public key (ZAP) and stamps it on every
/// forwarded message; services trust only that stamp, never a field in a payload.
public struct Principal: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }
    public var description: String { name }

    /// `service` for `service:referrals`, `adapter` for `adapter:police`, else the name.
    public var kind: Substring { name.prefix { $0 != ":" } }
    /// `referrals` for `service:referrals`; nil for principals without a qualifier.
    public var qualifier: Substring? {
        guard let i = name.firstIndex(of: ":") else { return nil }
        return name[name.index(after: i)...]
    }
    public static func service(_ name: String) -> Principal { Principal("service:\(name)") }
    public static func adapter(_ agency: String) -> Principal { Principal("adapter:\(agency)") }
    public static let gateway: Principal = "gateway"

    /// Principals are lower-case names with one optional `kind:` prefix.
    public static func isValid(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 64 else { return false }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        return parts.allSatisfy { p in !p.isEmpty && p.utf8.allSatisfy { c in (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f } }
    }

    /// The file name stem used for this principal's keys: `service-referrals`.
    public var fileStem: String { name.replacingOccurrences(of: ":", with: "-") }
}
