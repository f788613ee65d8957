import Foundation
import HubProtocol
import HubRegistration
import HubStorage
import NetworksService
import Testing

/// Issue 6, item 5: seats are taken atomically on both databases.
@Suite("Registration engine: no overbooking under concurrency")
struct NoOverbookingTests {
    @Test("200 concurrent registrations to a 30-seat day: 30 confirmed, 170 waiting in order", arguments: Backend.available)
    func twoHundredConcurrentRegistrationsForThirtySeats(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        do {
            try await Self.twoHundredForThirty(send: { await f.send($0, $1).reply }, count: { try await f.count($0, $1) })
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    /// Issue 16, item 4: the same with two workers of the networks service competing on one
    /// PostgreSQL schema (each its own connection pool and broker connection, as two
    /// processes under `hub up` with `workersPerService: 2`), every request through the broker.
    @Test("200 registrations for 30 seats through 2 workers on PostgreSQL: still 30 confirmed, 170 waiting in order",
          .enabled(if: Backend.postgresURL != nil, "needs PostgreSQL (HUB_TEST_DATABASE_URL)"))
    func twoHundredForThirtyThroughTwoWorkers() async throws {
        let workers = try ServiceWorkers(NetworksService.name)
        do {
            try await workers.start(2, definition: NetworksService.definition(), configDir: NetworksFixture.configDir)
            let client = try workers.client()
            try await Self.twoHundredForThirty(send: { await workers.send($0, $1, as: NetworksFixture.defaultActor, via: client) },
                                               count: { try await workers.database.query($0, $1)[0].int("n") })
            #expect(workers.handled.allSatisfy { $0 >= 20 }, "both workers took a share of the requests: \(workers.handled)")
        } catch {
            await workers.tearDown()
            throw error
        }
        await workers.tearDown()
    }

    /// 200 registrations at once for a 30-seat day, then ten cancellations at once: exactly 30
    /// confirmed (the first 30 arrivals), 170 waiting in arrival order with places 1…170 each
    /// handed out once, nothing lost or doubled, and the next ten in line promoted.
    static func twoHundredForThirty(send: @escaping @Sendable (String, JSONValue) async -> Envelope,
                                    count: @escaping @Sendable (String, [DatabaseValue]) async throws -> Int) async throws {
        func ok(_ type: String, _ body: JSONValue) async throws -> JSONValue {
            let reply = await send(type, body)
            if let e = reply.error { Issue.record("\(type) failed: \(e)"); throw e }
            return reply.body
        }
        let day = try await ok("networks.days.create", NetworksFixture.day(capacity: 30))["id"]?.stringValue ?? ""
        let replies = await withTaskGroup(of: Envelope.self) { group in
            for n in 0..<200 {
                group.addTask { await send("networks.registrations.create", NetworksFixture.person(n, dayId: day)) }
            }
            var out: [Envelope] = []
            for await r in group { out.append(r) }
            return out
        }
        #expect(replies.allSatisfy { $0.error == nil }, "\(replies.compactMap(\.error).prefix(3))")
        let placed = replies.compactMap { $0.body["participants"]?.arrayValue?.first }
        #expect(placed.count == 200)
        #expect(placed.filter { $0["status"]?.stringValue == "confirmed" }.count == 30)
        let positions = placed.compactMap { $0["waitingPosition"]?.numberValue }.map { Int($0) }
        #expect(positions.count == 170)
        #expect(positions.sorted() == Array(1...170), "each place in line handed out exactly once")

        // The stored list agrees: seats go to the first 30 arrivals, the line follows arrival order.
        let list = try await ok("networks.registrations.list", ["dayId": .string(day)])["participants"]?.arrayValue ?? []
        #expect(list.count == 200, "no registration lost or stored twice")
        #expect(Set(list.compactMap { $0["email"]?.stringValue }).count == 200)
        let confirmed = list.filter { $0["status"]?.stringValue == "confirmed" }
        let waiting = list.filter { $0["status"]?.stringValue == "waiting" }
        #expect(confirmed.count == 30 && waiting.count == 170)
        let confirmedSeq = confirmed.compactMap { $0["sequence"]?.numberValue }.map { Int($0) }
        let waitingSeq = waiting.compactMap { $0["sequence"]?.numberValue }.map { Int($0) }
        #expect(Set(confirmedSeq) == Set(1...30))
        #expect(waitingSeq == Array(31...200))
        #expect(waiting.compactMap { $0["waitingPosition"]?.numberValue }.map { Int($0) } == Array(1...170))
        // What each caller was told matches what was stored.
        var toldPosition: [String: Int] = [:]
        for p in placed { if let id = p["participantId"]?.stringValue, let pos = p["waitingPosition"]?.numberValue { toldPosition[id] = Int(pos) } }
        for w in waiting { #expect(toldPosition[w["id"]?.stringValue ?? ""] == w["waitingPosition"]?.numberValue.map { Int($0) }) }
        #expect(try await count("SELECT taken AS n FROM registration_events WHERE id = ?", [.text(day)]) == 30)

        // Cancelling ten seats concurrently promotes exactly the next ten in line.
        let cancelTargets = Array(confirmed.prefix(10)).compactMap { $0["id"]?.stringValue }
        await withTaskGroup(of: Void.self) { group in
            for id in cancelTargets {
                group.addTask { _ = await send("networks.registrations.move", ["participantId": .string(id), "to": "waiting", "reason": "Test"]) }
            }
        }
        let after = try await ok("networks.registrations.list", ["dayId": .string(day)])["participants"]?.arrayValue ?? []
        #expect(after.filter { $0["status"]?.stringValue == "confirmed" }.count == 30)
        let promotedSeq = after.filter { $0["status"]?.stringValue == "confirmed" }.compactMap { $0["sequence"]?.numberValue }.map { Int($0) }
        #expect(Set(promotedSeq).isSuperset(of: Set(31...40)))
        #expect(try await count("SELECT taken AS n FROM registration_events WHERE id = ?", [.text(day)]) == 30)
    }

    @Test("1,000 registrations, 32 at a time, to a 150-seat day: 150 confirmed, 850 waiting in order", arguments: Backend.available)
    func aThousandRegistrationsForHundredFiftySeats(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        do {
            let day = try await f.createDay(capacity: 150)
            // 32 senders, each one registration at a time (as the benchmark's HTTP clients).
            let replies = await withTaskGroup(of: [Envelope].self) { group in
                for lane in 0..<32 {
                    group.addTask {
                        var out: [Envelope] = []
                        for n in stride(from: lane, to: 1000, by: 32) {
                            out.append(await f.send("networks.registrations.create", NetworksFixture.person(n, dayId: day)).reply)
                        }
                        return out
                    }
                }
                return await group.reduce(into: [Envelope]()) { $0 += $1 }
            }
            #expect(replies.count == 1000)
            #expect(replies.allSatisfy { $0.error == nil }, "\(replies.compactMap(\.error).prefix(3))")
            let placed = replies.compactMap { $0.body["participants"]?.arrayValue?.first }
            #expect(placed.filter { $0["status"]?.stringValue == "confirmed" }.count == 150)
            #expect(placed.compactMap { $0["waitingPosition"]?.numberValue }.map { Int($0) }.sorted() == Array(1...850))
            let list = try await f.ok("networks.registrations.list", ["dayId": .string(day)])["participants"]?.arrayValue ?? []
            let confirmed = list.filter { $0["status"]?.stringValue == "confirmed" }
            let waiting = list.filter { $0["status"]?.stringValue == "waiting" }
            #expect(Set(confirmed.compactMap { $0["sequence"]?.numberValue }.map { Int($0) }) == Set(1...150))
            #expect(waiting.compactMap { $0["sequence"]?.numberValue }.map { Int($0) } == Array(151...1000))
            #expect(waiting.compactMap { $0["waitingPosition"]?.numberValue }.map { Int($0) } == Array(1...850))
            #expect(try await f.count("SELECT taken AS n FROM registration_events WHERE id = ?", [.text(day)]) == 150)
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    @Test("Concurrent group bookings never exceed capacity", arguments: Backend.available)
    func concurrentGroupBookings(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        do {
            let day = try await f.createDay(capacity: 7, feeSEK: 500)
            await withTaskGroup(of: Void.self) { group in
                for g in 0..<10 {
                    group.addTask {
                        let people: [JSONValue] = (0..<3).map { k in
                            ["name": .string("Kollega \(g)-\(k)"), "agency": "police", "email": .string("k\(g)-\(k)@polisen.se"),
                             "cancelToken": .string(RegistrationEngine.makeToken())]
                        }
                        _ = await f.send("networks.registrations.create", [
                            "dayId": .string(day), "invoiceReference": .string("REF-\(g)"), "manageToken": .string(RegistrationEngine.makeToken()),
                            "booker": ["name": "Bokare", "email": .string("bokare\(g)@polisen.se")], "participants": .array(people),
                        ])
                    }
                }
            }
            #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants WHERE status = 'confirmed'") == 7)
            #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants WHERE status = 'waiting'") == 23)
            let invoice = try await f.ok("networks.registrations.invoice", ["dayId": .string(day)])
            #expect(invoice["totalSEK"]?.numberValue == 3500)
            #expect(invoice["people"]?.numberValue == 7)
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    @Test("The same e-mail sent 20 times at once gets one place; the rest are told it is taken", arguments: Backend.available)
    func concurrentDuplicatesGetOnePlace(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        do {
            let day = try await f.createDay(capacity: 30)
            let replies = await withTaskGroup(of: Envelope.self) { group in
                for n in 0..<20 {
                    group.addTask { await f.send("networks.registrations.create", NetworksFixture.person(n, dayId: day, email: "samma@polisen.se")).reply }
                }
                var out: [Envelope] = []
                for await r in group { out.append(r) }
                return out
            }
            #expect(replies.filter { $0.error == nil }.count == 1)
            let refused = replies.compactMap(\.error)
            #expect(refused.count == 19)
            #expect(refused.allSatisfy { $0.code == .conflict && ($0.field ?? "").hasSuffix("email") }, "\(refused.prefix(3))")
            #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants WHERE event_id = ?", [.text(day)]) == 1)
            #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_bookings WHERE event_id = ?", [.text(day)]) == 1)
            #expect(try await f.count("SELECT taken AS n FROM registration_events WHERE id = ?", [.text(day)]) == 1)
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }
}
