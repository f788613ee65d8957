import CZeroMQ
import Foundation
import HubCore
import HubProtocol
import Logging
import Metrics
import Synchronization
import ZeroMQ

/// Everything the broker needs to run, resolved from configuration before start.
public struct BrokerSettings: Sendable {
    public var endpoint: String
    public var serverKeys: CurveKeyPair
    public var trustedKeys: TrustedKeys
    public var policy: AuthorizationPolicy
    public var requestTimeout: Duration
    public var heartbeatInterval: Duration
    public var heartbeatLiveness: Int
    public var maxMessageBytes: Int
    public var maxQueuedPerService: Int
    public var highWaterMark: Int32

    public init(endpoint: String, serverKeys: CurveKeyPair, trustedKeys: TrustedKeys, policy: AuthorizationPolicy,
                configuration: HubConfiguration.Broker = .init()) {
        self.endpoint = endpoint
        self.serverKeys = serverKeys
        self.trustedKeys = trustedKeys
        self.policy = policy
        self.requestTimeout = .milliseconds(configuration.requestTimeoutMs)
        self.heartbeatInterval = .milliseconds(configuration.heartbeatMs)
        self.heartbeatLiveness = configuration.heartbeatLiveness
        self.maxMessageBytes = configuration.maxMessageBytes
        self.maxQueuedPerService = configuration.maxQueuedPerService
        self.highWaterMark = Int32(configuration.highWaterMark)
    }
}

/// The message broker: routes requests to services by name over every live worker,
/// answers every request (reply, or a structured error: forbidden, unknown service,
/// too large, busy, timeout), and fans events out by topic.
///
/// Majordomo-style (RFC 7/MDP) with CurveZMQ + ZAP (RFC 26/27): one ROUTER socket,
/// owned by one thread that also owns the ZAP handler socket. Workers announce
/// themselves with READY and a capacity (credit); heartbeats flow both ways; a
/// worker silent for `heartbeatLiveness` intervals is dropped and its in-flight
/// requests go to another worker (at-least-once; services are idempotent by
/// message id).
public final class Broker: Sendable {
    public let settings: BrokerSettings
    private let logger: Logger
    private let context: ZMQContext
    private let wakeup = Wakeup()
    private let stopping = Atomic<Bool>(false)
    private let finished = Mutex<Bool>(false)
    private let bound = Mutex<String?>(nil)

    public init(settings: BrokerSettings, logger: Logger, context: ZMQContext = ZMQContext()) {
        self.settings = settings
        self.logger = logger
        self.context = context
    }

    /// Binds and starts the broker thread; returns the bound endpoint.
    @discardableResult
    public func start() throws(HubError) -> String {
        let zap: ZMQSocket
        let router: ZMQSocket
        do {
            // The ZAP handler must be bound before the first peer connects.
            zap = try ZMQSocket(context, .rep)
            try zap.bind("inproc://zeromq.zap.01")
            router = try ZMQSocket(context, .router)
            try router.setHighWaterMark(settings.highWaterMark)
            try router.setMaxMessageSize(Int64(settings.maxMessageBytes) * 2 + 4096)
            try router.set(ZMQ_ROUTER_MANDATORY, 1)
            try router.set(ZMQ_ROUTER_HANDOVER, 1)
            try router.setZMTPHeartbeat(intervalMs: Int32(settings.heartbeatInterval.milliseconds),
                                        timeoutMs: Int32(settings.heartbeatInterval.milliseconds) * Int32(settings.heartbeatLiveness))
            try router.makeCurveServer(secretKey: settings.serverKeys.secretKey)
            try router.bind(settings.endpoint)
        } catch {
            throw HubError(.internal, "The broker cannot bind \(settings.endpoint): \(error)")
        }
        let endpoint = router.lastEndpoint
        bound.withLock { $0 = endpoint }
        let loop = BrokerLoop(settings: settings, router: router, zap: zap, wakeup: wakeup, logger: logger)
        let thread = Thread { [self] in
            loop.run(stopping: stopping)
            router.close()
            zap.close()
            finished.withLock { $0 = true }
        }
        thread.name = "hub-broker"
        thread.start()
        logger.info("broker listening", metadata: ["hub.endpoint": "\(endpoint)", "hub.trusted_keys": "\(settings.trustedKeys.count)"])
        return endpoint
    }

    /// The endpoint the broker is bound to (after `start`).
    public var endpoint: String? { bound.withLock { $0 } }

    /// Stops the loop (after sending BYE to peers) and waits for the thread to close its sockets.
    public func stop() async {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
        while !finished.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
