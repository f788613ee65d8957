import Foundation

/// One message type of a service's contract: the request body as a `Codable` type, named
/// with its bus type (`networks.days.create`) and its reply type, so that the service, the
/// gateway's pages and the test stubs share one definition and a renamed field is a compile
/// error rather than a `nil` on a page. The request's fields are its `CodingKeys`, and its
/// nested types' theirs: a body with any other member, at any depth, is refused
/// (`refuseUnknownFields(in:)`).
public protocol ContractRequest: Codable, Sendable {
    /// The reply's type.
    associatedtype Reply: Codable, Sendable
    /// The request's members; spelled out (`String, CodingKey, CaseIterable`) so that the
    /// list of known fields is the list the decoder reads.
    associatedtype CodingKeys: CodingKey, CaseIterable
    /// The message type on the bus.
    static var type: String { get }
    /// The members a body of this request may hold, besides `actor` (which the gateway adds):
    /// by default the `CodingKeys`; a request may name more that it refuses with its own message.
    static var fields: Set<String> { get }
}

extension ContractRequest {
    public static var fields: Set<String> { Set(CodingKeys.allCases.map(\.stringValue)) }

    /// Reads the body as this type, refusing a member it does not read, at any depth
    /// (`refuseUnknownFields(in:)`); a body that does not fit the type is refused naming the field.
    public static func decode(_ body: JSONValue) throws(HubError) -> Self {
        try body.decodeRefusingUnknownFields(Self.self, allowed: fields).get()
    }

    /// Refuses a member of `body` that this type does not read, at any depth, besides `fields`
    /// and `actor` at the top level (`JSONValue.refuseUnknownFields(as:allowed:)`); a body that
    /// does not fit the type gets the top-level check alone. For services that check each
    /// field themselves (`BodyReader`), this alone keeps their messages.
    public static func refuseUnknownFields(in body: JSONValue) throws(HubError) {
        try body.refuseUnknownFields(as: Self.self, allowed: fields)
    }

    /// The request as a message body.
    public func body() throws(HubError) -> JSONValue { try JSONValue.encode(self) }

    /// The request as a message body asked on behalf of `actor` (a service passing on who asked it).
    public func body(actor: JSONValue) throws(HubError) -> JSONValue {
        guard case .object(var members) = try body() else { return try body() }
        members[JSONValue.actorField] = actor
        return .object(members)
    }

    /// Reads a reply of this message type.
    public static func reply(_ value: JSONValue) throws(HubError) -> Reply { try value.decode(Reply.self, fieldPrefix: "reply") }
}

extension JSONValue {
    /// The member every request may carry: who is asking, added by the gateway (`BusActor`).
    public static let actorField = "actor"

    /// Refuses a member of this object that is not in `allowed` (nor `actor`) with the
    /// error `referrals.find` gives: `validation`, "Unknown field.", the field's path.
    /// The first unknown member in sorted order is named; a value that is not an object is
    /// left to the reader that follows (it names the wrong type).
    public func refuseUnknownFields(_ allowed: Set<String>, path: String = "body") throws(HubError) {
        guard case .object(let members) = self else { return }
        if let unknown = members.keys.sorted().first(where: { $0 != Self.actorField && !allowed.contains($0) }) {
            throw HubError(.validation, "Unknown field.", field: path + "." + unknown)
        }
    }

    /// Encodes a contract value; an encoding failure (which no contract type has) is `internal`.
    public static func encode<T: Encodable>(_ value: T) throws(HubError) -> JSONValue {
        do { return try from(value) } catch {
            throw HubError(.internal, "The reply could not be encoded.")
        }
    }
}

/// An optional member written as `null` when absent, not left out: the wire shape of the
/// hub's replies keeps every key (`"activeTo": null`), and a page may rely on it.
@propertyWrapper
public struct Nullable<Value: Codable & Sendable>: Codable, Sendable {
    public var wrappedValue: Value?
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension Nullable: Equatable where Value: Equatable {}
extension Nullable: Hashable where Value: Hashable {}

extension KeyedDecodingContainer {
    /// A `@Nullable` member may be absent as well as `null`.
    public func decode<V>(_ type: Nullable<V>.Type, forKey key: Key) throws -> Nullable<V> {
        try decodeIfPresent(type, forKey: key) ?? Nullable(wrappedValue: nil)
    }
}

/// The two languages of the hub's pages.
public enum VocabularyLanguage: String, Sendable, CaseIterable {
    case sv, en
}

/// A service's codes for one thing (statuses, kinds, parts): each with its Swedish and
/// English name, so that pages, exports and mail name a code the same way everywhere.
public protocol Vocabulary: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {
    /// The Swedish name.
    var sv: String { get }
    /// The English name.
    var en: String { get }
}

extension Vocabulary {
    /// The name in `language`.
    public func name(_ language: VocabularyLanguage) -> String { language == .en ? en : sv }
    /// The name of `code` in `language` (a language code, `sv` or `en`); an unknown code as it is.
    public static func name(of code: String, _ language: String) -> String {
        Self(rawValue: code)?.name(VocabularyLanguage(rawValue: language) ?? .sv) ?? code
    }
    /// Every code, in declaration order.
    public static var codes: [String] { allCases.map(\.rawValue) }
}

/// The `CodingKeys` of a request without members (`{}`).
public enum NoFields: CodingKey, CaseIterable, Sendable {
    public var stringValue: String { switch self {} }
    public var intValue: Int? { nil }
    public init?(stringValue: String) { nil }
    public init?(intValue: Int) { nil }
}

/// A request without members (`{}`, with the `actor` the gateway adds): how it is read and
/// written lives here once, so each such message names only its type, its reply and `init()`.
public protocol MemberlessRequest: ContractRequest where CodingKeys == NoFields {
    init()
}

extension MemberlessRequest {
    public init(from decoder: any Decoder) throws { self.init() }
    public func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: NoFields.self) }
}

/// One mail of a service's outbox (`HubMail.MailOutbox.list`) as its `….mail.outbox` reply
/// lists it: who and what, never the text. Shared by every service that sends mail.
public struct OutboxMail: Codable, Sendable, Equatable {
    public var id: String
    /// `invitation`, `cancellation`, `confirmation`, `promoted`, …
    public var kind: String
    public var recipient: String
    public var subject: String
    /// The iCalendar attachment, if any.
    @Nullable public var calendar: String?
    /// The attachment's METHOD (`REQUEST`, `CANCEL`).
    @Nullable public var method: String?
    /// When the relay took it; null while queued.
    @Nullable public var sentAt: String?
    public var attempts: Int
    public init(id: String, kind: String, recipient: String, subject: String, calendar: String? = nil, method: String? = nil,
                sentAt: String? = nil, attempts: Int = 0) {
        self.id = id; self.kind = kind; self.recipient = recipient; self.subject = subject
        self.calendar = calendar; self.method = method; self.sentAt = sentAt; self.attempts = attempts
    }
}

/// The reply of a `….mail.flush`: whether a relay is configured, and what was sent, failed or waits.
public struct MailFlushReply: Codable, Sendable, Equatable {
    public var configured: Bool
    public var sent: Int
    /// Given when a relay is configured.
    public var failed: Int?
    /// Given when no relay is configured: the mail still queued.
    public var pending: Int?
    public init(configured: Bool, sent: Int, failed: Int? = nil, pending: Int? = nil) {
        self.configured = configured; self.sent = sent; self.failed = failed; self.pending = pending
    }
}
