import HubWeb
import Foundation
import HubProtocol
import Hummingbird
import NetworksAPI

/// The public group booking page: one person books several colleagues for a network day
/// on one invoice reference (an agency booking for its staff). Each participant gets
/// their own place, confirmation and cancellation link; the booker gets one link to see
/// and cancel the places (`/b/<token>`). Same protections as the single registration:
/// CSRF cookie, honeypot, rate limit, privacy notice, validation beside each field.
extension NetworkRoutes {
    /// Participant rows on the form; empty rows are skipped.
    static let groupRows = 6
    static let bookerKeys = ["bookerName", "bookerEmail", "invoiceReference"]
    static let personKeys = ["name", "email", "dietary"]

    @Sendable func groupForm(_ request: Request, context: Context) async throws -> Response {
        let day = try await dayPublic(param(context, "dayId"))
        return renderGroup(day, context: context, csrf: publicCSRF(request), form: [:], errors: [:])
    }

    func renderGroup(_ day: PublicEvent, context: Context, csrf: String, form: [String: String], errors: [String: String],
                     formError: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let lang = context.language
        let hasFee = day.feeSEK > 0
        func field(_ id: String, _ label: String, type: String = "text", max: Int = 200, autocomplete: String = "off") -> [String: Any] {
            ["id": id, "label": label, "type": type, "max": max, "autocomplete": autocomplete, "value": form[id] ?? "", "error": errors[id] as Any]
        }
        let booker: [[String: Any]] = [
            field("bookerName", lang.t("group_booker_name"), autocomplete: "name"),
            field("bookerEmail", lang.t("group_booker_email"), type: "email", max: 254, autocomplete: "email"),
            field("invoiceReference", lang.t("group_invoice") + (hasFee ? " *" : ""), max: 100),
        ]
        let rows: [[String: Any]] = (1...Self.groupRows).map { n in
            ["n": n, "legend": lang.t("group_person", ["n": String(n)]), "fields": [
                field("name_\(n)", lang.t("group_person_name"), autocomplete: "off"),
                field("email_\(n)", lang.t("group_person_email"), type: "email", max: 254),
                field("dietary_\(n)", lang.t("group_person_dietary"), max: 500),
            ]]
        }
        // The summary lists every field error in the order of the form, each linked to its field.
        var order: [(String, String)] = [("bookerName", "group_booker_name"), ("bookerEmail", "group_booker_email"), ("invoiceReference", "group_invoice")]
        for n in 1...Self.groupRows {
            order += [("name_\(n)", "group_person_name"), ("email_\(n)", "group_person_email"), ("dietary_\(n)", "group_person_dietary")]
        }
        let summary = order.compactMap { id, key -> [String: String]? in
            guard let message = errors[id] else { return nil }
            let n = id.split(separator: "_").last.map(String.init)
            let label = lang.t(key).replacingOccurrences(of: " *", with: "") + (id.contains("_") ? " (\(lang.t("group_person", ["n": n ?? ""])))" : "")
            return ["id": id, "label": label, "message": message]
        }
        var singleErrors: [String: String] = [:]
        if let agency = errors["agency"] { singleErrors["agency"] = agency }
        return renderForm(day, context: context, csrf: csrf, form: form, errors: singleErrors, formError: formError, status: status,
                          template: "nw_group", extra: ["bookerFields": booker, "rows": rows], extraErrors: summary)
    }

