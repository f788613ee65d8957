import HubWeb
import Foundation
import HubProtocol
import ReferralsAPI

/// Turns `referrals.get` replies into template data.
enum ReferralView {
    static func reasons(_ list: [ReferralOptions.Reason], _ lang: Language) -> [[String: Any]] {
        list.map { ["code": $0.code, "label": lang == .sv ? $0.sv : $0.en] }
    }

    /// Every coded reason's name in the page's language (decline, redirect, closure, withdrawal).
    static func reasonNames(_ options: ReferralOptions.Reply, _ lang: Language) -> [String: String] {
        var names: [String: String] = [:]
        for list in [options.declineReasons, options.redirectReasons, options.closureReasons, options.withdrawReasons] {
            for reason in list {
                let label = lang == .sv ? reason.sv : reason.en
                if !label.isEmpty { names[reason.code] = label }
            }
        }
        return names
    }

    /// A history entry's coded detail by name: the channel of an offered appointment, the form
    /// of a treatment, a step's coded reason; free text (a reprioritisation's reason) as written.
    static func detail(_ code: String?, action: String, _ lang: Language, reasonNames: [String: String]) -> String? {
        guard let code, !code.isEmpty else { return nil }
        switch action {
        case "appointment": return lang.name("channel_", code)
        case "treatment": return code.hasPrefix("group:") ? String(code.dropFirst(6)) : lang.name("treatment_", code)
        default: return reasonNames[code] ?? code
        }
    }

