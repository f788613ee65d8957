import Foundation
import HubCore
import HubProtocol
import Logging
import ServiceLifecycle

/// The Kriminalvården adapter: XML referrals (docs/kriminalvarden-remiss.xsd) dropped in
/// a watched folder, mostly people who have used violence, to the non-violence group.
/// Receipts, hub answers, status changes and documents come back as XML files in
/// `outbox/`. DTDs and entities are refused (XML bomb, XXE).
/// See services/adapters/kriminalvarden/README.md.
public struct KriminalvardenAdapter: AgencyAdapter {
    public let host: AdapterHost
    let settings: AdapterSettings
    let folder: WatchedFolder
    let logger: Logger
    let gate = ScanGate()

    public static let namespace = "urn:utvag:kriminalvarden:remiss:1"
    static let agency = "kriminalvarden"

    public init(_ env: AdapterEnvironment) throws {
        host = env.host
        settings = env.settings
        logger = env.logger
        folder = WatchedFolder(root: env.settings.folderPath(adapter: env.name, dataDir: env.dataDir))
    }

    public func prepare() async throws {
        try folder.create()
        try await host.prepare(delivering: XMLFolderDeliverer(folder: folder), purgeFiles: { now in self.purgeFiles(now: now) })
    }

    public var services: [any Service] {
        host.services(delivering: XMLFolderDeliverer(folder: folder), scanEvery: .milliseconds(settings.pollMs), scan: { await self.scanOnce() })
    }

    /// Removes rejected files past the retention (and clear originals an older version left).
    public func purgeFiles(now: Date = Date()) {
        folder.purge(before: now.addingTimeInterval(-TimeInterval(settings.rejectedRetentionDays) * 86_400),
                     receiptSuffix: ".kvitto.xml", reportSuffix: ".fel.xml", protector: host.runtime.protector)
    }

    public func httpService(onServerRunning: @escaping @Sendable (Int) async -> Void) async throws -> (any Service)? { nil }

    /// Processes every waiting file once (tests call this directly; one scan at a time).
    public func scanOnce() async {
        await gate.run { await scanFiles() }
    }

    private func scanFiles() async {
        for name in folder.pending(extensions: ["xml"]) where !Task.isStopping {
            do {
                try await process(name)
            } catch {
                logger.error("could not process a Kriminalvården file; will retry")
            }
        }
    }

    /// One file: its referral committed to the (sealed) outbox, a receipt written, the original
    /// deleted; or refused: a report written and the original kept only sealed.
    func process(_ name: String) async throws {
        let base = (name as NSString).deletingPathExtension
        var content: Data?
        do {
            guard let data = try folder.read(name, limit: settings.maxBytes) else {
                throw HubError(.tooLarge, "The file is larger than \(settings.maxBytes) bytes.")
            }
            content = data
            let root = try XMLElement.parse(data)          // well-formed, no DTD, bounded
            try SchemaValidator.remiss.validate(data)       // docs/kriminalvarden-remiss.xsd
            let draft = try Self.draft(root)
            let intake = try await host.submit(draft, channel: name)
            let receipt = Self.document("Kvitto", [
                XMLWriter.element("Referens", intake.externalRef), XMLWriter.element("MeddelandeId", intake.messageID),
                XMLWriter.element("Status", "mottagen"), XMLWriter.element("Tid", Timestamp.now()),
            ])
            try AtomicFile.write(Data(receipt.utf8), to: folder.processed + "/" + base + ".kvitto.xml")
            try folder.remove(name)
        } catch let error as HubError where error.code != .storage {
            let report = Self.document("Fel", [
                XMLWriter.element("Fil", name), XMLWriter.element("Kod", error.code.rawValue),
                XMLWriter.element("Element", error.field.map(Self.xmlPath)), XMLWriter.element("Meddelande", error.message),
            ])
            try AtomicFile.write(Data(report.utf8), to: folder.rejected + "/" + base + ".fel.xml")
            // A file too large to be read is not kept at all (its report says so).
            if let content {
                try folder.keepSealed(name, content: content, protector: host.runtime.protector)
            } else {
                try folder.remove(name)
            }
            logger.notice("Kriminalvården file rejected", metadata: ["hub.code": "\(error.code)"])
        }
    }

