import Foundation
import HubCore
import HubProtocol
import Logging
import ServiceLifecycle

/// The municipal social services adapter: one watched folder per municipality
/// (`<folder>/<Kommun>/inbox/*.csv`), CSV as Swedish case systems export it; good
/// rows become referrals, bad rows are reported line by line in `rejected/` while the
/// good rows of the same file still go; the file moves to `processed/` with a
/// receipt. Hub answers, status changes and circulated documents are written to the
/// municipality's `outbox/`. See services/adapters/municipality/README.md.
public struct MunicipalityAdapter: AgencyAdapter {
    public let host: AdapterHost
    let settings: AdapterSettings
    let root: String
    let municipalities: [String]
    let logger: Logger
    let gate = ScanGate()

    /// The agency every municipal intake acts for (config/agencies.json).
    static let agency = "social-services"

    public init(_ env: AdapterEnvironment) throws {
        host = env.host
        settings = env.settings
        logger = env.logger
        root = env.settings.folderPath(adapter: env.name, dataDir: env.dataDir)
        let all = env.reference.centres.flatMap(\.municipalities)
        municipalities = (env.settings.municipalities?.isEmpty == false ? env.settings.municipalities! : all)
        for m in municipalities where env.reference.centre(serving: m) == nil {
            throw HubError(.validation, "No centre serves this municipality.", field: "adapters.json:municipality.municipalities")
        }
    }

    func folder(_ municipality: String) -> WatchedFolder { WatchedFolder(root: root + "/" + municipality) }
    var unrouted: WatchedFolder { WatchedFolder(root: root + "/_unrouted") }

