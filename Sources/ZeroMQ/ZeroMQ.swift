import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// An error from libzmq, carrying `errno` and libzmq's own text for it.
public struct ZMQError: Error, Sendable, CustomStringConvertible {
    public let errno: Int32
    public let operation: String
    public init(errno: Int32, operation: String) { self.errno = errno; self.operation = operation }
    public var description: String { "\(operation): \(String(cString: zmq_strerror(errno)))" }
    /// The context was terminated: the owning loop should close its socket and stop.
    public var isTerminated: Bool { errno == ETERM }
    public var wouldBlock: Bool { errno == EAGAIN }
    static func last(_ operation: String) -> ZMQError { ZMQError(errno: zmq_errno(), operation: operation) }
}

/// A libzmq context. Thread-safe (as libzmq's context is); every `ZMQSocket` keeps
/// its context alive, so `zmq_ctx_term` runs only after the last socket is closed and
/// can never hang on a forgotten socket.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init(ioThreads: Int32 = 1) {
        handle = zmq_ctx_new()
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        // Block no socket at exit: close() sets linger 0 as well.
        zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
    }

    /// Makes every blocking call on this context's sockets return `ETERM`, so that
    /// owner threads wake up, close their sockets and exit. Safe from any thread.
    public func shutdown() { zmq_ctx_shutdown(handle) }

    deinit { zmq_ctx_term(handle) }

    /// libzmq's version, e.g. (4, 3, 4).
    public static var version: (Int32, Int32, Int32) {
        var a: Int32 = 0, b: Int32 = 0, c: Int32 = 0
        zmq_version(&a, &b, &c)
        return (a, b, c)
    }
    /// Whether libzmq was built with CURVE (libsodium).
    public static var hasCurve: Bool { zmq_has("curve") == 1 }
}

/// Socket types used by the hub.
public enum ZMQSocketType: Int32, Sendable {
    case pair = 0, pub = 1, sub = 2, req = 3, rep = 4, dealer = 5, router = 6, pull = 7, push = 8, xpub = 9, xsub = 10
}

/// One ZeroMQ socket.
///
/// libzmq sockets are not thread-safe. A `ZMQSocket` must have exactly one owner at
/// a time: it is created, then handed to the single thread (see `ZMQLoopThread`)
/// that uses and closes it. It is marked `@unchecked Sendable` only so that it can
/// be moved into that thread; no code here touches a socket from two threads.
public final class ZMQSocket: @unchecked Sendable {
    public let context: ZMQContext
    private(set) var handle: UnsafeMutableRawPointer?
    public let type: ZMQSocketType

    public init(_ context: ZMQContext, _ type: ZMQSocketType) throws(ZMQError) {
        guard let h = zmq_socket(context.handle, type.rawValue) else { throw .last("zmq_socket") }
        self.context = context
        self.handle = h
        self.type = type
        try set(ZMQ_LINGER, 0)
    }

    deinit { close() }

    /// Closes with linger 0 (unsent messages are dropped; callers that need
    /// delivery wait for replies, never for a linger). Idempotent.
    public func close() {
        guard let h = handle else { return }
        var zero: Int32 = 0
        zmq_setsockopt(h, ZMQ_LINGER, &zero, MemoryLayout<Int32>.size)
        zmq_close(h)
        handle = nil
    }

    private func live(_ op: String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let h = handle else { throw ZMQError(errno: ENOTSOCK, operation: op) }
        return h
    }

