// The broker's thread-confined loop: its state (peers, services, pending requests), the
// poll loop, ZAP, and the inbound messages — requests, replies, READY, events.
// Errors and metrics are in BrokerErrors.swift, heartbeats and deadlines in BrokerHousekeeping.swift.

import CZeroMQ
import Foundation
import HubCore
import HubProtocol
import Logging
import Metrics
import Synchronization
import ZeroMQ

/// The broker's thread-confined state and loop. Never touched from another thread.
final class BrokerLoop: @unchecked Sendable {
    typealias PeerID = [UInt8]

    struct Peer {
        var principal: Principal
        /// The principal as the frame stamped on each request to a worker (made once).
        var principalFrame: [UInt8]
        /// Request types this peer sent and may send, with the service each goes to: the
        /// routing decision is made once per peer and type, not per message.
        var routes: [[UInt8]: String] = [:]
        var lastSeen: ContinuousClock.Instant
        var service: String?
        var capacity = 0
        var inFlight: Set<UInt64> = []
        var subscriptions: [[UInt8]] = []
    }
    struct Pending {
        var token: UInt64
        var client: PeerID
        var principal: Principal
        var type: [UInt8]
        var envelope: [UInt8]
        var received: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant
        var worker: PeerID?
        var service: String
    }
    struct ServiceState {
        var workers: [PeerID] = []
        var queue: Deque<UInt64> = Deque()
        var next = 0
    }

    let settings: BrokerSettings
    let router: ZMQSocket
    let zap: ZMQSocket
    let wakeup: Wakeup
    let logger: Logger
    let started = ContinuousClock.now
    var peers: [PeerID: Peer] = [:]
    var services: [String: ServiceState] = [:]
    var pending: [UInt64: Pending] = [:]
    /// Tokens start at a random point, so a reply meant for an earlier broker instance
    /// (a worker answering across a broker restart) never matches a request of this one.
    var nextToken = UInt64.random(in: 1...(UInt64(1) << 62))
    var lastHeartbeat = ContinuousClock.now
    /// When the loop last turned: a broker that could not run (starved of CPU, stopped)
    /// does not hold the silence against its peers.
    var lastTurn = ContinuousClock.now
    /// The drain stopped with messages still unread: peers may have sent heartbeats
    /// the broker has not read yet, so nobody is judged silent on this turn.
    var backlog = false
    /// This broker instance, sent in every heartbeat: a peer that sees a new one knows the
    /// broker restarted and registers again at once.
    let instance = Array(String(UInt64.random(in: 0...UInt64.max), radix: 16).utf8)
    let known: Set<String>
    let proto = Array(Wire.protocolName.utf8)
    static let heartbeat = Array(Wire.Command.heartbeat.rawValue.utf8)
    static let requestCommand = Array(Wire.Command.request.rawValue.utf8)
    static let replyCommand = Array(Wire.Command.reply.rawValue.utf8)

    // Metrics (labels are service names and error codes only).
    let requests = Counter(label: "hub_broker_requests_total")
    let refusedPeers = Counter(label: "hub_broker_zap_refused_total")
    let droppedEvents = Counter(label: "hub_broker_events_dropped_total")
    var errorCounters: [String: Counter] = [:]
    var latency: [String: Metrics.Timer] = [:]
    var queueGauges: [String: Gauge] = [:]

    init(settings: BrokerSettings, router: ZMQSocket, zap: ZMQSocket, wakeup: Wakeup, logger: Logger) {
        self.settings = settings
        self.router = router
        self.zap = zap
        self.wakeup = wakeup
        self.logger = logger
        self.known = settings.policy.knownServices
    }

