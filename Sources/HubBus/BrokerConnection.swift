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
    /// libzmq's first reconnect delay after a lost connection; doubles up to
    /// `maxReconnectDelay`. Short, so that a restarted broker is found within a moment.
    public var reconnectDelay: Duration
    public var maxReconnectDelay: Duration
    /// How long one TCP connection attempt may go unanswered before libzmq gives it up and
    /// starts a fresh one (`ZMQ_CONNECT_TIMEOUT`). Without it an attempt made while the
    /// broker's host is cut off waits on the kernel's SYN back-off (1, 2, 4, 8, 16… s, up to
    /// about two minutes), so a peer rejoins a host whose link has come back only at its next
    /// retransmission, seconds to minutes later; with it, within this plus `maxReconnectDelay`.
    public var connectTimeout: Duration
    /// Further brokers, when the hub runs several (`broker.endpoints`). A peer connects to
    /// every one: a worker serves each, a client sends a request to one and, when that
    /// connection is lost with the reply outstanding, sends the same message again (same id:
    /// the services' idempotency makes that safe) to another.
    public var others: [String] = []

    /// Every broker this peer connects to, the first one first.
    public var all: [String] { [endpoint] + others.filter { $0 != endpoint } }

    /// The same settings for one of the brokers.
    func connecting(to broker: String) -> BusEndpoint {
        var one = self
        one.endpoint = broker
        one.others = []
        return one
    }

    public init(endpoint: String, brokerPublicKey: String, keys: CurveKeyPair,
                heartbeatInterval: Duration = .seconds(1), heartbeatLiveness: Int = 3,
                highWaterMark: Int32 = 20_000, maxMessageBytes: Int = 256 * 1024,
                reconnectDelay: Duration = .milliseconds(100), maxReconnectDelay: Duration = .milliseconds(500),
                connectTimeout: Duration = .seconds(2)) {
        self.endpoint = endpoint; self.brokerPublicKey = brokerPublicKey; self.keys = keys
        self.heartbeatInterval = heartbeatInterval; self.heartbeatLiveness = heartbeatLiveness
        self.highWaterMark = highWaterMark; self.maxMessageBytes = maxMessageBytes
        self.reconnectDelay = reconnectDelay; self.maxReconnectDelay = maxReconnectDelay
        self.connectTimeout = connectTimeout
    }
}

/// A CURVE-authenticated DEALER connection to the broker.
///
/// The hot path has no thread hop on the way out: `send(_:)` takes the connection's lock
/// and hands the message to libzmq from the calling context (libzmq allows a socket to be
/// used from several threads one at a time, behind a full memory barrier, which the lock
/// is). Only when the socket cannot take it (no connection yet, at the high-water mark, or
/// earlier messages still queued) does the message wait in the connection's queue for the
/// I/O thread. The I/O thread waits on the socket's `ZMQ_FD` with a plain poll (never on the
/// socket itself, so senders are not blocked while it waits), then reads a burst of messages
/// under the lock and hands them to `onMessages` in one call, outside the lock. `ZMQ_FD` is
/// edge-like: any operation resets it, so a sender that finds input waiting after its send
/// wakes the I/O thread (a coalesced `Wakeup`), and the I/O thread blocks only after it has
/// seen no input left.
///
/// Recovery takes as long as the broker takes to come back, not a back-off: the socket
/// stays open while the broker is away and libzmq reconnects by itself (first after
/// `reconnectDelay`, then doubling up to `maxReconnectDelay`; an attempt that the network
/// leaves unanswered — the broker's host cut off — is given up after `connectTimeout` and made
/// afresh, so the broker is found within moments of its link's return). A socket monitor reports
/// each completed handshake, and the opening frames (`onConnect`: READY, subscriptions)
/// go out first on every new connection; a lost connection is reported to `onDisconnect`
/// (a client fails its waiting requests as "outcome unknown" at once, so callers resend
/// instead of waiting out their deadline). The broker's heartbeats carry its instance id,
/// so a broker restarted between two heartbeats is still told from the one before; a BYE
/// (the broker does not know this worker) is answered with the opening frames again.
/// Only a broker that stays silent for the liveness window on an open connection (frozen,
/// or a half-open TCP connection) gets a fresh socket.
final class BrokerConnection: Sendable {
    let settings: BusEndpoint
    private let logger: Logger
    private let context: ZMQContext
    /// The socket (nil between sockets) and what waits to be sent on it, in order.
    private struct Line: @unchecked Sendable {
        var socket: ZMQSocket?
        var pending: [[[UInt8]]] = []
        /// The connection's own opening frames still unsent at the head of `pending`.
        var openingLeft = 0
    }
    private let line = Mutex(Line())
    private let wakeup = Wakeup()
    private let stopping = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let connected = Atomic<Bool>(false)
    /// Frames to send first on every new connection.
    private let onConnect: @Sendable () -> [[[UInt8]]]
    /// Called on the I/O thread with each burst of inbound messages; must only hand them on.
    private let onMessages: @Sendable ([[[UInt8]]]) -> Void
    /// Called on the I/O thread when a connection to the broker is lost.
    private let onDisconnect: @Sendable () -> Void
    /// Called from the I/O loop every 20–50 ms for deadline checks (not on every turn: it scans all waiters).
    private let onTick: @Sendable () -> Void
    /// Frames of a worker's heartbeat (a worker names its service so a restarted broker can tell it to re-register).
    private let heartbeatFrames: [[UInt8]]
    let proto = Array(Wire.protocolName.utf8)

