import CZeroMQ
import Foundation
import HubProtocol
import Logging
import Synchronization
import ZeroMQ

/// Where and as whom a peer connects to the broker.
public struct BusEndpoint: Sendable {
    public var endpoint: String
    /// The broker's CURVE public key (Z85).
    public var brokerPublicKey: String
    /// This peer's own key pair.
    public var keys: CurveKeyPair
    public var heartbeatInterval: Duration
    public var heartbeatLiveness: Int
    public var highWaterMark: Int32
    public var maxMessageBytes: Int
    /// First reconnect delay; doubles up to `maxReconnectDelay` (Paranoid Pirate, RFC 6).
    public var reconnectDelay: Duration
    public var maxReconnectDelay: Duration

    public init(endpoint: String, brokerPublicKey: String, keys: CurveKeyPair,
                heartbeatInterval: Duration = .seconds(1), heartbeatLiveness: Int = 3,
                highWaterMark: Int32 = 20_000, maxMessageBytes: Int = 256 * 1024,
                reconnectDelay: Duration = .seconds(1), maxReconnectDelay: Duration = .seconds(32)) {
        self.endpoint = endpoint; self.brokerPublicKey = brokerPublicKey; self.keys = keys
        self.heartbeatInterval = heartbeatInterval; self.heartbeatLiveness = heartbeatLiveness
        self.highWaterMark = highWaterMark; self.maxMessageBytes = maxMessageBytes
        self.reconnectDelay = reconnectDelay; self.maxReconnectDelay = maxReconnectDelay
    }
}

/// A CURVE-authenticated DEALER connection to the broker, owned by one thread.
///
/// Async code hands outbound messages over through `send(_:)` (a locked queue plus a
/// `Wakeup` pipe); inbound messages are passed to `onMessage` on the I/O thread,
/// which must only hand them on (resume a continuation, start a task). The thread
/// sends heartbeats and, when the broker has been silent for the liveness window or
/// says BYE, replaces the socket with a fresh one and calls `onConnect` again
/// (workers re-send READY and subscriptions there).
final class BrokerConnection: Sendable {
    let settings: BusEndpoint
    private let logger: Logger
    private let context: ZMQContext
    private let outbox = Mutex<[[[UInt8]]]>([])
    private let wakeup = Wakeup()
    private let stopping = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    /// Frames to send after every (re)connect, before anything else.
    private let onConnect: @Sendable () -> [[[UInt8]]]
    private let onMessage: @Sendable ([[UInt8]]) -> Void
    /// Called from the I/O loop every 20–50 ms for deadline checks (not on every turn: it scans all waiters).
    private let onTick: @Sendable () -> Void
    /// Frames of a worker's heartbeat (a worker names its service so a restarted broker can tell it to re-register).
    private let heartbeatFrames: [[UInt8]]
    let proto = Array(Wire.protocolName.utf8)

    init(settings: BusEndpoint, logger: Logger, context: ZMQContext,
         heartbeatFrames: [[UInt8]],
         onConnect: @escaping @Sendable () -> [[[UInt8]]],
         onMessage: @escaping @Sendable ([[UInt8]]) -> Void,
         onTick: @escaping @Sendable () -> Void = {}) {
        self.settings = settings
        self.logger = logger
        self.context = context
        self.heartbeatFrames = heartbeatFrames
        self.onConnect = onConnect
        self.onMessage = onMessage
        self.onTick = onTick
    }

    func start() {
        let t = Thread { [self] in self.loop(); self.stopped.store(true, ordering: .releasing) }
        t.name = "hub-bus-io"
        t.start()
    }

    /// Queues a message for the broker. Returns false when the outbound queue is at its
    /// high-water mark (the caller reports `busy`; nothing is silently dropped).
    @discardableResult
    func send(_ frames: [[UInt8]]) -> Bool {
        let accepted = outbox.withLock { q -> Bool in
            guard q.count < Int(settings.highWaterMark) else { return false }
            q.append(frames)
            return true
        }
        if accepted { wakeup.signal() }
        return accepted
    }