    static func document(_ root: String, _ children: [String]) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(root) xmlns=\"\(namespace)\">" + children.joined() + "</\(root)>\n"
    }

    /// Hub field paths → element paths in the Remiss.
    static func xmlPath(_ field: String) -> String {
        let map: [(String, String)] = [
            ("body.externalRef", "Remiss/Referens"), ("body.referrer.agency", "Remiss"), ("body.referrer.unit", "Remiss/Enhet"),
            ("body.referrer", "Remiss/Handlaggare"), ("body.municipality", "Remiss/Kommun"), ("body.category", "Remiss/Kategori"),
            ("body.help", "Remiss/Insatser"), ("body.client.identity", "Remiss/Klient/Personnummer"), ("body.client.name", "Remiss/Klient/Namn"),
            ("body.client.childrenAges", "Remiss/Klient/BarnensAldrar"), ("body.client", "Remiss/Klient"),
            ("body.safeContact", "Remiss/SakerKontakt"), ("body.consent", "Remiss/Samtycke"), ("body.urgency", "Remiss/Bradska"),
            ("body.notes", "Remiss/Anteckningar"), ("body.riskAnswers", "Remiss/Riskbedomning"),
        ]
        return map.first { field.hasPrefix($0.0) }?.1 ?? field
    }

    static func bool(_ s: String?, _ field: String) throws(HubError) -> Bool? {
        switch s?.trimmingCharacters(in: .whitespaces) {
        case nil, ""?: nil
        case "true"?, "1"?: true
        case "false"?, "0"?: false
        default: throw HubError(.validation, "Must be true or false.", field: field)
        }
    }

    /// A `<Remiss>` → a draft. Kategori and Insatser default to used-violence / non-violence-group.
    package static func draft(_ r: XMLElement) throws(HubError) -> ReferralDraft {
        guard r.name == "Remiss", r.namespace == namespace else {
            throw HubError(.validation, "The root element must be Remiss in namespace \(namespace).", field: "Remiss")
        }
        var d = ReferralDraft(agency: agency)
        d.externalRef = r.value("Referens")
        d.unit = r.value("Enhet")
        if let h = r.child("Handlaggare") { d.contactName = h.value("Namn"); d.contactPhone = h.value("Telefon"); d.contactEmail = h.value("Epost") }
        d.municipality = r.value("Kommun")
        d.category = r.value("Kategori") ?? "used-violence"
        let help = r.child("Insatser")?.all("Insats").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) } ?? []
        d.help = help.isEmpty ? ["non-violence-group"] : help
        guard let k = r.child("Klient") else { throw HubError(.validation, "Klient is required.", field: "body.client") }
        if let p = k.value("Personnummer") { d.identityKind = "personnummer"; d.identityNumber = p }
        else if let s = k.value("Samordningsnummer") { d.identityKind = "samordningsnummer"; d.identityNumber = s }
        else { d.identityKind = "none" }
        d.name = k.value("Namn")
        d.protectedIdentity = try bool(k.value("SkyddadIdentitet"), "body.client.protectedIdentity") ?? false
        d.phone = k.value("Telefon"); d.email = k.value("Epost"); d.address = k.value("Adress")
        d.interpreterLanguage = k.value("Tolk")
        var ages: [Int] = []
        for a in k.child("BarnensAldrar")?.all("Alder") ?? [] {
            guard let n = Int(a.text.trimmingCharacters(in: .whitespaces)) else { throw HubError(.validation, "An age is a whole number.", field: "body.client.childrenAges") }
            ages.append(n)
        }
        d.childrenAges = ages
        if let s = r.child("SakerKontakt") {
            d.doNotContact = try bool(s.attributes["kontaktaInte"], "body.safeContact.doNotContact") ?? false
            d.mayCall = try bool(s.attributes["farRinga"], "body.safeContact.mayCall")
            d.mayLeaveMessage = try bool(s.attributes["farLamnaMeddelande"], "body.safeContact.mayLeaveMessage")
            d.callTimes = s.value("Ringtider")
        }
        if let c = r.child("Samtycke") {
            d.consentGiven = try bool(c.attributes["givet"], "body.consent.given")
            d.consentGivenAt = c.attributes["datum"]
            d.consentRecordedBy = c.attributes["registreratAv"]
        }
        if let u = r.value("Bradska") { d.urgency = MunicipalityAdapter.urgencyWords[u.lowercased()] ?? u }
        d.notes = r.value("Anteckningar")
        for svar in r.child("Riskbedomning")?.all("Svar") ?? [] {
            if let q = svar.attributes["fraga"] { d.riskAnswers[q] = svar.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return d
    }
}

/// Writes hub answers, status changes and documents as XML files in `outbox/`.
struct XMLFolderDeliverer: AgencyDeliverer {
    let folder: WatchedFolder

    func deliver(_ item: AgencyDelivery) async -> Bool {
        typealias K = KriminalvardenAdapter
        do {
            switch item {
            case .receipt(let r):
                var parts = [XMLWriter.element("Referens", r.externalRef), XMLWriter.element("MeddelandeId", r.messageID),
                             XMLWriter.element("Status", r.error == nil ? "skickad" : "avvisad"), XMLWriter.element("HanvisningsId", r.referralID)]
                if let e = r.error {
                    parts.append(XMLWriter.element("Fel", e.message, attributes: [("kod", e.code.rawValue)] + (e.field.map { [("element", K.xmlPath($0))] } ?? [])))
                }
                try AtomicFile.write(Data(K.document("Kvitto", parts).utf8), to: folder.outbox + "/kvitto-\(r.messageID).xml")
            case .status(let s, let intake):
                let doc = K.document("Status", [
                    XMLWriter.element("Referens", intake?.externalRef ?? s.externalRef), XMLWriter.element("HanvisningsId", s.referralID),
                    XMLWriter.element("Status", s.status), XMLWriter.element("Tid", s.at), XMLWriter.element("Orsak", s.reason),
                    XMLWriter.element("Kommentar", s.reasonText), XMLWriter.element("Grupp", s.group),
                ])
                try AtomicFile.write(Data(doc.utf8), to: folder.outbox + "/status-\(FolderDeliverer.safe(s.eventID)).xml")
            case .document(let topic, let eventID, let body):
                let kind = topic.split(separator: ".").dropFirst(2).joined(separator: "-")
                let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Meddelande xmlns=\"\(K.namespace)\" typ=\"\(XMLWriter.escape(kind))\" amne=\"\(XMLWriter.escape(topic))\">"
                    + XMLWriter.render(body) + "</Meddelande>\n"
                try AtomicFile.write(Data(doc.utf8), to: folder.outbox + "/\(kind.isEmpty ? "meddelande" : kind)-\(FolderDeliverer.safe(eventID)).xml")
            }
            return true
        } catch {
            return false
        }
    }
}
