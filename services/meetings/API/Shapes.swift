import HubProtocol

// The parts that several replies share. Codes are kept as their strings (`status`, `kind`,
// `role`): the vocabularies in MeetingsAPI.swift name them.

/// A term of a management-group member.
public struct GroupMember: Sendable, Codable, Equatable {
    public var memberId: String
    public var name: String
    public var title: String
    public var agency: String
    @Nullable public var municipality: String?
    /// A `MemberRole` code.
    public var role: String
    public var from: String
    /// Null while the term runs.
    @Nullable public var to: String?
    public init(memberId: String, name: String, title: String, agency: String, municipality: String?, role: String, from: String, to: String?) {
        self.memberId = memberId; self.name = name; self.title = title; self.agency = agency; self.municipality = municipality
        self.role = role; self.from = from; self.to = to
    }
}

/// A meeting as listed and as every meeting reply begins.
public struct MeetingSummary: Sendable, Codable, Equatable {
    public var id: String
    public var centre: String
    public var date: String
    public var start: String
    public var end: String
    public var place: String
    @Nullable public var link: String?
    @Nullable public var chair: String?
    public var chairTemporary: Bool
    @Nullable public var secretary: String?
    /// A `MeetingStatus` code.
    public var status: String
    public var itemDeadline: String
    /// The iCalendar SEQUENCE, raised by every visible change.
    public var sequence: Int
    @Nullable public var agendaCirculatedAt: String?
    /// From imported minutes.
    public var imported: Bool
    public init(id: String, centre: String, date: String, start: String, end: String, place: String, link: String?, chair: String?,
                chairTemporary: Bool, secretary: String?, status: String, itemDeadline: String, sequence: Int, agendaCirculatedAt: String?,
                imported: Bool) {
        self.id = id; self.centre = centre; self.date = date; self.start = start; self.end = end; self.place = place; self.link = link
        self.chair = chair; self.chairTemporary = chairTemporary; self.secretary = secretary; self.status = status
        self.itemDeadline = itemDeadline; self.sequence = sequence; self.agendaCirculatedAt = agendaCirculatedAt; self.imported = imported
    }
}

/// A meeting in `meetings.list`: its summary and the state of its minutes.
public struct ListedMeeting: Sendable, Codable, Equatable {
    public var meeting: MeetingSummary
    /// A `MinutesStatus` code.
    public var minutesStatus: String
    public var minutesVersion: Int
    enum Extra: String, CodingKey { case minutesStatus, minutesVersion }
    public init(meeting: MeetingSummary, minutesStatus: String, minutesVersion: Int) {
        self.meeting = meeting; self.minutesStatus = minutesStatus; self.minutesVersion = minutesVersion
    }
    public init(from decoder: any Decoder) throws {
        meeting = try MeetingSummary(from: decoder)
        let c = try decoder.container(keyedBy: Extra.self)
        minutesStatus = try c.decode(String.self, forKey: .minutesStatus); minutesVersion = try c.decode(Int.self, forKey: .minutesVersion)
    }
    public func encode(to encoder: any Encoder) throws {
        try meeting.encode(to: encoder)
        var c = encoder.container(keyedBy: Extra.self)
        try c.encode(minutesStatus, forKey: .minutesStatus); try c.encode(minutesVersion, forKey: .minutesVersion)
    }
}

/// An attendee of a meeting: a member as of the meeting's date (or a name from imported minutes).
public struct Attendee: Sendable, Codable, Equatable {
    public var memberId: String
    public var name: String
    public var title: String
    public var agency: String
    /// "Polisen", "Gullspång kommun".
    public var agencyName: String
    @Nullable public var municipality: String?
    /// A `MemberRole` code.
    public var role: String
    /// An `AttendanceStatus` code.
    public var status: String
    @Nullable public var repliedAt: String?
    /// Given (possibly null) to the centre's staff only; left out for everyone else.
    @Withholdable public var email: String?
    public init(memberId: String, name: String, title: String, agency: String, agencyName: String, municipality: String?, role: String,
                status: String, repliedAt: String?, email: Withholdable<String>) {
        self.memberId = memberId; self.name = name; self.title = title; self.agency = agency; self.agencyName = agencyName
        self.municipality = municipality; self.role = role; self.status = status; self.repliedAt = repliedAt; self._email = email
    }
}

