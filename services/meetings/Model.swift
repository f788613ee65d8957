import Crypto
import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubStorage
import MeetingsAPI

/// The meetings service's settings, from `config/meetings.json`.
public struct MeetingSettings: Sendable, Codable {
    /// Attachment limits: stored with their SHA-256; anything larger or of another type is refused.
    public struct Attachments: Sendable, Codable {
        public var maxBytes: Int
        public var types: [String]
    }
    /// Members may add agenda items until this many days before the meeting.
    public var itemDeadlineDays: Int
    /// The reminder with the agenda goes out this many hours before the start.
    public var reminderHours: Int
    /// An agency absent this many meetings in a row is flagged.
    public var absenceFlagAfter: Int
    /// The longest text of one minutes item or status report.
    public var maxTextChars: Int
    public var attachments: Attachments
    /// The SMTP relay agendas, minutes, invitations and reminders go through.
    public var smtp: SMTPSettings

    /// Loads and checks the file; `HUB_SMTP_HOST`/`HUB_SMTP_PORT` override the relay.
    public static func load(configDir: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HubError) -> MeetingSettings {
        var s = try ConfigFile.decode(MeetingSettings.self, path: configDir + "/meetings.json")
        s.smtp = try s.smtp.checked(file: "meetings.json", environment: environment)
        guard (0...60).contains(s.itemDeadlineDays) else { throw HubError(.validation, "Must be 0–60.", field: "meetings.json:itemDeadlineDays") }
        guard (1...720).contains(s.reminderHours) else { throw HubError(.validation, "Must be 1–720.", field: "meetings.json:reminderHours") }
        guard (1...20).contains(s.absenceFlagAfter) else { throw HubError(.validation, "Must be 1–20.", field: "meetings.json:absenceFlagAfter") }
        guard (100...1_000_000).contains(s.maxTextChars) else { throw HubError(.validation, "Must be 100–1000000.", field: "meetings.json:maxTextChars") }
        guard (1...100_000_000).contains(s.attachments.maxBytes) else { throw HubError(.validation, "Must be 1–100000000.", field: "meetings.json:attachments.maxBytes") }
        return s
    }
}

/// The agenda's standard items per centre, from `config/agenda-template.json`.
public struct AgendaTemplates: Sendable, Codable {
    /// One standard item.
    public struct Item: Sendable, Codable, Equatable {
        public var kind: String
        public var sv: String
        public var en: String
    }
    /// By centre id; `default` for every centre without its own.
    public var templates: [String: [Item]]

    /// The kinds an agenda item may have; `day` is an item of the day (also what members add).
    public static let kinds = ["welcome", "review", "centre-state", "day", "status-round", "other", "upcoming"]

    public static func load(configDir: String) throws(HubError) -> AgendaTemplates {
        let t = try ConfigFile.decode(AgendaTemplates.self, path: configDir + "/agenda-template.json")
        guard t.templates["default"] != nil else { throw HubError(.validation, "A 'default' template is required.", field: "agenda-template.json:templates.default") }
        for (centre, items) in t.templates {
            for (i, item) in items.enumerated() where !kinds.contains(item.kind) || item.sv.isEmpty {
                throw HubError(.validation, "Unknown kind or empty title.", field: "agenda-template.json:templates.\(centre)[\(i)]")
            }
        }
        return t
    }

    public func items(for centre: String) -> [Item] { templates[centre] ?? templates["default"] ?? [] }
}

/// Everything the handlers share: configuration and the clock.
struct MeetingsEnvironment: Sendable {
    let reference: ReferenceData
    let settings: MeetingSettings
    let templates: AgendaTemplates
    let now: @Sendable () -> Date

    init(configDir: String, now: @escaping @Sendable () -> Date) throws(HubError) {
        reference = try ReferenceData.load(configDir: configDir)
        settings = try MeetingSettings.load(configDir: configDir)
        templates = try AgendaTemplates.load(configDir: configDir)
        self.now = now
    }

    init(reference: ReferenceData, settings: MeetingSettings, templates: AgendaTemplates, now: @escaping @Sendable () -> Date) {
        self.reference = reference; self.settings = settings; self.templates = templates; self.now = now
    }

    var timestamp: String { Timestamp.string(from: now()) }
    var today: String { SwedishDate.isoDate(now()) }

    func centre(_ id: String, field: String = "body.centre") throws(HubError) -> ReferenceData.Centre {
        guard let c = reference.centres.first(where: { $0.id == id }) else { throw HubError(.notFound, "No such centre.", field: field) }
        return c
    }
    func agencyName(_ id: String) -> String {
        id == "utvag" ? "Utväg" : reference.agencies.first { $0.id == id }?.name ?? id
    }
    func adapter(of agency: String) -> String? { reference.agencies.first { $0.id == agency }?.adapter }
}

