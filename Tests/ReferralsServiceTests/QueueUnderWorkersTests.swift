import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@testable import ReferralsService
import Testing

/// Issue 16, item 4: the waiting list stays exact when two workers of the referrals service
/// (each its own connection pool and broker connection, as two processes under `hub up` with
/// `workersPerService: 2`) take submissions and accepts at the same time on one PostgreSQL schema.
@Suite("Referrals: the queue under competing workers")
struct QueueUnderWorkersTests {
    static let referrals = 40

    @Test("40 referrals submitted and accepted at once through 2 workers: places 1…40 in line, each held once, list and referral agree",
          .enabled(if: Backend.postgresURL != nil, "needs PostgreSQL (HUB_TEST_DATABASE_URL)"))
    func placesAreUniqueAndGapless() async throws {
        let workers = try ServiceWorkers(ReferralsService.name)
        do {
            try await run(workers)
        } catch {
            await workers.tearDown()
            throw error
        }
        await workers.tearDown()
    }

    func run(_ workers: ServiceWorkers) async throws {
        // A clock that stands still: every accept is received in the same millisecond, the
        // hardest case for telling places in line apart.
        let clock = TestClock("2026-03-02T09:00:00.000Z")
        let definition = try ReferralsService.definition(configDir: Harness.configDir, keys: DataKeyRing(file: DataKeyRing.generateFile()),
                                                         now: { clock.now })
        try await workers.start(2, definition: definition, configDir: Harness.configDir)
        let client = try workers.client()
        let anonymous = referral(client: ["identityKind": "none", "identityNumber": .null, "name": .null])
        let submitted = await withTaskGroup(of: Envelope.self) { group in
            for _ in 0..<Self.referrals {
                group.addTask { await workers.send("referrals.submit", anonymous, as: Actors.police, via: client) }
            }
            return await group.reduce(into: [Envelope]()) { $0.append($1) }
        }
        #expect(submitted.allSatisfy { $0.error == nil }, "\(submitted.compactMap(\.error).prefix(3))")
        let ids = submitted.compactMap { $0.body["id"]?.stringValue }
        #expect(Set(ids).count == Self.referrals)

        // Accepted at once by staff, half of them urgent (priority 1).
        let accepted = await withTaskGroup(of: Envelope.self) { group in
            for (i, id) in ids.enumerated() {
                group.addTask {
                    await workers.send("referrals.assess", ["id": .string(id), "decision": "accept", "priority": .number(Double(1 + i % 2))],
                                       as: Actors.staffSkaraborg, via: client)
                }
            }
            return await group.reduce(into: [Envelope]()) { $0.append($1) }
        }
        #expect(accepted.allSatisfy { $0.error == nil }, "\(accepted.compactMap(\.error).prefix(3))")

        let list = await workers.send("referrals.list", ["view": "queue", "centre": "skaraborg"], as: Actors.staffSkaraborg, via: client)
        let line = try #require(list.body["categories"]?.arrayValue?.first { $0["category"] == "subjected-to-violence" }?["referrals"]?.arrayValue)
        #expect(line.count == Self.referrals, "no referral lost from or doubled in the queue")
        #expect(Set(line.compactMap { $0["id"]?.stringValue }) == Set(ids))
        #expect(line.compactMap { $0["position"]?.numberValue }.map { Int($0) } == Array(1...Self.referrals))
        let priorities = line.compactMap { $0["priority"]?.numberValue }
        #expect(priorities == priorities.sorted(), "urgent referrals first")

        // Each referral's own place (what staff see on the case) is its place in the list.
        let listed = Dictionary(uniqueKeysWithValues: line.compactMap { r in
            r["id"]?.stringValue.flatMap { id in r["position"]?.numberValue.map { (id, Int($0)) } }
        })
        let own = await withTaskGroup(of: (String, Int?).self) { group in
            for id in ids {
                group.addTask {
                    let r = await workers.send("referrals.get", ["id": .string(id), "purpose": "case-handling"], as: Actors.staffSkaraborg, via: client)
                    return (id, r.body["queue"]?["position"]?.numberValue.map { Int($0) })
                }
            }
            return await group.reduce(into: [String: Int?]()) { $0[$1.0] = $1.1 }
        }
        #expect(own.compactMap(\.value).sorted() == Array(1...Self.referrals), "every place held by exactly one referral")
        for id in ids { #expect(own[id] ?? nil == listed[id], "referral \(id): its own place and the list's") }
        #expect(workers.handled.allSatisfy { $0 >= 10 }, "both workers took a share of the requests: \(workers.handled)")
    }
}
