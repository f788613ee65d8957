import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@testable import ReferralsService
import Testing

/// Finding a case again in any status: by filters, case number, the agency's own reference
/// and (audited, with a purpose) the client's personnummer; in pages.
@Suite("Referrals: finding a case")
struct ReferralSearchTests {
    /// Three referrals: one declined, one closed, one still waiting to be received.
    func seeded(_ backend: Backend) async throws -> (Harness, declined: String, closed: String, open: String) {
        let h = try await Harness.make(backend)
        let declined = try #require(try await h.ok("referrals.submit", referral(["externalRef": "POL-1"]), as: Actors.police)["id"]?.stringValue)
        _ = try await h.ok("referrals.receive", ["id": .string(declined)])
        _ = try await h.ok("referrals.assess", ["id": .string(declined), "decision": "decline", "reason": "outside-target-group"])
        h.clock.advance(days: 1)
        let closed = try #require(try await h.ok("referrals.submit", referral(["externalRef": "POL-2", "category": "used-violence"],
                                                                               client: ["identityNumber": "19811218-9876"]), as: Actors.police)["id"]?.stringValue)
        _ = try await h.ok("referrals.receive", ["id": .string(closed)])
        _ = try await h.ok("referrals.assess", ["id": .string(closed), "decision": "accept", "priority": 2])
        _ = try await h.ok("referrals.close", ["id": .string(closed), "reason": "completed"])
        h.clock.advance(days: 1)
        let open = try #require(try await h.ok("referrals.submit", referral(["externalRef": "SOC-3", "referrer": ["agency": "social-services", "unit": "Vuxen", "contactName": "Sam"]]),
                                                as: Actors.social)["id"]?.stringValue)
        return (h, declined, closed, open)
    }

    func ids(_ reply: JSONValue) -> [String] { reply["referrals"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [] }

    @Test("Staff find declined and closed cases by status, category, agency and dates, newest first", arguments: Backend.available)
    func filters(_ backend: Backend) async throws {
        let (h, declined, closed, open) = try await seeded(backend)
        defer { Task { await h.close() } }
        #expect(ids(try await h.ok("referrals.find", [:])) == [open, closed, declined])
        #expect(ids(try await h.ok("referrals.find", ["order": "oldest"])) == [declined, closed, open])
        #expect(ids(try await h.ok("referrals.find", ["status": "declined"])) == [declined])
        #expect(ids(try await h.ok("referrals.find", ["status": "closed"])) == [closed])
        #expect(ids(try await h.ok("referrals.find", ["category": "used-violence"])) == [closed])
        #expect(ids(try await h.ok("referrals.find", ["agency": "social-services"])) == [open])
        // Dates are Stockholm dates: the clock started 2026-03-02 10:00 Stockholm time.
        #expect(ids(try await h.ok("referrals.find", ["from": "2026-03-03", "to": "2026-03-03"])) == [closed])
        #expect(ids(try await h.ok("referrals.find", ["to": "2026-03-02"])) == [declined])
        // Another centre's staff find nothing of Skaraborg's.
        #expect(ids(try await h.ok("referrals.find", [:], as: Actors.staffBoras)).isEmpty)
        let e = await h.failure("referrals.find", ["centre": "skaraborg"], as: Actors.staffBoras)
        #expect(e.code == .forbidden)
    }

    @Test("A case is found by its number and by the agency's own reference", arguments: Backend.available)
    func byNumber(_ backend: Backend) async throws {
        let (h, declined, closed, _) = try await seeded(backend)
        defer { Task { await h.close() } }
        let reference = try #require(try await h.ok("referrals.get", ["id": .string(closed), "purpose": "case-handling"])["reference"]?.stringValue)
        #expect(ids(try await h.ok("referrals.find", ["reference": .string(reference.lowercased())])) == [closed])
        #expect(ids(try await h.ok("referrals.find", ["externalRef": "POL-1"], as: Actors.police)) == [declined])
        // An agency finds only its own referrals, and never by another's reference.
        #expect(ids(try await h.ok("referrals.find", ["externalRef": "SOC-3"], as: Actors.police)).isEmpty)
        #expect(ids(try await h.ok("referrals.find", [:], as: Actors.police)).count == 2)
    }

    @Test("A search by personnummer needs a purpose, is audited and finds every referral of that person", arguments: Backend.available)
    func byPersonnummer(_ backend: Backend) async throws {
        let (h, declined, _, open) = try await seeded(backend)
        defer { Task { await h.close() } }
        let auditBefore = try await h.count("audit_log")
        let noPurpose = await h.failure("referrals.find", ["identityNumber": .string(Canary.personnummer)])
        #expect(noPurpose.field == "body.purpose")
        #expect(try await h.count("audit_log") == auditBefore, "a refused search reads nothing")
        let oddPurpose = await h.failure("referrals.find", ["reference": "U26-AAA", "purpose": "curiosity"])
        #expect(oddPurpose.field == "body.purpose", "an unknown purpose is refused even without a number")
        let found = try await h.ok("referrals.find", ["identityNumber": .string(Canary.digits), "purpose": "case-handling"])
        #expect(Set(ids(found)) == [declined, open])
        #expect(found["audited"] == true)
        #expect(try await h.count("audit_log") == auditBefore + 1)
        // Agencies and board members never search by personnummer.
        let agency = await h.failure("referrals.find", ["identityNumber": .string(Canary.personnummer), "purpose": "case-handling"], as: Actors.police)
        #expect(agency.code == .forbidden)
        let board = await h.failure("referrals.find", [:], as: Actors.board)
        #expect(board.code == .forbidden)
        // The number never comes back in the reply.
        #expect(!String(decoding: found.serialized(), as: UTF8.self).contains("3234"))
    }

    @Test("Pages of a given size follow each other through the cursor without gaps or repeats", arguments: Backend.available)
    func paging(_ backend: Backend) async throws {
        let (h, declined, closed, open) = try await seeded(backend)
        defer { Task { await h.close() } }
        let first = try await h.ok("referrals.find", ["limit": 2])
        #expect(ids(first) == [open, closed])
        let cursor = try #require(first["nextCursor"]?.stringValue)
        let second = try await h.ok("referrals.find", ["limit": 2, "cursor": .string(cursor)])
        #expect(ids(second) == [declined])
        #expect(second["nextCursor"] == .null)
        let bad = await h.failure("referrals.find", ["cursor": "not-a-cursor"])
        #expect(bad.field == "body.cursor")
        let unknown = await h.failure("referrals.find", ["colour": "red"])
        #expect(unknown.field == "body.colour")
    }
}
