import Foundation
import HubCore
import HubProtocol
import HubStorage
import Logging
import ServiceLifecycle
import Metrics
import Synchronization
import ZeroMQ

/// Work a component repeats on a timer (a service's reminders and mail, an outbox sweep), as
/// a swift-service-lifecycle `Service` in the component's `ServiceGroup` rather than a bare
/// task: on SIGTERM it stops between two runs, never in the middle of one, and the group
/// then stops the rest in order.
public struct PeriodicWork: Service {
    public let name: String
    public let interval: Duration
    let work: @Sendable () async -> Void

    public init(name: String, every interval: Duration, work: @escaping @Sendable () async -> Void) {
        self.name = name; self.interval = interval; self.work = work
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // The wait ends early on graceful shutdown; a run that has begun is finished.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            await work()
        }
    }
}

/// Connects a `Dispatcher` to the broker as a worker: READY with a capacity, then
/// each request runs in its own task; replies go back through the connection.
///
/// As a lifecycle `Service` (`run()`), it connects, sweeps the outbox until graceful
/// shutdown, then stops taking work and lets the requests in flight finish (`stop`).
/// Tests and benchmarks that embed a worker use `start()` and `stop()` directly.
public final class ServiceWorker: Service, Sendable {
    public let dispatcher: Dispatcher
    private let connections: Mutex<[BrokerConnection]> = Mutex([])

    /// The connection events go out on: the first broker that is connected (subscribers are
    /// connected to every broker, so one copy reaches them all).
    private var eventLine: BrokerConnection? {
        connections.withLock { lines in lines.first { $0.isConnected } ?? lines.first }
    }
    private let inFlight = Atomic<Int>(0)
    private let capacity: Int
    private let logger: Logger
    /// How often the sweeper looks for events to publish again.
    private let sweepInterval: Duration

    public init(dispatcher: Dispatcher, endpoint: BusEndpoint, capacity: Int = 64, logger: Logger, context: ZMQContext = ZMQContext(),
                sweepInterval: Duration = .seconds(5)) {
        self.dispatcher = dispatcher
        self.capacity = capacity
        self.sweepInterval = sweepInterval
        self.logger = logger
        let proto = Array(Wire.protocolName.utf8)
        let name = dispatcher.definition.name
        // One connection per broker; each gets READY, and a request is answered on the
        // connection that brought it.
        var lines: [BrokerConnection] = []
        for (index, broker) in endpoint.all.enumerated() {
            lines.append(BrokerConnection(
                settings: endpoint.connecting(to: broker), logger: logger, context: context,
                heartbeatFrames: [proto, Array("HB".utf8), Array(name.utf8)],
                onConnect: { [[proto, Array("READY".utf8), Array(name.utf8), Array(String(capacity).utf8)]] },
                onMessages: { [weak self] batch in for frames in batch { self?.received(frames, via: index) } }))
        }
        connections.withLock { $0 = lines }
    }

    public func start() {
        for line in connections.withLock({ $0 }) { line.start() }
        self.sweeper.withLock { $0 = Task { [self] in try? await sweeping.run() } }
    }

    /// The lifecycle entry: connect, sweep until graceful shutdown, then a graceful `stop`.
    public func run() async throws {
        for line in connections.withLock({ $0 }) { line.start() }
        try await sweeping.run()
        await stop()
    }

    private let sweeper = Mutex<Task<Void, Never>?>(nil)
    private let lastPurge = Mutex(ContinuousClock.now)

    /// Publishes events a crash left in the outbox (same ids; consumers deduplicate), and
    /// once an hour purges old idempotency records.
    private var sweeping: PeriodicWork {
        PeriodicWork(name: "\(dispatcher.definition.name).sweeper", every: sweepInterval) { [weak self] in await self?.sweep() }
    }

    func sweep() async {
        let purge = lastPurge.withLock { last in
            guard ContinuousClock.now - last >= .seconds(3600) else { return false }
            last = ContinuousClock.now
            return true
        }
        if purge { _ = try? await dispatcher.purgeProcessed() }
        let stale = await dispatcher.unpublished(olderThan: dispatcher.redeliveryDelay)
        if stale.isEmpty { return }
        publish(stale, on: eventLine)
        await dispatcher.republished(stale)
    }

    private func publish(_ events: [Envelope], on conn: BrokerConnection?) {
        let proto = Array(Wire.protocolName.utf8)
        for env in events { conn?.send([proto, Array("PUB".utf8), Array(env.type.utf8), env.encoded()]) }
    }

    /// Publishes events that work outside a request made (a service's timed work), as
    /// replies' events are: after the work's transaction committed.
    public func publish(_ events: [(String, JSONValue)]) {
        let proto = Array(Wire.protocolName.utf8)
        let conn = eventLine
        for (topic, body) in events {
            conn?.send([proto, Array("PUB".utf8), Array(topic.utf8), Envelope(type: topic, body: body).encoded()])
        }
    }

    /// Graceful stop: stop taking work, wait (bounded) for in-flight requests, disconnect.
    public func stop(grace: Duration = .seconds(10)) async {
        let until = ContinuousClock.now + grace
        sweeper.withLock { $0?.cancel() }
        while inFlight.load(ordering: .acquiring) > 0, ContinuousClock.now < until {
            try? await Task.sleep(for: .milliseconds(10))
        }
        await dispatcher.flushPublished()
        for line in connections.withLock({ $0 }) { await line.stop() }
    }

    private func received(_ f: [[UInt8]], via index: Int) {
        let proto = Array(Wire.protocolName.utf8)
        guard f.count >= 2 else { return }
        switch String(decoding: f[1], as: UTF8.self) {
        case "REQ":
            guard f.count == 6 else { return }
            let token = f[2], principal = Principal(String(decoding: f[3], as: UTF8.self))
            let type = String(decoding: f[4], as: UTF8.self), body = f[5]
            inFlight.add(1, ordering: .relaxed)
            Task { [dispatcher] in
                let (reply, events) = await dispatcher.handleForWorker(type: type, principal: principal, envelopeBytes: body)
                let conn = self.connections.withLock { $0.indices.contains(index) ? $0[index] : nil }
                conn?.send([proto, Array("REP".utf8), token, reply.encoded()])
                self.publish(events, on: conn?.isConnected == true ? conn : self.eventLine)
                await dispatcher.published(events)
                self.inFlight.subtract(1, ordering: .relaxed)
            }
        case "ERR":
            if f.count >= 3, let env = try? Envelope.decode(f[2]), let e = env.error {
                logger.error("broker refused this worker", metadata: ["hub.code": "\(e.code)", "hub.message": "\(e.message)"])
            }
        default:
            break
        }
    }
}

extension Envelope {
    /// The same event, naming the request that caused it.
    func correlated(to requestID: String) -> Envelope {
        var e = self
        e.correlationID = requestID
        return e
    }
}