    func run(stopping: borrowing Atomic<Bool>) {
        var poller = ZMQPoller()
        let iRouter = poller.add(router)
        let iZap = poller.add(zap)
        let iWake = poller.add(fd: wakeup.readFD)
        let hbMs = Int(settings.heartbeatInterval.milliseconds)
        while !stopping.load(ordering: .acquiring) {
            var p = poller
            do {
                _ = try p.poll(timeoutMs: min(hbMs, 100))
            } catch {
                if error.isTerminated { break }
                logger.error("broker poll failed", metadata: ["hub.error": "\(error)"])
                break
            }
            let now = ContinuousClock.now
            let gap = now - lastTurn
            lastTurn = now
            if gap > settings.heartbeatInterval {
                for id in peers.keys { peers[id]!.lastSeen += gap }
            }
            if p.isReadable(iWake) { wakeup.drain() }
            if p.isReadable(iZap) { serviceZAP() }
            backlog = false
            if p.isReadable(iRouter) {
                // Drain up to a batch so timers still run under load.
                var n = 0
                while n < 4096, let msg = try? router.receive(dontWait: true) {
                    handle(msg)
                    n += 1
                }
                backlog = n == 4096
            }
            housekeeping()
        }
        for id in peers.keys { _ = try? router.send([id, proto, Array("BYE".utf8)], dontWait: true) }
    }

    // MARK: ZAP (RFC 27)

    func serviceZAP() {
        while let msg = try? zap.receive(dontWait: true) {
            let f = msg.frames
            guard f.count >= 6 else { continue }
            let version = f[0], requestID = f[1], mechanism = String(decoding: f[5], as: UTF8.self)
            var status = "400", text = "Unknown key", user = ""
            if mechanism == "CURVE", f.count >= 7, let principal = settings.trustedKeys.principal(forRawKey: f[6]) {
                status = "200"; text = "OK"; user = principal.name
            } else {
                text = mechanism == "CURVE" ? "Unknown CURVE key" : "CURVE required"
                refusedPeers.increment()
                logger.warning("peer refused", metadata: ["hub.reason": "\(text)", "hub.address": "\(String(decoding: f[3], as: UTF8.self))"])
            }
            _ = try? zap.send([version, requestID, Array(status.utf8), Array(text.utf8), Array(user.utf8), []])
        }
    }

    // MARK: inbound

    func handle(_ msg: ZMQMessage) {
        let f = msg.frames
        guard let id = f.first else { return }
        guard let user = msg.userID, !user.isEmpty else { return } // cannot happen behind ZAP; drop
        let now = ContinuousClock.now
        // A routing id is one connection, and a connection one authenticated principal.
        let principal: Principal
        if let known = peers[id]?.principal {
            principal = known
            peers[id]!.lastSeen = now
        } else {
            principal = Principal(user)
            peers[id] = Peer(principal: principal, principalFrame: Array(user.utf8), lastSeen: now)
        }

        let message: PeerMessage
        switch PeerMessage.parse(f.dropFirst()) {
        case .success(let m): message = m
        case .failure(let e): return protocolError(to: id, e)
        }
        switch message {
        case .request(let type, let envelope):
            request(from: id, principal: principal, type: type, envelope: envelope)
        case .reply(let token, let envelope):
            reply(from: id, token: token, envelope: envelope)
        case .ready(let service, let capacity):
            ready(from: id, principal: principal, service: service, capacity: capacity)
        case .heartbeat(let namesService):
            // A worker that the broker does not know (the broker restarted) must re-register.
            if namesService, peers[id]?.service == nil {
                _ = try? router.send([id, proto, Array("BYE".utf8)], dontWait: true)
            }
        case .disconnect:
            drop(id, reason: "disconnect")
        case .publish(let topic, let envelope):
            publish(from: id, principal: principal, topic: topic, envelope: envelope)
        case .subscribe(let topicPrefix):
            let prefix = String(decoding: topicPrefix, as: UTF8.self)
            if settings.policy.maySubscribe(principal, prefix: prefix) {
                if !(peers[id]!.subscriptions.contains(topicPrefix)) { peers[id]!.subscriptions.append(topicPrefix) }
            } else {
                countError(.forbidden)
                protocolError(to: id, HubError(.forbidden, "\(principal) may not subscribe to \(prefix).", field: "topic"))
            }
        }
    }