    @Sendable func submitGroup(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let lang = context.language
        let raw = try await publicForm(&request, context: context)
        let csrf = request.cookies[RegistrationForm.csrfCookie]?.value ?? ""
        let dayId = param(context, "dayId")
        let day = try await dayPublic(dayId)
        var form: [String: String] = [:]
        for (k, v) in raw where k != "csrf" && k != "website" { form[k] = v.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard throttle.allow(clientAddress(context)) else {
            return renderGroup(day, context: context, csrf: csrf, form: form, errors: [:], formError: lang.t("reg_rate_limited"), status: .tooManyRequests)
        }
        if let trap = raw["website"], !trap.isEmpty { // a robot: answer as if it worked, store nothing
            return pages.render("nw_register_done", title: lang.t("reg_done_title"), language: lang, session: nil,
                                data: dayData(day, lang: lang).merging(["statusText": lang.t("reg_done_received")]) { $1 })
        }
        // Everything the page can check itself is reported at once.
        var errors: [String: String] = [:]
        for key in ["bookerName", "bookerEmail", "agency"] where form[key]?.isEmpty != false { errors[key] = lang.t("reg_err_required") }
        if day.feeSEK > 0, form["invoiceReference"]?.isEmpty != false { errors["invoiceReference"] = lang.t("reg_err_required") }
        var rows: [Int] = []
        for n in 1...Self.groupRows {
            let name = form["name_\(n)"] ?? "", email = form["email_\(n)"] ?? ""
            if name.isEmpty && email.isEmpty { continue }
            if name.isEmpty { errors["name_\(n)"] = lang.t("group_err_row") }
            if email.isEmpty { errors["email_\(n)"] = lang.t("group_err_row") }
            rows.append(n)
        }
        let noneGiven = rows.isEmpty
        if !errors.isEmpty || noneGiven {
            return renderGroup(day, context: context, csrf: csrf, form: form, errors: errors,
                               formError: noneGiven ? lang.t("group_err_none") : nil, status: .badRequest)
        }
        let manage = Secrets.randomToken(bytes: 32)
        let people: [JSONValue] = rows.map { n in
            var p: [String: JSONValue] = ["name": .string(form["name_\(n)"] ?? ""), "email": .string(form["email_\(n)"] ?? ""),
                                          "agency": .string(form["agency"] ?? ""), "cancelToken": .string(Secrets.randomToken(bytes: 32))]
            if let m = form["municipality"], !m.isEmpty { p["municipality"] = .string(m) }
            if let d = form["dietary_\(n)"], !d.isEmpty { p["dietary"] = .string(d) }
            return .object(p)
        }
        var body: [String: JSONValue] = ["dayId": .string(dayId), "manageToken": .string(manage), "participants": .array(people),
                                         "booker": ["name": .string(form["bookerName"] ?? ""), "email": .string(form["bookerEmail"] ?? "")],
                                         "language": .string(context.language.rawValue)]
        if let ref = form["invoiceReference"], !ref.isEmpty { body["invoiceReference"] = .string(ref) }
        // The form's text goes as typed (the engine names each wrong field); the reply is read through the contract.
        let result: RegistrationCreate.Reply
        switch await attempt(RegistrationCreate.type, .object(body)) {
        case .success(let value): result = try RegistrationCreate.reply(value)
        case .failure(let error) where error.code == .validation || error.code == .conflict:
            // Back to the field it concerns: `body.participants[2].email` is row rows[2]'s e-mail.
            let field = Self.groupField(error.field, rows: rows)
            let message = RegistrationForm.message(for: error, field: field.hasPrefix("email") ? "email" : field, lang: lang)
            if let field = field.nilIfEmpty, field != "dayId" {
                errors[field] = message
                return renderGroup(day, context: context, csrf: csrf, form: form, errors: errors, status: .badRequest)
            }
            return renderGroup(try await dayPublic(dayId), context: context, csrf: csrf, form: form, errors: [:], formError: message, status: .conflict)
        case .failure(let error): throw error
        }
        var data = dayData(day, lang: lang)
        data["places"] = zip(rows, result.participants).map { n, p -> [String: Any] in
            ["name": form["name_\(n)"] ?? "", "statusText": p.status.name(lang.vocabulary) + (p.waitingPosition.map { " (\($0))" } ?? "")]
        }
        data["manageURL"] = baseURL(request) + "/b/" + manage
        return pages.render("nw_group_done", title: lang.t("reg_done_title"), language: lang, session: nil, data: data, status: .created)
    }

    /// The form field a service error names: `body.participants[i].x` → `x_<row>`, `body.booker.email` → `bookerEmail`.
    static func groupField(_ path: String?, rows: [Int]) -> String {
        guard var f = path else { return "" }
        if f.hasPrefix("body.") { f.removeFirst(5) }
        if f.hasPrefix("booker.") { return "booker" + f.dropFirst(7).prefix(1).uppercased() + f.dropFirst(8) }
        if f.hasPrefix("participants["), let close = f.firstIndex(of: "]"),
           let i = Int(f[f.index(f.startIndex, offsetBy: 13)..<close]), i < rows.count {
            let key = String(f[f.index(after: close)...].drop(while: { $0 == "." }))
            return key == "agency" || key == "municipality" ? key : "\(key)_\(rows[i])"
        }
        return f
    }
}
