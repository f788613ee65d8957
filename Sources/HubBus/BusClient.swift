import Foundation
import HubProtocol
import Logging
import Synchronization
import ZeroMQ

/// The real `BusRequester`: sends requests to the broker and matches replies by
/// correlation id; also publishes and subscribes to events.
///
/// With several brokers (`BusEndpoint.others`) it connects to each: subscriptions go to
/// all of them, a request goes to one that is connected, and when that connection is lost
/// before the reply came, the same message (same id) goes to another connected broker at
/// once. The services answer a repeated id with the first outcome, so nothing is done twice.
///
/// Used by the gateway, the adapters and `hub bench`. Every request gets an answer:
/// the reply, a structured error from the broker or service, or `.timeout` when
/// nothing came back within the caller's deadline.
public final class BusClient: BusRequester, Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Envelope, Never>
        var deadline: ContinuousClock.Instant
        var type: String
        /// The message as sent, to send again through another broker, and the broker it went to.
        var frames: [[UInt8]]
        var via: Int
    }
    private let waiters = Mutex<[String: Waiter]>([:])
    private let connections: Mutex<[BrokerConnection]> = Mutex([])
    /// The broker requests go to while it stays connected.
    private let preferred = Atomic<Int>(0)
    private let subscriptions = Mutex<[String]>([])
    private let events: AsyncStream<BusEvent>.Continuation
    /// Events delivered for this client's subscriptions.
    public let eventStream: AsyncStream<BusEvent>
    private let logger: Logger

    public init(endpoint: BusEndpoint, logger: Logger, context: ZMQContext = ZMQContext()) {
        self.logger = logger
        (eventStream, events) = AsyncStream.makeStream(of: BusEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        let proto = Array(Wire.protocolName.utf8)
        var lines: [BrokerConnection] = []
        for (index, broker) in endpoint.all.enumerated() {
            // Deadlines are checked by one connection's loop only (it scans all waiters).
            var tick: @Sendable () -> Void = {}
            if index == 0 { tick = { [weak self] in self?.expire() } }
            let connect: @Sendable () -> [[[UInt8]]] = { [weak self] in
                (self?.subscriptions.withLock { $0 } ?? []).map { [proto, Array("SUB".utf8), Array($0.utf8)] }
            }
            lines.append(BrokerConnection(
                settings: endpoint.connecting(to: broker), logger: logger, context: context,
                heartbeatFrames: [proto, Array("HB".utf8)],
                onConnect: connect,
                onMessages: { [weak self] batch in self?.received(batch) },
                onDisconnect: { [weak self] in self?.connectionLost(index) },
                onTick: tick))
        }
        connections.withLock { $0 = lines }
        for line in lines { line.start() }
    }

    /// The broker to send through: the preferred one while it is connected, else the first
    /// connected one (which becomes preferred), else the preferred one (the message waits in
    /// its queue until that broker is reachable).
    private func line(avoiding avoided: Int? = nil) -> (index: Int, connection: BrokerConnection)? {
        let lines = connections.withLock { $0 }
        guard !lines.isEmpty else { return nil }
        let current = preferred.load(ordering: .relaxed) % lines.count
        let order = (0..<lines.count).map { (current + $0) % lines.count }.filter { $0 != avoided }
        if let index = order.first(where: { lines[$0].isConnected }) {
            if index != current { preferred.store(index, ordering: .relaxed) }
            return (index, lines[index])
        }
        // No broker is connected: the message waits in the preferred one's queue, unless
        // that is the broker just lost.
        guard avoided == nil else { return nil }
        return (current, lines[current])
    }

    public func close() async {
        for line in connections.withLock({ $0 }) { await line.stop() }
        events.finish()
        let all = waiters.withLock { w -> [Waiter] in let v = Array(w.values); w.removeAll(); return v }
        for w in all { w.continuation.resume(returning: Envelope.failure(to: nil, type: w.type, HubError(.timeout, "The bus connection was closed."))) }
    }

    public func request(_ type: String, body: JSONValue, id: String, timeout: Duration) async throws(HubError) -> JSONValue {
        let reply = await send(Envelope(id: id, type: type, body: body), timeout: timeout)
        if let error = reply.error { throw error }
        return reply.body
    }

    /// Sends a prepared envelope; the reply envelope (success or error) comes back.
    public func send(_ envelope: Envelope, timeout: Duration) async -> Envelope {
        let frames = [Array(Wire.protocolName.utf8), Array("REQ".utf8), Array(envelope.type.utf8), envelope.encoded()]
        return await sendRaw(frames, id: envelope.id, type: envelope.type, timeout: timeout)
    }

    /// Sends raw frames (for tests of bad input); the reply is matched by `id`.
    public func sendRaw(_ frames: [[UInt8]], id: String, type: String, timeout: Duration) async -> Envelope {
        await withCheckedContinuation { (c: CheckedContinuation<Envelope, Never>) in
            let target = line()
            let duplicate = waiters.withLock { w -> Bool in
                if w[id] != nil { return true }
                w[id] = Waiter(continuation: c, deadline: .now + timeout, type: type, frames: frames, via: target?.index ?? 0)
                return false
            }
            if duplicate {
                c.resume(returning: .failure(to: id, type: type, HubError(.conflict, "A request with this id is already waiting for its reply.", field: "id")))
                return
            }
            if target?.connection.send(frames) != true {
                if let w = waiters.withLock({ $0.removeValue(forKey: id) }) {
                    w.continuation.resume(returning: .failure(to: id, type: type, HubError(.busy, "Too many requests are waiting to be sent; nothing was sent.")))
                }
            }
        }
    }

    public func brokerStatus(timeout: Duration) async throws(HubError) -> BrokerStatus {
        let result = try await request(Wire.statusType, body: .object([:]), id: MessageID.make(), timeout: timeout)
        return try result.decode(BrokerStatus.self, fieldPrefix: "result")
    }

    /// Publishes an event; the broker checks the policy and fans it out.
    public func publish(topic: String, body: JSONValue, id: String = MessageID.make()) {
        let env = Envelope(id: id, type: topic, body: body)
        line()?.connection.send([Array(Wire.protocolName.utf8), Array("PUB".utf8), Array(topic.utf8), env.encoded()])
    }

    /// Subscribes to topics starting with `prefix` (kept across reconnects).
    public func subscribe(_ prefix: String) {
        subscriptions.withLock { if !$0.contains(prefix) { $0.append(prefix) } }
        for line in connections.withLock({ $0 }) { line.send([Array(Wire.protocolName.utf8), Array("SUB".utf8), Array(prefix.utf8)]) }
    }

    /// A burst of messages from the broker: the replies are matched to their waiters
    /// under one lock, then each waiter is resumed.
    private func received(_ batch: [[[UInt8]]]) {
        var replies: [Envelope] = []
        replies.reserveCapacity(batch.count)
        for f in batch where f.count >= 3 {
            if f[1] == Self.replyCommand || f[1] == Self.errorCommand {
                guard let env = try? Envelope.decode(f[2]) else {
                    logger.warning("unreadable reply from broker")
                    continue
                }
                replies.append(env)
            } else if f[1] == Self.eventCommand {
                guard f.count == 5, let env = try? Envelope.decode(f[4]) else { continue }
                events.yield(BusEvent(topic: String(decoding: f[2], as: UTF8.self), publisher: Principal(String(decoding: f[3], as: UTF8.self)), envelope: env))
            }
        }
        if replies.isEmpty { return }
        let matched = waiters.withLock { w in replies.map { env in env.correlationID.flatMap { w.removeValue(forKey: $0) } } }
        for (env, waiter) in zip(replies, matched) {
            guard let waiter else {
                if let e = env.error { logger.notice("bus error without a waiting request", metadata: ["hub.code": "\(e.code)"]) }
                continue
            }
            waiter.continuation.resume(returning: env)
        }
    }
    private static let replyCommand = Array("REP".utf8), errorCommand = Array("ERR".utf8), eventCommand = Array("EVT".utf8)

    /// Whether the connection to the broker is up (an adapter answers "pending" at once
    /// while it is not, instead of holding its caller for a reply that cannot come).
    public var isConnected: Bool { connections.withLock { $0.contains { $0.isConnected } } }

    public var brokerLinks: [BrokerLink] {
        connections.withLock { $0.map { BrokerLink(endpoint: $0.settings.endpoint, connected: $0.isConnected) } }
    }

    /// The connection to broker `index` was lost: the requests it carried may or may not
    /// have been handled, and their replies will not come on a new connection. Each is sent
    /// again, with the same message id, through another broker that is connected; with no
    /// other broker, each waiter is answered at once with `timeout` (outcome unknown: resend
    /// with the same message id), so callers resend as soon as a broker is back instead of
    /// waiting out their deadline.
    private func connectionLost(_ index: Int) {
        let other = line(avoiding: index)
        let (moved, lost) = waiters.withLock { w -> ([[[UInt8]]], [(String, Waiter)]) in
            let carried = w.filter { $0.value.via == index }
            guard let other else {
                for (id, _) in carried { w.removeValue(forKey: id) }
                return ([], Array(carried))
            }
            for (id, _) in carried { w[id]?.via = other.index }
            return (carried.map { $0.value.frames }, [])
        }
        if let other, !moved.isEmpty {
            logger.notice("broker connection lost; requests sent again through another broker", metadata: ["hub.count": "\(moved.count)"])
            for frames in moved { other.connection.send(frames) }
        }
        for (id, w) in lost {
            w.continuation.resume(returning: .failure(to: id, type: w.type, HubError(.timeout, "The connection to the broker was lost before the reply came; the outcome is unknown — resend with the same message id to learn it.")))
        }
    }

    private func expire() {
        let now = ContinuousClock.now
        let late = waiters.withLock { w -> [(String, Waiter)] in
            let l = w.filter { $0.value.deadline <= now }
            for (k, _) in l { w.removeValue(forKey: k) }
            return Array(l)
        }
        for (id, w) in late {
            w.continuation.resume(returning: .failure(to: id, type: w.type, HubError(.timeout, "No reply within the deadline; the outcome is unknown — resend with the same message id to learn it.")))
        }
    }
}

/// An event delivered from the broker, with the principal the broker stamped on it.
public struct BusEvent: Sendable {
    public var topic: String
    public var publisher: Principal
    public var envelope: Envelope
}