    init(settings: BusEndpoint, logger: Logger, context: ZMQContext,
         heartbeatFrames: [[UInt8]],
         onConnect: @escaping @Sendable () -> [[[UInt8]]],
         onMessages: @escaping @Sendable ([[[UInt8]]]) -> Void,
         onDisconnect: @escaping @Sendable () -> Void = {},
         onTick: @escaping @Sendable () -> Void = {}) {
        self.settings = settings
        self.logger = logger
        self.context = context
        self.heartbeatFrames = heartbeatFrames
        self.onConnect = onConnect
        self.onMessages = onMessages
        self.onDisconnect = onDisconnect
        self.onTick = onTick
    }

    func start() {
        let t = Thread { [self] in self.loop(); self.stopped.store(true, ordering: .releasing) }
        t.name = "hub-bus-io"
        t.start()
    }

    /// Whether a connection to the broker is established (its handshake completed).
    var isConnected: Bool { connected.load(ordering: .acquiring) }

    /// Sends a message to the broker, from the calling context when the socket takes it,
    /// else queued in order for the I/O thread. Returns false when the queue is at its
    /// high-water mark (the caller reports `busy`; nothing is silently dropped).
    @discardableResult
    func send(_ frames: [[UInt8]]) -> Bool {
        let hwm = Int(settings.highWaterMark)
        let (accepted, wake) = line.withLock { l -> (Bool, Bool) in
            guard l.pending.count < hwm else { return (false, false) }
            if l.pending.isEmpty, let socket = l.socket, (try? socket.trySend(frames)) == .sent {
                // The send may have consumed the socket's edge for input that arrived meanwhile.
                return (true, socket.hasInput)
            }
            l.pending.append(frames)
            return (true, true)
        }
        if wake { wakeup.signal() }
        return accepted
    }

