import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@testable import ReferralsService
import Testing

/// Every bad input gets a clear error naming the field, and nothing is stored.
@Suite("Referrals: bad input")
struct ReferralInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: JSONValue
        var field: String
        var code: HubError.Code = .validation
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "wrong check digit", body: referral(client: ["identityNumber": "640823-3235"]), field: "body.client.identityNumber"),
        Case(name: "impossible date", body: referral(client: ["identityNumber": "640231-3234"]), field: "body.client.identityNumber"),
        Case(name: "samordningsnummer given as personnummer", body: referral(client: ["identityNumber": "701063-2391"]), field: "body.client.identityNumber"),
        Case(name: "missing consent", body: referral(["consent": ["given": false, "scope": []]]), field: "body.consent"),
        Case(name: "no consent object at all", body: referral(["consent": .null]), field: "body.consent"),
        Case(name: "unknown municipality", body: referral(municipality: "Göteborg"), field: "body.municipality"),
        Case(name: "unknown category", body: referral(["category": "victim"]), field: "body.category"),
        Case(name: "oversized free text", body: referral(["notes": .string(String(repeating: "x", count: 2001))]), field: "body.notes"),
        Case(name: "unknown kind of help", body: referral(["help": ["yoga"]]), field: "body.help[0]"),
        Case(name: "unknown risk question", body: referral(["riskAnswers": ["escalation": "yes", "threat-to-kill": "no", "strangulation": "no", "horoscope": "yes"]]), field: "body.riskAnswers.horoscope"),
        Case(name: "missing required risk answer", body: referral(["riskAnswers": ["escalation": "yes"]]), field: "body.riskAnswers.strangulation"),
        Case(name: "child without age", body: referral(["category": "child-witness"], client: ["childrenAges": []]), field: "body.client.childrenAges"),
        Case(name: "bad e-mail", body: referral(client: ["email": "not-an-address"]), field: "body.client.email"),
        Case(name: "wrong type", body: referral(["urgency": 3]), field: "body.urgency"),
        Case(name: "a new line in the client's name", body: referral(client: ["name": "Kanarie\nEfternamn"]), field: "body.client.name"),
        Case(name: "a tab in the client's phone", body: referral(client: ["phone": "070\t123"]), field: "body.client.phone"),
        Case(name: "a line separator in the address", body: referral(client: ["address": "Gatan 1\u{2028}Skövde"]), field: "body.client.address"),
        Case(name: "a carriage return in the contact's name", body: referral(["referrer": ["agency": "police", "unit": "x", "contactName": "Kim\rPolis"]]), field: "body.referrer.contactName"),
        Case(name: "another agency", body: referral(["referrer": ["agency": "kriminalvarden", "unit": "x", "contactName": "y"]]), field: "body.referrer.agency", code: .forbidden),
    ]

    @Test("Refused with the field named, nothing stored", arguments: cases)
    func refused(_ c: Case) async throws {
        let h = try await Harness.make(.sqlite)
        defer { Task { await h.close() } }
        let e = await h.failure("referrals.submit", c.body, as: Actors.police)
        #expect(e.code == c.code)
        #expect(e.field == c.field || (e.details ?? []).contains { $0.field == c.field })
        #expect(!e.message.contains("640823") && !e.message.contains("Kanarie"))
        #expect(try await h.count("referrals") == 0)
        #expect(try await h.count("referral_history") == 0)
        #expect(try await h.count("hub_processed") == 0)
    }

    @Test("The same bad inputs are refused on every backend", arguments: Backend.available)
    func refusedOnEveryBackend(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        for c in Self.cases {
            let e = await h.failure("referrals.submit", c.body, as: Actors.police)
            #expect(e.code == c.code, "\(c.name)")
        }
        #expect(try await h.count("referrals") == 0)
    }

    @Test func anUnservedMunicipalityListsTheServedOnes() async throws {
        let h = try await Harness.make(.sqlite)
        defer { Task { await h.close() } }
        let e = await h.failure("referrals.submit", referral(municipality: "Göteborg"), as: Actors.police)
        #expect(e.message.contains("Skövde") && e.message.contains("Borås"))
    }

    @Test func severalProblemsAreAllListed() async throws {
        let h = try await Harness.make(.sqlite)
        defer { Task { await h.close() } }
        let e = await h.failure("referrals.submit", referral(["category": "x", "help": []], municipality: "Nowhere"), as: Actors.police)
        let fields = Set((e.details ?? []).map(\.field))
        #expect(fields.isSuperset(of: ["body.category", "body.help", "body.municipality"]))
    }

    @Test func anAdapterMayReferOnlyForItsOwnAgencies() async throws {
        let h = try await Harness.make(.sqlite)
        defer { Task { await h.close() } }
        let ok = try await h.ok("referrals.submit", referral(), as: nil, principal: .adapter("police"))
        #expect(ok["status"] == "submitted")
        let e = await h.failure("referrals.submit", referral(["referrer": ["agency": "psychiatry", "unit": "x", "contactName": "y"]]),
                                as: nil, principal: .adapter("police"))
        #expect(e.code == .forbidden)
        let bup = try await h.ok("referrals.submit", referral(["externalRef": "SR-1", "referrer": ["agency": "bup", "unit": "BUP Skövde", "contactName": "y"]]),
                                 as: nil, principal: .adapter("psychiatry"))
        #expect(bup["status"] == "submitted")
    }

    @Test func aServicePrincipalOrAGatewayWithoutUserIsRefused() async throws {
        let h = try await Harness.make(.sqlite)
        defer { Task { await h.close() } }
        #expect(await h.failure("referrals.submit", referral(), as: nil).code == .unauthenticated)
        #expect(await h.failure("referrals.submit", referral(), as: nil, principal: .service("meetings")).code == .forbidden)
        #expect(await h.failure("referrals.submit", referral(), as: Actors.board).code == .forbidden)
    }

    @Test func anAnonymousReferralGetsAReserveID() async throws {
        let h = try await Harness.make(.sqlite)
        defer { Task { await h.close() } }
        let body = referral(client: ["identityKind": "none", "identityNumber": .null, "name": .null])
        let ok = try await h.ok("referrals.submit", body, as: Actors.police)
        #expect(ok["reserveId"]?.stringValue?.hasPrefix("RES-") == true)
        let e = await h.failure("referrals.submit", referral(client: ["identityKind": "none"]), as: Actors.police)
        #expect(e.field == "body.client.identityNumber")
    }

    @Test func newLinesStayAllowedInTheNotesAndOneLineFieldsNameTheReason() async throws {
        let h = try await Harness.make(.sqlite)
        defer { Task { await h.close() } }
        _ = try await h.ok("referrals.submit", referral(["notes": "Rad ett.\nRad två."]), as: Actors.police)
        let e = await h.failure("referrals.submit", referral(client: ["name": "A\nB"]), as: Actors.police)
        let named = e.field == "body.client.name" && e.reason == .controlCharacters
        #expect(named || (e.details ?? []).contains { $0.field == "body.client.name" && $0.reason == .controlCharacters })
    }
}
