/// A typed, structured error that crosses process boundaries.
///
/// Every error the hub reports to a caller — over ZeroMQ, HTTP or a CLI — is one of
/// these: a stable machine `code`, a `message` for people (never containing personal
/// data), and optionally the `field` that was wrong. Codes are an open set of static
/// members so that services can add their own without touching this file
/// (pattern from swift-service-lifecycle's `ServiceRunnerError`).
public struct HubError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stable, machine-readable error code ("bad_request", "timeout", …).
    public struct Code: Sendable, Hashable, Codable, RawRepresentable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public init(from decoder: any Decoder) throws {
            self.rawValue = try decoder.singleValueContainer().decode(String.self)
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }
        public var description: String { rawValue }

        /// The frames or envelope do not follow docs/protocol.md.
        public static let malformed = Code("malformed")
        /// The payload is not valid JSON or misses required envelope fields.
        public static let invalidJSON = Code("invalid_json")
        /// A field of the body failed validation; `field` names it.
        public static let validation = Code("validation")
        /// No service by that name is known to the broker.
        public static let unknownService = Code("unknown_service")
        /// The service does not handle this message type.
        public static let unknownType = Code("unknown_type")
        /// The message exceeds the configured size limit.
        public static let tooLarge = Code("too_large")
        /// The authenticated principal may not do this (authorisation policy).
        public static let forbidden = Code("forbidden")
        /// No worker could take or finish the request before its deadline.
        public static let timeout = Code("timeout")
        /// The broker or service is at its high-water mark; nothing was stored.
        public static let busy = Code("busy")
        /// The schema version of the envelope is not supported.
        public static let unsupportedVersion = Code("unsupported_version")
        /// A record was not found (or the caller may not know that it exists).
        public static let notFound = Code("not_found")
        /// A state change the life cycle does not allow.
        public static let conflict = Code("conflict")
        /// Login or token was not accepted.
        public static let unauthenticated = Code("unauthenticated")
        /// Something failed inside the hub; details are in the operational log only.
        public static let `internal` = Code("internal")
        /// Storage is unavailable or full; nothing was stored.
        public static let storage = Code("storage")
        /// The centre has paused intake ("köstopp"); the message says where to turn instead.
        public static let intakePaused = Code("intake_paused")
    }

    public var code: Code
    /// A message for people. Must never contain personal data.
    public var message: String
    /// The input field that was wrong, as a dotted path (`body.client.personnummer`).
    public var field: String?
    /// Every problem found when a request had several (a form with three wrong fields);
    /// the first is also in `message`/`field`. Absent on the wire when there are none.
    public var details: [Detail]?

    /// One field's problem among several.
    public struct Detail: Sendable, Hashable, Codable {
        public var field: String
        public var message: String
        public init(field: String, message: String) { self.field = field; self.message = message }
    }

    public init(_ code: Code, _ message: String, field: String? = nil, details: [Detail]? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.details = details
    }

    /// A validation error listing every problem; the first one leads.
    public static func validation(_ problems: [Detail]) -> HubError {
        HubError(.validation, problems.first?.message ?? "The input is invalid.", field: problems.first?.field,
                 details: problems.count > 1 ? problems : nil)
    }

    public var description: String {
        if let field { return "\(code): \(message) (field: \(field))" }
        return "\(code): \(message)"
    }
}
