import CZeroMQ
import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Testing
import ZeroMQ

@Suite("Broker routing, errors and authentication over real sockets")
struct BrokerTests {
    @Test func requestReachesServiceAndReplyCarriesCorrelationID() async throws {
        let bus = try BusFixture()
        let client = try bus.client()
        try await bus.worker(TestService.definition())
        try await bus.waitForWorkers("test", via: client)
        let request = Envelope(type: "test.put", body: .object(["value": "x"]))
        let reply = await client.send(request, timeout: .seconds(5))
        #expect(reply.error == nil)
        #expect(reply.correlationID == request.id)
        #expect(reply.body["id"]?.stringValue != nil)
        await bus.tearDown()
    }

    @Test func serviceSeesThePrincipalTheBrokerAuthenticated() async throws {
        let bus = try BusFixture()
        let client = try bus.client("adapter:police")
        let watcher = try bus.client()
        try await bus.worker(TestService.definition())
        try await bus.waitForWorkers("test", via: watcher)
        let result = try await client.request("test.whoami", body: .object(["principal": "gateway"]))
        #expect(result["principal"]?.stringValue == "adapter:police")
        await bus.tearDown()
    }

    @Test func redeliveredCommandReturnsFirstReplyAndStoresOnce() async throws {
        let bus = try BusFixture()
        let client = try bus.client()
        try await bus.worker(TestService.definition())
        try await bus.waitForWorkers("test", via: client)
        let request = Envelope(type: "test.put", body: .object(["value": "once"]))
        let first = await client.send(request, timeout: .seconds(5))
        let second = await client.send(request, timeout: .seconds(5))
        #expect(first.error == nil)
        #expect(first.body == second.body)
        let count = try await client.request("test.count", body: .object([:]))
        #expect(count["count"]?.numberValue == 1)
        await bus.tearDown()
    }

