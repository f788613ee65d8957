import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@testable import ReferralsService
import Testing

/// The store's own promises, on both backends: what the handlers' tests see only through
/// the wire (a stale version writes nothing, a step writes exactly its changes, the intake
/// and the search filter read back what was stored).
@Suite("Referrals: the store (ReferralStore)")
struct ReferralStoreTests {
    @Test("A step guarded by a stale version writes nothing; with the current one it writes the status and exactly its changes",
          arguments: Backend.available)
    func versionedStep(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let id = try #require(try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]?.stringValue)
        let store = ReferralStore(h.database)
        let before = try #require(try await store.referral(id))
        #expect(before.status == .submitted && before.version == 1)

        let stale = try await store.applyStep(referral: id, version: before.version + 1, status: .received,
                                              changes: .init(receivedAt: "2026-03-02T10:00:00.000Z"))
        #expect(!stale)
        #expect(try await store.referral(id)?.status == .submitted)

        let applied = try await store.applyStep(referral: id, version: before.version, status: .accepted,
                                                changes: .init(receivedAt: "2026-03-02T10:00:00.000Z", priority: 2))
        #expect(applied)
        let after = try #require(try await store.referral(id))
        #expect(after.status == .accepted && after.version == 2)
        #expect(after.priority == 2 && after.receivedAt == "2026-03-02T10:00:00.000Z")
        #expect(after.outcomeReason == nil && after.endedAt == nil && after.treatment == nil)

        // The history numbers its steps on from the submission's.
        #expect(try await store.nextHistorySeq(referral: id) == 2)
        #expect(try await store.history(referral: id).map(\.action) == ["submit"])
    }

    @Test("A centre's intake reads back as stored, and a submission's check finds it and the person's earlier client id",
          arguments: Backend.available)
    func intakeAndSubmissionCheck(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let store = ReferralStore(h.database)
        #expect(try await store.submissionCheck(centre: "skaraborg", personIndex: nil).intake == nil)

        try await store.replaceIntake(centre: "skaraborg", .init(paused: true, message: "Fullt.", alternatives: "Kvinnojouren",
                                                                 categories: ["used-violence"], since: "2026-03-02T09:00:00.000Z"),
                                      changedBy: "sara")
        let stored = try #require(try await store.intakeStates()["skaraborg"])
        #expect(stored.paused && stored.message == "Fullt." && stored.alternatives == "Kvinnojouren")
        #expect(stored.categories == ["used-violence"] && stored.since == "2026-03-02T09:00:00.000Z")

        let id = try #require(try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]?.stringValue)
        let clientID = try #require(try await store.referral(id)?.clientID)
        let env = try ReferralsEnvironment(configDir: Harness.configDir, keys: DataKeyRing(file: h.keys), now: { Date() })
        let index = env.protector.blindIndex(Canary.digits, purpose: "person")
        let check = try await store.submissionCheck(centre: "skaraborg", personIndex: index)
        #expect(check.knownClient == clientID)
        #expect(check.intake?.paused == true && check.intake?.categories == ["used-violence"])
        #expect(try await store.submissionCheck(centre: "skaraborg", personIndex: "no-such-index").knownClient == nil)
    }

    @Test("The search filter pages through a centre's referrals by time sent and id, either way", arguments: Backend.available)
    func searchPages(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        var ids: [String] = []
        for _ in 0..<3 {
            ids.append(try #require(try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]?.stringValue))
            h.clock.advance(days: 0.01)
        }
        let store = ReferralStore(h.database)
        var filter = ReferralStore.SearchFilter(centre: "skaraborg", limit: 2)
        let first = try await store.find(filter)
        #expect(first.map(\.id) == [ids[2], ids[1], ids[0]]) // one more than the limit: another page follows
        filter.after = (first[1].submittedAt, first[1].id)
        #expect(try await store.find(filter).map(\.id) == [ids[0]])
        filter = ReferralStore.SearchFilter(referrerAgencies: ["police"], newest: false, limit: 5)
        #expect(try await store.find(filter).map(\.id) == ids)
        filter = ReferralStore.SearchFilter(referrerAgencies: ["social-services"], limit: 5)
        #expect(try await store.find(filter).isEmpty)
    }
}
