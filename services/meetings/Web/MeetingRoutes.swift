import HubWeb
import Foundation
import HubCore
import HubProtocol
import HTTPTypes
import Hummingbird
import MeetingsAPI

/// Management-group meetings over HTTP: the JSON API (`/api/v1/meetings`, minutes,
/// management groups) and the pages (`/moten`, a meeting with its agenda, attendance
/// and minutes editing). Every action is a `meetings.*` bus request naming the
/// signed-in user as `actor`; the meetings service holds every rule.
struct MeetingRoutes: ServiceRoutes {
    let server: WebEnvironment
    let pages: PageRenderer
    typealias Context = GatewayRequestContext


    func register(api: RouterGroup<Context>, pages group: RouterGroup<Context>) {
        api.get("/meetings", use: forward(MeetingList.self, query: ["centre", "from", "to"]))
        api.post("/meetings", use: forward(MeetingCreate.self, body: true, status: .created))
        api.get("/meetings/:meetingId", use: forward(MeetingGet.self))
        api.patch("/meetings/:meetingId", use: forward(MeetingUpdate.self, body: true))
        api.post("/meetings/:meetingId/cancel", use: forward(MeetingCancel.self))
        api.post("/meetings/:meetingId/attendance", use: forward(AttendanceSet.self, body: true))
        api.post("/meetings/:meetingId/replies", use: forward(AttendanceReply.self, body: true))
        api.post("/meetings/:meetingId/agenda-items", use: forward(AgendaAdd.self, body: true, status: .created))
        api.post("/meetings/:meetingId/agenda/circulate", use: forward(AgendaCirculate.self))
        api.post("/meetings/:meetingId/status-reports", use: forward(StatusReportSubmit.self, body: true))
        api.put("/meetings/:meetingId/items/:itemId", use: forward(MinutesItemSet.self, body: true))
        api.post("/meetings/:meetingId/actions", use: forward(ActionAdd.self, body: true, status: .created))
        api.patch("/meetings/:meetingId/actions/:actionId", use: forward(ActionUpdate.self, body: true))
        api.post("/meetings/:meetingId/links", use: forward(LinkAdd.self, body: true, status: .created))
        api.post("/meetings/:meetingId/attachments", use: forward(AttachmentAdd.self, body: true, status: .created))
        api.get("/meetings/:meetingId/attachments/:attachmentId", use: forward(AttachmentGet.self))
        api.post("/meetings/:meetingId/minutes/circulate", use: forward(MinutesCirculate.self))
        api.post("/meetings/:meetingId/minutes/approve", use: forward(MinutesApprove.self, body: true))
        api.post("/meetings/:meetingId/minutes/file", use: forward(MinutesFile.self))
        api.get("/meetings/:meetingId/minutes/versions", use: forward(MinutesVersions.self))
        api.get("/meetings/:meetingId/export", use: apiExport)
        api.post("/minutes/import", use: forward(MinutesImport.self, body: true, status: .created))
        api.get("/minutes/search", use: forward(MinutesSearch.self, query: ["centre", "q"]))
        api.get("/management-groups/:centre", use: forward(GroupList.self, query: ["date"]))
        api.get("/management-groups/:centre/history", use: forward(GroupHistory.self))
        api.post("/management-groups/:centre/replace", use: forward(GroupReplace.self, body: true))
        api.get("/management-groups/:centre/attendance", use: forward(AttendanceAgencies.self))
        api.post("/meetings-mail/flush", use: forward(MailFlush.self))
        api.post("/meetings-reminders/run", use: forward(RemindersRun.self))

        group.get("/moten", use: listPage)
        group.post("/moten", use: createForm)
        group.get("/moten/:meetingId", use: meetingPage)
        group.post("/moten/:meetingId/:action", use: actionForm)
        group.get("/moten/:meetingId/anteckningar.md", use: markdownDownload)
        group.get("/moten/:meetingId/utskrift", use: printPage)
        group.get("/moten/:meetingId/kalender.ics", use: calendarDownload)
    }