    @Test func unknownServiceGetsStructuredError() async throws {
        let bus = try BusFixture()
        let client = try bus.client()
        await #expect(throws: HubError.self) { try await client.request("nosuch.thing", body: .object([:])) }
        do { _ = try await client.request("nosuch.thing", body: .object([:])) } catch { #expect(error.code == .unknownService) }
        await bus.tearDown()
    }

    @Test func principalWithoutPermissionIsForbidden() async throws {
        let bus = try BusFixture()
        let client = try bus.client("adapter:police")
        do {
            _ = try await client.request("other.read", body: .object([:]))
            Issue.record("expected forbidden")
        } catch { #expect(error.code == .forbidden); #expect(error.field == "type") }
        await bus.tearDown()
    }

    @Test func oversizedMessageIsRefusedAndBrokerKeepsServing() async throws {
        let bus = try BusFixture(maxMessageBytes: 4096)
        let client = try bus.client()
        try await bus.worker(TestService.definition())
        try await bus.waitForWorkers("test", via: client)
        do {
            _ = try await client.request("test.put", body: .object(["value": .string(String(repeating: "x", count: 5000))]))
            Issue.record("expected too_large")
        } catch { #expect(error.code == .tooLarge) }
        let ok = try await client.request("test.put", body: .object(["value": "small"]))
        #expect(ok["id"] != nil)
        await bus.tearDown()
    }

    @Test func invalidJSONEnvelopeGetsInvalidJSONError() async throws {
        let bus = try BusFixture()
        let client = try bus.client()
        try await bus.worker(TestService.definition())
        try await bus.waitForWorkers("test", via: client)
        // The worker cannot parse the envelope, so the reply has no correlation id: use a raw socket.
        let raw = try RawPeer(bus, principal: "gateway")
        let reply = try await raw.call([Array("UHP1".utf8), Array("REQ".utf8), Array("test.put".utf8), Array("{not json".utf8)])
        #expect(reply.count == 3)
        #expect(String(decoding: reply[1], as: UTF8.self) == "REP")
        let env = try Envelope.decode(reply[2])
        #expect(env.error?.code == .invalidJSON)
        raw.close()
        await bus.tearDown()
    }

    @Test func malformedFramesGetProtocolError() async throws {
        let bus = try BusFixture()
        let raw = try RawPeer(bus, principal: "gateway")
        for frames in [[Array("HELLO".utf8)], [Array("UHP1".utf8), Array("REQ".utf8)], [Array("UHP1".utf8), Array("NOPE".utf8), []]] {
            let reply = try await raw.call(frames)
            #expect(String(decoding: reply[1], as: UTF8.self) == "ERR")
            #expect(try Envelope.decode(reply[2]).error?.code == .malformed)
        }
        raw.close()
        await bus.tearDown()
    }

    @Test func requestWithoutWorkerTimesOutWithStructuredError() async throws {
        let bus = try BusFixture(requestTimeoutMs: 300)
        let client = try bus.client()
        let start = ContinuousClock.now
        do {
            _ = try await client.request("test.count", body: .object([:]), timeout: .seconds(5))
            Issue.record("expected timeout")
        } catch {
            #expect(error.code == .timeout)
            #expect(ContinuousClock.now - start < .seconds(4)) // the broker answered, not the client's own deadline
        }
        await bus.tearDown()
    }

    @Test func unknownCurveKeyIsRefusedAndOthersKeepWorking() async throws {
        let bus = try BusFixture()
        let stranger = try CurveKeyPair.generate()
        let client = BusClient(endpoint: BusEndpoint(endpoint: bus.endpoint, brokerPublicKey: bus.brokerKey.publicKey, keys: stranger,
                                                     heartbeatInterval: .milliseconds(100)), logger: bus.logger)
        do {
            _ = try await client.request("broker.status", body: .object([:]), timeout: .milliseconds(600))
            Issue.record("a stranger got an answer")
        } catch { #expect(error.code == .timeout) }
        await client.close()
        let known = try bus.client()
        let status = try await known.brokerStatus(timeout: .seconds(2))
        #expect(status.uptimeSeconds >= 0)
        await bus.tearDown()
    }

    @Test func brokerAnswersStatusServiceAndMetricsItself() async throws {
        HubMetrics.bootstrap()
        let bus = try BusFixture()
        let client = try bus.client()
        try await bus.worker(TestService.definition())
        try await bus.waitForWorkers("test", via: client)
        let service = try await client.request("broker.service", body: ["service": "test"])
        #expect(service["workers"]?.numberValue == 1)
        #expect(service["known"]?.boolValue == true)
        let metrics = try await client.request("broker.metrics", body: [:])
        #expect(metrics["text"]?.stringValue?.contains("hub_broker_requests_total") == true)
        do { _ = try await client.request("broker.nosuch", body: [:]); Issue.record("answered") }
        catch { #expect(error.code == .unknownType) }
        await bus.tearDown()
    }

    @Test func workerWithoutServePermissionIsNotRegistered() async throws {
        let bus = try BusFixture()
        let client = try bus.client()
        // service:other tries to serve "test".
        try await bus.worker(TestService.definition(), principal: "service:other")
        try await Task.sleep(for: .milliseconds(300))
        let status = try await client.brokerStatus(timeout: .seconds(2))
        #expect((status.services.first { $0.name == "test" }?.workers ?? 0) == 0)
        await bus.tearDown()
    }

    @Test func requestsAreSpreadOverEveryWorker() async throws {
        let bus = try BusFixture()
        let client = try bus.client()
        let db = try await bus.database("shared")
        try await bus.worker(TestService.definition(), database: db)
        try await bus.worker(TestService.definition(), database: db)
        try await bus.waitForWorkers("test", count: 2, via: client)
        for i in 0..<20 { _ = try await client.request("test.put", body: .object(["value": .string("v\(i)")])) }
        let n = try await client.request("test.count", body: .object([:]))
        #expect(n["count"]?.numberValue == 20)
        await bus.tearDown()
    }

    @Test func aWaitingRequestIsAnsweredWhenTheBrokerGoesAndAWorkerRegistersAgainWhenItIsBack() async throws {
        let bus = try BusFixture(requestTimeoutMs: 60_000)
        let client = try bus.client()
        try await bus.worker(TestService.definition(slowMs: 4000))
        try await bus.waitForWorkers("test", via: client)
        // A request the worker holds while the broker goes away: its caller is answered on the
        // lost connection ("outcome unknown", resend), not after its own 60 s deadline.
        let held = Task { await client.send(Envelope(type: "test.slow", body: [:]), timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(500))
        await bus.stopBroker()
        let reply = await held.value
        #expect(reply.error?.code == .timeout)
        #expect(reply.error?.message.contains("connection to the broker was lost") == true)
        // The same port again: the worker's socket reconnects by itself and registers at once.
        try bus.startBroker()
        try await bus.waitForWorkers("test", via: client)
        let n = try await client.request("test.count", body: .object([:]))
        #expect(n["count"]?.numberValue == 0)
        await bus.tearDown()
    }

    @Test func aReplyIsTakenOnlyFromAPeerThatMayServeTheService() async throws {
        let bus = try BusFixture(requestTimeoutMs: 20000, heartbeatMs: 1000)
        let client = try bus.client()
        let worker = try await RawPeer.worker(bus, via: client)
        let request = Envelope(type: "test.count", body: [:])
        let answer = Task { await client.send(request, timeout: .seconds(25)) }
        let taken = try await worker.receive(timeoutMs: 5000, heartbeat: RawPeer.workerHeartbeat)
        #expect(taken.count == 6)
        // Another principal (a worker of another service) answers with the stolen token: ignored.
        let other = try RawPeer(bus, principal: "service:other")
        try other.send([Array("UHP1".utf8), Array("REP".utf8), taken[2], Envelope.reply(to: request, result: ["count": 99]).encoded()])
        try await Task.sleep(for: .milliseconds(300))
        // The worker it went to answers: that reply is the one delivered.
        try worker.send([Array("UHP1".utf8), Array("REP".utf8), taken[2], Envelope.reply(to: request, result: ["count": 1]).encoded()])
        let reply = await answer.value
        #expect(reply.body["count"]?.numberValue == 1)
        other.close(); worker.close()
        await bus.tearDown()
    }

    @Test func requestHeldByDeadWorkerGoesToAnotherWorker() async throws {
        // Heartbeats slow enough that a loaded machine does not make the raw peer look dead
        // before it has taken the request (the test must not depend on the machine's speed).
        let bus = try BusFixture(requestTimeoutMs: 20000, heartbeatMs: 1000)
        let client = try bus.client()
        // A worker that takes requests and never answers, then goes silent (killed).
        let silent = try await RawPeer.worker(bus, via: client)
        async let answer = client.request("test.count", body: .object([:]), timeout: .seconds(25))
        let taken = try await silent.receive(timeoutMs: 5000, heartbeat: RawPeer.workerHeartbeat)
        #expect(taken.count == 6) // the broker handed the request to the silent worker
        silent.close() // dies without replying or saying BYE
        try await bus.worker(TestService.definition())
        let result = try await answer
        #expect(result["count"]?.numberValue == 0)
        await bus.tearDown()
    }

    @Test func eventsReachOnlySubscribersThePolicyAllows() async throws {
        let bus = try BusFixture()
        let client = try bus.client()
        let police = try bus.client("adapter:police")
        let municipality = try bus.client("adapter:municipality")
        police.subscribe("agency.police.")
        municipality.subscribe("agency.police.") // not allowed: gets an ERR, never the event
        try await bus.worker(TestService.definition())
        try await bus.waitForWorkers("test", via: client)
        try await Task.sleep(for: .milliseconds(200))
        _ = try await client.request("test.put", body: .object(["value": "e"]))
        var got: BusEvent?
        for await e in police.eventStream { got = e; break }
        #expect(got?.topic == "agency.police.item")
        #expect(got?.publisher == Principal("service:test"))
        let leaked = await withTaskGroup(of: Bool.self) { g in
            g.addTask { for await _ in municipality.eventStream { return true }; return false }
            g.addTask { try? await Task.sleep(for: .milliseconds(400)); return false }
            let r = await g.next()!
            g.cancelAll()
            return r
        }
        #expect(!leaked)
        await bus.tearDown()
    }
}

/// A raw CURVE DEALER for frame-level tests, used from one task only.
final class RawPeer: @unchecked Sendable {
    let socket: ZMQSocket
    init(_ bus: BusFixture, principal: String) throws {
        let key = try KeyStore.secret(for: Principal(principal), in: [bus.keysDir])
        socket = try ZMQSocket(ZMQContext(), .dealer)
        try socket.makeCurveClient(serverKey: bus.brokerKey.publicKey, publicKey: key.publicKey, secretKey: key.secretKey!)
        try socket.connect(bus.endpoint)
    }
    func send(_ frames: [[UInt8]]) throws { try socket.send(frames) }
    /// A `test` worker with credit 1, registered with the broker.
    static func worker(_ bus: BusFixture, via client: BusClient) async throws -> RawPeer {
        let peer = try RawPeer(bus, principal: "service:test")
        try peer.send([Array("UHP1".utf8), Array("READY".utf8), Array("test".utf8), Array("1".utf8)])
        try await bus.waitForWorkers("test", via: client)
        return peer
    }
    static let workerHeartbeat = [Array("UHP1".utf8), Array("HB".utf8), Array("test".utf8)]
    /// Waits for a message other than a heartbeat; sends `heartbeat` every 50 ms meanwhile
    /// (a worker must, or the broker drops it). The wait runs on a thread of its own: blocking
    /// one of the few cooperative threads would starve the tests running beside it.
    func receive(timeoutMs: Int, heartbeat: [[UInt8]]? = nil) async throws -> [[UInt8]] {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<[[UInt8]], any Error>) in
            Thread { c.resume(with: Result { try self.receiveBlocking(timeoutMs: timeoutMs, heartbeat: heartbeat) }) }.start()
        }
    }
    private func receiveBlocking(timeoutMs: Int, heartbeat: [[UInt8]]?) throws -> [[UInt8]] {
        var poller = ZMQPoller(); poller.add(socket)
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while ContinuousClock.now < deadline {
            if let heartbeat { try socket.send(heartbeat) }
            var p = poller
            _ = try p.poll(timeoutMs: 50)
            while let m = try socket.receive(dontWait: true) {
                if m.frames.count >= 2, String(decoding: m.frames[1], as: UTF8.self) == "HB" { continue }
                return m.frames
            }
        }
        throw HubError(.timeout, "no message")
    }
    func call(_ frames: [[UInt8]]) async throws -> [[UInt8]] { try send(frames); return try await receive(timeoutMs: 3000) }
    func close() { socket.close() }
}