    public func prepare() async throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root)
        for m in municipalities { try folder(m).create() }
        try unrouted.create()
        try await host.prepare(delivering: FolderDeliverer(adapter: self), purgeFiles: { now in self.purgeFiles(now: now) })
    }

    public var services: [any Service] {
        host.services(delivering: FolderDeliverer(adapter: self), scanEvery: .milliseconds(settings.pollMs), scan: { await self.scanOnce() })
    }

    /// Removes rejected files past the retention (and clear originals an older version left).
    public func purgeFiles(now: Date = Date()) {
        let cutoff = now.addingTimeInterval(-TimeInterval(settings.rejectedRetentionDays) * 86_400)
        for f in municipalities.map(folder) + [unrouted] {
            f.purge(before: cutoff, receiptSuffix: ".kvitto.csv", reportSuffix: ".avvisade.csv", protector: host.runtime.protector)
        }
    }

    public func httpService(onServerRunning: @escaping @Sendable (Int) async -> Void) async throws -> (any Service)? { nil }

    /// Processes every waiting file once (tests call this directly; one scan at a time).
    public func scanOnce() async {
        await gate.run { await scanFiles() }
    }

    private func scanFiles() async {
        for m in municipalities where !Task.isStopping {
            let f = folder(m)
            for name in f.pending(extensions: ["csv"]) where !Task.isStopping {
                do {
                    try await process(name, in: f, municipality: m)
                } catch {
                    // Storage trouble: leave the file where it is and try again next round.
                    logger.error("could not process a municipal file; will retry", metadata: ["hub.municipality": "\(m)"])
                }
            }
        }
    }

    // MARK: CSV → referrals

    /// Column names (lower-cased) → hub field paths, and back for reports.
    static let columns: [(header: String, field: String)] = [
        ("ärendenummer", "body.externalRef"), ("enhet", "body.referrer.unit"), ("handläggare", "body.referrer.contactName"),
        ("handläggarens telefon", "body.referrer.contactPhone"), ("handläggarens e-post", "body.referrer.contactEmail"),
        ("kommun", "body.municipality"), ("kategori", "body.category"), ("insatser", "body.help"),
        ("personnummer", "body.client.identityNumber"), ("namn", "body.client.name"), ("skyddad identitet", "body.client.protectedIdentity"),
        ("telefon", "body.client.phone"), ("e-post", "body.client.email"), ("adress", "body.client.address"),
        ("barnens åldrar", "body.client.childrenAges"), ("tolk", "body.client.interpreterLanguage"),
        ("kontakta inte", "body.safeContact.doNotContact"), ("får ringas", "body.safeContact.mayCall"),
        ("ringtider", "body.safeContact.callTimes"), ("får lämna meddelande", "body.safeContact.mayLeaveMessage"),
        ("samtycke", "body.consent.given"), ("samtycke datum", "body.consent.givenAt"),
        ("samtycke registrerat av", "body.consent.recordedBy"), ("brådska", "body.urgency"), ("anteckningar", "body.notes"),
    ]
    static let required = ["ärendenummer", "kategori", "insatser", "samtycke"]

    static func column(for field: String?) -> String {
        guard let field else { return "" }
        let base = field.split(separator: "[").first.map(String.init) ?? field
        if base == "body.client.identityKind" { return "Personnummer" }
        if base == "body.referrer.agency" { return "" }
        if base.hasPrefix("body.riskAnswers") { return "risk:" + base.dropFirst("body.riskAnswers.".count) }
        guard let h = columns.first(where: { $0.field == base })?.header else { return "" }
        return h.prefix(1).uppercased() + h.dropFirst()
    }

    static let categoryWords: [String: String] = [
        "utsatt för våld": "subjected-to-violence", "utsatt": "subjected-to-violence",
        "utövat våld": "used-violence", "utövare": "used-violence", "våldsutövare": "used-violence",
        "barn som upplevt våld": "child-witness", "barn": "child-witness",
        "ung vuxen": "young-adult", "unga vuxna": "young-adult", "ej angiven": "not-stated",
    ]
    static let helpWords: [String: String] = [
        "enskilda samtal": "individual-talks", "individuella samtal": "individual-talks", "samtal": "individual-talks",
        "kvinnogrupp": "womens-group", "icke-våldsgrupp": "non-violence-group", "icke våldsgrupp": "non-violence-group",
        "unga vuxna-grupp": "young-adults-group", "unga vuxna grupp": "young-adults-group", "ungdomsgrupp": "young-adults-group",
        "barn- och föräldragrupp": "child-parent-group", "barn och föräldragrupp": "child-parent-group",
    ]
    static let urgencyWords: [String: String] = ["normal": "normal", "hög": "high", "akut": "acute"]

    static func yesNo(_ s: String, field: String) throws(HubError) -> Bool? {
        switch s.trimmingCharacters(in: .whitespaces).lowercased() {
        case "": nil
        case "ja", "j", "x", "1", "true", "sant": true
        case "nej", "n", "0", "false", "falskt": false
        default: throw HubError(.validation, "Write Ja or Nej.", field: field)
        }
    }

    /// One CSV row → a draft; `values` is keyed by lower-cased header.
    package static func draft(_ values: [String: String], municipality: String) throws(HubError) -> ReferralDraft {
        func v(_ k: String) -> String? { let s = values[k]?.trimmingCharacters(in: .whitespaces) ?? ""; return s.isEmpty ? nil : s }
        var d = ReferralDraft(agency: agency)
        d.externalRef = v("ärendenummer")
        d.unit = v("enhet"); d.contactName = v("handläggare")
        d.contactPhone = v("handläggarens telefon"); d.contactEmail = v("handläggarens e-post")
        d.municipality = v("kommun") ?? municipality
        if let c = v("kategori") { d.category = categoryWords[c.lowercased()] ?? c }
        d.help = (v("insatser") ?? "").split(separator: ",").map { w in
            let t = w.trimmingCharacters(in: .whitespaces)
            return helpWords[t.lowercased()] ?? t
        }.filter { !$0.isEmpty }
        d.identityNumber = v("personnummer")
        d.name = v("namn")
        d.protectedIdentity = try yesNo(values["skyddad identitet"] ?? "", field: "body.client.protectedIdentity") ?? false
        d.phone = v("telefon"); d.email = v("e-post"); d.address = v("adress")
        if let ages = v("barnens åldrar") {
            var out: [Int] = []
            for a in ages.split(separator: ",") {
                guard let n = Int(a.trimmingCharacters(in: .whitespaces)) else {
                    throw HubError(.validation, "Ages are whole numbers separated by commas.", field: "body.client.childrenAges")
                }
                out.append(n)
            }
            d.childrenAges = out
        }
        d.interpreterLanguage = v("tolk")
        d.doNotContact = try yesNo(values["kontakta inte"] ?? "", field: "body.safeContact.doNotContact") ?? false
        d.mayCall = try yesNo(values["får ringas"] ?? "", field: "body.safeContact.mayCall")
        d.callTimes = v("ringtider")
        d.mayLeaveMessage = try yesNo(values["får lämna meddelande"] ?? "", field: "body.safeContact.mayLeaveMessage")
        d.consentGiven = try yesNo(values["samtycke"] ?? "", field: "body.consent.given")
        d.consentGivenAt = v("samtycke datum")
        d.consentRecordedBy = v("samtycke registrerat av")
        if let u = v("brådska") { d.urgency = urgencyWords[u.lowercased()] ?? u }
        d.notes = v("anteckningar")
        // Risk screening: one column per question, headed `risk:<question id>` (config/risk-screening.json).
        for (k, raw) in values where k.hasPrefix("risk:") {
            let answer = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard !answer.isEmpty else { continue }
            d.riskAnswers[String(k.dropFirst(5)).trimmingCharacters(in: .whitespaces)] = riskWords[answer] ?? answer
        }
        return d
    }
    static let riskWords: [String: String] = ["ja": "yes", "nej": "no", "vet ej": "unknown", "vet inte": "unknown", "okänt": "unknown"]

    /// Processes one file: whole-file problems reject the file; otherwise each row goes
    /// or is reported. Re-processing after a crash is harmless (deterministic message ids).
    func process(_ name: String, in f: WatchedFolder, municipality: String) async throws {
        let base = (name as NSString).deletingPathExtension
        guard let data = try f.read(name, limit: settings.maxBytes) else {
            try reject(name, in: f, base: base, content: nil, problems: [("", "", "too_large", "The file is larger than \(settings.maxBytes) bytes; nothing of it was taken.")])
            return
        }
        let file: CSVFile
        let encoding: AgencyText.Encoding
        do {
            let (text, enc) = try AgencyText.decode(data)
            encoding = enc
            file = try CSVFile.parse(text)
        } catch {
            try reject(name, in: f, base: base, content: data, problems: [("", "", error.code.rawValue, error.message + " Nothing of the file was taken.")])
            return
        }
        let header = file.header.map { $0.lowercased() }
        let missing = Self.required.filter { !header.contains($0) }
        guard missing.isEmpty else {
            try reject(name, in: f, base: base, content: data, problems: [("1", "", "validation", "Required columns are missing: \(missing.joined(separator: ", ")). Nothing of the file was taken.")])
            return
        }
        var problems: [(String, String, String, String)] = []
        var receipts: [[String]] = []
        for row in file.rows {
            guard row.fields.count <= header.count else {
                problems.append(("\(row.line)", "", "validation", "The row has more columns than the header."))
                continue
            }
            var values: [String: String] = [:]
            for (i, h) in header.enumerated() where i < row.fields.count { values[h] = row.fields[i] }
            do {
                let draft = try Self.draft(values, municipality: municipality)
                let intake = try await host.submit(draft, scope: municipality, channel: municipality)
                receipts.append(["\(row.line)", intake.externalRef, intake.messageID, "mottagen"])
            } catch where error.code == .storage {
                throw error // nothing of this row was stored; try the file again later
            } catch {
                // Every problem of the row, one report line each.
                for d in error.details ?? [error.detail] {
                    problems.append(("\(row.line)", Self.column(for: d.field), error.code.rawValue, d.message))
                }
            }
        }
        if !problems.isEmpty {
            try writeReport(problems, in: f, base: base)
        }
        var receipt = CSVFile.line(["Rad", "Ärendenummer", "Meddelande-id", "Status"])
        for r in receipts { receipt += CSVFile.line(r) }
        receipt += CSVFile.line(["#", "Teckenkodning: \(encoding.rawValue)", "Mottagna: \(receipts.count)", "Avvisade: \(Set(problems.map(\.0)).count)"])
        try AtomicFile.write(Data(receipt.utf8), to: f.processed + "/" + base + ".kvitto.csv")
        // Every good row is in the (sealed) outbox now: the original leaves the disk, or stays
        // only sealed when rows were refused, so that staff can see what was sent.
        if problems.isEmpty {
            try f.remove(name)
        } else {
            try f.keepSealed(name, content: data, protector: host.runtime.protector)
        }
        logger.info("municipal file processed", metadata: ["hub.accepted": "\(receipts.count)", "hub.rejected": "\(Set(problems.map(\.0)).count)"])
    }

    private func writeReport(_ problems: [(String, String, String, String)], in f: WatchedFolder, base: String) throws {
        var report = CSVFile.line(["Rad", "Kolumn", "Kod", "Meddelande"])
        for p in problems { report += CSVFile.line([p.0, p.1, p.2, p.3]) }
        try AtomicFile.write(Data(report.utf8), to: f.rejected + "/" + base + ".avvisade.csv")
    }

    private func reject(_ name: String, in f: WatchedFolder, base: String, content: Data?, problems: [(String, String, String, String)]) throws {
        try writeReport(problems, in: f, base: base)
        if let content {
            try f.keepSealed(name, content: content, protector: host.runtime.protector)
        } else {
            try f.remove(name) // too large to be read: not kept
        }
        logger.notice("municipal file rejected as a whole")
    }

    // MARK: hub → folders

    /// Municipalities a document goes to: named in the body, a centre's, or all.
    func targets(of body: JSONValue) -> [String] {
        if let m = body["municipality"]?.stringValue, municipalities.contains(m) { return [m] }
        if let ms = body["municipalities"]?.arrayValue?.compactMap(\.stringValue) { return ms.filter(municipalities.contains) }
        if let c = body["centre"]?.stringValue, let centre = host.reference.centres.first(where: { $0.id == c }) {
            return centre.municipalities.filter(municipalities.contains)
        }
        return municipalities
    }

    static let statusWords: [String: String] = [
        "submitted": "skickad", "received": "mottagen", "accepted": "antagen", "redirected": "hänvisad vidare",
        "declined": "avböjd", "appointment-offered": "tid erbjuden", "in-treatment": "pågående behandling",
        "closed": "avslutad", "withdrawn": "återkallad",
    ]
}

