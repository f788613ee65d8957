import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

/// `referrals.find`: finding a case again, in any status. Filters (status, category,
/// municipality, referring agency, dates sent in Stockholm time), the case number, the
/// agency's own reference, and — for the centre's staff only, with a purpose, audited — the
/// client's personnummer through its blind index. Newest or oldest first, in pages with an
/// opaque cursor. Staff and admins find the referrals of the centres they handle; an agency
/// (its users and adapter) finds its own, and sees their status only with consent.
enum ReferralSearch {
    static let orders = ["newest", "oldest"]

    @Sendable static func find(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let body = try BodyReader(request.body)
        // The contract's fields and the stamped caller; anything else, at any depth, is refused, named.
        try FindReferrals.refuseUnknownFields(in: request.body)
        var filter = ReferralStore.SearchFilter()

        // Who may find what.
        let handler = actor.handlesReferrals
        if handler {
            if let centre = try body.optionalString("centre", max: 64) {
                guard env.reference.centres.contains(where: { $0.id == centre }) else { throw HubError(.validation, "Unknown centre.", field: "body.centre", reason: .notAChoice) }
                try actor.requireHandler(centre: centre)
                filter.centre = centre
            } else if actor.role == .staff, let own = actor.centre {
                filter.centre = own
            }
        } else if actor.role == .agency || actor.role == .adapter {
            let agencies = actor.agencies.sorted()
            guard !agencies.isEmpty else { throw HubError(.forbidden, "This caller belongs to no agency.") }
            filter.referrerAgencies = agencies
        } else {
            throw HubError(.forbidden, "Only centre staff and referring agencies find referrals.")
        }

        if let status = try body.optionalChoice("status", ReferralStatus.allCases.map(\.rawValue)) {
            // An agency without consent to status sees "submitted"; it cannot search by the real status.
            filter.consentedToStatus = !handler
            filter.status = status
        }
        if let category = try body.optionalChoice("category", ClientCategory.allCases.map(\.rawValue)) {
            filter.category = category
        }
        if let municipality = try body.optionalString("municipality", max: 100) {
            filter.municipality = municipality
        }
        if let agency = try body.optionalString("agency", max: 64) {
            guard env.reference.agencies.contains(where: { $0.id == agency }) else { throw HubError(.validation, "Unknown agency.", field: "body.agency", reason: .notAChoice) }
            filter.agency = agency
        }
        if let from = try body.optionalDate("from") {
            guard let start = LocalTime.startOfDay(from) else { throw HubError(.validation, "Not a date.", field: "body.from", reason: .notADate) }
            filter.submittedFrom = start
        }
        if let to = try body.optionalDate("to") {
            guard let day = LocalTime.startOfDay(to), let date = Timestamp.date(from: day),
                  let end = LocalTime.startOfDay(LocalTime.today(date.addingTimeInterval(36 * 3600))) else {
                throw HubError(.validation, "Not a date.", field: "body.to", reason: .notADate)
            }
            filter.submittedBefore = end
        }
        if let reference = try body.optionalString("reference", max: 40) {
            filter.reference = reference.uppercased()
        }
        if let externalRef = try body.optionalString("externalRef", max: 100) {
            filter.externalRef = externalRef
        }
        var searchedPerson = false
        // A purpose is read whenever it is given: an unknown one is refused even without a number.
        let givenPurpose = try body.optionalChoice("purpose", Privacy.purposes.sorted())
        if let number = try body.optionalString("identityNumber", max: 20) {
            guard handler else { throw HubError(.forbidden, "Only the centre's staff search by personnummer.", field: "body.identityNumber") }
            guard let purpose = givenPurpose else {
                throw HubError(.validation, "Say why you search by personnummer.", field: "body.purpose", reason: .required)
            }
            let identity = try PersonalIdentityNumber(number, field: "body.identityNumber")
            filter.personIndex = env.protector.blindIndex(identity.normalized, purpose: "person")
            // The search itself is a read of personal data: audited before any answer.
            try await Privacy.audit(context.database, env, actor, action: "search", referral: nil, centre: actor.centre, purpose: purpose)
            searchedPerson = true
        }

        let order = try body.optionalChoice("order", orders) ?? "newest"
        let limit = try body.optionalInt("limit", range: 1...200) ?? 50
        let newest = order == "newest"
        filter.newest = newest
        filter.limit = limit
        if let cursor = try body.optionalString("cursor", max: 200) {
            guard let (at, id) = decodeCursor(cursor) else { throw HubError(.validation, "Not a cursor from a previous page.", field: "body.cursor") }
            filter.after = (at, id)
        }
        let found = try await ReferralStore(context.database).find(filter)
        let records = Array(found.prefix(limit))
        let items = try records.map { record throws(HubError) -> FindReferrals.Found in
            handler ? .handled(record.summaryReply(env: env)) : .referred(try record.agencyReply(env: env))
        }
        let next = found.count > limit ? records.last.map { encodeCursor(at: $0.submittedAt, id: $0.id) } : nil
        return try JSONValue.encode(FindReferrals.Reply(referrals: items, order: order, nextCursor: next, audited: searchedPerson ? true : nil))
    }

    /// The position after the last referral of a page: its time sent and id, base64url.
    static func encodeCursor(at: String, id: String) -> String {
        Data("\(at)|\(id)".utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ cursor: String) -> (String, String)? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, Timestamp.date(from: parts[0]) != nil,
              parts[1].utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || $0 == 0x2d }) else { return nil }
        return (parts[0], parts[1])
    }
}
