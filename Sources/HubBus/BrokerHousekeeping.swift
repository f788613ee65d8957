// The broker loop's timers: heartbeats to every peer, silent peers dropped, expired
// requests answered, and a dropped worker's requests requeued.

import CZeroMQ
import Foundation
import HubCore
import HubProtocol
import Logging
import Metrics
import Synchronization
import ZeroMQ

extension BrokerLoop {

    func housekeeping() {
        let now = ContinuousClock.now
        if now - lastHeartbeat >= settings.heartbeatInterval {
            lastHeartbeat = now
            let dead = settings.heartbeatInterval * settings.heartbeatLiveness
            for (id, peer) in peers {
                if !backlog, now - peer.lastSeen > dead { drop(id, reason: "heartbeat"); continue }
                if (try? router.trySend([id, proto, Self.heartbeat, instance])) == .unreachable { drop(id, reason: "connection closed") }
            }
        }
        // Deadlines: answer every expired request, whether queued or on a worker.
        var expired: [UInt64] = []
        for (token, p) in pending where p.deadline <= now { expired.append(token) }
        for token in expired {
            guard let p = pending.removeValue(forKey: token) else { continue }
            if let w = p.worker { peers[w]?.inFlight.remove(token) }
            if var s = services[p.service], let i = s.queue.firstIndex(of: token) { s.queue.remove(at: i); services[p.service] = s }
            let type = String(decoding: p.type, as: UTF8.self)
            let why = p.worker == nil
                ? "No \(p.service) worker could take the request in time; it was not processed."
                : "The \(p.service) service did not answer in time; the outcome is unknown — resend with the same message id to learn it."
            fail(p.client, p.envelope, type, HubError(.timeout, why))
        }
    }

    func drop(_ id: PeerID, reason: String) {
        guard let peer = peers.removeValue(forKey: id) else { return }
        guard let service = peer.service, var state = services[service] else { return }
        state.workers.removeAll { $0 == id }
        // Requeue what the dead worker held, at the front, oldest first.
        for token in peer.inFlight.sorted().reversed() where pending[token] != nil {
            pending[token]!.worker = nil
            state.queue.prepend(token)
        }
        services[service] = state
        logger.warning("worker dropped", metadata: ["hub.service": "\(service)", "hub.reason": "\(reason)", "hub.requeued": "\(peer.inFlight.count)"])
        dispatch(service)
    }
}