/// The caller of a meetings message (see `Caller` in HubBus).
typealias MeetingActor = Caller

extension Caller {
    /// Admins and the centre's staff run the centre's meetings.
    func mayManage(centre c: String) -> Bool { isCentreStaff(c) }
    /// Staff and board of the centre see everything, confidential items too.
    func seesConfidential(centre c: String) -> Bool { mayManage(centre: c) || (role == .board && centre == c) }

    func requireManager(centre c: String) throws(HubError) {
        guard mayManage(centre: c) else { throw HubError(.forbidden, "Only the centre's staff may do this.") }
    }
}

/// One meeting as stored.
struct MeetingRecord: Sendable {
    /// Has the meeting begun at `now` (its date and start time are Stockholm time)?
    func hasStarted(at now: Date) -> Bool {
        guard let start = LocalTime.instant(date: date, time: self.start) else { return true }
        return now >= start
    }

    var id: String
    var centre: String
    var date: String
    var start: String
    var end: String
    var place: String
    var link: String?
    var chair: String?
    var chairTemporary: Bool
    var secretary: String?
    var status: String
    var itemDeadline: String
    var sequence: Int
    var agendaCirculatedAt: String?
    var reminderSentAt: String?
    var imported: Bool

    static let columns = """
        id, centre_id, date, start_time, end_time, place, link, chair, chair_temporary, secretary, status, item_deadline,
        sequence, agenda_circulated_at, reminder_sent_at, imported
        """

    init(row: DatabaseRow) throws(HubError) {
        id = try row.string("id"); centre = try row.string("centre_id"); date = try row.string("date")
        start = try row.string("start_time"); end = try row.string("end_time"); place = try row.string("place")
        link = try row.optionalString("link"); chair = try row.optionalString("chair"); chairTemporary = try row.bool("chair_temporary")
        secretary = try row.optionalString("secretary"); status = try row.string("status"); itemDeadline = try row.string("item_deadline")
        sequence = try row.int("sequence"); agendaCirculatedAt = try row.optionalString("agenda_circulated_at")
        reminderSentAt = try row.optionalString("reminder_sent_at"); imported = try row.bool("imported")
    }

    var summary: MeetingSummary {
        MeetingSummary(id: id, centre: centre, date: date, start: start, end: end, place: place, link: link, chair: chair,
                       chairTemporary: chairTemporary, secretary: secretary, status: status, itemDeadline: itemDeadline, sequence: sequence,
                       agendaCirculatedAt: agendaCirculatedAt, imported: imported)
    }
}

/// One attendee of a meeting: a member as of the meeting's date (or a name from imported minutes).
struct AttendeeRecord: Sendable {
    var memberID: String
    var name: String
    var title: String
    var agency: String
    var agencyLabel: String?
    var municipality: String?
    var email: String?
    var role: String
    var status: String
    var repliedAt: String?

    static let columns = "member_id, name, title, agency, agency_label, municipality, email, role, status, replied_at"

    init(row: DatabaseRow) throws(HubError) {
        memberID = try row.string("member_id"); name = try row.string("name"); title = try row.string("title")
        agency = try row.string("agency"); agencyLabel = try row.optionalString("agency_label"); municipality = try row.optionalString("municipality")
        email = try row.optionalString("email"); role = try row.string("role"); status = try row.string("status")
        repliedAt = try row.optionalString("replied_at")
    }

    /// "Polisen", "Gullspång kommun": how the minutes name the agency.
    func agencyText(_ env: MeetingsEnvironment) -> String {
        if let l = agencyLabel, !l.isEmpty { return l }
        if agency == "social-services", let m = municipality { return "\(m) kommun" }
        return env.agencyName(agency)
    }

    /// The attendee as a reply gives it: the e-mail address for the centre's staff only.
    func contract(_ env: MeetingsEnvironment, withEmail: Bool) -> Attendee {
        Attendee(memberId: memberID, name: name, title: title, agency: agency, agencyName: agencyText(env), municipality: municipality,
                 role: role, status: status, repliedAt: repliedAt, email: withEmail ? Withholdable(wrappedValue: email) : .withheld)
    }
}

/// One agenda item and, once written, its minutes text.
struct AgendaItemRecord: Sendable {
    var id: String
    var position: Int
    var kind: String
    var title: String
    var text: String?
    var decisions: String?
    var confidential: Bool
    var addedBy: String?
    var agency: String?
    var reviewMeetingID: String?
    var reviewVersion: Int?

