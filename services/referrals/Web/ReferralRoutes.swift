import HubWeb
import Foundation
import HubCore
import HubProtocol
import ReferralsAPI
import HTTPTypes
import Hummingbird

/// Referral pages and API: translate HTTP to `referrals.*` bus requests, naming the
/// signed-in user as `actor` (the referrals service trusts that only from the gateway)
/// and rendering the replies. No domain rules live here.
struct ReferralRoutes: ServiceRoutes {
    let server: WebEnvironment
    let pages: PageRenderer
    typealias Context = GatewayRequestContext

    static func register(api: RouterGroup<Context>, pages group: RouterGroup<Context>, routes r: ReferralRoutes) {
        api.get("/referral-options", use: r.apiOptions)
        api.post("/referrals", use: r.apiSubmit)
        api.get("/referrals", use: r.apiList)
        api.post("/referrals/search", use: r.apiSearch)
        api.get("/referrals/:id", use: r.apiGet)
        api.post("/referrals/:id/:action", use: r.apiAction)
        api.get("/capacity", use: r.apiCapacity)
        api.post("/centres/:centre/intake", use: r.apiIntake)
        api.get("/groups", use: r.apiGroups)
        api.post("/groups", use: r.apiDefineGroup)
        api.post("/groups/:id/assign", use: r.apiAssign)
        api.get("/statistics", use: r.apiStatistics)
        api.post("/statistics/import", use: r.apiImportStatistics)
        api.get("/audit", use: r.apiAudit)
        api.post("/retention", use: r.apiRetention)

        group.get("/hanvisningar", use: r.listPage)
        group.get("/hanvisningar/ny", use: r.formPage)
        group.get("/hanvisningar/sok", use: r.searchPage)
        group.post("/hanvisningar/sok", use: r.searchByPersonForm)
        group.post("/hanvisningar/ny", use: r.submitForm)
        group.get("/hanvisningar/:id", use: r.referralPage)
        group.post("/hanvisningar/:id/atgard", use: r.actionForm)
        group.get("/kapacitet", use: r.capacityPage)
        group.post("/kapacitet/:centre", use: r.intakeForm)
        group.get("/statistik", use: r.statisticsPage)
        group.get("/statistik.csv", use: r.statisticsCSV)
        group.get("/granskning", use: r.auditPage)
        group.get("/grupper", use: r.groupsPage)
        group.post("/grupper", use: r.defineGroupForm)
        group.post("/grupper/:id/placera", use: r.assignForm)
    }

    // MARK: Bus

    func jsonBody(_ request: Request, _ context: Context) async throws -> JSONValue {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        // No body is an empty object: a step such as receive takes nothing.
        guard buffer.readableBytes > 0 else { return .object([:]) }
        let value: JSONValue
        do { value = try JSONValue.parse(Array(buffer: buffer)) } catch {
            throw HubError(.invalidJSON, "The body is not valid JSON.", field: "body")
        }
        guard case .object = value else { throw HubError(.validation, "The body must be a JSON object.", field: "body") }
        return value
    }

    static func query(_ request: Request, _ keys: [String]) -> JSONValue {
        var o: [String: JSONValue] = [:]
        for k in keys {
            guard let v = request.uri.queryParameters.get(k), !v.isEmpty else { continue }
            o[k] = (k == "year" || k == "limit") ? (Int(v).map { .number(Double($0)) } ?? .string(v)) : .string(v)
        }
        return .object(o)
    }

    // MARK: Pages

    func session(_ context: Context) throws(HubError) -> SessionInfo {
        guard let s = context.session else { throw HubError(.unauthenticated, "Log in.") }
        return s
    }