/// An agenda item and, once written, its minutes text.
public struct AgendaItem: Sendable, Codable, Equatable {
    public var id: String
    public var position: Int
    /// An `AgendaItemKind` code.
    public var kind: String
    public var title: String
    /// The minutes text: left out for readers outside the centre's staff and board.
    @Withholdable public var text: String?
    /// The decisions: left out like `text`.
    @Withholdable public var decisions: String?
    public var confidential: Bool
    @Nullable public var addedBy: String?
    @Nullable public var agency: String?
    /// For the review item: the meeting whose minutes it reviews, and the version approved.
    @Nullable public var reviewMeetingId: String?
    @Nullable public var reviewVersion: Int?
    public init(id: String, position: Int, kind: String, title: String, text: String?, decisions: String?, confidential: Bool, addedBy: String?,
                agency: String?, reviewMeetingId: String?, reviewVersion: Int?) {
        self.id = id; self.position = position; self.kind = kind; self.title = title; self.text = text; self.decisions = decisions
        self.confidential = confidential; self.addedBy = addedBy; self.agency = agency; self.reviewMeetingId = reviewMeetingId
        self.reviewVersion = reviewVersion
    }
    /// The item as a reader outside the centre sees it: without the minutes text and decisions.
    public func withoutMinutes() -> AgendaItem {
        var item = self
        item._text = .withheld; item._decisions = .withheld
        return item
    }
}

/// An agency's status report for the status round.
public struct StatusReport: Sendable, Codable, Equatable {
    public var agency: String
    @Nullable public var municipality: String?
    public var agencyName: String
    public var text: String
    public var submittedAt: String
    public init(agency: String, municipality: String?, agencyName: String, text: String, submittedAt: String) {
        self.agency = agency; self.municipality = municipality; self.agencyName = agencyName; self.text = text; self.submittedAt = submittedAt
    }
}

/// An action item ("åtgärdspunkt"): carried to every later agenda of the centre until done.
public struct ActionItem: Sendable, Codable, Equatable {
    public var id: String
    public var meetingId: String
    @Nullable public var itemId: String?
    public var text: String
    public var owner: String
    @Nullable public var agency: String?
    @Nullable public var due: String?
    /// An `ActionStatus` code.
    public var status: String
    /// The date of the meeting that decided it.
    @Nullable public var meetingDate: String?
    public init(id: String, meetingId: String, itemId: String?, text: String, owner: String, agency: String?, due: String?, status: String,
                meetingDate: String?) {
        self.id = id; self.meetingId = meetingId; self.itemId = itemId; self.text = text; self.owner = owner; self.agency = agency
        self.due = due; self.status = status; self.meetingDate = meetingDate
    }
}

/// An open action item on the start page (`meetings.actions.open`): with its centre and agency names.
public struct OpenAction: Sendable, Codable, Equatable {
    public var action: ActionItem
    public var centre: String
    public var centreName: String
    @Nullable public var agencyName: String?
    enum Extra: String, CodingKey { case centre, centreName, agencyName }
    public init(action: ActionItem, centre: String, centreName: String, agencyName: String?) {
        self.action = action; self.centre = centre; self.centreName = centreName; self.agencyName = agencyName
    }
    public init(from decoder: any Decoder) throws {
        action = try ActionItem(from: decoder)
        let c = try decoder.container(keyedBy: Extra.self)
        centre = try c.decode(String.self, forKey: .centre); centreName = try c.decode(String.self, forKey: .centreName)
        _agencyName = try c.decode(Nullable<String>.self, forKey: .agencyName)
    }
    public func encode(to encoder: any Encoder) throws {
        try action.encode(to: encoder)
        var c = encoder.container(keyedBy: Extra.self)
        try c.encode(centre, forKey: .centre); try c.encode(centreName, forKey: .centreName); try c.encode(_agencyName, forKey: .agencyName)
    }
}

/// A later meeting's time (the agenda's "upcoming meeting dates").
public struct MeetingTime: Sendable, Codable, Equatable {
    public var date: String
    public var start: String
    public var end: String
    public init(date: String, start: String, end: String) { self.date = date; self.start = start; self.end = end }
}

/// The state of a meeting's minutes.
public struct MinutesState: Sendable, Codable, Equatable {
    /// A `MinutesStatus` code.
    public var status: String
    /// The last circulated version (0 before the first).
    public var version: Int
    public var changedSinceCirculation: Bool
    @Nullable public var approvedVersion: Int?
    @Nullable public var approvedInMeeting: String?
    @Nullable public var filedAt: String?
    public init(status: String, version: Int, changedSinceCirculation: Bool, approvedVersion: Int?, approvedInMeeting: String?, filedAt: String?) {
        self.status = status; self.version = version; self.changedSinceCirculation = changedSinceCirculation
        self.approvedVersion = approvedVersion; self.approvedInMeeting = approvedInMeeting; self.filedAt = filedAt
    }
}

/// The previous minutes a meeting reviews.
public struct PreviousMinutes: Sendable, Codable, Equatable {
    public var meetingId: String
    public var date: String
    /// A `MinutesStatus` code.
    public var status: String
    /// Circulated and unchanged since: they may be approved at this meeting.
    public var approvable: Bool
    public init(meetingId: String, date: String, status: String, approvable: Bool) {
        self.meetingId = meetingId; self.date = date; self.status = status; self.approvable = approvable
    }
}