    func request(from client: PeerID, principal: Principal, type typeBytes: [UInt8], envelope: [UInt8]) {
        requests.increment()
        // The hot path: a type this peer sent before, to a service it may use.
        if envelope.count <= settings.maxMessageBytes, let service = peers[client]?.routes[typeBytes] {
            return enqueue(from: client, principal: principal, type: typeBytes, service: service, envelope: envelope)
        }
        let type = String(decoding: typeBytes, as: UTF8.self)
        guard envelope.count <= settings.maxMessageBytes else {
            return fail(client, envelope, type, HubError(.tooLarge, "The message is larger than \(settings.maxMessageBytes) bytes."))
        }
        guard MessageType.isValid(type) else {
            return fail(client, envelope, "broker.invalid", HubError(.malformed, "The type frame is not of the form service.action.", field: "type"))
        }
        let service = String(MessageType.service(of: type))
        if service == Wire.brokerService {
            return brokerRequest(from: client, principal: principal, type: type, envelope: envelope)
        }
        guard known.contains(service) || services[service] != nil else {
            return fail(client, envelope, type, HubError(.unknownService, "No service is named \(service).", field: "type"))
        }
        guard settings.policy.mayRequest(principal, type: type) else {
            return fail(client, envelope, type, HubError(.forbidden, "\(principal) may not send \(type).", field: "type"))
        }
        if peers[client]?.routes.count ?? 0 < 1024 { peers[client]?.routes[typeBytes] = service }
        enqueue(from: client, principal: principal, type: typeBytes, service: service, envelope: envelope)
    }

    /// Queues an admitted request for `service` and dispatches.
    func enqueue(from client: PeerID, principal: Principal, type typeBytes: [UInt8], service: String, envelope: [UInt8]) {
        let type = typeBytes
        var state = services[service] ?? ServiceState()
        guard state.queue.count < settings.maxQueuedPerService else {
            return fail(client, envelope, String(decoding: type, as: UTF8.self), HubError(.busy, "The \(service) service is busy; nothing was stored. Try again shortly."))
        }
        let token = nextToken
        nextToken += 1
        let now = ContinuousClock.now
        pending[token] = Pending(token: token, client: client, principal: principal, type: type, envelope: envelope,
                                 received: now, deadline: now + settings.requestTimeout, worker: nil, service: service)
        state.queue.append(token)
        services[service] = state
        dispatch(service)
    }

    /// Sends queued requests of `service` to workers with spare credit; a worker found
    /// gone (its connection closed: killed) is dropped at once and its requests requeued.
    func dispatch(_ service: String) {
        var gone: [PeerID] = []
        dispatchQueued(service, gone: &gone)
        for id in gone { drop(id, reason: "connection closed") }
    }

    private func dispatchQueued(_ service: String, gone: inout [PeerID]) {
        guard var state = services[service] else { return }
        defer { services[service] = state; gauge(service).record(state.queue.count) }
        while let token = state.queue.first {
            guard pending[token] != nil else { state.queue.removeFirst(); continue }
            // Round-robin over workers with spare credit.
            var chosen: PeerID?
            let n = state.workers.count
            if n == 0 { return }
            for k in 0..<n {
                let w = state.workers[(state.next + k) % n]
                if let peer = peers[w], peer.inFlight.count < peer.capacity {
                    chosen = w
                    state.next = (state.next + k + 1) % n
                    break
                }
            }
            guard let worker = chosen, var p = pending[token] else { return }
            let principalFrame = peers[p.client]?.principalFrame ?? Array(p.principal.name.utf8)
            let frames = [worker, proto, Self.requestCommand, Array(String(token).utf8), principalFrame, p.type, p.envelope]
            switch (try? router.trySend(frames)) ?? .wouldBlock {
            case .sent: break
            case .wouldBlock: return // worker pipe full: retry later
            case .unreachable:
                state.workers.removeAll { $0 == worker }
                gone.append(worker)
                continue
            }
            state.queue.removeFirst()
            p.worker = worker
            pending[token] = p
            peers[worker]?.inFlight.insert(token)
        }
    }

