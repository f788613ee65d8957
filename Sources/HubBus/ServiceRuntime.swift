import Foundation
import HubCore
import HubProtocol
import HubStorage
import Logging
import ServiceLifecycle
import Metrics
import Synchronization
import ZeroMQ

/// A request as a handler sees it: the parsed envelope and the principal the broker
/// authenticated (never a sender field from the payload).
public struct ServiceRequest: Sendable {
    public var envelope: Envelope
    public var principal: Principal
    public init(envelope: Envelope, principal: Principal) { self.envelope = envelope; self.principal = principal }
    public var body: JSONValue { envelope.body }
    /// Decodes the body as `T`; errors name the field.
    public func decode<T: Decodable>(_ type: T.Type) throws(HubError) -> T { try envelope.body.decode(T.self) }
}

/// What a handler may use: its service's database (inside the request's transaction
/// for commands), a logger, the configuration folder, and an event outbox whose
/// events are published only after the transaction commits.
public struct ServiceContext: Sendable {
    public var database: any DatabaseExecutor
    public var logger: Logger
    public var configDir: String
    public var events: EventOutbox
    public init(database: any DatabaseExecutor, logger: Logger, configDir: String, events: EventOutbox = EventOutbox()) {
        self.database = database; self.logger = logger; self.configDir = configDir; self.events = events
    }
}

/// Events a handler emits; published after its transaction has committed. A command's
/// events are written to the `hub_outbox` table in the same transaction, so an event is
/// never lost to a crash between commit and publish (it is published again, with the same
/// event id, by the worker's sweeper; consumers deduplicate by id).
public final class EventOutbox: Sendable {
    private let items = Mutex<[Envelope]>([])
    public init() {}
    public func emit(_ topic: String, _ body: JSONValue) { items.withLock { $0.append(Envelope(type: topic, body: body)) } }
    /// The events as topic and body (what tests look at).
    public func drain() -> [(String, JSONValue)] { drainEnvelopes().map { ($0.type, $0.body) } }
    /// The events with their ids.
    public func drainEnvelopes() -> [Envelope] { items.withLock { let v = $0; $0.removeAll(); return v } }

    /// Whether `topic` is addressed to one agency (`agency.<agency>.…`): such an event is
    /// published again until that agency's adapter acknowledges it, so an adapter that was
    /// down or could not store it still gets it. Other events are published once.
    public static func isForAnAgency(_ topic: String) -> Bool { topic.hasPrefix("agency.") }
}

/// One message type a service handles: a plain function of a request and a context,
/// callable from tests without sockets.
public struct MessageHandler: Sendable {
    public enum Kind: Sendable {
        /// Changes state: runs in a transaction and is idempotent by message id.
        case command
        /// Reads only: runs without the idempotency record.
        case query
    }
    public var kind: Kind
    public var run: @Sendable (ServiceRequest, ServiceContext) async throws -> JSONValue
    public init(_ kind: Kind, _ run: @escaping @Sendable (ServiceRequest, ServiceContext) async throws -> JSONValue) {
        self.kind = kind; self.run = run
    }
}

/// A deployable service: a name, its migrations and its handlers by message type.
public struct ServiceDefinition: Sendable {
    public var name: String
    public var migrations: [Migration]
    public var handlers: [String: MessageHandler]
    /// Requests the service sends itself on a timer (due reminders, queued mail), in order;
    /// see `Dispatcher.tick` and `Dispatcher.schedule`.
    public var timed: [TimedRequest]
    /// Runs once after migrations, before the worker announces itself (e.g. loading reference data).
    public var prepare: @Sendable (any HubDatabase, String, Logger) async throws -> Void
    public init(name: String, migrations: [Migration], handlers: [String: MessageHandler], timed: [TimedRequest] = [],
                prepare: @escaping @Sendable (any HubDatabase, String, Logger) async throws -> Void = { _, _, _ in }) {
        self.name = name; self.migrations = migrations; self.handlers = handlers; self.timed = timed; self.prepare = prepare
    }
}

/// One request a service sends itself on a timer, as the gateway would (its own handler,
/// its own checks, its own transaction).
public struct TimedRequest: Sendable {
    public var type: String
    public var body: JSONValue
    public init(_ type: String, body: JSONValue = [:]) { self.type = type; self.body = body }
}