/// Writes receipts, status changes and documents as files in a municipality's `outbox/`.
struct FolderDeliverer: AgencyDeliverer {
    let adapter: MunicipalityAdapter

    func deliver(_ item: AgencyDelivery) async -> Bool {
        do {
            switch item {
            case .receipt(let r):
                var text = CSVFile.line(["Ärendenummer", "Status", "Hänvisnings-id", "Felkod", "Kolumn", "Meddelande"])
                text += CSVFile.line([r.externalRef, r.error == nil ? "skickad" : "avvisad", r.referralID ?? "",
                                      r.error?.code.rawValue ?? "", MunicipalityAdapter.column(for: r.error?.field), r.error?.message ?? ""])
                let f = adapter.municipalities.contains(r.channel) ? adapter.folder(r.channel) : adapter.unrouted
                try AtomicFile.write(Data(text.utf8), to: f.outbox + "/kvitto-\(r.messageID).csv")
            case .status(let s, let intake):
                var text = CSVFile.line(["Ärendenummer", "Hänvisnings-id", "Status", "Status (text)", "Tidpunkt", "Orsak", "Kommentar", "Grupp"])
                text += CSVFile.line([intake?.externalRef ?? s.externalRef ?? "", s.referralID, s.status,
                                      MunicipalityAdapter.statusWords[s.status] ?? s.status, s.at, s.reason ?? "", s.reasonText ?? "", s.group ?? ""])
                let f = intake.flatMap { adapter.municipalities.contains($0.channel) ? adapter.folder($0.channel) : nil } ?? adapter.unrouted
                try AtomicFile.write(Data(text.utf8), to: f.outbox + "/status-\(Self.safe(s.eventID)).csv")
            case .document(let topic, let eventID, let body):
                let kind = topic.split(separator: ".").dropFirst(2).joined(separator: "-")
                let name = "\(kind.isEmpty ? "meddelande" : kind)-\(Self.safe(eventID)).json"
                let data = Data(JSONValue.object(["topic": .string(topic), "body": body]).serialized())
                for m in adapter.targets(of: body) {
                    try AtomicFile.write(data, to: adapter.folder(m).outbox + "/" + name)
                }
            }
            return true
        } catch {
            return false
        }
    }

    static func safe(_ s: String) -> String {
        String(s.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" ? Character($0) : "_" }.prefix(100))
    }
}
