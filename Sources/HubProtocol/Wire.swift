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
        /// client → broker: [UHP1, HB]; worker → broker: [UHP1, HB, service];
        /// broker → peer: [UHP1, HB, instance] (a new instance id: the broker restarted)
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

/// One message a peer sends the broker, read from its frames (after the routing id):
/// the frame grammar of docs/protocol.md §2 in one pure function, so the broker and the
/// fuzzer read frames the same way.
public enum PeerMessage: Sendable, Equatable {
    case request(type: [UInt8], envelope: [UInt8])
    case reply(token: UInt64, envelope: [UInt8])
    case ready(service: String, capacity: Int)
    /// A worker's heartbeat names its service (`[UHP1, HB, service]`); a client's does not.
    case heartbeat(namesService: Bool)
    case disconnect
    case publish(topic: [UInt8], envelope: [UInt8])
    case subscribe(prefix: [UInt8])

    static let proto = Array(Wire.protocolName.utf8)

    /// A slice of frames indexed from 0.
    private struct Frames {
        let slice: ArraySlice<[UInt8]>
        init(_ s: ArraySlice<[UInt8]>) { slice = s }
        var count: Int { slice.count }
        subscript(i: Int) -> [UInt8] { slice[slice.startIndex + i] }
    }

    /// The message of `frames` (protocol name first), or a `malformed` error that says what
    /// the command takes. Never reads past the frames it was given.
    public static func parse(_ frames: ArraySlice<[UInt8]>) -> Result<PeerMessage, HubError> {
        // Indexes the slice in place (no copy of the frame list on the broker's hot path).
        let f = Frames(frames)
        guard f.count >= 2, f[0] == proto, let command = Wire.Command(rawValue: String(decoding: f[1], as: UTF8.self)) else {
            return .failure(HubError(.malformed, "Frames must start with \(Wire.protocolName) and a known command."))
        }
        switch command {
        case .request:
            guard f.count == 4 else { return .failure(HubError(.malformed, "REQ takes 5 frames: UHP1, REQ, type, envelope.")) }
            return .success(.request(type: f[2], envelope: f[3]))
        case .reply:
            guard f.count == 4, let token = UInt64(String(decoding: f[2], as: UTF8.self)) else {
                return .failure(HubError(.malformed, "REP takes: UHP1, REP, token, envelope."))
            }
            return .success(.reply(token: token, envelope: f[3]))
        case .ready:
            guard f.count == 4, let capacity = Int(String(decoding: f[3], as: UTF8.self)), (1...10_000).contains(capacity) else {
                return .failure(HubError(.malformed, "READY takes: UHP1, READY, service, capacity (1–10000)."))
            }
            return .success(.ready(service: String(decoding: f[2], as: UTF8.self), capacity: capacity))
        case .heartbeat:
            return .success(.heartbeat(namesService: f.count == 3))
        case .disconnect:
            return .success(.disconnect)
        case .publish:
            guard f.count == 4 else { return .failure(HubError(.malformed, "PUB takes: UHP1, PUB, topic, envelope.")) }
            return .success(.publish(topic: f[2], envelope: f[3]))
        case .subscribe:
            guard f.count == 3 else { return .failure(HubError(.malformed, "SUB takes: UHP1, SUB, topic-prefix.")) }
            return .success(.subscribe(prefix: f[2]))
        case .event, .error:
            return .failure(HubError(.malformed, "Peers may not send \(command.rawValue)."))
        }
    }
}
