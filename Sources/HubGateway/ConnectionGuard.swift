import HubWeb
import HTTPTypes
import HummingbirdCore
import NIOHTTPTypes
import NIOCore
import Synchronization

/// Limits that keep one slow or greedy client from holding the gateway's connections.
public struct ConnectionLimits: Sendable, Equatable {
    /// From connecting (or the end of the last response) until a request's headers are
    /// complete; a connection that sends half its headers is closed after it.
    public var headerTimeout: Duration
    /// From the headers until the whole body has arrived; a body that never reaches its
    /// Content-Length gets 408 and the connection is closed.
    public var bodyTimeout: Duration
    /// Open connections from one client address; more are closed at once.
    public var maxConnectionsPerAddress: Int

    public init(headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), maxConnectionsPerAddress: Int = 128) {
        self.headerTimeout = headerTimeout; self.bodyTimeout = bodyTimeout; self.maxConnectionsPerAddress = maxConnectionsPerAddress
    }
}

/// Open connections per client address, shared by every connection's `ConnectionGuard`.
final class ConnectionCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// Counts a new connection from `address`; false (not counted) when it would exceed `limit`.
    func open(_ address: String, limit: Int) -> Bool {
        counts.withLock { c in
            let n = c[address, default: 0]
            guard n < limit else { return false }
            c[address] = n + 1
            return true
        }
    }

    func close(_ address: String) {
        counts.withLock { c in
            let n = c[address, default: 1] - 1
            c[address] = n > 0 ? n : nil
        }
    }

}

/// A per-connection handler after HTTP decoding: read deadlines for headers and body, and
/// the cap on connections per address. Written by hand because Hummingbird's idle timeout
/// restarts on every decoded part and never answers 408.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase { case awaitingHead, readingBody, responding }

    let limits: ConnectionLimits
    let counter: ConnectionCounter
    private var phase = Phase.awaitingHead
    private var responseStarted = false
    private var timer: Scheduled<Void>?
    private var address: String?

    init(limits: ConnectionLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard address == nil else { return }
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.open(peer, limit: limits.maxConnectionsPerAddress) else {
            address = ""
            context.close(promise: nil)
            return
        }
        address = peer
        arm(context, after: limits.headerTimeout) { context in context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        if let address, !address.isEmpty { counter.close(address) }
        address = ""
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            phase = .readingBody
            arm(context, after: limits.bodyTimeout) { [weak self] context in self?.bodyTimedOut(context) }
        case .body:
            break
        case .end:
            phase = .responding
            disarm()
        }
        context.fireChannelRead(data)
    }

    /// Broken framing: the request is over (the responder answers 400), so no deadline runs.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if phase == .readingBody {
            phase = .responding
            disarm()
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responseStarted = true
        case .body: break
        case .end:
            responseStarted = false
            if phase == .responding {
                // Keep-alive: the next request's headers must come within the header timeout.
                phase = .awaitingHead
                arm(context, after: limits.headerTimeout) { context in context.close(promise: nil) }
            }
        }
        context.write(data, promise: promise)
    }

    /// The body stopped short of its length: 408, and the connection is closed.
    private func bodyTimedOut(_ context: ChannelHandlerContext) {
        guard phase == .readingBody else { return }
        if !responseStarted {
            let head = HTTPResponse(status: .requestTimeout, headerFields: [.connection: "close", .contentLength: "0"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }

    private func arm(_ context: ChannelHandlerContext, after delay: Duration, _ fire: @escaping (ChannelHandlerContext) -> Void) {
        disarm()
        let nanos = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        let loop = context.eventLoop.assumeIsolatedUnsafeUnchecked()
        timer = loop.scheduleTask(in: .nanoseconds(nanos)) { [weak self] in
            self?.timer = nil
            fire(context)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