/// A link in the minutes.
public struct MeetingLink: Sendable, Codable, Equatable {
    public var id: String
    @Nullable public var itemId: String?
    public var title: String
    public var url: String
    public init(id: String, itemId: String?, title: String, url: String) { self.id = id; self.itemId = itemId; self.title = title; self.url = url }
}

/// An attachment of the minutes, without its data.
public struct AttachmentInfo: Sendable, Codable, Equatable {
    public var id: String
    @Nullable public var itemId: String?
    public var filename: String
    public var contentType: String
    public var size: Int
    public var sha256: String
    public init(id: String, itemId: String?, filename: String, contentType: String, size: Int, sha256: String) {
        self.id = id; self.itemId = itemId; self.filename = filename; self.contentType = contentType; self.size = size; self.sha256 = sha256
    }
}

/// A meeting with everything its page shows (`meetings.get`, and the reply of create and update).
public struct MeetingDetail: Sendable, Codable, Equatable {
    public var meeting: MeetingSummary
    public var centreName: String
    public var attendees: [Attendee]
    /// Confidential items and minutes text only for the centre's staff and board.
    public var agenda: [AgendaItem]
    public var statusReports: [StatusReport]
    /// Open action items of earlier meetings of the centre.
    public var carriedActions: [ActionItem]
    /// Action items decided at this meeting.
    public var actions: [ActionItem]
    public var upcoming: [MeetingTime]
    /// Left out when the meeting has no minutes (imported before they were kept).
    public var minutes: MinutesState?
    /// The meeting has begun (or was imported): its minutes may go out.
    public var started: Bool
    /// Left out when the meeting reviews no earlier minutes.
    public var previousMinutes: PreviousMinutes?
    public var links: [MeetingLink]
    public var attachments: [AttachmentInfo]
    /// `meetings.create` only: the ids of the later meetings of the series.
    public var series: [String]?
    enum Extra: String, CodingKey {
        case centreName, attendees, agenda, statusReports, carriedActions, actions, upcoming, minutes, started, previousMinutes, links, attachments, series
    }
    public init(meeting: MeetingSummary, centreName: String, attendees: [Attendee], agenda: [AgendaItem], statusReports: [StatusReport],
                carriedActions: [ActionItem], actions: [ActionItem], upcoming: [MeetingTime], minutes: MinutesState?, started: Bool,
                previousMinutes: PreviousMinutes?, links: [MeetingLink], attachments: [AttachmentInfo], series: [String]? = nil) {
        self.meeting = meeting; self.centreName = centreName; self.attendees = attendees; self.agenda = agenda; self.statusReports = statusReports
        self.carriedActions = carriedActions; self.actions = actions; self.upcoming = upcoming; self.minutes = minutes; self.started = started
        self.previousMinutes = previousMinutes; self.links = links; self.attachments = attachments; self.series = series
    }
    public init(from decoder: any Decoder) throws {
        meeting = try MeetingSummary(from: decoder)
        let c = try decoder.container(keyedBy: Extra.self)
        centreName = try c.decode(String.self, forKey: .centreName); attendees = try c.decode([Attendee].self, forKey: .attendees)
        agenda = try c.decode([AgendaItem].self, forKey: .agenda); statusReports = try c.decode([StatusReport].self, forKey: .statusReports)
        carriedActions = try c.decode([ActionItem].self, forKey: .carriedActions); actions = try c.decode([ActionItem].self, forKey: .actions)
        upcoming = try c.decode([MeetingTime].self, forKey: .upcoming); minutes = try c.decodeIfPresent(MinutesState.self, forKey: .minutes)
        started = try c.decode(Bool.self, forKey: .started); previousMinutes = try c.decodeIfPresent(PreviousMinutes.self, forKey: .previousMinutes)
        links = try c.decode([MeetingLink].self, forKey: .links); attachments = try c.decode([AttachmentInfo].self, forKey: .attachments)
        series = try c.decodeIfPresent([String].self, forKey: .series)
    }
    public func encode(to encoder: any Encoder) throws {
        try meeting.encode(to: encoder)
        var c = encoder.container(keyedBy: Extra.self)
        try c.encode(centreName, forKey: .centreName); try c.encode(attendees, forKey: .attendees); try c.encode(agenda, forKey: .agenda)
        try c.encode(statusReports, forKey: .statusReports); try c.encode(carriedActions, forKey: .carriedActions)
        try c.encode(actions, forKey: .actions); try c.encode(upcoming, forKey: .upcoming); try c.encodeIfPresent(minutes, forKey: .minutes)
        try c.encode(started, forKey: .started); try c.encodeIfPresent(previousMinutes, forKey: .previousMinutes)
        try c.encode(links, forKey: .links); try c.encode(attachments, forKey: .attachments); try c.encodeIfPresent(series, forKey: .series)
    }
}
