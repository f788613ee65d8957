import HubWeb
import Foundation
import HubCore
import HubProtocol
import HTTPTypes
import Hummingbird

/// Management-group meetings over HTTP: the JSON API (`/api/v1/meetings`, minutes,
/// management groups) and the pages (`/moten`, a meeting with its agenda, attendance
/// and minutes editing). Every action is a `meetings.*` bus request naming the
/// signed-in user as `actor`; the meetings service holds every rule.
struct MeetingRoutes: ServiceRoutes {
    let server: WebEnvironment
    let pages: PageRenderer
    typealias Context = GatewayRequestContext


    func register(api: RouterGroup<Context>, pages group: RouterGroup<Context>) {
        api.get("/meetings", use: forward("meetings.list", query: ["centre", "from", "to"]))
        api.post("/meetings", use: forward("meetings.create", body: true, status: .created))
        api.get("/meetings/:meetingId", use: forward("meetings.get"))
        api.patch("/meetings/:meetingId", use: forward("meetings.update", body: true))
        api.post("/meetings/:meetingId/cancel", use: forward("meetings.cancel"))
        api.post("/meetings/:meetingId/attendance", use: forward("meetings.attendance.set", body: true))
        api.post("/meetings/:meetingId/replies", use: forward("meetings.attendance.reply", body: true))
        api.post("/meetings/:meetingId/agenda-items", use: forward("meetings.agenda.add", body: true, status: .created))
        api.post("/meetings/:meetingId/agenda/circulate", use: forward("meetings.agenda.circulate"))
        api.post("/meetings/:meetingId/status-reports", use: forward("meetings.status-report.submit", body: true))
        api.put("/meetings/:meetingId/items/:itemId", use: forward("meetings.minutes.item.set", body: true))
        api.post("/meetings/:meetingId/actions", use: forward("meetings.minutes.actions.add", body: true, status: .created))
        api.patch("/meetings/:meetingId/actions/:actionId", use: forward("meetings.minutes.actions.update", body: true))
        api.post("/meetings/:meetingId/links", use: forward("meetings.minutes.links.add", body: true, status: .created))
        api.post("/meetings/:meetingId/attachments", use: forward("meetings.minutes.attachments.add", body: true, status: .created))
        api.get("/meetings/:meetingId/attachments/:attachmentId", use: forward("meetings.minutes.attachments.get"))
        api.post("/meetings/:meetingId/minutes/circulate", use: forward("meetings.minutes.circulate"))
        api.post("/meetings/:meetingId/minutes/approve", use: forward("meetings.minutes.approve", body: true))
        api.post("/meetings/:meetingId/minutes/file", use: forward("meetings.minutes.file"))
        api.get("/meetings/:meetingId/minutes/versions", use: forward("meetings.minutes.versions"))
        api.get("/meetings/:meetingId/export", use: apiExport)
        api.post("/minutes/import", use: forward("meetings.import", body: true, status: .created))
        api.get("/minutes/search", use: forward("meetings.search", query: ["centre", "q"]))
        api.get("/management-groups/:centre", use: forward("meetings.groups.list", query: ["date"]))
        api.get("/management-groups/:centre/history", use: forward("meetings.groups.history"))
        api.post("/management-groups/:centre/replace", use: forward("meetings.groups.replace", body: true))
        api.get("/management-groups/:centre/attendance", use: forward("meetings.attendance.agencies"))
        api.post("/meetings-mail/flush", use: forward("meetings.mail.flush"))
        api.post("/meetings-reminders/run", use: forward("meetings.reminders.run"))

        group.get("/moten", use: listPage)
        group.post("/moten", use: createForm)
        group.get("/moten/:meetingId", use: meetingPage)
        group.post("/moten/:meetingId/:action", use: actionForm)
        group.get("/moten/:meetingId/anteckningar.md", use: markdownDownload)
        group.get("/moten/:meetingId/utskrift", use: printPage)
        group.get("/moten/:meetingId/kalender.ics", use: calendarDownload)
    }

    // MARK: JSON API

    /// A route that sends `type` with the path parameters (`meetingId`, `itemId`, …, `centre`),
    /// the listed query items and, with `body`, the JSON body.
    func forward(_ type: String, query: [String] = [], body: Bool = false, status: HTTPResponse.Status = .ok)
        -> @Sendable (Request, Context) async throws -> Response {
        let routes = self
        return { request, context in
            let user = try routes.apiUser(context)
            var o: [String: JSONValue] = body ? try await routes.body(request, context) : [:]
            for name in ["meetingId", "itemId", "actionId", "attachmentId", "centre"] {
                if let v = context.parameters.get(name) { o[name] = .string(v) }
            }
            for k in query { if let v = request.uri.queryParameters.get(k), !v.isEmpty { o[k] = .string(v) } }
            let key = request.headers[HTTPField.Name("Idempotency-Key")!]
            return routes.json(try await routes.call(type, .object(o), user: user, key: key), status: status)
        }
    }

