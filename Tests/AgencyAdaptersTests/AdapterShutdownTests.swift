import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HubBus
import HubProtocol
import HubStorage
import HubTestSupport
import ServiceLifecycle
import Testing
@testable import AgencyAdapters

/// Graceful shutdown of an adapter (one lifecycle): its loops and its HTTP listener run in one
/// `ServiceGroup`, as under `hub run adapter-<name>`. SIGTERM (here: the group's graceful
/// shutdown) in the middle of a burst of police referrals — the first delivered at once, then
/// the broker gone so that the next wait in the outbox — loses nothing an agency was told is
/// accepted (201 or 202): each is delivered to the hub or waits, sealed, in the outbox, none is
/// half-stored, the group ends within a bounded time, and the next run delivers what waited.
@Suite("Adapter graceful shutdown", .serialized)
struct AdapterShutdownTests {
    /// One POST of the burst: the HTTP status and the body, or nil when the adapter had stopped listening.
    typealias Answer = (ref: String, status: Int, body: JSONValue)

    static func post(_ ref: String, port: Int) async -> Answer? {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/referrals")!, timeoutInterval: 30)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(policeKey, forHTTPHeaderField: "X-API-Key")
        request.httpBody = Data(policeReferral(ref).serialized())
        guard let (data, response) = try? await URLSession.shared.data(for: request), let http = response as? HTTPURLResponse else { return nil }
        return (ref, http.statusCode, (try? JSONValue.parse(Array(data))) ?? .null)
    }

    /// Waits for `running` (a group's run) at most `bound`, then cancels it; true when it ended by itself.
    static func ends(_ running: Task<Void, any Error>, within bound: Duration) async -> Bool {
        let start = ContinuousClock.now
        let watchdog = Task { try await Task.sleep(for: bound); running.cancel() }
        let result = await running.result
        watchdog.cancel()
        let inTime = ContinuousClock.now - start < bound
        if case .failure(let error) = result { Issue.record("the group ended with an error: \(error)") }
        return inTime
    }

    @Test(arguments: Backend.available)
    func aBurstThenSIGTERMLosesNothingThatWasAccepted(_ backend: Backend) async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let gateway = try f.client()
        let scratch = ScratchDatabase(backend, name: "adapter_police")
        let db = try await scratch.open()
        let environment = ["HUB_ADAPTER_POLICE_API_KEY": policeKey]
        let police = try await f.makeAdapter("police", database: db, environment: environment) { $0.port = 0 }
        try await police.prepare()
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let http = try #require(try await police.httpService(onServerRunning: { portSink.yield($0) }))
        let group = ServiceGroup(configuration: .init(services: (police.services + [http]).map { .init(service: $0) }, logger: f.logger))
        let running = Task { try await group.run() }
        var portIterator = ports.makeAsyncIterator()
        let port = try #require(await portIterator.next())

        // A burst of 40 referrals. Once 3 are answered the broker goes (the next are accepted
        // 202, pending); once 3 more are, SIGTERM, while the rest are in flight.
        let answers = await withTaskGroup(of: Answer?.self) { burst in
            for number in 0..<40 {
                burst.addTask { await Self.post("LPO-SIGTERM-\(number)", port: port) }
            }
            var all: [Answer] = []
            var brokerStopped = false, signalled = false
            for await answer in burst {
                if let answer { all.append(answer) }
                if !brokerStopped, all.count >= 3 {
                    brokerStopped = true
                    await f.stopBroker()
                }
                if !signalled, all.count >= 6 {
                    signalled = true
                    await group.triggerGracefulShutdown()
                }
            }
            if !signalled { await group.triggerGracefulShutdown() }
            return all
        }
        #expect(await Self.ends(running, within: .seconds(60)), "the group ended by itself after the graceful shutdown")

        let accepted = answers.filter { $0.status == 201 || $0.status == 202 }
        #expect(accepted.count >= 3)
        #expect(answers.allSatisfy { $0.status == 201 || $0.status == 202 }, "\(answers.map(\.status))")
        // Nothing half-stored: each intake has its outbox entry and each entry its intake; every
        // entry is delivered (payload dropped) or pending with its sealed envelope.
        let outbox = try await db.query("SELECT o.message_id, o.state, o.envelope, i.external_ref FROM outbox o LEFT JOIN intake i ON i.message_id = o.message_id", [])
        let intakes = try await db.query("SELECT message_id FROM intake", [])
        #expect(outbox.count == intakes.count)
        var stateByRef: [String: String] = [:]
        for row in outbox {
            let id = try row.string("message_id"), state = try row.string("state")
            let ref = try #require(try row.optionalString("external_ref"), "an outbox entry without its intake")
            stateByRef[ref] = state
            if state == "done" {
                #expect(row["envelope"] == .null, "delivered: the payload is dropped")
            } else {
                #expect(state == "pending")
                let sealed = try Envelope.decode(try police.host.runtime.protector.open(try row.blob("envelope"), context: AdapterRuntime.outboxContext(id)))
                #expect(sealed.body["externalRef"]?.stringValue == ref, "pending: whole and sealed")
            }
        }
        // The broker is back (the test service reconnects) for what the hub holds, then for the next run.
        try f.startBroker()
        try await f.waitForWorkers("referrals", via: gateway)
        let delivered = try await f.referrals(via: gateway).compactMap { $0["externalRef"]?.stringValue }
        #expect(Set(delivered).count == delivered.count, "none delivered twice")
        for answer in accepted {
            let state = try #require(stateByRef[answer.ref], "an accepted referral is in the outbox")
            #expect(answer.body["messageId"]?.stringValue == AdapterHost.messageID(adapter: "police", agency: "police", scope: "", externalRef: answer.ref))
            if answer.status == 201 { #expect(state == "done" && delivered.contains(answer.ref)) }
            #expect(state == "pending" || delivered.contains(answer.ref))
        }

        // The next run (a new process: its own bus connection, the same database) delivers what waited.
        let again = try await f.makeAdapter("police", database: db, environment: environment)
        try await again.prepare()
        let second = ServiceGroup(configuration: .init(services: again.services.map { .init(service: $0) }, logger: f.logger))
        let rerun = Task { try await second.run() }
        #expect(try await f.eventually(30) { try await db.query("SELECT message_id FROM outbox WHERE state <> 'done'", []).isEmpty })
        let all = try await f.referrals(via: gateway).compactMap { $0["externalRef"]?.stringValue }
        #expect(Set(accepted.map(\.ref)).isSubset(of: Set(all)) && Set(all).count == all.count, "every accepted referral once")
        await second.triggerGracefulShutdown()
        #expect(await Self.ends(rerun, within: .seconds(60)))

        await db.close()
        await scratch.remove()
        await f.tearDown()
    }
}