    public func bind(_ endpoint: String) throws(ZMQError) {
        if zmq_bind(try live("bind"), endpoint) != 0 { throw .last("zmq_bind \(endpoint)") }
    }
    public func connect(_ endpoint: String) throws(ZMQError) {
        if zmq_connect(try live("connect"), endpoint) != 0 { throw .last("zmq_connect \(endpoint)") }
    }
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        if zmq_disconnect(try live("disconnect"), endpoint) != 0 { throw .last("zmq_disconnect") }
    }
    /// The endpoint actually bound (resolves `tcp://127.0.0.1:*`).
    public var lastEndpoint: String {
        var buf = [CChar](repeating: 0, count: 256)
        var len = buf.count
        guard let h = handle, zmq_getsockopt(h, ZMQ_LAST_ENDPOINT, &buf, &len) == 0 else { return "" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: options

    public func set(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var v = value
        if zmq_setsockopt(try live("setsockopt"), option, &v, MemoryLayout<Int32>.size) != 0 { throw .last("zmq_setsockopt \(option)") }
    }
    public func set(_ option: Int32, int64 value: Int64) throws(ZMQError) {
        var v = value
        if zmq_setsockopt(try live("setsockopt"), option, &v, MemoryLayout<Int64>.size) != 0 { throw .last("zmq_setsockopt \(option)") }
    }
    public func set(_ option: Int32, bytes: [UInt8]) throws(ZMQError) {
        let h = try live("setsockopt")
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(h, option, $0.baseAddress, $0.count) }
        if rc != 0 { throw .last("zmq_setsockopt \(option)") }
    }
    public func set(_ option: Int32, string: String) throws(ZMQError) { try set(option, bytes: Array(string.utf8)) }
    public func getInt(_ option: Int32) throws(ZMQError) -> Int32 {
        var v: Int32 = 0
        var len = MemoryLayout<Int32>.size
        if zmq_getsockopt(try live("getsockopt"), option, &v, &len) != 0 { throw .last("zmq_getsockopt \(option)") }
        return v
    }

    /// High-water marks for send and receive (messages). At the mark a ROUTER drops
    /// (we set ROUTER_MANDATORY so that the send fails instead of silently dropping),
    /// a DEALER blocks — our loops send with DONTWAIT and answer `busy`.
    public func setHighWaterMark(_ n: Int32) throws(ZMQError) {
        try set(ZMQ_SNDHWM, n)
        try set(ZMQ_RCVHWM, n)
    }
    /// Largest inbound message; a peer that sends more is disconnected by libzmq.
    public func setMaxMessageSize(_ bytes: Int64) throws(ZMQError) { try set(ZMQ_MAXMSGSIZE, int64: bytes) }
    /// ZMTP-level heartbeats (connection liveness below our protocol's heartbeats).
    public func setZMTPHeartbeat(intervalMs: Int32, timeoutMs: Int32) throws(ZMQError) {
        try set(ZMQ_HEARTBEAT_IVL, intervalMs)
        try set(ZMQ_HEARTBEAT_TIMEOUT, timeoutMs)
        try set(ZMQ_HEARTBEAT_TTL, timeoutMs)
    }
    /// libzmq's own reconnection after a lost connection: the first attempt after
    /// `intervalMs`, then doubling up to `maxMs` (0: no doubling). The socket keeps its
    /// queued messages and reconnects by itself, so a restarted peer is found again at once.
    public func setReconnect(intervalMs: Int32, maxMs: Int32) throws(ZMQError) {
        try set(ZMQ_RECONNECT_IVL, intervalMs)
        try set(ZMQ_RECONNECT_IVL_MAX, maxMs)
    }
    public func setRoutingID(_ id: [UInt8]) throws(ZMQError) { try set(ZMQ_ROUTING_ID, bytes: id) }

    /// Reports this socket's connection events (`ZMQMonitorEvent`) on a PAIR socket that
    /// the caller owns, polls and closes (after `stopMonitor()`), on the same thread.
    public func monitor(_ events: ZMQMonitorEvent.Kind) throws(ZMQError) -> ZMQSocket {
        let endpoint = "inproc://monitor-\(UInt64.random(in: 0...UInt64.max))"
        if zmq_socket_monitor(try live("monitor"), endpoint, events.rawValue) != 0 { throw .last("zmq_socket_monitor") }
        let pair = try ZMQSocket(context, .pair)
        try pair.connect(endpoint)
        return pair
    }
    /// Stops the monitor started by `monitor(_:)`.
    public func stopMonitor() {
        if let h = handle { zmq_socket_monitor(h, nil, 0) }
    }
    public func subscribe(_ prefix: [UInt8]) throws(ZMQError) { try set(ZMQ_SUBSCRIBE, bytes: prefix) }

    /// Makes this socket a CURVE server with `secretKey` (Z85); peers must pass ZAP.
    public func makeCurveServer(secretKey: String, zapDomain: String = "utvag-hub") throws(ZMQError) {
        try set(ZMQ_CURVE_SERVER, 1)
        try set(ZMQ_CURVE_SECRETKEY, string: secretKey)
        try set(ZMQ_ZAP_DOMAIN, string: zapDomain)
    }
    /// Makes this socket a CURVE client of `serverKey` with its own key pair (all Z85).
    public func makeCurveClient(serverKey: String, publicKey: String, secretKey: String) throws(ZMQError) {
        try set(ZMQ_CURVE_SERVERKEY, string: serverKey)
        try set(ZMQ_CURVE_PUBLICKEY, string: publicKey)
        try set(ZMQ_CURVE_SECRETKEY, string: secretKey)
    }

    // MARK: messages

    /// Sends a multipart message. Returns false when `dontWait` and the socket is at
    /// its high-water mark (EAGAIN) or, for a ROUTER, the peer is unknown (EHOSTUNREACH).
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        try trySend(frames, dontWait: dontWait) == .sent
    }

    /// What became of a message handed to `trySend`.
    public enum SendOutcome: Sendable, Equatable {
        case sent
        /// At the high-water mark, or (DEALER with `ZMQ_IMMEDIATE`) no connection yet: try again later.
        case wouldBlock
        /// A ROUTER (with `ZMQ_ROUTER_MANDATORY`) has no connection to that peer: it is gone.
        case unreachable
    }

    /// As `send`, telling a full pipe from a peer that is gone (a ROUTER drops the
    /// routing id of a disconnected peer at once, so the broker learns of a killed
    /// worker at the next message to it instead of after the heartbeat liveness).
    public func trySend(_ frames: [[UInt8]], dontWait: Bool = true) throws(ZMQError) -> SendOutcome {
        let h = try live("send")
        let last = frames.count - 1
        for i in frames.indices {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if i < last { flags |= ZMQ_SNDMORE }
            let rc = frames[i].withUnsafeBytes { zmq_send(h, $0.baseAddress, $0.count, flags) }
            if rc < 0 {
                let e = zmq_errno()
                // Only the first frame can fail with EAGAIN; later frames of an accepted message are queued atomically.
                if i == 0 && e == EAGAIN { return .wouldBlock }
                if i == 0 && e == EHOSTUNREACH { return .unreachable }
                throw ZMQError(errno: e, operation: "zmq_send")
            }
        }
        return .sent
    }

    /// Receives one multipart message; nil when `dontWait` and none is waiting.
    public func receive(dontWait: Bool = false) throws(ZMQError) -> ZMQMessage? {
        let h = try live("recv")
        var frames: [[UInt8]] = []
        var userID: String?
        var msg = zmq_msg_t()
        while true {
            zmq_msg_init(&msg)
            let rc = zmq_msg_recv(&msg, h, dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0)
            if rc < 0 {
                let e = zmq_errno()
                zmq_msg_close(&msg)
                if e == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError(errno: e, operation: "zmq_msg_recv")
            }
            let size = zmq_msg_size(&msg)
            if size > 0, let data = zmq_msg_data(&msg) {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            if userID == nil, let p = zmq_msg_gets(&msg, "User-Id") {
                userID = String(cString: p)
            }
            let more = zmq_msg_more(&msg) != 0
            zmq_msg_close(&msg)
            if !more { break }
        }
        return ZMQMessage(frames: frames, userID: userID)
    }

    /// The socket's `ZMQ_FD`: readable when libzmq has news for the socket (edge-like: it
    /// is reset by any operation on the socket). Lets one thread wait on the socket with a
    /// plain poll while other threads use it under a lock (see `events`).
    public var fileDescriptor: Int32 {
        var fd: Int32 = -1
        var len = MemoryLayout<Int32>.size
        if let h = handle { zmq_getsockopt(h, ZMQ_FD, &fd, &len) }
        return fd
    }
    /// Whether a message can be received now (`ZMQ_EVENTS` has `ZMQ_POLLIN`). Reading it
    /// processes libzmq's pending commands, which is what makes `fileDescriptor` safe to wait on.
    public var hasInput: Bool {
        guard let h = handle else { return false }
        var events: Int32 = 0
        var len = MemoryLayout<Int32>.size
        guard zmq_getsockopt(h, ZMQ_EVENTS, &events, &len) == 0 else { return false }
        return events & Int32(ZMQ_POLLIN) != 0
    }

    /// Raw handle for `zmq_poll` and `zmq_proxy`.
    public var rawHandle: UnsafeMutableRawPointer? { handle }
}