    func stop() async {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
        while !stopped.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    private func makeSocket() -> (socket: ZMQSocket, monitor: ZMQSocket)? {
        do {
            let s = try ZMQSocket(context, .dealer)
            try s.setHighWaterMark(settings.highWaterMark)
            try s.setMaxMessageSize(Int64(settings.maxMessageBytes) * 2 + 4096)
            try s.set(ZMQ_IMMEDIATE, 1)
            try s.setReconnect(intervalMs: Int32(settings.reconnectDelay.milliseconds), maxMs: Int32(settings.maxReconnectDelay.milliseconds))
            try s.set(ZMQ_CONNECT_TIMEOUT, Int32(settings.connectTimeout.milliseconds))
            let hb = Int32(settings.heartbeatInterval.milliseconds)
            try s.setZMTPHeartbeat(intervalMs: hb, timeoutMs: hb * Int32(settings.heartbeatLiveness))
            try s.makeCurveClient(serverKey: settings.brokerPublicKey, publicKey: settings.keys.publicKey, secretKey: settings.keys.secretKey)
            let monitor = try s.monitor([.handshakeSucceeded, .disconnected])
            try s.connect(settings.endpoint)
            return (s, monitor)
        } catch {
            logger.error("cannot open broker connection", metadata: ["hub.error": "\(error)"])
            return nil
        }
    }

    private func loop() {
        var delay = settings.reconnectDelay
        while !stopping.load(ordering: .acquiring) {
            guard let (socket, monitor) = makeSocket() else {
                Thread.sleep(forTimeInterval: Double(delay.milliseconds) / 1000)
                continue
            }
            line.withLock { $0.socket = socket }
            let outcome = run(socket, monitor: monitor)
            line.withLock { l in
                l.socket = nil
                // Not this connection's opening frames (READY…): the next connection sends its own.
                l.pending.removeFirst(l.openingLeft)
                l.openingLeft = 0
            }
            socket.stopMonitor()
            monitor.close()
            socket.close()
            if connected.exchange(false, ordering: .acquiringAndReleasing) { onDisconnect() }
            if outcome == .stop { break }
            let (wait, next) = Self.backoff(after: outcome, current: delay, first: settings.reconnectDelay, max: settings.maxReconnectDelay)
            logger.warning("broker silent; reconnecting", metadata: ["hub.delay_ms": "\(wait.milliseconds)"])
            // Sleep in short steps so that stop() is honoured.
            let until = ContinuousClock.now + wait
            while ContinuousClock.now < until, !stopping.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.02) }
            delay = next
        }
    }

    /// The wait before the next fresh socket after a silent broker, and the wait after that
    /// one. A connection the broker answered on was a success, so the next outage starts
    /// again from `first` (Paranoid Pirate resets the delay on every message): one long
    /// outage must not make every later blip cost the longest wait. Silence doubles it up to `max`.
    static func backoff(after outcome: Outcome, current: Duration, first: Duration, max: Duration) -> (wait: Duration, next: Duration) {
        let wait = outcome == .brokerDead(heard: true) ? first : current
        return (wait, min(wait * 2, max))
    }

    enum Outcome: Equatable {
        case stop
        /// Nothing came from the broker within the heartbeat liveness on an established
        /// connection; `heard` tells whether anything came on this socket before.
        case brokerDead(heard: Bool)
    }

    /// Puts this connection's opening frames (READY, subscriptions) first in the queue, once.
    private func open() {
        let opening = onConnect()
        line.withLock { l in
            l.pending.removeFirst(l.openingLeft)
            l.pending.insert(contentsOf: opening, at: 0)
            l.openingLeft = opening.count
        }
    }

    private func run(_ socket: ZMQSocket, monitor: ZMQSocket) -> Outcome {
        var poller = ZMQPoller()
        poller.add(fd: socket.fileDescriptor)
        let iMon = poller.add(monitor)
        let iWake = poller.add(fd: wakeup.readFD)
        var lastInbound = ContinuousClock.now
        var lastHeartbeat = ContinuousClock.now
        var lastTick = ContinuousClock.now
        let dead = settings.heartbeatInterval * settings.heartbeatLiveness
        var heard = false
        // The instance id in the broker's heartbeats: a new one means a restarted broker.
        var brokerInstance: [UInt8]?
        // Whether the last turn left input unread or messages unsent (then poll briefly).
        var moreInput = true
        var unsent = false
        var inbound: [[[UInt8]]] = []
        while !stopping.load(ordering: .acquiring) {
            var p = poller
            do { _ = try p.poll(timeoutMs: moreInput ? 0 : (unsent ? 5 : 50)) } catch { return .stop }
            if p.isReadable(iWake) { wakeup.drain() }
            if p.isReadable(iMon) {
                while let m = try? monitor.receive(dontWait: true) {
                    guard let event = ZMQMonitorEvent(frames: m.frames) else { continue }
                    if event.kind.contains(.handshakeSucceeded) {
                        connected.store(true, ordering: .releasing)
                        lastInbound = .now
                        brokerInstance = nil
                        open()
                    } else if event.kind.contains(.disconnected) {
                        if connected.exchange(false, ordering: .acquiringAndReleasing) { onDisconnect() }
                    }
                }
            }
            let now = ContinuousClock.now
            let beat = now - lastHeartbeat >= settings.heartbeatInterval
            if beat { lastHeartbeat = now }
            // The socket's work under the lock: a burst in, the queue out, and whether input is left.
            inbound.removeAll(keepingCapacity: true)
            (moreInput, unsent) = line.withLock { l -> (Bool, Bool) in
                for _ in 0..<4096 {
                    guard let msg = try? socket.receive(dontWait: true) else { break }
                    inbound.append(msg.frames)
                }
                var sent = 0
                for frames in l.pending {
                    guard (try? socket.trySend(frames)) == .sent else { break }
                    sent += 1
                }
                if sent > 0 {
                    l.pending.removeFirst(sent)
                    l.openingLeft = max(0, l.openingLeft - sent)
                }
                if beat { _ = try? socket.trySend(heartbeatFrames) }
                return (socket.hasInput, !l.pending.isEmpty)
            }
            if !inbound.isEmpty {
                lastInbound = now
                heard = true
                var batch: [[[UInt8]]] = []
                batch.reserveCapacity(inbound.count)
                for f in inbound {
                    if f.count >= 2, f[0] == proto {
                        if f[1] == Self.heartbeatCommand {
                            if f.count >= 3 {
                                if let known = brokerInstance, known != f[2] { open(); unsent = true }
                                brokerInstance = f[2]
                            }
                            continue
                        }
                        if f[1] == Self.byeCommand { open(); unsent = true; continue }
                    }
                    batch.append(f)
                }
                if !batch.isEmpty { onMessages(batch) }
            }
            if now - lastTick >= .milliseconds(20) {
                lastTick = now
                onTick()
            }
            if connected.load(ordering: .acquiring), now - lastInbound > dead {
                return .brokerDead(heard: heard)
            }
        }
        line.withLock { _ in _ = try? socket.trySend([proto, Array(Wire.Command.disconnect.rawValue.utf8)]) }
        return .stop
    }

    static let heartbeatCommand = Array(Wire.Command.heartbeat.rawValue.utf8)
    static let byeCommand = Array(Wire.Command.disconnect.rawValue.utf8)
}
