import HubWeb
import Foundation
import HubCore
import HubProtocol
import ReferralsAPI
import HTTPTypes
import Hummingbird

/// The pages of one referral and of a centre's work: the case page and its steps, capacity and
/// intake, statistics, the audit log and treatment groups.
extension ReferralRoutes {
    @Sendable func referralPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let lang = context.language
        let id = context.parameters.get("id") ?? ""
        let print = request.uri.queryParameters.get("print") == "1"
        let reply = try await call(GetReferral.self, .init(id: id, purpose: print ? "print" : "case-handling"), user: s.user)
        let options = try await call(ReferralOptions.self, .init(), user: s.user)
        var data = ReferralView.page(reply, lang: lang, reasonNames: ReferralView.reasonNames(options, lang), riskQuestions: options.riskQuestions)
        data["justSubmitted"] = request.uri.queryParameters.get("skickad") == "1"
        data["error"] = request.uri.queryParameters.get("fel").map { ServiceMessages.translate(code: $0, lang) }
        data["isStaff"] = reply.full != nil
        data["print"] = print
        if s.user.role == .staff || s.user.role == .admin {
            data["declineReasons"] = ReferralView.reasons(options.declineReasons, lang)
            data["redirectReasons"] = ReferralView.reasons(options.redirectReasons, lang)
            data["closureReasons"] = ReferralView.reasons(options.closureReasons, lang)
            let groups = try? await call(ListGroups.self, .init(centre: reply.centre), user: s.user)
            data["groups"] = (groups?.groups ?? []).map { ["id": $0.id, "name": $0.name] }
            data["hasGroups"] = !(groups?.groups ?? []).isEmpty
        }
        if s.user.role == .agency || s.user.role == .staff || s.user.role == .admin {
            data["withdrawReasons"] = ReferralView.reasons(options.withdrawReasons, lang)
            data["hasWithdrawReasons"] = !options.withdrawReasons.isEmpty
        }
        return pages.render("referral", title: lang.t("referral_title") + " " + reply.reference, language: lang, session: s, data: data)
    }

    @Sendable func actionForm(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var request = request
        let form = try await Forms.read(&request, context: context)
        let id = context.parameters.get("id") ?? ""
        guard let action = form["action"], let type = Self.actionTypes[action] else { throw HubError(.validation, "Unknown action.", field: "action") }
        // Steps that end a case (decline, redirect, close, withdraw) are confirmed first.
        let step = action == "assess" ? (form["decision"] ?? "") : action
        if ["decline", "redirect", "close", "withdraw"].contains(step), !Confirmation.given(form) {
            let lang = context.language
            let options = try await call(ReferralOptions.self, .init(), user: s.user)
            let reasonList = ["decline": options.declineReasons, "redirect": options.redirectReasons, "close": options.closureReasons,
                              "withdraw": options.withdrawReasons][step] ?? []
            let reason = ReferralView.reasons(reasonList, lang).first { $0["code"] as? String == form["reason"] }?["label"] as? String
            var details: [String] = []
            if let reference = form["reference"], !reference.isEmpty { details.append(lang.t("col_reference") + ": " + reference) }
            if let reason, !reason.isEmpty { details.append(lang.t("withdraw_reason") + ": " + reason) }
            if step == "redirect", let to = form["redirectTo"], !to.isEmpty { details.append(lang.t("redirect_to") + ": " + to) }
            return Confirmation.page(pages, language: lang, session: s, action: "/hanvisningar/\(id)/atgard", form: form,
                                     question: lang.t("confirm_" + step), details: details, confirmLabel: lang.t("confirm_" + step + "_yes"),
                                     cancelURL: "/hanvisningar/\(id)")
        }
        var body: [String: JSONValue] = ["id": .string(id)]
        for (k, v) in form where !["csrf", "action", "formKey", "confirmed", "reference"].contains(k) && !v.isEmpty {
            body[k] = (k == "priority") ? (Int(v).map { .number(Double($0)) } ?? .string(v)) : .string(v)
        }
        switch await attempt(type, .object(body), user: s.user, key: form["formKey"].flatMap { $0.isEmpty ? nil : "action-" + $0 }) {
        case .success:
            // Feedback after the redirect, by the step's code only.
            return Redirect.to("/hanvisningar/\(id)?klart=\(step.isEmpty ? action : step)")
        case .failure(let e) where ![.internal, .storage, .timeout, .busy].contains(e.code):
            // The message goes back by its code, never with input in the URL.
            return Redirect.to("/hanvisningar/\(id)?fel=\(ServiceMessages.code(for: e))")
        case .failure(let e):
            throw e
        }
    }

    @Sendable func capacityPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let lang = context.language
        let cap = try await call(ReferralCapacity.self, .init(), user: s.user)
        let staffCentre = (s.user.role == .staff) ? s.user.centre : nil
        let centres = cap.centres.map { c -> [String: Any] in
            let id = c.centre
            let cats = c.categories.map { k -> [String: Any] in
                let state = k.state.rawValue
                return ["category": lang.t("category_" + k.category.rawValue), "state": state,
                        "label": k.state == .waitingList ? lang.t("band_" + (k.waitBand?.rawValue ?? "")) : lang.t("state_" + state),
                        "message": k.message ?? "", "alternatives": k.alternatives ?? ""]
            }
            let paused = cats.contains { ($0["state"] as? String) == "paused" }
            return ["id": id, "name": c.centreName, "categories": cats,
                    "canEdit": s.user.role == .admin || staffCentre == id, "paused": paused,
                    "message": cats.first { !(($0["message"] as? String) ?? "").isEmpty }?["message"] ?? "",
                    "alternatives": cats.first { !(($0["alternatives"] as? String) ?? "").isEmpty }?["alternatives"] ?? ""]
        }
        return pages.render("capacity", title: lang.t("capacity_title"), language: lang, session: s, data: ["centres": centres])
    }

    @Sendable func intakeForm(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var request = request
        let form = try await Forms.read(&request, context: context)
        let paused = form["paused"] == "true"
        var body: [String: JSONValue] = ["centre": .string(context.parameters.get("centre") ?? ""), "paused": .bool(paused)]
        if paused {
            body["message"] = .string(form["message"] ?? "")
            body["alternatives"] = .string(form["alternatives"] ?? "")
        }
        _ = try await call(SetIntake.type, .object(body), user: s.user)
        return Redirect.to("/kapacitet?klart=intake_saved")
    }

    @Sendable func statisticsPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let lang = context.language
        let q = Self.query(request, ["centre", "year"])
        guard case .tables(let stats) = try await call(ReferralStatistics.self, body: q, user: s.user) else {
            throw Self.misfit(ReferralStatistics.self)
        }
        let data = StatisticsView.page(stats, lang: lang)
        return pages.render("statistics", title: lang.t("stats_title"), language: lang, session: s, data: data)
    }

    @Sendable func statisticsCSV(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var q = Self.query(request, ["centre", "year", "view"]).objectValue ?? [:]
        q["format"] = "csv"
        return try csv(try await call(ReferralStatistics.self, body: .object(q), user: s.user))
    }

    @Sendable func auditPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let lang = context.language
        let log = try await call(ListAudit.self, body: Self.query(request, ["centre", "referralId"]), user: s.user)
        let centres = (try? await call(ListCentres.self, .init(), user: s.user))?.centres ?? []
        let agencies = ((try? await call(ReferralOptions.self, .init(), user: s.user))?.agencies ?? []).map { ($0.id, $0.name) }
        let units = Dictionary(centres.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }).merging(agencies, uniquingKeysWith: { first, _ in first })
        let entries = log.entries.map { entry -> [String: Any] in
            let actor = entry.actor
            let action = entry.action
            return ["at": lang.dateTime(entry.at),
                    "actor": actor.hasPrefix("user:") ? String(actor.dropFirst(5)) : lang.name("audit_actor_", actor.split(separator: ":").first.map(String.init) ?? actor),
                    "role": lang.name("role_", entry.role),
                    "unit": entry.unit.split(separator: ",").map { units[String($0)] ?? String($0) }.joined(separator: ", "), "action": lang.name("audit_action_", action, or: ReferralAction.stringKeyPrefix + "_" + action),
                    "referral": entry.referralId ?? "", "purpose": lang.name("purpose_", entry.purpose)]
        }
        return pages.render("audit", title: lang.t("audit_title"), language: lang, session: s, data: ["entries": entries])
    }

    @Sendable func groupsPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let lang = context.language
        let centre = request.uri.queryParameters.get("centre") ?? s.user.centre ?? ""
        if centre.isEmpty {
            // An administrator belongs to no centre: show the first one (the page links the others).
            let centres = try await server.bus.request(ListCentres.type, body: [:], timeout: server.busTimeout)
            let first = try Self.reply(ListCentres.self, centres).centres.first?.id ?? ""
            guard !first.isEmpty else { throw HubError(.notFound, "No centre is configured.") }
            return Redirect.to("/grupper?centre=" + (first.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? first))
        }
        let list = try await call(ListGroups.self, .init(centre: centre), user: s.user)
        let groups = list.groups.map { group -> [String: Any] in
            ["id": group.id, "name": group.name,
             "help": lang.t("help_" + group.help.rawValue), "min": group.min, "max": group.max,
             "ageMin": group.ageMin, "ageMax": group.ageMax, "enrolled": group.enrolled,
             "waiting": group.matchingWaiting, "ready": group.readyToStart,
             "countsChildren": group.counts == .children, "hasCandidates": !group.candidates.isEmpty,
             "candidates": group.candidates.map { candidate -> [String: Any] in
                 ["id": candidate.id, "reference": candidate.reference,
                  "participants": candidate.participants, "status": lang.t("status_" + candidate.status.rawValue)]
             }]
        }
        let kinds = ["womens-group", "non-violence-group", "young-adults-group", "child-parent-group"].map { ["id": $0, "label": lang.t("help_" + $0)] }
        return pages.render("groups", title: lang.t("groups_title"), language: lang, session: s,
                            data: ["groups": groups, "centre": list.centre, "kinds": kinds,
                                   "error": request.uri.queryParameters.get("fel").map { ServiceMessages.translate(code: $0, lang) } as Any])
    }

    @Sendable func defineGroupForm(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var request = request
        let f = try await Forms.read(&request, context: context)
        var body: [String: JSONValue] = ["centre": .string(f["centre"] ?? ""), "name": .string(f["name"] ?? ""), "help": .string(f["help"] ?? "")]
        for k in ["min", "max", "ageMin", "ageMax"] { body[k] = Int(f[k] ?? "").map { .number(Double($0)) } ?? .string(f[k] ?? "") }
        if let d = f["startsOn"], !d.isEmpty { body["startsOn"] = .string(d) }
        let centre = f["centre"] ?? ""
        switch await attempt(DefineGroup.type, .object(body), user: s.user, key: nil) {
        case .success: return Redirect.to("/grupper?centre=\(centre)&klart=group_defined")
        case .failure(let e) where ![.internal, .storage, .timeout, .busy].contains(e.code):
            return Redirect.to("/grupper?centre=\(centre)&fel=\(ServiceMessages.code(for: e))")
        case .failure(let e): throw e
        }
    }

    @Sendable func assignForm(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        // Several checkboxes share the name `referral`: read every value, not only the first.
        var ids: [JSONValue] = [], centre = ""
        for pair in String(buffer: buffer).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if kv.count == 2, kv[0] == "referral" { ids.append(.string(kv[1])) }
            if kv.count == 2, kv[0] == "centre" { centre = kv[1] }
        }
        let id = context.parameters.get("id") ?? ""
        switch await attempt(AssignGroup.type, ["groupId": .string(id), "referralIds": .array(ids)], user: s.user, key: nil) {
        case .success: return Redirect.to("/grupper?centre=\(centre)&klart=group_assigned")
        case .failure(let e) where ![.internal, .storage, .timeout, .busy].contains(e.code):
            return Redirect.to("/grupper?centre=\(centre)&fel=\(ServiceMessages.code(for: e))")
        case .failure(let e): throw e
        }
    }
}