    func reply(from worker: PeerID, token: UInt64, envelope: [UInt8]) {
        peers[worker]?.inFlight.remove(token)
        // Only a peer that may serve the request's service answers it (the worker it went
        // to, or the same process reconnected under a new routing id).
        if let p = pending[token], p.worker == worker || (peers[worker].map { settings.policy.mayServe($0.principal, service: p.service) } ?? false) {
            pending.removeValue(forKey: token)
            if let w = p.worker, w != worker { peers[w]?.inFlight.remove(token) }
            timer(p.service).recordNanoseconds((ContinuousClock.now - p.received).nanoseconds)
            if (try? router.send([p.client, proto, Self.replyCommand, envelope], dontWait: true)) != true {
                logger.notice("reply could not be delivered: caller gone or at its high-water mark", metadata: ["hub.service": "\(p.service)"])
            }
            dispatch(p.service)
        } else if let s = peers[worker]?.service {
            dispatch(s)
        }
    }

    func ready(from id: PeerID, principal: Principal, service: String, capacity: Int) {
        guard settings.policy.mayServe(principal, service: service) else {
            countError(.forbidden)
            logger.warning("worker refused", metadata: ["hub.principal": "\(principal)", "hub.service": "\(service)"])
            protocolError(to: id, HubError(.forbidden, "\(principal) may not serve \(service).", field: "service"))
            return
        }
        if let old = peers[id]?.service, old != service { drop(id, reason: "re-registered") ; peers[id] = Peer(principal: principal, principalFrame: Array(principal.name.utf8), lastSeen: .now) }
        peers[id]!.service = service
        peers[id]!.capacity = capacity
        var state = services[service] ?? ServiceState()
        if !state.workers.contains(id) { state.workers.append(id) }
        services[service] = state
        logger.info("worker ready", metadata: ["hub.service": "\(service)", "hub.workers": "\(state.workers.count)"])
        dispatch(service)
    }

    func publish(from id: PeerID, principal: Principal, topic: [UInt8], envelope: [UInt8]) {
        let t = String(decoding: topic, as: UTF8.self)
        guard envelope.count <= settings.maxMessageBytes else {
            return protocolError(to: id, HubError(.tooLarge, "The event is larger than \(settings.maxMessageBytes) bytes."))
        }
        guard MessageType.isValid(t), settings.policy.mayPublish(principal, topic: t) else {
            countError(.forbidden)
            return protocolError(to: id, HubError(.forbidden, "\(principal) may not publish \(t).", field: "topic"))
        }
        let frames0: [[UInt8]] = [proto, Array("EVT".utf8), topic, Array(principal.name.utf8), envelope]
        for (sid, peer) in peers where peer.subscriptions.contains(where: { topic.starts(with: $0) }) {
            if (try? router.send([sid] + frames0, dontWait: true)) != true { droppedEvents.increment() }
        }
    }

    func brokerRequest(from client: PeerID, principal: Principal, type: String, envelope: [UInt8]) {
        let request: Envelope
        do { request = try Envelope.decode(envelope) } catch {
            return fail(client, envelope, type, error)
        }
        let result: JSONValue
        switch type {
        case Wire.statusType:
            result = (try? JSONValue.from(status())) ?? .null
        case Wire.metricsType:
            result = .object(["text": .string(HubMetrics.exposition())])
        case Wire.serviceType:
            guard let name = request.body["service"]?.stringValue else {
                return fail(client, envelope, type, HubError(.validation, "Name the service.", field: "body.service"))
            }
            result = .object(["service": .string(name), "workers": .number(Double(services[name]?.workers.count ?? 0)),
                              "known": .bool(known.contains(name))])
        default:
            return fail(client, envelope, type, HubError(.unknownType, "The broker does not handle \(type).", field: "type"))
        }
        _ = try? router.send([client, proto, Array("REP".utf8), Envelope.reply(to: request, result: result).encoded()], dontWait: true)
    }

    func status() -> BrokerStatus {
        let names = known.union(services.keys).sorted()
        let svc = names.map { n in
            BrokerStatus.Service(name: n, workers: services[n]?.workers.count ?? 0, queued: services[n]?.queue.count ?? 0)
        }
        let others = Set(peers.values.filter { $0.service == nil }.map(\.principal.name)).sorted()
        return BrokerStatus(peers: others, services: svc, uptimeSeconds: Double((ContinuousClock.now - started).components.seconds))
    }
}
