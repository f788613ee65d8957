import HubWeb
import Foundation
import HubProtocol
import Hummingbird
import NetworksAPI
import Synchronization

/// Network days over HTTP: the JSON API (`/api/v1/network-days`, contact persons,
/// coverage, tour, attendance) and the organiser pages (participants, check-in, print,
/// CSV, invoice basis, coverage). The API's handlers are in NetworkAPIRoutes.swift, the
/// contacts, attendance and tour pages in ContactPages.swift, the public registration pages
/// in RegistrationRoutes.swift. Everything is a bus request to the networks service.
struct NetworkRoutes: PublicRegistrationRoutes {
    let server: WebEnvironment
    let pages: PageRenderer
    let throttle = PublicFormThrottle()
    typealias Context = GatewayRequestContext

    func register(public router: Router<Context>, api: RouterGroup<Context>, pages group: RouterGroup<Context>) {
        // Public, no login: registration, personal and booking links.
        router.get("/anmalan/:dayId", use: registrationForm)
        router.post("/anmalan/:dayId", use: submitRegistration)
        router.get("/r/:token", use: myRegistration)
        router.get("/r/:token/kalender.ics", use: myCalendar)
        router.post("/r/:token/avboka", use: cancelMyRegistration)
        router.get("/anmalan/:dayId/grupp", use: groupForm)
        router.post("/anmalan/:dayId/grupp", use: submitGroup)
        router.get("/b/:token", use: bookingPage)
        router.post("/b/:token/avboka", use: cancelInBooking)
        router.get("/c/:token", use: selfUpdateForm)
        router.post("/c/:token", use: selfUpdate)
        // The English addresses of before, in invitations already sent and in bookmarks.
        router.moved("/register/:dayId", to: "/anmalan/:dayId")
        router.moved("/register/:dayId/group", to: "/anmalan/:dayId/grupp")
        router.moved("/networks", to: "/natverk")
        router.moved("/networks/days/:dayId", to: "/natverk/dagar/:dayId")

        // Organiser pages (admin, staff).
        group.get("/natverk", use: daysPage)
        group.get("/natverk/dagar/ny", use: newDayForm)
        group.post("/natverk/dagar/ny", use: createDayForm)
        group.post("/natverk/dagar/:dayId/inbjud", use: inviteForm)
        group.post("/natverk/dagar/:dayId/stall-in", use: cancelDayForm)
        group.get("/natverk/dagar/:dayId", use: dayPage)
        group.post("/natverk/dagar/:dayId/incheckning", use: checkInForm)
        group.post("/natverk/dagar/:dayId/flytta", use: moveForm)
        group.get("/natverk/dagar/:dayId/utskrift", use: printPage)
        group.get("/natverk/dagar/:dayId/deltagare.csv", use: csvDownload)
        group.get("/natverk/dagar/:dayId/fakturaunderlag", use: invoicePage)
        group.get("/natverk/tackning/:centreId", use: coveragePage)
        group.get("/natverk/kontaktpersoner/:centreId", use: contactsPage)
        group.post("/natverk/kontaktpersoner/:centreId", use: addContactForm)
        group.get("/natverk/narvaro/:centreId", use: attendancePage)
        group.get("/natverk/besok/:centreId", use: tourPage)
        group.post("/natverk/besok/:centreId", use: planVisitForm)
        group.post("/natverk/besok/:centreId/:visitId/klart", use: completeVisitForm)

        // JSON API.
        api.get("/network-days", use: apiListDays)
        api.post("/network-days", use: apiCreateDay)
        api.get("/network-days/:dayId", use: apiGetDay)
        api.patch("/network-days/:dayId", use: apiUpdateDay)
        api.post("/network-days/:dayId/cancel", use: apiCancelDay)
        api.post("/network-days/:dayId/invitations", use: apiInvite)
        api.post("/network-days/:dayId/registrations", use: apiRegister)
        api.get("/network-days/:dayId/registrations", use: apiListRegistrations)
        api.get("/network-days/:dayId/participants.csv", use: csvDownload)
        api.get("/network-days/:dayId/invoice-basis", use: apiInvoice)
        api.post("/registrations/:participantId/check-in", use: apiCheckIn)
        api.post("/registrations/:participantId/move", use: apiMove)
        api.get("/contact-persons", use: apiListContacts)
        api.post("/contact-persons", use: apiCreateContact)
        api.patch("/contact-persons/:contactId", use: apiUpdateContact)
        api.get("/coverage/:centreId", use: apiCoverage)
        api.get("/tour-visits", use: apiTour)
        api.post("/tour-visits", use: apiPlanVisit)
        api.post("/tour-visits/:visitId/complete", use: apiCompleteVisit)
        api.get("/network-attendance", use: apiAttendance)
    }