    func stop() async {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
        while !stopped.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    private func makeSocket() -> ZMQSocket? {
        do {
            let s = try ZMQSocket(context, .dealer)
            try s.setHighWaterMark(settings.highWaterMark)
            try s.setMaxMessageSize(Int64(settings.maxMessageBytes) * 2 + 4096)
            try s.set(ZMQ_IMMEDIATE, 1)
            let hb = Int32(settings.heartbeatInterval.milliseconds)
            try s.setZMTPHeartbeat(intervalMs: hb, timeoutMs: hb * Int32(settings.heartbeatLiveness))
            try s.makeCurveClient(serverKey: settings.brokerPublicKey, publicKey: settings.keys.publicKey, secretKey: settings.keys.secretKey)
            try s.connect(settings.endpoint)
            return s
        } catch {
            logger.error("cannot open broker connection", metadata: ["hub.error": "\(error)"])
            return nil
        }
    }

    private func loop() {
        var delay = settings.reconnectDelay
        while !stopping.load(ordering: .acquiring) {
            guard let socket = makeSocket() else {
                Thread.sleep(forTimeInterval: Double(delay.milliseconds) / 1000)
                continue
            }
            // Sent first on the new connection (queued until the handshake completes).
            let outcome = run(socket, first: onConnect())
            socket.close()
            if outcome == .stop { break }
            let (wait, next) = Self.backoff(after: outcome, current: delay, first: settings.reconnectDelay, max: settings.maxReconnectDelay)
            logger.warning("broker silent; reconnecting", metadata: ["hub.delay_ms": "\(wait.milliseconds)"])
            // Sleep in short steps so that stop() is honoured.
            let until = ContinuousClock.now + wait
            while ContinuousClock.now < until, !stopping.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.02) }
            delay = next
        }
    }

    /// The wait before the next connection attempt, and the wait after that one. A
    /// connection the broker answered on was a success, so the next outage starts again
    /// from `first` (Paranoid Pirate resets the delay on every message): one long outage
    /// must not make every later blip cost the longest wait. Silence doubles it up to `max`.
    static func backoff(after outcome: Outcome, current: Duration, first: Duration, max: Duration) -> (wait: Duration, next: Duration) {
        let wait = (outcome == .byeReceived || outcome == .brokerDead(heard: true)) ? first : current
        return (wait, min(wait * 2, max))
    }

    enum Outcome: Equatable {
        case stop
        /// Nothing came from the broker within the heartbeat liveness; `heard` tells
        /// whether anything came on this connection before.
        case brokerDead(heard: Bool)
        case byeReceived
    }

    private func run(_ socket: ZMQSocket, first: [[[UInt8]]]) -> Outcome {
        var poller = ZMQPoller()
        let iSock = poller.add(socket)
        let iWake = poller.add(fd: wakeup.readFD)
        var lastInbound = ContinuousClock.now
        var lastHeartbeat = ContinuousClock.now
        var lastTick = ContinuousClock.now
        let dead = settings.heartbeatInterval * settings.heartbeatLiveness
        var pendingOut: [[[UInt8]]] = first
        // The connection's own opening frames still unsent (made again on every connect).
        var openingLeft = first.count
        var heard = false
        while !stopping.load(ordering: .acquiring) {
            var p = poller
            do { _ = try p.poll(timeoutMs: pendingOut.isEmpty ? 50 : 5) } catch { return .stop }
            if p.isReadable(iWake) { wakeup.drain() }
            if p.isReadable(iSock) {
                for _ in 0..<4096 {
                    guard let msg = try? socket.receive(dontWait: true) else { break }
                    lastInbound = .now
                    heard = true
                    let f = msg.frames
                    if f.count >= 2, f[0] == proto {
                        let cmd = String(decoding: f[1], as: UTF8.self)
                        if cmd == Wire.Command.heartbeat.rawValue { continue }
                        if cmd == Wire.Command.disconnect.rawValue { return .byeReceived }
                    }
                    onMessage(f)
                }
            }
            // Outbound: what async code queued, in order. At the socket's HWM keep it for the next turn.
            let batch = outbox.withLock { q -> [[[UInt8]]] in let b = q; q.removeAll(keepingCapacity: true); return b }
            pendingOut.append(contentsOf: batch)
            var sent = 0
            for frames in pendingOut {
                guard (try? socket.send(frames, dontWait: true)) == true else { break }
                sent += 1
            }
            if sent > 0 {
                pendingOut.removeFirst(sent)
                openingLeft = max(0, openingLeft - sent)
            }
            let now = ContinuousClock.now
            if now - lastHeartbeat >= settings.heartbeatInterval {
                lastHeartbeat = now
                _ = try? socket.send(heartbeatFrames, dontWait: true)
            }
            if now - lastTick >= .milliseconds(20) {
                lastTick = now
                onTick()
            }
            if now - lastInbound > dead {
                // Put back what could not be sent, so a reconnect delivers it — but not this
                // connection's opening frames (READY…): the next connection sends its own.
                let queued = pendingOut.dropFirst(openingLeft)
                if !queued.isEmpty { outbox.withLock { $0.insert(contentsOf: queued, at: 0) } }
                return .brokerDead(heard: heard)
            }
        }
        _ = try? socket.send([proto, Array(Wire.Command.disconnect.rawValue.utf8)], dontWait: true)
        return .stop
    }
}
