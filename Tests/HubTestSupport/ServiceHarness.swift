import Foundation
import HubBus
import HubProtocol
import Synchronization
import Testing

/// A settable clock, so that deadlines, waits, reminders and retention are tested without sleeping.
public final class TestClock: Sendable {
    private let value: Mutex<Date>
    public init(_ date: Date = Date()) { value = Mutex(date) }
    /// A clock set to an ISO 8601 timestamp (`2026-03-02T09:00:00.000Z`).
    public convenience init(_ iso: String) { self.init(Timestamp.date(from: iso)!) }
    public var now: Date { value.withLock { $0 } }
    public func set(_ iso: String) { value.withLock { $0 = Timestamp.date(from: iso)! } }
    public func advance(days: Double) { value.withLock { $0 = $0.addingTimeInterval(days * 86_400) } }
}

/// A service's dispatcher called as the gateway would, without sockets: what every service
/// test harness does. A harness names the actor merged into each body by default (the
/// gateway sends the logged-in user as `actor`); a call may name another, or nil for none.
public protocol DispatcherHarness: Sendable {
    var dispatcher: Dispatcher { get }
    /// Merged into each body as `actor` unless a call says otherwise; nil: none.
    static var defaultActor: JSONValue? { get }
}

extension DispatcherHarness {
    /// Sends `type` as `principal` with `actor` merged into the body; returns the reply and the events.
    @discardableResult
    public func call(_ type: String, _ body: JSONValue = [:], as actor: JSONValue? = Self.defaultActor, principal: Principal = .gateway,
                     id: String = MessageID.make()) async -> (Envelope, [(String, JSONValue)]) {
        var b = body
        if let actor, case .object(var o) = b { o["actor"] = actor; b = .object(o) }
        return await dispatcher.handle(ServiceRequest(envelope: Envelope(id: id, type: type, body: b), principal: principal))
    }

    /// The result of a call that must succeed (a failure is recorded where the test called).
    @discardableResult
    public func ok(_ type: String, _ body: JSONValue = [:], as actor: JSONValue? = Self.defaultActor, principal: Principal = .gateway,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let (reply, _) = await call(type, body, as: actor, principal: principal)
        if let e = reply.error { Issue.record("\(type) failed: \(e)", sourceLocation: sourceLocation); throw e }
        return reply.body
    }

    /// The error of a call that must fail.
    public func failure(_ type: String, _ body: JSONValue = [:], as actor: JSONValue? = Self.defaultActor, principal: Principal = .gateway,
                        sourceLocation: SourceLocation = #_sourceLocation) async -> HubError {
        let (reply, _) = await call(type, body, as: actor, principal: principal)
        guard let e = reply.error else { Issue.record("\(type) succeeded unexpectedly", sourceLocation: sourceLocation); return HubError(.internal, "none") }
        return e
    }
}

/// The users a gateway names as `actor`, for the services' access tests: one of each role,
/// at each of the two configured centres.
public enum TestActors {
    public static let admin: JSONValue = ["user": "admin-test", "role": "admin"]
    public static func staff(_ centre: String) -> JSONValue { ["user": .string("staff-\(centre)"), "role": "staff", "centre": .string(centre)] }
    public static func board(_ centre: String) -> JSONValue { ["user": .string("board-\(centre)"), "role": "board", "centre": .string(centre)] }
    public static func agency(_ agency: String) -> JSONValue { ["user": .string("agency-\(agency)"), "role": "agency", "agency": .string(agency)] }
    /// Everyone who must be refused what belongs to `centre`: staff of the other centre,
    /// a board member of the centre itself, an agency user, and a visitor (no actor).
    public static func outsiders(of centre: String) -> [(name: String, actor: JSONValue)] {
        let other = centre == "skaraborg" ? "sodra-alvsborg" : "skaraborg"
        return [("staff of \(other)", staff(other)), ("board of \(centre)", board(centre)), ("agency user", agency("police")),
                ("visitor", .null)]
    }
}

extension DispatcherHarness {
    /// Sends each of `operations` as each outsider of `centre` (`TestActors.outsiders`): every
    /// one must be `forbidden`, and no refusal may name any of `secrets`. Returns how many were refused.
    @discardableResult
    public func expectRefused(_ operations: [(String, JSONValue)], toOutsidersOf centre: String, naming secrets: [String],
                              sourceLocation: SourceLocation = #_sourceLocation) async -> Int {
        var refused = 0
        for (who, actor) in TestActors.outsiders(of: centre) {
            for (type, body) in operations {
                let e = await failure(type, body, as: actor, sourceLocation: sourceLocation)
                #expect(e.code == .forbidden, "\(who) → \(type): \(e)", sourceLocation: sourceLocation)
                #expect(!secrets.contains { e.message.contains($0) }, "\(type) names no one", sourceLocation: sourceLocation)
                if e.code == .forbidden { refused += 1 }
            }
        }
        return refused
    }
}
