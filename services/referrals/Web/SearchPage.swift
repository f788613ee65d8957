import Foundation
import HubProtocol
import ReferralsAPI
import HubWeb
import Hummingbird

/// "Sök ärende": finding any case again, in any status, for the centre's staff and for the
/// referring agency. Filters travel in the address (GET), so a search can be bookmarked and
/// paged; a personnummer never does: it is posted with a purpose, and the search is audited.
extension ReferralRoutes {
    /// The contract's statuses in the order of the life cycle.
    static let searchStatuses = [ReferralStatus.submitted, .received, .accepted, .appointmentOffered, .inTreatment,
                                 .redirected, .declined, .closed, .withdrawn].map(\.rawValue)

    @Sendable func searchPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var filters: [String: String] = [:]
        for key in Self.searchKeys where key != "limit" {
            if let value = request.uri.queryParameters.get(key)?.trimmingCharacters(in: .whitespaces), !value.isEmpty { filters[key] = value }
        }
        return try await renderSearch(context, s, filters: filters, personal: nil)
    }

    @Sendable func searchByPersonForm(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var request = request
        let form = try await Forms.read(&request, context: context)
        let number = (form["identityNumber"] ?? "").trimmingCharacters(in: .whitespaces)
        let purpose = form["purpose"] ?? ""
        return try await renderSearch(context, s, filters: [:], personal: (number, purpose))
    }

    func renderSearch(_ context: Context, _ s: SessionInfo, filters: [String: String],
                      personal: (number: String, purpose: String)?) async throws -> Response {
        let lang = context.language
        let user = s.user
        guard user.role != .board else { throw HubError(.forbidden, "Management-group members see statistics, not referrals.") }
        let handler = user.role == .staff || user.role == .admin
        let options = try await call(ReferralOptions.self, .init(), user: user)
        var body: [String: JSONValue] = ["limit": 25]
        for (key, value) in filters { body[key] = .string(value) }
        var errors: [String: String] = [:]
        if let personal {
            if personal.number.isEmpty { errors["identityNumber"] = lang.t("search_err_number") }
            if personal.purpose.isEmpty { errors["purpose"] = lang.t("search_err_purpose") }
            body["identityNumber"] = .string(personal.number)
            body["purpose"] = .string(personal.purpose)
        }
        var results: [[String: Any]] = []
        var next: String?
        var formError: String?
        if errors.isEmpty {
            switch await attempt(FindReferrals.type, .object(body), user: user, key: nil) {
            case .success(let value):
                let reply = try Self.reply(FindReferrals.self, value)
                results = reply.referrals.map { r in
                    ["id": r.id, "reference": r.reference,
                     "externalRef": r.externalRef ?? "", "centre": r.centreName,
                     "category": lang.name("category_", r.category),
                     "municipality": r.municipality ?? "",
                     "status": lang.name("status_", r.status.rawValue), "sent": lang.dateTime(r.submittedAt),
                     "highRisk": r.highRisk]
                }
                next = reply.nextCursor
            case .failure(let error) where error.code == .validation:
                let field = (error.field ?? "").replacingOccurrences(of: "body.", with: "")
                let text = lang.fieldError(error.reason) ?? lang.t(field == "identityNumber" ? "search_err_number" : "search_err_filter")
                if ["identityNumber", "purpose", "from", "to", "cursor"].contains(field) { errors[field] = text } else { formError = text }
            case .failure(let error): throw error
            }
        }
        let agencies = options.agencies.map { a -> [String: Any] in ["id": a.id, "name": a.name, "selected": filters["agency"] == a.id] }
        let municipalities = Set(options.centres.flatMap(\.municipalities))
            .sorted { $0.compare($1, locale: Locale(identifier: "sv_SE")) == .orderedAscending }
        var query = filters
        query["cursor"] = nil
        let nextURL = next.map { cursor in
            var items = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
            items.append(URLQueryItem(name: "cursor", value: cursor))
            var components = URLComponents(); components.path = "/hanvisningar/sok"; components.queryItems = items
            return components.string ?? "/hanvisningar/sok"
        }
        let fieldErrors = ["identityNumber", "purpose", "from", "to", "cursor"].compactMap { key in
            errors[key].map { ["id": key == "cursor" ? "order" : key, "label": lang.t("search_" + key), "message": $0] }
        }
        let data: [String: Any] = [
            "handler": handler, "isAgency": user.role == .agency,
            "statuses": Self.searchStatuses.map { ["id": $0, "name": lang.name("status_", $0), "selected": filters["status"] == $0] },
            "categories": options.categories.map(\.rawValue)
                .map { ["id": $0, "name": lang.name("category_", $0), "selected": filters["category"] == $0] },
            "agencies": agencies, "municipalities": municipalities.map { ["name": $0, "selected": filters["municipality"] == $0] },
            "f": filters, "oldest": filters["order"] == "oldest",
            "results": results, "hasResults": !results.isEmpty, "searched": true, "nextURL": nextURL ?? "",
            "byPerson": personal != nil, "purposes": ["case-handling", "assessment", "appointment", "follow-up"].map {
                ["id": $0, "name": lang.name("purpose_", $0), "selected": personal?.purpose == $0]
            },
            "e": errors, "fieldErrors": fieldErrors, "hasFieldErrors": !fieldErrors.isEmpty, "formError": formError ?? "",
        ]
        return pages.render("search", title: lang.t("search_title"), language: lang, session: s, data: data,
                            status: errors.isEmpty && formError == nil ? .ok : .badRequest)
    }
}