    @Sendable func listPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let lang = context.language
        let user = s.user
        var data: [String: Any] = [:]
        if user.role == .agency {
            let mine = try await call(ListReferrals.self, .init(view: .mine), user: user).mine?.referrals ?? []
            data["mine"] = mine.map { r -> [String: Any] in
                ["id": r.id, "reference": r.reference, "centre": r.centreName,
                 "status": lang.t("status_" + r.status.rawValue), "submitted": LocalTime.date(r.submittedAt),
                 "externalRef": r.externalRef ?? ""]
            }
            data["isAgency"] = true
            data["hasMine"] = !mine.isEmpty
        } else if user.role == .staff || user.role == .admin {
            let centre = request.uri.queryParameters.get("centre") ?? user.centre ?? "skaraborg"
            let queue = try await call(ListReferrals.self, .init(view: .queue, centre: centre), user: user).queue
            let open = try await call(ListReferrals.self, .init(view: .centre, centre: centre), user: user).open
            data["isStaff"] = true
            data["centre"] = centre
            data["queues"] = (queue?.categories ?? []).map { c -> [String: Any] in
                let items = c.referrals.map { queued -> [String: Any] in
                    let r = queued.summary
                    return ["id": r.id, "reference": r.reference,
                            "position": queued.place.position, "priority": lang.t("priority_\(r.priority ?? 0)"),
                            "received": LocalTime.date(r.receivedAt ?? r.submittedAt), "municipality": r.municipality,
                            "wait": lang.t("band_" + queued.place.waitBand.rawValue), "days": queued.place.estimatedWaitDays,
                            "highRisk": r.highRisk, "urgency": lang.t("urgency_" + r.urgency)]
                }
                return ["category": lang.t("category_" + c.category.rawValue), "count": items.count, "items": items, "empty": items.isEmpty]
            }
            data["incoming"] = (open?.referrals ?? []).filter { [.submitted, .received].contains($0.status) }.map { r -> [String: Any] in
                ["id": r.id, "reference": r.reference,
                 "category": lang.t("category_" + r.category), "status": lang.t("status_" + r.status.rawValue),
                 "submitted": LocalTime.date(r.submittedAt), "urgency": lang.t("urgency_" + r.urgency),
                 "highRisk": r.highRisk]
            }
        } else {
            throw HubError(.forbidden, "Management-group members see statistics, not referrals.")
        }
        data["canRefer"] = user.role != .board
        return pages.render("referrals", title: lang.t("referrals_title"), language: lang, session: s, data: data)
    }

    @Sendable func formPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        return try await renderForm(context: context, session: s, values: [:], errors: [:], status: .ok)
    }

    /// The form's field names (`client.name`) mapped to template keys (`client_name`).
    static func key(_ field: String) -> String {
        field.replacingOccurrences(of: "body.", with: "").replacingOccurrences(of: ".", with: "_")
            .replacingOccurrences(of: "[", with: "_").replacingOccurrences(of: "]", with: "")
    }

    func renderForm(context: Context, session s: SessionInfo, values: [String: String], errors: [String: String],
                    status: HTTPResponse.Status, notice: String? = nil) async throws -> Response {
        let lang = context.language
        let options = try await call(ReferralOptions.self, .init(), user: s.user)
        var v: [String: Any] = Dictionary(values.map { (Self.key($0.key), $0.value as Any) }, uniquingKeysWith: { a, _ in a })
        v["formKey"] = values["formKey"].flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased()
        func checked(_ k: String) -> Bool { values[k] == "on" || values[k] == "true" }
        var data: [String: Any] = ["v": v, "e": errors, "hasErrors": !errors.isEmpty,
                                   "errorList": FormErrorSummary.items(errors, template: ReferralTemplates.all["referral_form"] ?? "", legends: [
                                       "help": "help", "client_identityKind": "identity_kind", "consent": "fs_consent",
                                   ] .merging(errors.keys.filter { $0.hasPrefix("riskAnswers_") }.map { ($0, "fs_risk") }) { own, _ in own }, lang: lang)]
        data["notice"] = notice
        data["categories"] = options.categories.map { c -> [String: Any] in
            ["id": c.rawValue, "label": lang.t(ClientCategory.stringKeyPrefix + "_" + c.rawValue), "selected": values["category"] == c.rawValue]
        }
        data["helpKinds"] = options.help.map { h -> [String: Any] in
            ["id": h.rawValue, "label": lang.t(HelpKind.stringKeyPrefix + "_" + h.rawValue), "checked": values["help." + h.rawValue] == "on"]
        }
        data["urgencies"] = options.urgency.map { u -> [String: Any] in
            ["id": u.rawValue, "label": lang.t(Urgency.stringKeyPrefix + "_" + u.rawValue), "selected": (values["urgency"] ?? Urgency.normal.rawValue) == u.rawValue]
        }
        data["centres"] = options.centres.map { c -> [String: Any] in
            ["name": c.name, "paused": c.intake?.paused == true,
             "municipalities": c.municipalities.map { name -> [String: Any] in ["name": name, "selected": values["municipality"] == name] }]
        }
        data["identityKinds"] = IdentityKind.allCases.map { k -> [String: Any] in
            ["id": k.rawValue, "label": lang.t("identity_" + k.rawValue), "checked": (values["client.identityKind"] ?? IdentityKind.personnummer.rawValue) == k.rawValue]
        }
        data["risk"] = options.riskQuestions.map { q -> [String: Any] in
            ["id": q.id, "text": lang == .sv ? q.sv : q.en, "required": q.required, "error": errors["riskAnswers_" + q.id] ?? "",
             "answers": options.riskAnswers.map { answer -> [String: Any] in
                 ["id": answer, "label": lang.t(RiskAnswer.stringKeyPrefix + "_" + answer), "checked": values["risk." + q.id] == answer, "q": q.id]
             }]
        }
        for k in ["client.protectedIdentity", "safeContact.doNotContact", "safeContact.mayCall", "safeContact.mayLeaveMessage",
                  "consent.given", "consent.status", "consent.outcome", "self"] {
            v[Self.key(k) + "_checked"] = checked(k)
        }
        data["v"] = v
        data["isStaff"] = s.user.role == .staff || s.user.role == .admin
        let agencyID = s.user.agency ?? ""
        data["agencyName"] = options.agencies.first { $0.id == agencyID }?.name ?? agencyID
        data["maxText"] = options.maxFreeTextChars
        return pages.render("referral_form", title: lang.t("form_title"), language: lang, session: s, data: data, status: status)
    }

    /// Builds the `referrals.submit` body from the form; problems the gateway itself can see
    /// (a child's age that is not a number) are reported with the service's.
    static func submission(from f: [String: String], user: User) -> (JSONValue, [String: String]) {
        func text(_ k: String) -> JSONValue { (f[k] ?? "").trimmingCharacters(in: .whitespaces).isEmpty ? .null : .string(f[k]!) }
        func flag(_ k: String) -> Bool { f[k] == "on" || f[k] == "true" }
        var errors: [String: String] = [:]
        var ages: [JSONValue] = []
        for part in (f["client.childrenAges"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }) where !part.isEmpty {
            if let n = Int(part) { ages.append(.number(Double(n))) } else { errors["client_childrenAges"] = "age" }
        }
        let isSelf = flag("self") && user.role != .agency
        var scope: [JSONValue] = []
        if flag("consent.given") { scope.append("referral") }
        if flag("consent.status") { scope.append("status") }
        if flag("consent.outcome") { scope.append("outcome") }
        var risk: [String: JSONValue] = [:]
        for (k, v) in f where k.hasPrefix("risk.") && !v.isEmpty { risk[String(k.dropFirst(5))] = .string(v) }
        var body: [String: JSONValue] = [
            "source": isSelf ? "self" : "agency",
            "municipality": text("municipality"),
            "category": text("category"),
            "help": .array(f.keys.filter { $0.hasPrefix("help.") && f[$0] == "on" }.sorted().map { .string(String($0.dropFirst(5))) }),
            "client": .object([
                "identityKind": text("client.identityKind"), "identityNumber": text("client.identityNumber"), "name": text("client.name"),
                "protectedIdentity": .bool(flag("client.protectedIdentity")), "phone": text("client.phone"), "email": text("client.email"),
                "address": text("client.address"), "childrenAges": .array(ages), "interpreterLanguage": text("client.interpreterLanguage"),
            ]),
            "safeContact": .object(["doNotContact": .bool(flag("safeContact.doNotContact")), "mayCall": .bool(flag("safeContact.mayCall")),
                                    "callTimes": text("safeContact.callTimes"), "mayLeaveMessage": .bool(flag("safeContact.mayLeaveMessage"))]),
            "consent": .object(["given": .bool(flag("consent.given")), "scope": .array(scope), "givenAt": text("consent.givenAt"),
                                "recordedBy": text("consent.recordedBy")]),
            "urgency": text("urgency"),
            "riskAnswers": .object(risk),
            "notes": text("notes"),
        ]
        if !isSelf {
            body["referrer"] = .object(["agency": user.role == .agency ? (user.agency.map { .string($0) } ?? .null) : text("referrer.agency"),
                                        "unit": text("referrer.unit"), "contactName": text("referrer.contactName"),
                                        "contactPhone": text("referrer.contactPhone"), "contactEmail": text("referrer.contactEmail")])
        }
        return (.object(body), errors)
    }

    @Sendable func submitForm(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var request = request
        let form = try await Forms.read(&request, context: context)
        let lang = context.language
        let (body, localErrors) = Self.submission(from: form, user: s.user)
        var errors = localErrors.mapValues { _ in lang.t("err_child_age") }
        if errors.isEmpty {
            // The form's hidden token makes a double click or a resent form one referral.
            let key = form["formKey"].flatMap { $0.isEmpty ? nil : "form-" + $0 }
            switch await attempt(SubmitReferral.type, body, user: s.user, key: key) {
            case .success(let result):
                return Redirect.to("/hanvisningar/\(try Self.reply(SubmitReferral.self, result).id)?skickad=1")
            case .failure(let e) where e.code == .validation:
                for d in e.details ?? [e.detail] {
                    errors[Self.key(d.field)] = ServiceMessages.translate(d, lang)
                }
            case .failure(let e) where e.code == .intakePaused || e.code == .forbidden:
                errors[Self.key(e.field ?? "municipality")] = e.code == .intakePaused
                    ? ServiceMessages.translate(code: e.code.rawValue, lang) : ServiceMessages.translate(e.detail, lang)
            case .failure(let e):
                throw e
            }
        }
        var values = form
        values["formKey"] = form["formKey"]
        return try await renderForm(context: context, session: s, values: values, errors: errors, status: .unprocessableContent)
    }
}