    // MARK: JSON API

    /// A route that sends the message of `contract` with the path parameters (`meetingId`, `itemId`,
    /// …, `centre`), the listed query items and, with `body`, the client's JSON body as it came (the
    /// service refuses a member the contract does not name); the reply goes back as it came.
    func forward<C: ContractRequest>(_ contract: C.Type, query: [String] = [], body: Bool = false, status: HTTPResponse.Status = .ok)
        -> @Sendable (Request, Context) async throws -> Response {
        let type = C.type
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
        let request = MinutesExport(meetingId: context.parameters.get("meetingId") ?? "", format: format)
        return document(try MinutesExport.reply(try await call(MinutesExport.type, try request.body(), user: user)))
    }

    func document(_ reply: MinutesExport.Reply) -> Response {
        let html = reply.format == ExportFormat.html.rawValue
        return Response(status: .ok, headers: [.contentType: html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: reply.text)))
    }

    // MARK: Pages

    func session(_ context: Context) throws(HubError) -> SessionInfo {
        guard let session = context.session else { throw HubError(.unauthenticated, "Log in first.") }
        return session
    }

    /// Sends a request for the signed-in user and reads its reply type.
    func ask<C: ContractRequest>(_ request: C, _ session: SessionInfo) async throws(HubError) -> C.Reply {
        try C.reply(try await call(C.type, try request.body(), user: session.user))
    }

    /// A reply as the templates read it: its members by their wire names.
    func view(_ value: some Encodable) -> Any {
        ((try? JSONValue.encode(value)) ?? .object([:])).mustache
    }

    func viewRow(_ value: some Encodable) -> [String: Any] { view(value) as? [String: Any] ?? [:] }

    /// `GET /moten/{id}/kalender.ics`: the meeting for one's calendar, with the invitations' UID
    /// so that a calendar that has the invitation merges the two.
    @Sendable func calendarDownload(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        let id = context.parameters.get("meetingId") ?? ""
        let detail = try await ask(MeetingGet(meetingId: id), s), m = detail.meeting
        let date = m.date
        let event = ICalendar.Event(uid: "meeting-\(id)@utvag-hub", sequence: m.sequence,
                                    start: .init(date: date, time: m.start), end: .init(date: date, time: m.end),
                                    summary: "Ledningsgruppsmöte \(detail.centreName)", location: m.place, url: m.link)
        return CalendarFile.response([event], filename: "ledningsgrupp-\(date).ics")
    }

    @Sendable func listPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        return try await renderList(s, context.language, form: [:], error: nil)
    }

    func renderList(_ s: SessionInfo, _ lang: Language, form: [String: String], error: HubError?) async throws -> Response {
        let meetings = try await ask(MeetingList(), s).meetings
        let centres = await server.centres()
        let mayCreate = s.user.role == .admin || s.user.role == .staff
        // The chair's view: each member agency's attendance, absences in a row flagged.
        var attendance: [[String: Any]] = []
        let own = s.user.role == .admin ? centres.map(\.id) : (s.user.role == .staff || s.user.role == .board ? [s.user.centre].compactMap { $0 } : [])
        for centre in own {
            guard let reply = try? await ask(AttendanceAgencies(centre: centre), s) else { continue }
            for a in reply.agencies {
                let n = a.absentInARow
                attendance.append(["centre": centre, "agencyName": a.agencyName, "meetings": a.meetings.count,
                                   "absentInARow": n, "flagged": a.flagged,
                                   "flagText": lang.t("mt_absent_flag", ["n": String(n)])])
            }
        }
        let centreNames = Dictionary(centres.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        for index in attendance.indices { attendance[index]["centre"] = centreNames[attendance[index]["centre"] as? String ?? ""] ?? "" }
        let centreChoices = centres.filter { s.user.role == .admin || $0.id == s.user.centre }.map { centre -> [String: Any] in
            ["id": centre.id, "name": centre.name, "selected": form["centre"] == centre.id]
        }
        return pages.render("mt_list", title: lang.t("mt_title"), language: lang, session: s, data: [
            "meetings": meetings.map { m -> [String: Any] in
                var row = viewRow(m)
                row["centre"] = centreNames[m.meeting.centre] ?? ""
                row["statusText"] = MeetingStatus.name(of: m.meeting.status, lang.rawValue)
                row["minutesText"] = MinutesStatus.name(of: m.minutesStatus, lang.rawValue)
                return row
            },
            "hasMeetings": !meetings.isEmpty, "mayCreate": mayCreate, "attendance": attendance, "hasAttendance": !attendance.isEmpty,
            "centres": centreChoices,
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
        func given(_ k: String) -> String? { form[k].flatMap { $0.isEmpty ? nil : $0 } }
        let create = MeetingCreate(centre: given("centre") ?? "", date: given("date") ?? "", start: given("start"), end: given("end"),
                                   place: given("place"), link: given("link"))
        switch await attempt(create, s) {
        case .success(let m): return Redirect.to("/moten/\(m.meeting.id)?klart=meeting_created")
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
        let detail = try await ask(MeetingGet(meetingId: id), s), m = detail.meeting
        let staff = s.user.role == .admin || s.user.role == .staff
        let minutesStatus = detail.minutes?.status ?? MinutesStatus.draft.rawValue
        let editable = staff && (MinutesStatus(rawValue: minutesStatus)?.isEditable ?? false) && m.status != MeetingStatus.cancelled.rawValue
        var versions: [MinutesVersions.Version] = []
        if staff { versions = (try? await ask(MinutesVersions(meetingId: id), s))?.versions ?? [] }
        // Circulated at … in Stockholm time, not the stored UTC.
        for index in versions.indices { versions[index].circulatedAt = lang.dateTime(versions[index].circulatedAt) }
        let errItem = form["itemId"]
        return pages.render("mt_meeting", title: lang.t("mt_meeting_title", ["date": m.date]), language: lang, session: s, data: [
            "m": view(detail), "staff": staff, "editable": editable, "agencyUser": s.user.role == .agency,
            "statusText": MeetingStatus.name(of: m.status, lang.rawValue), "minutesText": MinutesStatus.name(of: minutesStatus, lang.rawValue),
            "planned": m.status == MeetingStatus.planned.rawValue,
            "approved": minutesStatus == MinutesStatus.approved.rawValue,
            // The message after a step ("Dagordningen är utskickad."), by the step's code only.
            "done": done.map { lang.t("mt_done_" + $0) } as Any,
            // Offered only when it can be done: minutes once the meeting has begun, approval of
            // circulated, unchanged previous minutes that are not yet approved.
            "mayCirculateMinutes": editable && detail.started,
            "mayApprovePrevious": detail.previousMinutes?.approvable == true,
            "previousDate": detail.previousMinutes?.date ?? "",
            // The attendance choices, named by the contract's vocabulary.
            "attNames": Dictionary(uniqueKeysWithValues: AttendanceStatus.recorded.map { ($0.rawValue, AttendanceStatus.name(of: $0.rawValue, lang.rawValue)) }),
            "attendees": detail.attendees.map { a -> [String: Any] in
                var row = viewRow(a)
                row["statusText"] = AttendanceStatus.name(of: a.status, lang.rawValue)
                for option in AttendanceStatus.recorded { row["is_" + option.rawValue] = a.status == option.rawValue }
                return row
            },
            "items": detail.agenda.enumerated().map { (i, item) -> [String: Any] in
                var row = viewRow(item)
                row["number"] = i + 1
                row["isStatusRound"] = item.kind == AgendaItemKind.statusRound.rawValue
                if errItem == item.id { row["error"] = error.map { message($0, lang) } ?? "" }
                return row
            },
            "reports": detail.statusReports.map { view($0) },
            "actions": detail.actions.map { view($0) }, "carried": detail.carriedActions.map { view($0) },
            "hasCarried": !detail.carriedActions.isEmpty,
            "versions": versions.map { view($0) }, "hasVersions": !versions.isEmpty,
            "hasError": error != nil && errItem == nil, "errorText": error.map { message($0, lang) } ?? "", "err": errorMap(error, lang),
        ], status: error == nil ? .ok : .badRequest)
    }

    static let actions: [String: String] = [
        "punkt": MinutesItemSet.type, "ny-punkt": AgendaAdd.type, "narvaro": AttendanceSet.type,
        "atgard": ActionAdd.type, "atgard-klar": ActionUpdate.type,
        "skicka-dagordning": AgendaCirculate.type, "skicka-anteckningar": MinutesCirculate.type,
        "godkann-foregaende": MinutesApprove.type, "arkivera": MinutesFile.type, "stall-in": MeetingCancel.type,
        "lagesrapport": StatusReportSubmit.type,
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
        switch await send(type, meeting: id, form: form, s) {
        case .success: return Redirect.to("/moten/\(id)?klart=\(action)" + (form["itemId"].map { "#item-\($0)" } ?? ""))
        case .failure(let e) where ![.unauthenticated, .internal, .storage, .timeout, .busy].contains(e.code):
            return try await renderMeeting(s, context.language, id: id, error: e, form: form)
        case .failure(let e): throw e
        }
    }

    /// The request a form of the meeting page makes, sent; a form field the message does not take is not sent.
    func send(_ type: String, meeting id: String, form: [String: String], _ s: SessionInfo) async -> Result<Void, HubError> {
        func sent<C: ContractRequest>(_ request: C) async -> Result<Void, HubError> { await attempt(request, s).map { _ in () } }
        let itemId = form["itemId"] ?? "", text = form["text"] ?? ""
        switch type {
        case MinutesItemSet.type:
            return await sent(MinutesItemSet(meetingId: id, itemId: itemId, text: form["text"], decisions: form["decisions"], title: form["title"],
                                             confidential: form["confidential"] == "on"))
        case AgendaAdd.type: return await sent(AgendaAdd(meetingId: id, title: form["title"] ?? "", agency: form["agency"]))
        case AttendanceSet.type:
            return await sent(AttendanceSet(meetingId: id, entries: form.keys.filter { $0.hasPrefix("att_") }.sorted().map {
                AttendanceSet.Entry(memberId: String($0.dropFirst(4)), status: form[$0] ?? "")
            }))
        case ActionAdd.type:
            return await sent(ActionAdd(meetingId: id, itemId: form["itemId"], text: text, owner: form["owner"] ?? "", agency: form["agency"], due: form["due"]))
        case ActionUpdate.type: return await sent(ActionUpdate(meetingId: id, actionId: form["actionId"] ?? "", status: form["status"] ?? ""))
        case AgendaCirculate.type: return await sent(AgendaCirculate(meetingId: id))
        case MinutesCirculate.type: return await sent(MinutesCirculate(meetingId: id))
        case MinutesApprove.type: return await sent(MinutesApprove(meetingId: id))
        case MinutesFile.type: return await sent(MinutesFile(meetingId: id))
        case MeetingCancel.type: return await sent(MeetingCancel(meetingId: id))
        default: return await sent(StatusReportSubmit(meetingId: id, agency: form["agency"], text: text))
        }
    }

    func attempt<C: ContractRequest>(_ request: C, _ session: SessionInfo) async -> Result<C.Reply, HubError> {
        do { return .success(try await ask(request, session)) } catch { return .failure(error) }
    }

    @Sendable func markdownDownload(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        var r = document(try await ask(MinutesExport(meetingId: context.parameters.get("meetingId") ?? "", format: ExportFormat.markdown.rawValue), s))
        r.headers[.contentDisposition] = "attachment; filename=\"motesanteckningar.md\""
        return r
    }

    @Sendable func printPage(_ request: Request, context: Context) async throws -> Response {
        let s = try session(context)
        return document(try await ask(MinutesExport(meetingId: context.parameters.get("meetingId") ?? "", format: ExportFormat.html.rawValue), s))
    }
}
