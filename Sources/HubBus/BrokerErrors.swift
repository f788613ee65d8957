// How the broker loop answers a request it cannot serve (a structured error to the
// caller), and the per-service error, latency and queue metrics.

import CZeroMQ
import Foundation
import HubCore
import HubProtocol
import Logging
import Metrics
import Synchronization
import ZeroMQ

extension BrokerLoop {

    /// Answers a request with a structured error. The envelope is parsed only here,
    /// on the error path, to find the correlation id.
    func fail(_ client: PeerID, _ envelope: [UInt8], _ type: String, _ error: HubError) {
        countError(error.code)
        let requestID = (try? Envelope.decode(envelope))?.id
        let reply = Envelope.failure(to: requestID, type: MessageType.isValid(type) ? type : "broker.error", error)
        logger.notice("request refused", metadata: ["hub.code": "\(error.code)", "hub.type": "\(MessageType.isValid(type) ? type : "-")"])
        _ = try? router.send([client, proto, Array("REP".utf8), reply.encoded()], dontWait: true)
    }

    func protocolError(to id: PeerID, _ error: HubError) {
        countError(error.code)
        logger.notice("protocol error", metadata: ["hub.code": "\(error.code)"])
        _ = try? router.send([id, proto, Array("ERR".utf8), Envelope.failure(to: nil, type: "broker.error", error).encoded()], dontWait: true)
    }

    func countError(_ code: HubError.Code) {
        if errorCounters[code.rawValue] == nil {
            errorCounters[code.rawValue] = Counter(label: "hub_broker_errors_total", dimensions: [("code", code.rawValue)])
        }
        errorCounters[code.rawValue]!.increment()
    }
    func gauge(_ service: String) -> Gauge {
        if let g = queueGauges[service] { return g }
        let g = Gauge(label: "hub_broker_queue_depth", dimensions: [("service", service)])
        queueGauges[service] = g
        return g
    }
    func timer(_ service: String) -> Metrics.Timer {
        if let t = latency[service] { return t }
        let t = Metrics.Timer(label: "hub_broker_request_duration_seconds", dimensions: [("service", service)], preferredDisplayUnit: .seconds)
        latency[service] = t
        return t
    }
}