    // MARK: Organiser pages

    @Sendable func daysPage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let days = try await ask(DayList()).days
        let centres = ((try? await ask(AgenciesList()))?.centres ?? []).map(\.mustacheData)
        return pages.render("nw_days", title: lang.t("nw_title"), language: lang, session: session, data: [
            "days": days.map { day -> [String: Any] in
                var row = (day.mustacheData as? [String: Any]) ?? [:]
                row["status"] = day.status.name(lang.vocabulary)
                return row
            }, "hasDays": !days.isEmpty, "centres": centres,
        ])
    }

    func participantRows(_ list: [Participant], agencies: [String: String], lang: Language, csrf: String) -> [[String: Any]] {
        list.map { p in
            var row = (p.mustacheData as? [String: Any]) ?? [:]
            row["statusText"] = p.status.name(lang.vocabulary) + (p.waitingPosition.map { " (\($0))" } ?? "")
            row["statusCode"] = p.status.rawValue
            row["confirmed"] = p.status == .confirmed
            // An organiser moves a seat to the waiting list, or gives someone in line a seat, with a reason.
            switch p.status {
            case .confirmed: row["moveTo"] = MoveDestination.waiting.rawValue; row["moveButton"] = lang.t("nw_move_to_waiting")
            case .waiting: row["moveTo"] = MoveDestination.confirmed.rawValue; row["moveButton"] = lang.t("nw_move_to_seat")
            case .cancelled: break
            }
            row["agencyName"] = agencies[p.agency] ?? p.agency
            row["dayId"] = p.eventId
            row["csrf"] = csrf
            return row
        }
    }

    func agencyNames() async -> [String: String] {
        // The networks service knows the agencies of the reference data; ask a public day-less list once.
        var out: [String: String] = [:]
        for a in (try? await ask(AgenciesList()))?.agencies ?? [] { out[a.id] = a.name }
        return out
    }

    @Sendable func dayPage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let reply = try await ask(RegistrationList(dayId: param(context, "dayId")))
        let day = reply.day
        let agencies = await agencyNames()
        let participants = participantRows(reply.participants, agencies: agencies, lang: lang, csrf: session.csrfToken)
        let filter = ParticipantFilter(query: request.uri.queryParameters.get("q"), status: request.uri.queryParameters.get("status"),
                                       sort: request.uri.queryParameters.get("sort"))
        let shown = filter.apply(participants)
        let summary = lang.t("nw_seats_summary", ["taken": String(day.taken ?? 0), "capacity": String(day.capacity), "waiting": String(day.waiting)])
        return pages.render("nw_day", title: day.title, language: lang, session: session, data: [
            "day": day.mustacheData, "seatsSummary": summary, "csrf": session.csrfToken,
            "cancelled": day.status == .cancelled,
            "invitedText": day.invitationsSentAt.map { lang.t("nw_invited", ["when": lang.dateTime($0)]) } as Any,
            "participants": shown, "hasParticipants": !participants.isEmpty, "hasShown": !shown.isEmpty,
            "filter": filter.view(lang, shown: shown.count, total: participants.count),
            // After a move: `?flytt=ok`, or the refusal's reason code (codes only in the address, never text).
            "moveNotice": request.uri.queryParameters.get("flytt") == "ok" ? lang.t("nw_moved") : nil as String?,
            "moveError": request.uri.queryParameters.get("flytt").flatMap { $0 == "ok" ? nil : lang.fieldError(HubError.Reason($0)) ?? lang.t("nw_move_failed") } as Any,
        ])
    }

    /// Moves a participant (seat ⇄ waiting list) with a reason, then back to the day.
    @Sendable func moveForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        var request = request
        let form = try await Forms.read(&request, context: context)
        let day = param(context, "dayId")
        let body: JSONValue = ["participantId": .string(form["participantId"] ?? ""), "to": .string(form["to"] ?? ""),
                               "reason": .string(form["reason"] ?? "")]
        switch await attempt(RegistrationMove.type, body) {
        case .success: return Redirect.to("/natverk/dagar/\(day)?flytt=ok")
        case .failure(let error) where [.validation, .conflict, .notFound].contains(error.code):
            let code = error.reason?.rawValue.filter { $0.isLetter || $0 == "_" } ?? error.code.rawValue
            return Redirect.to("/natverk/dagar/\(day)?flytt=\(code)")
        case .failure(let error): throw error
        }
    }

    static let dayFormFields = ["centreId", "title", "theme", "date", "startTime", "endTime", "venue", "organisers", "programme",
                                "capacity", "feeSEK", "deadline", "contactEmail"]

    func renderNewDay(_ session: SessionInfo, _ context: Context, form: [String: String] = [:], errors: [String: String] = [:],
                      formError: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        let lang = context.language
        let centres = (try? await ask(AgenciesList()))?.centres ?? []
        return pages.render("nw_new_day", title: lang.t("nw_new"), language: lang, session: session, data: [
            "centres": centres.map { c -> [String: Any] in
                ["id": c.id, "name": c.name, "selected": c.id == (form["centreId"] ?? session.user.centre)]
            },
            "form": form, "err": errors, "formError": formError as Any, "csrf": session.csrfToken,
            "errorList": FormErrorSummary.items(errors, template: NetworkTemplates.all["nw_new_day"] ?? "", lang: lang),
            "hasErrors": !errors.isEmpty,
        ], status: status)
    }

    @Sendable func newDayForm(_ request: Request, context: Context) async throws -> Response {
        await renderNewDay(try organiserSession(context), context)
    }

    /// The organiser's form for a new day; errors from the service appear beside their field.
    @Sendable func createDayForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        var request = request
        let raw = try await Forms.read(&request, context: context)
        var form: [String: String] = [:]
        for f in Self.dayFormFields { form[f] = (raw[f] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        var body: [String: JSONValue] = [:]
        var errors: [String: String] = [:]
        for f in ["centreId", "title", "theme", "date", "startTime", "endTime", "venue", "deadline", "contactEmail"] where !(form[f] ?? "").isEmpty {
            body[f] = .string(form[f]!)
        }
        for f in ["capacity", "feeSEK"] where !(form[f] ?? "").isEmpty {
            if let n = Int(form[f]!) { body[f] = .number(Double(n)) } else { errors[f] = lang.t("reg_err_invalid") }
        }
        body["organisers"] = .array((form["organisers"] ?? "").split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }
            .filter { $0 != .string("") })
        var programme: [JSONValue] = []
        for line in (form["programme"] ?? "").split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
            programme.append(["start": .string(String(parts[0])), "title": .string(parts.count > 1 ? String(parts[1]) : "")])
        }
        body["programme"] = .array(programme)
        if !errors.isEmpty { return await renderNewDay(session, context, form: form, errors: errors, status: .badRequest) }
        // The form's text goes to the service as typed (its checks name each wrong field), so the body stays JSON here.
        switch await attempt(DayCreate.type, .object(body)) {
        case .success(let reply):
            let day = try DayCreate.reply(reply)
            return Redirect.to("/natverk/dagar/\(day.id)?klart=day_created")
        case .failure(let error) where error.code == .validation || error.code == .notFound:
            // Every problem the service found, each by its field.
            for detail in error.details ?? [error.detail] {
                var field = detail.field.replacingOccurrences(of: "body.", with: "")
                if field.hasPrefix("programme") { field = "programme" }
                guard Self.dayFormFields.contains(field), errors[field] == nil else { continue }
                errors[field] = RegistrationForm.message(for: HubError(error.code, detail.message, field: detail.field, reason: detail.reason),
                                                         field: field, lang: lang)
            }
            if !errors.isEmpty { return await renderNewDay(session, context, form: form, errors: errors, status: .badRequest) }
            return await renderNewDay(session, context, form: form, formError: lang.t("reg_err_invalid"), status: .badRequest)
        case .failure(let error):
            throw error
        }
    }

    @Sendable func inviteForm(_ request: Request, context: Context) async throws -> Response {
        _ = try organiserSession(context)
        let day = param(context, "dayId")
        _ = try await ask(DayInvite(dayId: day, registrationUrl: baseURL(request) + "/anmalan/" + day))
        return Redirect.to("/natverk/dagar/\(day)?klart=day_invited")
    }

    /// Cancelling a day tells every participant; it is confirmed first.
    @Sendable func cancelDayForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let day = param(context, "dayId")
        var request = request
        let form = try await Forms.read(&request, context: context)
        guard Confirmation.given(form) else {
            let lang = context.language
            let title = (try? await ask(DayGet(dayId: day)))?.title ?? ""
            return Confirmation.page(pages, language: lang, session: session, action: "/natverk/dagar/\(day)/stall-in", form: form,
                                     question: lang.t("nw_cancel_question"), details: [title, lang.t("nw_cancel_detail")],
                                     confirmLabel: lang.t("nw_cancel_yes"), cancelURL: "/natverk/dagar/\(day)")
        }
        _ = try await ask(DayCancel(dayId: day))
        return Redirect.to("/natverk/dagar/\(day)?klart=day_cancelled")
    }

    @Sendable func checkInForm(_ request: Request, context: Context) async throws -> Response {
        _ = try organiserSession(context)
        var request = request
        let form = try await Forms.read(&request, context: context)
        _ = try await ask(RegistrationCheckIn(participantId: form["participantId"] ?? "", attended: form["attended"] != "0"))
        return Redirect.to("/natverk/dagar/\(param(context, "dayId"))?klart=" + (form["attended"] != "0" ? "checked_in" : "check_in_undone"))
    }

    @Sendable func printPage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let reply = try await ask(RegistrationList(dayId: param(context, "dayId")))
        let confirmed = reply.participants.filter { $0.status == .confirmed }
        var rows = participantRows(confirmed, agencies: await agencyNames(), lang: lang, csrf: session.csrfToken)
        for i in rows.indices { rows[i]["number"] = i + 1 }
        return pages.render("nw_print", title: lang.t("nw_print_heading"), language: lang, session: session,
                            data: ["day": reply.day.mustacheData, "participants": rows])
    }

    /// The participant list as CSV (organisers; page session or API token).
    @Sendable func csvDownload(_ request: Request, context: Context) async throws -> Response {
        if context.apiUser == nil { _ = try organiserSession(context) } else { try requireOrganiser(context) }
        return csvDownload(try await ask(RegistrationExport(dayId: param(context, "dayId"))))
    }

    @Sendable func invoicePage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let invoice = try await ask(RegistrationInvoice(dayId: param(context, "dayId")))
        return invoicePage(title: invoice.day.title, feeSEK: invoice.feeSEK, lines: invoice.lines, totalSEK: invoice.totalSEK, people: invoice.people,
                           language: lang, session: session)
    }

    @Sendable func coveragePage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let reply = try await ask(CoverageGet(centreId: param(context, "centreId")))
        let rows: [[String: Any]] = reply.municipalities.map { m in
            ["municipality": m.municipality,
             "cells": m.agencies.map { c -> [String: Any] in ["gap": c.gap, "names": c.contacts.map(\.name).joined(separator: ", ")] }]
        }
        return pages.render("nw_coverage", title: lang.t("cov_title"), language: lang, session: session, data: [
            "centreName": reply.centreName, "agencies": reply.agencies.mustacheData, "rows": rows,
            "gapsText": lang.t("cov_gaps", ["n": String(reply.gaps)]),
        ])
    }
}
