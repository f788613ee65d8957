import HubProtocol

/// The meetings service's contract: every message it takes, as a request type named with its
/// bus type and its reply type, its error codes and reasons, and its vocabulary. The service,
/// the gateway's pages and the test stubs use these types; see services/meetings/README.md.
public enum MeetingsAPI {
    /// The service's name on the bus.
    public static let service = "meetings"

    /// Every message type of the service with its request type (the handler table's keys).
    public static let messages: [String: any ContractRequest.Type] = Dictionary(uniqueKeysWithValues: requestTypes.map { ($0.type, $0) })

    static let requestTypes: [any ContractRequest.Type] = [
        GroupList.self, GroupHistory.self, GroupReplace.self,
        MeetingCreate.self, MeetingUpdate.self, MeetingCancel.self, MeetingList.self, MeetingGet.self,
        AttendanceSet.self, AttendanceReply.self, AttendanceAgencies.self,
        AgendaAdd.self, AgendaCirculate.self, StatusReportSubmit.self, StatusReportPending.self,
        MinutesItemSet.self, ActionAdd.self, ActionUpdate.self, ActionsOpen.self, LinkAdd.self,
        AttachmentAdd.self, AttachmentGet.self, MinutesCirculate.self, MinutesApprove.self, MinutesFile.self, MinutesVersions.self,
        MinutesExport.self, MinutesImport.self, MinutesSearch.self, RemindersRun.self, MailFlush.self, MailOutboxList.self,
    ]
}

// MARK: Error codes and reasons

/// The error codes and reasons the meetings service gives beyond the shared ones
/// (`validation`, `conflict`, `forbidden`, `notFound`, …).
public enum MeetingsError {
    /// `meetings.agenda.add` after the meeting's item deadline.
    public static let deadlinePassed = HubError.Code("deadline_passed")
    /// A change to minutes that were approved or filed.
    public static let minutesLocked = HubError.Code("minutes_locked")
    /// A step of the minutes' life cycle that does not follow from their state.
    public static let invalidTransition = HubError.Code("invalid_transition")
    /// With `invalid_transition`: the meeting has not begun yet, so its minutes cannot go out.
    public static let notStarted = HubError.Reason("not_started")
    /// `meetings.import` of a text that is not a meeting's minutes.
    public static let notMinutes = HubError.Code("not_minutes")
}

// MARK: Vocabulary

/// A meeting's status.
public enum MeetingStatus: String, Vocabulary {
    case planned, held, cancelled
    public var sv: String { switch self { case .planned: "planerat"; case .held: "genomfört"; case .cancelled: "inställt" } }
    public var en: String { rawValue }
}

/// The minutes' life cycle: draft → circulated → approved (at the next meeting) → filed.
public enum MinutesStatus: String, Vocabulary {
    case draft, circulated, approved, filed
    public var sv: String {
        switch self { case .draft: "utkast"; case .circulated: "utskickade"; case .approved: "godkända"; case .filed: "lagda till handlingarna" }
    }
    public var en: String { rawValue }
    /// Draft and circulated minutes can still change; approved and filed ones never do.
    public var isEditable: Bool { self == .draft || self == .circulated }
}

/// An attendee's status: invited, their answer in advance (attending, regrets), then what the minutes record.
public enum AttendanceStatus: String, Vocabulary {
    case invited, attending, present, regrets, absent
    public var sv: String {
        switch self { case .invited: "inbjuden"; case .attending: "kommer"; case .present: "närvarande"; case .regrets: "förhinder"; case .absent: "frånvarande" }
    }
    public var en: String { rawValue }
    /// What the centre's staff record after the meeting (`meetings.attendance.set`).
    public static let recorded: [AttendanceStatus] = [.present, .regrets, .absent]
    /// An answer to an invitation (`meetings.attendance.reply`).
    public static let answers: [AttendanceStatus] = [.attending, .regrets]
}

/// The kind of an agenda item; `day` is an item of the day (also what members add).
public enum AgendaItemKind: String, Vocabulary {
    case welcome, review, centreState = "centre-state", day, statusRound = "status-round", other, upcoming
    public var sv: String {
        switch self {
        case .welcome: "Välkomna"
        case .review: "Genomgång av föregående mötesanteckningar"
        case .centreState: "Aktuellt läge på Utväg"
        case .day: "Dagens punkt"
        case .statusRound: "Samverkansfrågor/läget på respektive myndighet"
        case .other: "Övrig information"
        case .upcoming: "Kommande mötestider"
        }
    }
    public var en: String {
        switch self {
        case .welcome: "Welcome"
        case .review: "Review of the previous minutes"
        case .centreState: "Current state of Utväg"
        case .day: "Item of the day"
        case .statusRound: "Status round: each agency"
        case .other: "Other business"
        case .upcoming: "Upcoming meeting dates"
        }
    }
}

/// A management-group member's role.
public enum MemberRole: String, Vocabulary {
    case chair, secretary, centreHead = "centre-head", member
    public var sv: String { switch self { case .chair: "ordförande"; case .secretary: "sekreterare"; case .centreHead: "verksamhetschef"; case .member: "ledamot" } }
    public var en: String { switch self { case .chair: "chair"; case .secretary: "secretary"; case .centreHead: "head of centre"; case .member: "member" } }
}

/// An action item's status.
public enum ActionStatus: String, Vocabulary {
    case open, done
    public var sv: String { self == .open ? "öppen" : "klar" }
    public var en: String { rawValue }
}

/// The formats of `meetings.export`.
public enum ExportFormat: String, Vocabulary {
    case markdown, html
    public var sv: String { self == .markdown ? "Markdown" : "Utskrift (HTML)" }
    public var en: String { self == .markdown ? "Markdown" : "Print (HTML)" }
}