    /// `riskQuestions`: the risk-screening questions (`ReferralOptions`), whose text in `lang`
    /// names each answer and whose order the answers follow.
    static func page(_ reply: GetReferral.Reply, lang: Language, reasonNames: [String: String] = [:],
                     riskQuestions: [ReferralOptions.RiskQuestion] = []) -> [String: Any] {
        // The staff's view has the summary and the details; the referrer's only what both share.
        let summary = reply.full?.summary, details = reply.full?.details
        let status = reply.status.rawValue
        var d: [String: Any] = [
            "id": reply.id, "reference": reply.reference,
            "centre": reply.centreName, "status": lang.t("status_" + status), "statusCode": status,
            "category": lang.t("category_" + reply.category),
            "submitted": LocalTime.date(reply.submittedAt),
            "externalRef": reply.externalRef ?? "",
            "municipality": summary?.municipality ?? "",
            "help": (summary?.help ?? []).map { lang.t("help_" + $0) }.joined(separator: ", "),
            "urgency": lang.t("urgency_" + (summary?.urgency ?? "")),
            "protected": summary?.protectedIdentity == true,
            "doNotContact": summary?.doNotContact == true,
            "highRisk": summary?.highRisk == true,
            "riskScore": summary?.riskScore ?? 0,
            "reserveId": summary?.reserveId ?? "",
            "children": (summary?.childrenAges ?? []).map(String.init).joined(separator: ", "),
            "appointmentDate": summary?.appointmentDate ?? "",
            "treatment": reply.treatment.map { $0.hasPrefix("group:") ? String($0.dropFirst(6)) : lang.t("treatment_" + $0) } ?? "",
            "reason": reply.reason.map { reasonNames[$0] ?? $0 } ?? "",
            "noStatusConsent": reply.statusView?.consentToStatus == false,
            "version": summary?.version ?? 0,
        ]
        d["history"] = reply.history.map { entry -> [String: Any] in
            ["at": lang.dateTime(entry.at),
             "status": lang.t("status_" + entry.status.rawValue), "action": lang.name(ReferralAction.stringKeyPrefix + "_", entry.action),
             "reason": detail(entry.reason, action: entry.action, lang, reasonNames: reasonNames) as Any,
             "actor": entry.actor ?? "",
             "note": detail(entry.note, action: entry.action, lang, reasonNames: [:]) as Any,
             // Absent, not empty: a template's section must not draw "()" for a step without priority.
             "priority": entry.priority.map { lang.t("priority_\($0)") } as Any]
        }
        if let details, let p = details.personal {
            var personal: [String: Any] = [:]
            let fields: [(String, String?)] = [
                ("name", p.name), ("identityNumber", p.identityNumber), ("phone", p.phone), ("email", p.email), ("address", p.address),
                ("callTimes", p.callTimes), ("referrerContactName", p.referrerContactName), ("referrerContactPhone", p.referrerContactPhone),
                ("referrerContactEmail", p.referrerContactEmail), ("interpreterLanguage", p.interpreterLanguage),
                ("consentRecordedBy", p.consentRecordedBy), ("notes", p.notes),
            ]
            for (key, value) in fields { if let value { personal[key] = value } }
            // In the order of the configured questions, by their text; one no longer configured keeps its id, last.
            let position = Dictionary(riskQuestions.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
            personal["risk"] = p.riskAnswers.sorted { (position[$0.key] ?? .max, $0.key) < (position[$1.key] ?? .max, $1.key) }.map { answer in
                let question = riskQuestions.first { $0.id == answer.key }
                return ["question": question.map { lang == .sv ? $0.sv : $0.en } ?? answer.key, "answer": lang.t("answer_" + answer.value)]
            }
            // Mustache has no "non-empty list" test: sections are drawn on these flags.
            personal["hasRisk"] = !p.riskAnswers.isEmpty
            d["personal"] = personal
            d["mayCall"] = details.mayCall
            d["mayLeaveMessage"] = details.mayLeaveMessage
            d["referrerUnit"] = details.referrerUnit ?? ""
            d["consentScope"] = details.consentScope.map { lang.t("scope_" + $0.rawValue) }.joined(separator: ", ")
        }
        if let q = details?.queue {
            d["queue"] = ["position": q.position, "of": q.of ?? 0, "days": q.estimatedWaitDays, "band": lang.t("band_" + q.waitBand.rawValue)]
        }
        let linked = details?.linked ?? []
        d["linked"] = linked.map { l -> [String: Any] in ["id": l.id, "reference": l.reference, "status": lang.t("status_" + l.status.rawValue)] }
        d["hasLinked"] = !linked.isEmpty
        // Which actions the life cycle allows now.
        d["canReceive"] = ReferralAction.receive.isAllowed(from: status)
        d["canAssess"] = ReferralAction.assess.isAllowed(from: status)
        d["canOffer"] = ReferralAction.appointment.isAllowed(from: status)
        d["canTreat"] = ReferralAction.treatment.isAllowed(from: status)
        d["canClose"] = ReferralAction.close.isAllowed(from: status)
        d["canWithdraw"] = ReferralAction.withdraw.isAllowed(from: status)
        d["canReprioritise"] = ReferralAction.reprioritise.isAllowed(from: status)
        return d
    }
}

/// The statistics page: tables for reading, SVG charts for looking (bars per category
/// this year and last, bars per referring agency, the queue over the year as a line).
/// Masked counts ("<5", "x") are drawn as an empty outlined bar with the mark as label.
enum StatisticsView {
    static func page(_ s: ReferralStatistics.Tables, lang: Language) -> [String: Any] {
        func text(_ v: StatisticsCell?) -> String { v?.text ?? "–" }
        let catRows = s.uniqueClients.rows
        let categories = catRows.map { r -> [String: Any] in
            ["label": lang.t("category_" + r.category.rawValue), "year": text(r.year), "previous": text(r.previous), "difference": text(r.difference)]
        }
        func agencyLabel(_ row: ReferralStatistics.AgencyRow) -> String { row.agency == "self" ? lang.t("self_referral") : row.name }
        let agencies = s.byAgency.rows.map { r -> [String: Any] in ["label": agencyLabel(r), "count": text(r.count)] }
        let municipalities = s.byMunicipality.rows.map { r -> [String: Any] in ["label": r.municipality, "count": text(r.count)] }
        let year = s.year
        let categoryChart = barChart(
            title: lang.t("stats_clients_chart", ["year": String(year), "previous": String(year - 1)]),
            labels: catRows.map { lang.t("category_" + $0.category.rawValue) },
            series: [(String(year), catRows.map(\.year), "#1d3557"), (String(year - 1), catRows.map(\.previous), "#6c8ebf")])
        let agencyChart = barChart(title: lang.t("stats_agency_chart"), labels: s.byAgency.rows.map(agencyLabel),
                                   series: [(String(year), s.byAgency.rows.map(\.count), "#1d3557")])
        let queueChart = lineChart(title: lang.t("stats_queue_chart"), points: s.queueOverTime.map { ($0.date, $0.length) })
        let wait = s.waitToFirstAppointment
        let imported = [(year, s.imported.year), (year - 1, s.imported.previous)].filter(\.1).map { String($0.0) }
        return [
            "importedNote": imported.isEmpty ? nil as String? as Any : lang.t("stats_imported", ["years": imported.joined(separator: ", ")]),
            "centre": s.centreName, "centreId": s.centre, "year": year,
            "previousYear": year - 1, "nextYear": year + 1, "shared": s.view == "shared",
            "threshold": s.threshold,
            "categories": categories, "categoryTotal": ["year": text(s.uniqueClients.total.year),
                                                        "previous": text(s.uniqueClients.total.previous),
                                                        "difference": text(s.uniqueClients.total.difference)],
            "agencies": agencies, "agencyTotal": text(s.byAgency.total),
            "municipalities": municipalities, "municipalityTotal": text(s.byMunicipality.total),
            "waitN": text(wait.n), "waitMedian": text(wait.medianDays.map(StatisticsCell.number)), "waitP90": text(wait.p90Days.map(StatisticsCell.number)),
            "categoryChart": categoryChart, "agencyChart": agencyChart, "queueChart": queueChart,
        ]
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Grouped horizontal bars; every label and value is escaped.
    static func barChart(title: String, labels: [String], series: [(String, [StatisticsCell?], String)]) -> String {
        let values = series.flatMap { $0.1.compactMap { $0?.count.map(Double.init) } }
        let maxValue = max(values.max() ?? 1, 1)
        let rowHeight = 14 * series.count + 10
        let height = labels.count * rowHeight + 40
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 \(height)\" role=\"img\" aria-labelledby=\"t\(abs(title.hashValue))\" class=\"chart\">"
        out += "<title id=\"t\(abs(title.hashValue))\">\(esc(title))</title>"
        for (i, label) in labels.enumerated() {
            let y = 10 + i * rowHeight
            out += "<text x=\"0\" y=\"\(y + 12)\" font-size=\"12\" fill=\"#1a1a1a\">\(esc(label))</text>"
            for (k, s) in series.enumerated() {
                let by = y + k * 14
                let v: StatisticsCell? = i < s.1.count ? s.1[i] : nil
                if let n = v?.count.map(Double.init) {
                    let w = Int(360 * n / maxValue)
                    out += "<rect x=\"220\" y=\"\(by)\" width=\"\(max(w, 1))\" height=\"12\" fill=\"\(s.2)\"><title>\(esc(s.0)): \(Int(n))</title></rect>"
                    out += "<text x=\"\(224 + w)\" y=\"\(by + 10)\" font-size=\"11\" fill=\"#1a1a1a\">\(Int(n))</text>"
                } else {
                    let mark = v?.text ?? "–"
                    out += "<rect x=\"220\" y=\"\(by)\" width=\"24\" height=\"12\" fill=\"none\" stroke=\"\(s.2)\" stroke-dasharray=\"3 2\"/>"
                    out += "<text x=\"248\" y=\"\(by + 10)\" font-size=\"11\" fill=\"#1a1a1a\">\(esc(mark))</text>"
                }
            }
        }
        let ly = height - 14
        for (k, s) in series.enumerated() {
            out += "<rect x=\"\(220 + k * 110)\" y=\"\(ly - 9)\" width=\"10\" height=\"10\" fill=\"\(s.2)\"/><text x=\"\(234 + k * 110)\" y=\"\(ly)\" font-size=\"11\" fill=\"#1a1a1a\">\(esc(s.0))</text>"
        }
        return out + "</svg>"
    }

    /// Queue length over the year as a line, masked weeks as gaps marked on the axis.
    static func lineChart(title: String, points: [(String, StatisticsCell?)]) -> String {
        let values = points.compactMap { $0.1?.count.map(Double.init) }
        let maxValue = max(values.max() ?? 1, 1)
        let w = 600.0, h = 200.0
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 240\" role=\"img\" aria-labelledby=\"q\(abs(title.hashValue))\" class=\"chart\">"
        out += "<title id=\"q\(abs(title.hashValue))\">\(esc(title))</title>"
        out += "<line x1=\"30\" y1=\"\(Int(h) + 10)\" x2=\"\(Int(w) + 30)\" y2=\"\(Int(h) + 10)\" stroke=\"#595959\"/>"
        out += "<text x=\"0\" y=\"20\" font-size=\"11\" fill=\"#1a1a1a\">\(Int(maxValue))</text><text x=\"0\" y=\"\(Int(h) + 10)\" font-size=\"11\" fill=\"#1a1a1a\">0</text>"
        guard points.count > 0 else { return out + "</svg>" }
        let step = points.count > 1 ? w / Double(points.count - 1) : 0
        var path = ""
        for (i, p) in points.enumerated() {
            let x = 30 + Double(i) * step
            if let n = p.1?.count.map(Double.init) {
                let y = 10 + h - h * n / maxValue
                path += (path.isEmpty ? "M" : "L") + String(format: "%.1f %.1f ", x, y)
                out += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1d3557\"><title>%@: %d</title></circle>", x, y, esc(p.0), Int(n))
            } else {
                if !path.isEmpty { out += "<path d=\"\(path)\" fill=\"none\" stroke=\"#1d3557\" stroke-width=\"2\"/>"; path = "" }
                out += String(format: "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#1a1a1a\">%@</text>", x - 6, Int(h) + 24, esc(p.1?.text ?? "–"))
            }
        }
        if !path.isEmpty { out += "<path d=\"\(path)\" fill=\"none\" stroke=\"#1d3557\" stroke-width=\"2\"/>" }
        if let first = points.first?.0, let last = points.last?.0 {
            out += "<text x=\"30\" y=\"236\" font-size=\"11\" fill=\"#1a1a1a\">\(esc(first))</text><text x=\"560\" y=\"236\" font-size=\"11\" fill=\"#1a1a1a\">\(esc(last))</text>"
        }
        return out + "</svg>"
    }
}