/// A received multipart message with the ZAP user id of the peer that sent it.
public struct ZMQMessage: Sendable {
    public var frames: [[UInt8]]
    /// The authenticated principal that the ZAP handler assigned to the sending peer.
    public var userID: String?
    public init(frames: [[UInt8]], userID: String? = nil) { self.frames = frames; self.userID = userID }
}

/// A connection event from a socket monitor (`ZMQSocket.monitor`).
public struct ZMQMonitorEvent: Sendable {
    /// Which events to report (libzmq's `ZMQ_EVENT_*` bits).
    public struct Kind: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// The ZMTP (and CURVE) handshake with a peer completed: the connection carries messages.
        public static let handshakeSucceeded = Kind(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
        /// An established connection was lost.
        public static let disconnected = Kind(rawValue: ZMQ_EVENT_DISCONNECTED)
    }
    public var kind: Kind
    /// The event's value (a file descriptor or an error number, by event).
    public var value: UInt32

    /// Reads the two frames libzmq sends for each event; nil for anything else.
    public init?(frames: [[UInt8]]) {
        guard frames.count >= 1, frames[0].count >= 6 else { return nil }
        let f = frames[0]
        kind = Kind(rawValue: Int32(UInt16(f[0]) | UInt16(f[1]) << 8))
        value = UInt32(f[2]) | UInt32(f[3]) << 8 | UInt32(f[4]) << 16 | UInt32(f[5]) << 24
    }
}