    static let columns = "id, position, kind, title, text, decisions, confidential, added_by, agency, review_meeting_id, review_version"

    init(row: DatabaseRow) throws(HubError) {
        id = try row.string("id"); position = try row.int("position"); kind = try row.string("kind"); title = try row.string("title")
        text = try row.optionalString("text"); decisions = try row.optionalString("decisions"); confidential = try row.bool("confidential")
        addedBy = try row.optionalString("added_by"); agency = try row.optionalString("agency")
        reviewMeetingID = try row.optionalString("review_meeting_id"); reviewVersion = try row.optionalInt("review_version")
    }

    var contract: AgendaItem {
        AgendaItem(id: id, position: position, kind: kind, title: title, text: text, decisions: decisions, confidential: confidential,
                   addedBy: addedBy, agency: agency, reviewMeetingId: reviewMeetingID, reviewVersion: reviewVersion)
    }
}

/// An action item ("åtgärdspunkt"): carried to every later agenda of the centre until done.
struct ActionRecord: Sendable {
    var id: String
    var meetingID: String
    var itemID: String?
    var text: String
    var owner: String
    var agency: String?
    var due: String?
    var status: String
    var meetingDate: String?

    init(row: DatabaseRow) throws(HubError) {
        id = try row.string("id"); meetingID = try row.string("meeting_id"); itemID = try row.optionalString("item_id")
        text = try row.string("text"); owner = try row.string("owner"); agency = try row.optionalString("agency")
        due = try row.optionalString("due"); status = try row.string("status"); meetingDate = try row.optionalString("meeting_date")
    }

    static let select = """
        SELECT a.id, a.meeting_id, a.item_id, a.text, a.owner, a.agency, a.due, a.status, m.date AS meeting_date
        FROM action_items a JOIN meetings m ON m.id = a.meeting_id
        """

    var contract: ActionItem {
        ActionItem(id: id, meetingId: meetingID, itemId: itemID, text: text, owner: owner, agency: agency, due: due, status: status,
                   meetingDate: meetingDate)
    }
}

/// Ids, hashes and small conversions.
enum Ids {
    static func make() -> String { UUID().uuidString.lowercased() }
    static func sha256(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(data: bytes)) }
    static func sha256(_ text: String) -> String { sha256(Array(text.utf8)) }
    /// A stable member id from what identifies a term in the group.
    static func member(centre: String, agency: String, municipality: String?, name: String, from: String) -> String {
        "m-" + String(sha256([centre, agency, municipality ?? "", name, from].joined(separator: "\u{1f}")).prefix(16))
    }
}

extension JSONValue {
    static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    static func int(_ i: Int) -> JSONValue { .number(Double(i)) }
}

/// Swedish dates as the minutes write them ("Tisdagen den 16 september 2025").
public enum SwedishDate {
    static let months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"]
    static let weekdays = ["Söndagen", "Måndagen", "Tisdagen", "Onsdagen", "Torsdagen", "Fredagen", "Lördagen"]

    static var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Europe/Stockholm") ?? TimeZone(secondsFromGMT: 3600)!
        return c
    }

    /// `YYYY-MM-DD` of `date` in Stockholm.
    public static func isoDate(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }

    /// The instant of a Stockholm wall-clock date and time.
    public static func instant(date: String, time: String) -> Date? {
        let d = date.split(separator: "-").compactMap { Int($0) }, t = time.split(separator: ":").compactMap { Int($0) }
        guard d.count == 3, t.count == 2 else { return nil }
        return calendar.date(from: DateComponents(year: d[0], month: d[1], day: d[2], hour: t[0], minute: t[1]))
    }

    /// "den 25 februari 2025".
    public static func long(_ iso: String) -> String {
        let d = iso.split(separator: "-").compactMap { Int($0) }
        guard d.count == 3, (1...12).contains(d[1]) else { return iso }
        return "den \(d[2]) \(months[d[1] - 1]) \(d[0])"
    }

    /// "Tisdagen den 16 september 2025".
    public static func withWeekday(_ iso: String) -> String {
        guard let date = instant(date: iso, time: "12:00") else { return iso }
        let w = calendar.component(.weekday, from: date)
        return "\(weekdays[(w - 1) % 7]) \(long(iso))"
    }

    /// The date `days` before `iso`.
    static func minus(days: Int, from iso: String) -> String {
        guard let d = instant(date: iso, time: "12:00"), let e = calendar.date(byAdding: .day, value: -days, to: d) else { return iso }
        return isoDate(e)
    }
}
