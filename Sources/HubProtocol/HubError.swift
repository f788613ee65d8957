/// A typed, structured error that crosses process boundaries.
///
/// Every error the hub reports to a caller — over ZeroMQ, HTTP or a CLI — is one of
/// these: a stable machine `code`, a `message` for people (never containing personal
/// data), and optionally the `field` that was wrong. Codes are an open set of static
/// members so that services can add their own without touching this file
/// (pattern from swift-service-lifecycle's `ServiceRunnerError`).
public struct HubError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stable, machine-readable error code ("bad_request", "timeout", …).
    public struct Code: OpenNameSet {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

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

    /// What exactly was wrong with a field, for programs: a page shows its own words
    /// for `too_long` in Swedish or English instead of parsing the English `message`.
    /// An open set of static members, like `Code`; absent when there is nothing finer to say.
    public struct Reason: OpenNameSet {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        // Any field
        /// Missing, null or only white space.
        public static let required = Reason("required")
        /// Longer than the field allows.
        public static let tooLong = Reason("too_long")
        /// Control characters (or new lines where the field is one line).
        public static let controlCharacters = Reason("control_characters")
        /// Of the wrong JSON type (text, number, true/false, list or object expected).
        public static let wrongType = Reason("wrong_type")
        /// A number outside its range or not whole.
        public static let outOfRange = Reason("out_of_range")
        /// Not one of the values the field takes (a category, an agency, a municipality).
        public static let notAChoice = Reason("not_a_choice")
        /// Not a date that exists (`YYYY-MM-DD`).
        public static let notADate = Reason("not_a_date")
        /// Not a time of day (`HH:MM`).
        public static let notATime = Reason("not_a_time")
        /// Not an id (lower-case letters, digits and '-').
        public static let notAnID = Reason("not_an_id")
        /// A list with more entries than allowed.
        public static let tooMany = Reason("too_many")
        /// Not a valid e-mail address.
        public static let invalidEmail = Reason("invalid_email")
        /// Already used (an e-mail address for the same event).
        public static let taken = Reason("taken")

        // Dates and order
        /// An end before (or at) its start.
        public static let endBeforeStart = Reason("end_before_start")
        /// A registration deadline after the start.
        public static let deadlineAfterStart = Reason("deadline_after_start")
        /// Two sessions at the same time.
        public static let overlap = Reason("overlap")
        /// A step that must wait for an earlier one (supervision parts in order).
        public static let outOfOrder = Reason("out_of_order")
        /// A date before the previous step's date.
        public static let beforePrevious = Reason("before_previous")
        /// A later step has already started, so this one cannot change.
        public static let laterStarted = Reason("later_started")
        /// A step that must be planned first.
        public static let notPlanned = Reason("not_planned")

        // Registration
        /// The registration deadline has passed.
        public static let deadlinePassed = Reason("deadline_passed")
        /// The event is cancelled.
        public static let eventCancelled = Reason("event_cancelled")
        /// The event has started.
        public static let eventStarted = Reason("event_started")

        // Referrals and identity numbers
        /// Not a phone number.
        public static let invalidPhone = Reason("invalid_phone")
        /// An identity number with the wrong number of digits or other characters.
        public static let identityFormat = Reason("identity_format")
        /// An identity number whose check digit (Luhn) is wrong.
        public static let checkDigit = Reason("check_digit")
        /// A samordningsnummer given as a personnummer, or the other way round.
        public static let wrongKind = Reason("wrong_kind")
        /// No Utväg centre takes referrals from this municipality.
        public static let notServed = Reason("not_served")
        /// The client's consent to the referral is missing.
        public static let consentMissing = Reason("consent_missing")
        /// The field must not be given in this case (a number for an anonymous client, …).
        public static let notAllowed = Reason("not_allowed")
    }

    public var code: Code
    /// A message for people. Must never contain personal data.
    public var message: String
    /// The input field that was wrong, as a dotted path (`body.client.personnummer`).
    public var field: String?
    /// What exactly was wrong, for programs (see `Reason`).
    public var reason: Reason?
    /// Every problem found when a request had several (a form with three wrong fields);
    /// the first is also in `message`/`field`. Absent on the wire when there are none.
    public var details: [Detail]?

    /// One field's problem among several.
    public struct Detail: Sendable, Hashable, Codable {
        public var field: String
        public var message: String
        public var reason: Reason?
        public init(field: String, message: String, reason: Reason? = nil) { self.field = field; self.message = message; self.reason = reason }
    }

    public init(_ code: Code, _ message: String, field: String? = nil, reason: Reason? = nil, details: [Detail]? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.reason = reason
        self.details = details
    }

    /// A validation error listing every problem; the first one leads.
    public static func validation(_ problems: [Detail]) -> HubError {
        HubError(.validation, problems.first?.message ?? "The input is invalid.", field: problems.first?.field,
                 reason: problems.first?.reason, details: problems.count > 1 ? problems : nil)
    }

    /// This error as one of several (`details`).
    public var detail: Detail { Detail(field: field ?? "body", message: message, reason: reason) }

    public var description: String {
        if let field { return "\(code): \(message) (field: \(field))" }
        return "\(code): \(message)"
    }
}

/// A string-valued, open set of names (error codes, reasons): services add their own as
/// static members without touching the protocol module, and each travels as a bare JSON
/// string (the standard library's `Codable` for a `String` raw value).
public protocol OpenNameSet: Sendable, Hashable, Codable, RawRepresentable, CustomStringConvertible where RawValue == String {
    init(rawValue: String)
}

extension OpenNameSet {
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }
    public var description: String { rawValue }
}
