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

    // MARK: API

    @Sendable func apiOptions(_ request: Request, context: Context) async throws -> Response {
        json(try await call(ReferralOptions.type, [:], user: try apiUser(context)))
    }

    @Sendable func apiSubmit(_ request: Request, context: Context) async throws -> Response {
        let user = try apiUser(context)
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        return json(try await call(SubmitReferral.type, try await jsonBody(request, context), user: user, key: key), status: .created)
    }

    /// The query items of a search (`referrals.find`); a personnummer is never one of them:
    /// it goes in the body of `POST /api/v1/referrals/search`, so that it is in no URL or log.
    static let searchKeys = ["centre", "status", "category", "municipality", "agency", "from", "to", "reference", "externalRef",
                             "order", "limit", "cursor"]

    /// `GET /api/v1/referrals`: with any search item (status, category, …, cursor) a search over
    /// every status in pages; without, the working lists (`view` = queue, centre or mine).
    @Sendable func apiList(_ request: Request, context: Context) async throws -> Response {
        let user = try apiUser(context)
        if let view = request.uri.queryParameters.get("view"), !view.isEmpty, !["queue", "centre", "mine"].contains(view) {
            throw HubError(.validation, "Use one of: queue, centre, mine.", field: "view", reason: .notAChoice)
        }
        let searching = Self.searchKeys.contains { $0 != "centre" && $0 != "limit" && request.uri.queryParameters.get($0) != nil }
        guard searching else { return json(try await call(ListReferrals.type, Self.query(request, ["view", "centre", "limit"]), user: user)) }
        return json(try await call(FindReferrals.type, Self.query(request, Self.searchKeys), user: user))
    }

    /// `POST /api/v1/referrals/search`: the same search with a JSON body, the only way to
    /// search by personnummer (with `purpose`; audited).
    @Sendable func apiSearch(_ request: Request, context: Context) async throws -> Response {
        json(try await call(FindReferrals.type, try await jsonBody(request, context), user: try apiUser(context)))
    }

    @Sendable func apiGet(_ request: Request, context: Context) async throws -> Response {
        var body = Self.query(request, ["purpose"]).objectValue ?? [:]
        body["id"] = .string(context.parameters.get("id") ?? "")
        return json(try await call(GetReferral.type, .object(body), user: try apiUser(context)))
    }


    static let actionTypes = ["receive": ReceiveReferral.type, "assess": AssessReferral.type, "appointment": OfferAppointment.type,
                              "treatment": StartTreatment.type, "close": CloseReferral.type, "withdraw": WithdrawReferral.type,
                              "reprioritise": ReprioritiseReferral.type]

    @Sendable func apiAction(_ request: Request, context: Context) async throws -> Response {
        let user = try apiUser(context)
        guard let type = Self.actionTypes[context.parameters.get("action") ?? ""] else {
            throw HubError(.notFound, "Unknown action; use \(Self.actionTypes.keys.sorted().joined(separator: ", ")).", field: "action")
        }
        var body = (try await jsonBody(request, context)).objectValue ?? [:]
        body["id"] = .string(context.parameters.get("id") ?? "")
        return json(try await call(type, .object(body), user: user, key: request.headers[HTTPField.Name("Idempotency-Key")!]))
    }

    @Sendable func apiCapacity(_ request: Request, context: Context) async throws -> Response {
        json(try await call(ReferralCapacity.type, Self.query(request, ["centre"]), user: try apiUser(context)))
    }

    @Sendable func apiIntake(_ request: Request, context: Context) async throws -> Response {
        var body = (try await jsonBody(request, context)).objectValue ?? [:]
        body["centre"] = .string(context.parameters.get("centre") ?? "")
        return json(try await call(SetIntake.type, .object(body), user: try apiUser(context)))
    }

    @Sendable func apiGroups(_ request: Request, context: Context) async throws -> Response {
        json(try await call(ListGroups.type, Self.query(request, ["centre"]), user: try apiUser(context)))
    }

    @Sendable func apiDefineGroup(_ request: Request, context: Context) async throws -> Response {
        json(try await call(DefineGroup.type, try await jsonBody(request, context), user: try apiUser(context)), status: .created)
    }

    @Sendable func apiAssign(_ request: Request, context: Context) async throws -> Response {
        var body = (try await jsonBody(request, context)).objectValue ?? [:]
        body["groupId"] = .string(context.parameters.get("id") ?? "")
        return json(try await call(AssignGroup.type, .object(body), user: try apiUser(context)))
    }

    @Sendable func apiStatistics(_ request: Request, context: Context) async throws -> Response {
        let q = Self.query(request, ["centre", "year", "view", "format"])
        let stats = try await call(ReferralStatistics.type, q, user: try apiUser(context))
        if q["format"]?.stringValue == "csv" { return csv(stats) }
        return json(stats)
    }

    /// `POST /api/v1/statistics/import[?replace=true]`, body `text/csv`: forwarded as it is.
    @Sendable func apiImportStatistics(_ request: Request, context: Context) async throws -> Response {
        let user = try apiUser(context)
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard let text = String(validating: Array(buffer: buffer), as: UTF8.self) else {
            throw HubError(.validation, "The body must be UTF-8 text (text/csv).", field: "body")
        }
        let replace = request.uri.queryParameters.get("replace") ?? ""
        guard ["true", "false", ""].contains(replace) else { throw HubError(.validation, "Use true or false.", field: "replace", reason: .wrongType) }
        let body: JSONValue = ["csv": .string(text), "replace": .bool(replace == "true")]
        return json(try await call(ImportReferralStatistics.type, body, user: user), status: .created)
    }

    @Sendable func apiAudit(_ request: Request, context: Context) async throws -> Response {
        json(try await call(ListAudit.type, Self.query(request, ["centre", "referralId", "limit"]), user: try apiUser(context)))
    }

    @Sendable func apiRetention(_ request: Request, context: Context) async throws -> Response {
        json(try await call(RunRetention.type, try await jsonBody(request, context), user: try apiUser(context)))
    }

    /// The statistics CSV as the referrals service wrote it (`format: csv`).
    func csv(_ s: JSONValue) -> Response {
        let name = s["filename"]?.stringValue ?? "statistik.csv"
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
                        body: .init(byteBuffer: ByteBuffer(string: s["csv"]?.stringValue ?? "")))
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
            let mine = try await call(ListReferrals.type, ["view": "mine"], user: user)
            data["mine"] = (mine["referrals"]?.arrayValue ?? []).map { r -> [String: Any] in
                ["id": r["id"]?.stringValue ?? "", "reference": r["reference"]?.stringValue ?? "", "centre": r["centreName"]?.stringValue ?? "",
                 "status": lang.t("status_" + (r["status"]?.stringValue ?? "")), "submitted": Self.day(r["submittedAt"]),
                 "externalRef": r["externalRef"]?.stringValue ?? ""]
            }
            data["isAgency"] = true
            data["hasMine"] = !(mine["referrals"]?.arrayValue ?? []).isEmpty
        } else if user.role == .staff || user.role == .admin {
            let centre = request.uri.queryParameters.get("centre") ?? user.centre ?? "skaraborg"
            let queue = try await call(ListReferrals.type, ["view": "queue", "centre": .string(centre)], user: user)
            let open = try await call(ListReferrals.type, ["view": "centre", "centre": .string(centre)], user: user)
            data["isStaff"] = true
            data["centre"] = centre
            data["queues"] = (queue["categories"]?.arrayValue ?? []).map { c -> [String: Any] in
                let items = (c["referrals"]?.arrayValue ?? []).map { r -> [String: Any] in
                    ["id": r["id"]?.stringValue ?? "", "reference": r["reference"]?.stringValue ?? "",
                     "position": Self.int(r["position"]), "priority": lang.t("priority_\(Self.int(r["priority"]))"),
                     "received": Self.day(r["receivedAt"] ?? r["submittedAt"]), "municipality": r["municipality"]?.stringValue ?? "",
                     "wait": lang.t("band_" + (r["waitBand"]?.stringValue ?? "")), "days": Self.int(r["estimatedWaitDays"]),
                     "highRisk": r["highRisk"]?.boolValue == true, "urgency": lang.t("urgency_" + (r["urgency"]?.stringValue ?? ""))]
                }
                return ["category": lang.t("category_" + (c["category"]?.stringValue ?? "")), "count": items.count, "items": items, "empty": items.isEmpty]
            }
            data["incoming"] = (open["referrals"]?.arrayValue ?? []).filter { ["submitted", "received"].contains($0["status"]?.stringValue ?? "") }.map { r -> [String: Any] in
                ["id": r["id"]?.stringValue ?? "", "reference": r["reference"]?.stringValue ?? "",
                 "category": lang.t("category_" + (r["category"]?.stringValue ?? "")), "status": lang.t("status_" + (r["status"]?.stringValue ?? "")),
                 "submitted": Self.day(r["submittedAt"]), "urgency": lang.t("urgency_" + (r["urgency"]?.stringValue ?? "")),
                 "highRisk": r["highRisk"]?.boolValue == true]
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
        let options = try await call(ReferralOptions.self, EmptyRequest(), user: s.user)
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

    @Sendable func referralPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let lang = context.language
        let id = context.parameters.get("id") ?? ""
        let print = request.uri.queryParameters.get("print") == "1"
        let r = try await call(GetReferral.type, ["id": .string(id), "purpose": .string(print ? "print" : "case-handling")], user: s.user)
        let options = try await call(ReferralOptions.type, [:], user: s.user)
        var data = ReferralView.page(r, lang: lang, reasonNames: ReferralView.reasonNames(options, lang))
        data["justSubmitted"] = request.uri.queryParameters.get("skickad") == "1"
        data["error"] = request.uri.queryParameters.get("fel").map { ServiceMessages.translate(code: $0, lang) }
        data["isStaff"] = r["personal"] != nil || r["linked"] != nil
        data["print"] = print
        if s.user.role == .staff || s.user.role == .admin {
            data["declineReasons"] = ReferralView.reasons(options["declineReasons"], lang)
            data["redirectReasons"] = ReferralView.reasons(options["redirectReasons"], lang)
            data["closureReasons"] = ReferralView.reasons(options["closureReasons"], lang)
            if let centre = r["centre"]?.stringValue {
                let groups = try? await call(ListGroups.type, ["centre": .string(centre)], user: s.user)
                data["groups"] = (groups?["groups"]?.arrayValue ?? []).map { ["id": $0["id"]?.stringValue ?? "", "name": $0["name"]?.stringValue ?? ""] }
            }
        }
        if s.user.role == .agency || s.user.role == .staff || s.user.role == .admin {
            let options = try await call(ReferralOptions.type, [:], user: s.user)
            data["withdrawReasons"] = ReferralView.reasons(options["withdrawReasons"], lang)
        }
        return pages.render("referral", title: lang.t("referral_title") + " " + (r["reference"]?.stringValue ?? ""), language: lang, session: s, data: data)
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
            let options = try await call(ReferralOptions.type, [:], user: s.user)
            let reasonList = ["decline": "declineReasons", "redirect": "redirectReasons", "close": "closureReasons", "withdraw": "withdrawReasons"][step].map { options[$0] }
            let reason = ReferralView.reasons(reasonList ?? nil, lang).first { $0["code"] as? String == form["reason"] }?["label"] as? String
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
        let cap = try await call(ReferralCapacity.type, [:], user: s.user)
        let staffCentre = (s.user.role == .staff) ? s.user.centre : nil
        let centres = (cap["centres"]?.arrayValue ?? []).map { c -> [String: Any] in
            let id = c["centre"]?.stringValue ?? ""
            let cats = (c["categories"]?.arrayValue ?? []).map { k -> [String: Any] in
                let state = k["state"]?.stringValue ?? ""
                return ["category": lang.t("category_" + (k["category"]?.stringValue ?? "")), "state": state,
                        "label": state == "waiting-list" ? lang.t("band_" + (k["waitBand"]?.stringValue ?? "")) : lang.t("state_" + state),
                        "message": k["message"]?.stringValue ?? "", "alternatives": k["alternatives"]?.stringValue ?? ""]
            }
            let paused = cats.contains { ($0["state"] as? String) == "paused" }
            return ["id": id, "name": c["centreName"]?.stringValue ?? id, "categories": cats,
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
        let stats = try await call(ReferralStatistics.type, q, user: s.user)
        let data = StatisticsView.page(stats, lang: lang)
        return pages.render("statistics", title: lang.t("stats_title"), language: lang, session: s, data: data)
    }

    @Sendable func statisticsCSV(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var q = Self.query(request, ["centre", "year", "view"]).objectValue ?? [:]
        q["format"] = "csv"
        return csv(try await call(ReferralStatistics.type, .object(q), user: s.user))
    }

    @Sendable func auditPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let lang = context.language
        let log = try await call(ListAudit.type, Self.query(request, ["centre", "referralId"]), user: s.user)
        let centres = (try? await server.bus.request(ListCentres.type, body: [:], timeout: server.busTimeout)).map(CentreList.from) ?? []
        let agencies = ((try? await call(ReferralOptions.type, [:], user: s.user))?["agencies"]?.arrayValue ?? [])
            .compactMap { a in a["id"]?.stringValue.map { ($0, a["name"]?.stringValue ?? $0) } }
        let units = CentreList.names(centres).merging(agencies, uniquingKeysWith: { first, _ in first })
        let entries = (log["entries"]?.arrayValue ?? []).map { e -> [String: Any] in
            let actor = e["actor"]?.stringValue ?? ""
            let action = e["action"]?.stringValue ?? ""
            let unit = e["unit"]?.stringValue ?? ""
            return ["at": lang.dateTime(e["at"]?.stringValue ?? ""),
                    "actor": actor.hasPrefix("user:") ? String(actor.dropFirst(5)) : lang.name("audit_actor_", actor.split(separator: ":").first.map(String.init) ?? actor),
                    "role": lang.name("role_", e["role"]?.stringValue ?? ""),
                    "unit": unit.split(separator: ",").map { units[String($0)] ?? String($0) }.joined(separator: ", "), "action": lang.name("audit_action_", action, or: ReferralAction.stringKeyPrefix + "_" + action),
                    "referral": e["referralId"]?.stringValue ?? "", "purpose": lang.name("purpose_", e["purpose"]?.stringValue ?? "")]
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
            let first = (centres.arrayValue ?? centres["centres"]?.arrayValue ?? []).first?["id"]?.stringValue ?? ""
            guard !first.isEmpty else { throw HubError(.notFound, "No centre is configured.") }
            return Redirect.to("/grupper?centre=" + (first.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? first))
        }
        let list = try await call(ListGroups.type, ["centre": .string(centre)], user: s.user)
        let groups = (list["groups"]?.arrayValue ?? []).map { g -> [String: Any] in
            ["id": g["id"]?.stringValue ?? "", "name": g["name"]?.stringValue ?? "",
             "help": lang.t("help_" + (g["help"]?.stringValue ?? "")), "min": Self.int(g["min"]), "max": Self.int(g["max"]),
             "ageMin": Self.int(g["ageMin"]), "ageMax": Self.int(g["ageMax"]), "enrolled": Self.int(g["enrolled"]),
             "waiting": Self.int(g["matchingWaiting"]), "ready": g["readyToStart"]?.boolValue == true,
             "countsChildren": g["counts"]?.stringValue == "children",
             "candidates": (g["candidates"]?.arrayValue ?? []).map { c -> [String: Any] in
                 ["id": c["id"]?.stringValue ?? "", "reference": c["reference"]?.stringValue ?? "",
                  "participants": Self.int(c["participants"]), "status": lang.t("status_" + (c["status"]?.stringValue ?? ""))]
             }]
        }
        let kinds = ["womens-group", "non-violence-group", "young-adults-group", "child-parent-group"].map { ["id": $0, "label": lang.t("help_" + $0)] }
        return pages.render("groups", title: lang.t("groups_title"), language: lang, session: s,
                            data: ["groups": groups, "centre": list["centre"]?.stringValue ?? centre, "kinds": kinds,
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

    /// The Stockholm date of a UTC timestamp.
    static func day(_ v: JSONValue?) -> String { LocalTime.date(v?.stringValue ?? "") }
    static func int(_ v: JSONValue?) -> Int { Int(v?.numberValue ?? 0) }
}

/// The referrals service's refusals in the page's language, chosen by machine codes only —
/// the field, its reason, the error code — never by reading the service's English message.
enum ServiceMessages {
    /// A field's problem: a text for this field and reason when the referral pages have one
    /// (`ref_err_<field>_<reason>`), else the general text for the reason, else "check the field".
    static func translate(_ detail: HubError.Detail, _ lang: Language) -> String {
        let field = detail.field.hasPrefix("body.") ? String(detail.field.dropFirst(5)) : detail.field
        var base = field.split(separator: "[").first.map(String.init) ?? field
        if base.hasPrefix("riskAnswers.") { base = "riskAnswers" }
        let reason = detail.reason?.rawValue ?? ""
        let table = lang.strings
        if let specific = table["ref_err_" + base.replacingOccurrences(of: ".", with: "_") + "_" + reason] { return specific }
        return lang.fieldError(detail.reason) ?? lang.t("reg_err_invalid")
    }

    /// The page's text for a refused step, by the error's code (carried in the address as `fel`).
    static func translate(code: String, _ lang: Language) -> String {
        lang.strings["ref_code_" + code] ?? lang.t("ref_code_validation")
    }

    /// A code for the URL after a failed action (codes only; messages are looked up again).
    static func code(for e: HubError) -> String {
        [HubError.Code("invalid_transition"), .validation, .conflict, .forbidden, .notFound, .intakePaused].contains(e.code) ? e.code.rawValue : "validation"
    }
}
