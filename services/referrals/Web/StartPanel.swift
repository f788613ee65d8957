import Foundation
import HubProtocol
import ReferralsAPI
import HubWeb

/// The referrals part of the start page: for a centre's staff (and admins) the new referrals
/// to receive and the queue per category with its wait band or köstopp; for an agency its
/// latest referrals with their status.
enum ReferralsStartPanel {
    static func render(_ environment: WebEnvironment, _ session: SessionInfo, _ lang: Language) async -> String? {
        let routes = ReferralRoutes(server: environment, pages: environment.pages)
        switch session.user.role {
        case .staff, .admin: return await centrePanel(routes, session, lang)
        case .agency: return await agencyPanel(routes, session, lang)
        case .board: return nil
        }
    }

    static func centrePanel(_ routes: ReferralRoutes, _ session: SessionInfo, _ lang: Language) async -> String? {
        let centres: [String]
        if let own = session.user.centre {
            centres = [own]
        } else {
            let reply = try? await routes.server.bus.request(ListCentres.type, body: [:], timeout: routes.server.busTimeout)
            centres = reply.flatMap { try? ReferralRoutes.reply(ListCentres.self, $0) }?.centres.map(\.id) ?? []
        }
        var blocks: [[String: Any]] = []
        for centre in centres {
            guard let queue = (try? await routes.call(ListReferrals.self, .init(view: .queue, centre: centre), user: session.user))?.queue,
                  let recent = (try? await routes.call(ListReferrals.self, .init(view: .centre, centre: centre), user: session.user))?.open
            else { continue }
            let categories = queue.categories.map { entry -> [String: Any] in
                let state = queue.capacity.categories.first { $0.category == entry.category }
                let paused = state?.state == .paused
                return ["name": lang.name("category_", entry.category.rawValue), "count": entry.count, "paused": paused,
                        "wait": paused ? lang.t("state_paused") : state?.waitBand.map { lang.name("band_", $0.rawValue) } ?? lang.t("state_open")]
            }
            let fresh = recent.referrals.filter { $0.status == .submitted }
            // Treatment groups with enough matching clients waiting to start.
            let ready = ((try? await routes.call(ListGroups.self, .init(centre: centre), user: session.user))?.groups ?? [])
                .filter(\.readyToStart)
                .map { group -> [String: Any] in ["name": group.name, "waiting": String(group.matchingWaiting)] }
            blocks.append([
                "centreName": queue.capacity.centreName, "centre": centre,
                "newCount": fresh.count, "hasNew": !fresh.isEmpty,
                "newText": lang.t(fresh.count == 1 ? "start_new_one" : "start_new_many", ["n": String(fresh.count)]),
                "categories": categories, "paused": categories.contains { $0["paused"] as? Bool == true },
                "readyGroups": ready, "hasReadyGroups": !ready.isEmpty,
            ])
        }
        guard !blocks.isEmpty else { return nil }
        return routes.pages.fragment("ref_start", language: lang, session: session, data: ["centres": blocks])
    }

    static func agencyPanel(_ routes: ReferralRoutes, _ session: SessionInfo, _ lang: Language) async -> String? {
        guard let mine = (try? await routes.call(ListReferrals.self, .init(view: .mine, limit: 8), user: session.user))?.mine else { return nil }
        // "What changed since my last visit": a step the agency may see, taken after its previous login.
        let since = session.previousVisit.map(Timestamp.string(from:))
        let rows = mine.referrals.map { r -> [String: Any] in
            let changed = since.map { (r.changedAt ?? "") > $0 } ?? false
            return ["id": r.id, "reference": r.reference,
                    "externalRef": r.externalRef ?? "", "centreName": r.centreName,
                    "category": lang.name("category_", r.category.rawValue),
                    "status": lang.name("status_", r.status.rawValue),
                    "sent": lang.dateTime(r.submittedAt), "changed": changed]
        }
        let changedCount = rows.filter { $0["changed"] as? Bool == true }.count
        var data: [String: Any] = ["referrals": rows, "hasReferrals": !rows.isEmpty]
        if let since {
            let when = lang.dateTime(since)
            data["sinceText"] = changedCount == 0 ? lang.t("start_nothing_changed", ["when": when])
                : lang.t(changedCount == 1 ? "start_changed_one" : "start_changed_many", ["n": String(changedCount), "when": when])
        }
        return routes.pages.fragment("ref_start_agency", language: lang, session: session, data: data)
    }
}