    /// `GET /api/v1/meetings/{id}/export?format=markdown|html` → the document itself.
    @Sendable func apiExport(_ request: Request, context: Context) async throws -> Response {
        let user = try apiUser(context)
        let format = request.uri.queryParameters.get("format") ?? "markdown"
        let reply = try await call("meetings.export", ["meetingId": .string(context.parameters.get("meetingId") ?? ""), "format": .string(format)], user: user)
        return document(reply)
    }

    func document(_ reply: JSONValue) -> Response {
        let html = reply["format"]?.stringValue == "html"
        return Response(status: .ok, headers: [.contentType: html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: reply["text"]?.stringValue ?? "")))
    }

    // MARK: Pages

    func session(_ context: Context) throws(HubError) -> SessionInfo {
        guard let session = context.session else { throw HubError(.unauthenticated, "Log in first.") }
        return session
    }

    func ask(_ type: String, _ body: [String: JSONValue], _ session: SessionInfo) async throws(HubError) -> JSONValue {
        try await call(type, .object(body), user: session.user)
    }

    func attempt(_ type: String, _ body: [String: JSONValue], _ session: SessionInfo) async -> Result<JSONValue, HubError> {
        do { return .success(try await ask(type, body, session)) } catch { return .failure(error) }
    }

    /// `GET /moten/{id}/kalender.ics`: the meeting for one's calendar, with the invitations' UID
    /// so that a calendar that has the invitation merges the two.
    @Sendable func calendarDownload(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let id = context.parameters.get("meetingId") ?? ""
        let m = try await ask("meetings.get", ["meetingId": .string(id)], s)
        let date = m["date"]?.stringValue ?? ""
        let event = ICalendar.Event(uid: "meeting-\(id)@utvag-hub", sequence: Int(m["sequence"]?.numberValue ?? 0),
                                    start: .init(date: date, time: m["start"]?.stringValue ?? ""), end: .init(date: date, time: m["end"]?.stringValue ?? ""),
                                    summary: "Ledningsgruppsmöte \(m["centreName"]?.stringValue ?? "")", location: m["place"]?.stringValue,
                                    url: m["link"]?.stringValue)
        return CalendarFile.response([event], filename: "ledningsgrupp-\(date).ics")
    }

    @Sendable func listPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        return try await renderList(s, context.language, form: [:], error: nil)
    }

    func renderList(_ s: SessionInfo, _ lang: Language, form: [String: String], error: HubError?) async throws -> Response {
        let meetings = try await ask("meetings.list", [:], s)["meetings"]?.arrayValue ?? []
        let centres = (try? await server.bus.request("referrals.centres.list", body: [:], timeout: server.busTimeout)).map(CentreList.from) ?? []
        let mayCreate = s.user.role == .admin || s.user.role == .staff
        // The chair's view: each member agency's attendance, absences in a row flagged.
        var attendance: [[String: Any]] = []
        let own = s.user.role == .admin ? centres.compactMap { $0["id"] } : (s.user.role == .staff || s.user.role == .board ? [s.user.centre].compactMap { $0 } : [])
        for centre in own {
            guard let reply = try? await ask("meetings.attendance.agencies", ["centre": .string(centre)], s) else { continue }
            for a in reply["agencies"]?.arrayValue ?? [] {
                let n = Int(a["absentInARow"]?.numberValue ?? 0)
                attendance.append(["centre": centre, "agencyName": a["agencyName"]?.stringValue ?? "", "meetings": a["meetings"]?.arrayValue?.count ?? 0,
                                   "absentInARow": n, "flagged": a["flagged"]?.boolValue ?? false,
                                   "flagText": lang.t("mt_absent_flag", ["n": String(n)])])
            }
        }
        let centreNames = CentreList.names(centres)
        for index in attendance.indices { attendance[index]["centre"] = centreNames[attendance[index]["centre"] as? String ?? ""] ?? "" }
        return pages.render("mt_list", title: lang.t("mt_title"), language: lang, session: s, data: [
            "meetings": meetings.map { m -> [String: Any] in
                var row = (m.mustache as? [String: Any]) ?? [:]
                row["centre"] = centreNames[m["centre"]?.stringValue ?? ""] ?? ""
                row["statusText"] = lang.t("mt_status_" + (m["status"]?.stringValue ?? ""))
                row["minutesText"] = lang.t("mt_minutes_" + (m["minutesStatus"]?.stringValue ?? ""))
                return row
            },
            "hasMeetings": !meetings.isEmpty, "mayCreate": mayCreate, "attendance": attendance, "hasAttendance": !attendance.isEmpty,
            "centres": centres.filter { s.user.role == .admin || $0["id"] == s.user.centre }.map { c -> [String: Any] in
                ["id": c["id"] ?? "", "name": c["name"] ?? "", "selected": form["centre"] == c["id"]] },
            "form": form, "err": errorMap(error, lang), "hasError": error != nil, "errorText": error.map { message($0, lang) } ?? "",
        ], status: error == nil ? .ok : .badRequest)
    }

    /// A field error as the template's `err.<field>` (the service names `body.<field>`).
    func errorMap(_ error: HubError?, _ lang: Language) -> [String: String] {
        guard let error, let field = error.field else { return [:] }
        let key = field.hasPrefix("body.") ? String(field.dropFirst(5)) : field
        return [key.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "[", with: "_").replacingOccurrences(of: "]", with: ""): message(error, lang)]
    }

    /// The user-facing message: a translated one for known codes, the service's (English, no personal data) otherwise.
    func message(_ error: HubError, _ lang: Language) -> String {
        let key = "mt_err_" + error.code.rawValue
        let text = lang.t(key)
        return text == key ? error.message : text + (lang == .en ? " (" + error.message + ")" : "")
    }

    @Sendable func createForm(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var request = request
        let form = try await Forms.read(&request, context: context)
        var body: [String: JSONValue] = [:]
        for k in ["centre", "date", "start", "end", "place", "link"] { if let v = form[k], !v.isEmpty { body[k] = .string(v) } }
        switch await attempt("meetings.create", body, s) {
        case .success(let m): return Redirect.to("/moten/\(m["id"]?.stringValue ?? "")?klart=meeting_created")
        case .failure(let e) where [.validation, .conflict, .notFound].contains(e.code):
            return try await renderList(s, context.language, form: form, error: e)
        case .failure(let e): throw e
        }
    }

    @Sendable func meetingPage(_ request: Request, context: Context) async throws -> Response {
        let done = request.uri.queryParameters.get("klart").flatMap { Self.actions[$0] != nil ? $0 : nil }
        return try await renderMeeting(try session(context), context.language, id: context.parameters.get("meetingId") ?? "", error: nil, form: [:],
                                       done: done)
    }

    func renderMeeting(_ s: SessionInfo, _ lang: Language, id: String, error: HubError?, form: [String: String],
                       done: String? = nil) async throws -> Response {
        let m = try await ask("meetings.get", ["meetingId": .string(id)], s)
        let staff = s.user.role == .admin || s.user.role == .staff
        let minutesStatus = m["minutes"]?["status"]?.stringValue ?? "draft"
        let editable = staff && (minutesStatus == "draft" || minutesStatus == "circulated") && m["status"]?.stringValue != "cancelled"
        var versions: [JSONValue] = []
        if staff { versions = (try? await ask("meetings.minutes.versions", ["meetingId": .string(id)], s))?["versions"]?.arrayValue ?? [] }
        // Circulated at … in Stockholm time, not the stored UTC.
        versions = versions.map { v in
            guard var o = v.objectValue, let at = o["circulatedAt"]?.stringValue else { return v }
            o["circulatedAt"] = .string(lang.dateTime(at))
            return .object(o)
        }
        let errItem = form["itemId"]
        return pages.render("mt_meeting", title: lang.t("mt_meeting_title", ["date": m["date"]?.stringValue ?? ""]), language: lang, session: s, data: [
            "m": m.mustache, "staff": staff, "editable": editable, "agencyUser": s.user.role == .agency,
            "statusText": lang.t("mt_status_" + (m["status"]?.stringValue ?? "")), "minutesText": lang.t("mt_minutes_" + minutesStatus),
            "planned": m["status"]?.stringValue == "planned",
            "approved": minutesStatus == "approved",
            // The message after a step ("Dagordningen är utskickad."), by the step's code only.
            "done": done.map { lang.t("mt_done_" + $0) } as Any,
            // Offered only when it can be done: minutes once the meeting has begun, approval of
            // circulated, unchanged previous minutes that are not yet approved.
            "mayCirculateMinutes": editable && m["started"]?.boolValue == true,
            "mayApprovePrevious": m["previousMinutes"]?["approvable"]?.boolValue == true,
            "previousDate": m["previousMinutes"]?["date"]?.stringValue ?? "",
            "attendees": (m["attendees"]?.arrayValue ?? []).map { a -> [String: Any] in
                var row = (a.mustache as? [String: Any]) ?? [:]
                let st = a["status"]?.stringValue ?? ""
                row["statusText"] = lang.t("mt_att_" + st)
                for option in ["present", "regrets", "absent"] { row["is_" + option] = st == option }
                return row
            },
            "items": (m["agenda"]?.arrayValue ?? []).enumerated().map { (i, item) -> [String: Any] in
                var row = (item.mustache as? [String: Any]) ?? [:]
                row["number"] = i + 1
                row["isStatusRound"] = item["kind"]?.stringValue == "status-round"
                if errItem == item["id"]?.stringValue { row["error"] = error.map { message($0, lang) } ?? "" }
                return row
            },
            "reports": (m["statusReports"]?.arrayValue ?? []).map(\.mustache),
            "actions": (m["actions"]?.arrayValue ?? []).map(\.mustache), "carried": (m["carriedActions"]?.arrayValue ?? []).map(\.mustache),
            "hasCarried": !(m["carriedActions"]?.arrayValue ?? []).isEmpty,
            "versions": versions.map(\.mustache), "hasVersions": !versions.isEmpty,
            "hasError": error != nil && errItem == nil, "errorText": error.map { message($0, lang) } ?? "", "err": errorMap(error, lang),
        ], status: error == nil ? .ok : .badRequest)
    }

    static let actions: [String: String] = [
        "punkt": "meetings.minutes.item.set", "ny-punkt": "meetings.agenda.add", "narvaro": "meetings.attendance.set",
        "atgard": "meetings.minutes.actions.add", "atgard-klar": "meetings.minutes.actions.update",
        "skicka-dagordning": "meetings.agenda.circulate", "skicka-anteckningar": "meetings.minutes.circulate",
        "godkann-foregaende": "meetings.minutes.approve", "arkivera": "meetings.minutes.file", "stall-in": "meetings.cancel",
        "lagesrapport": "meetings.status-report.submit",
    ]

    /// Every form on the meeting page posts here; a refused change shows the page again with the error by its field.
    @Sendable func actionForm(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let id = context.parameters.get("meetingId") ?? ""
        guard let type = Self.actions[context.parameters.get("action") ?? ""] else { throw HubError(.notFound, "No such action.") }
        var request = request
        let form = try await Forms.read(&request, context: context)
        let action = context.parameters.get("action") ?? ""
        // Cancelling a meeting sends METHOD:CANCEL to everyone invited: it is confirmed first.
        if action == "stall-in", !Confirmation.given(form) {
            let lang = context.language
            return Confirmation.page(pages, language: lang, session: s, action: "/moten/\(id)/stall-in", form: form,
                                     question: lang.t("mt_cancel_question"), details: [lang.t("mt_cancel_detail")],
                                     confirmLabel: lang.t("mt_cancel_yes"), cancelURL: "/moten/\(id)")
        }
        var body: [String: JSONValue] = ["meetingId": .string(id)]
        for k in ["itemId", "text", "decisions", "title", "owner", "agency", "due", "actionId", "status"] where form[k] != nil {
            body[k] = .string(form[k]!)
        }
        if type == "meetings.minutes.item.set" { body["confidential"] = .bool(form["confidential"] == "on") }
        if type == "meetings.attendance.set" {
            body["entries"] = .array(form.keys.filter { $0.hasPrefix("att_") }.sorted().map {
                .object(["memberId": .string(String($0.dropFirst(4))), "status": .string(form[$0] ?? "")])
            })
        }
        switch await attempt(type, body, s) {
        case .success: return Redirect.to("/moten/\(id)?klart=\(action)" + (form["itemId"].map { "#item-\($0)" } ?? ""))
        case .failure(let e) where ![.unauthenticated, .internal, .storage, .timeout, .busy].contains(e.code):
            return try await renderMeeting(s, context.language, id: id, error: e, form: form)
        case .failure(let e): throw e
        }
    }

    @Sendable func markdownDownload(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let reply = try await ask("meetings.export", ["meetingId": .string(context.parameters.get("meetingId") ?? ""), "format": "markdown"], s)
        var r = document(reply)
        r.headers[.contentDisposition] = "attachment; filename=\"motesanteckningar.md\""
        return r
    }

    @Sendable func printPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        return document(try await ask("meetings.export", ["meetingId": .string(context.parameters.get("meetingId") ?? ""), "format": "html"], s))
    }
}
