import HubProtocol

// MARK: Management groups

/// `meetings.groups.list`: the members of a centre's group on a date (default today).
public struct GroupList: ContractRequest, Equatable {
    public static let type = "meetings.groups.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var centre: String
        public var date: String
        public var members: [GroupMember]
        public init(centre: String, date: String, members: [GroupMember]) { self.centre = centre; self.date = date; self.members = members }
    }
    public var centre: String
    public var date: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre, date }
    public init(centre: String, date: String? = nil) { self.centre = centre; self.date = date }
}

/// `meetings.groups.history`: every term, ended ones too (the centre's staff and board).
public struct GroupHistory: ContractRequest, Equatable {
    public static let type = "meetings.groups.history"
    public struct Reply: Sendable, Codable, Equatable {
        public var centre: String
        public var members: [GroupMember]
        public init(centre: String, members: [GroupMember]) { self.centre = centre; self.members = members }
    }
    public var centre: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre }
    public init(centre: String) { self.centre = centre }
}

/// `meetings.groups.replace`: an agency changes its representative; the old term ends the day
/// before `from`, the new one starts on `from`.
public struct GroupReplace: ContractRequest, Equatable {
    public static let type = "meetings.groups.replace"
    public struct Reply: Sendable, Codable, Equatable {
        /// The member id whose term ended, and the day it ended.
        public var ended: String
        public var endedOn: String
        /// The successor's member id.
        public var memberId: String
        public init(ended: String, endedOn: String, memberId: String) { self.ended = ended; self.endedOn = endedOn; self.memberId = memberId }
    }
    public var centre: String
    public var memberId: String
    public var from: String
    public var name: String
    public var title: String
    public var email: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre, memberId, from, name, title, email }
    public init(centre: String, memberId: String, from: String, name: String, title: String, email: String? = nil) {
        self.centre = centre; self.memberId = memberId; self.from = from; self.name = name; self.title = title; self.email = email
    }
}

// MARK: Meetings

/// `meetings.create`: a planned meeting (and one per `series` date) with its agenda from the
/// centre's template; chair and secretary by member id, or a temporary chair by name.
public struct MeetingCreate: ContractRequest, Equatable {
    public static let type = "meetings.create"
    /// The first meeting, with `series` (the later meetings' ids).
    public typealias Reply = MeetingDetail
    public var centre: String
    public var date: String
    public var start: String?
    public var end: String?
    public var place: String?
    /// An https:// address.
    public var link: String?
    public var chairMemberId: String?
    public var temporaryChair: String?
    public var secretaryMemberId: String?
    /// Later dates of the series (at most 12).
    public var series: [String]?
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case centre, date, start, end, place, link, chairMemberId, temporaryChair, secretaryMemberId, series
    }
    public init(centre: String, date: String, start: String? = nil, end: String? = nil, place: String? = nil, link: String? = nil,
                chairMemberId: String? = nil, temporaryChair: String? = nil, secretaryMemberId: String? = nil, series: [String]? = nil) {
        self.centre = centre; self.date = date; self.start = start; self.end = end; self.place = place; self.link = link
        self.chairMemberId = chairMemberId; self.temporaryChair = temporaryChair; self.secretaryMemberId = secretaryMemberId; self.series = series
    }
}

/// `meetings.update`: changes a planned meeting; a change of date, time or place raises SEQUENCE
/// and, once the agenda went out, sends the updated invitation. `link: null` removes the link.
public struct MeetingUpdate: ContractRequest, Equatable {
    public static let type = "meetings.update"
    public typealias Reply = MeetingDetail
    public var meetingId: String
    public var date: String?
    public var start: String?
    public var end: String?
    public var place: String?
    public var link: String?
    public var chairMemberId: String?
    public var temporaryChair: String?
    public var secretaryMemberId: String?
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case meetingId, date, start, end, place, link, chairMemberId, temporaryChair, secretaryMemberId
    }
    public init(meetingId: String, date: String? = nil, start: String? = nil, end: String? = nil, place: String? = nil, link: String? = nil,
                chairMemberId: String? = nil, temporaryChair: String? = nil, secretaryMemberId: String? = nil) {
        self.meetingId = meetingId; self.date = date; self.start = start; self.end = end; self.place = place; self.link = link
        self.chairMemberId = chairMemberId; self.temporaryChair = temporaryChair; self.secretaryMemberId = secretaryMemberId
    }
}

/// `meetings.cancel`: METHOD:CANCEL with a raised SEQUENCE to everyone invited.
public struct MeetingCancel: ContractRequest, Equatable {
    public static let type = "meetings.cancel"
    public typealias Reply = MeetingSummary
    public var meetingId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId }
    public init(meetingId: String) { self.meetingId = meetingId }
}

/// `meetings.list`: the meetings the caller may see, by date.
public struct MeetingList: ContractRequest, Equatable {
    public static let type = "meetings.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var meetings: [ListedMeeting]
        public init(meetings: [ListedMeeting]) { self.meetings = meetings }
    }
    public var centre: String?
    public var from: String?
    public var to: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre, from, to }
    public init(centre: String? = nil, from: String? = nil, to: String? = nil) { self.centre = centre; self.from = from; self.to = to }
}

/// `meetings.get`: the meeting with attendees, agenda, status reports, action items and the minutes' state.
public struct MeetingGet: ContractRequest, Equatable {
    public static let type = "meetings.get"
    public typealias Reply = MeetingDetail
    public var meetingId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId }
    public init(meetingId: String) { self.meetingId = meetingId }
}

// MARK: Attendance

/// `meetings.attendance.set`: present, regrets or absent (`AttendanceStatus.recorded`), by the centre's staff.
public struct AttendanceSet: ContractRequest, Equatable {
    public static let type = "meetings.attendance.set"
    public struct Entry: Sendable, Codable, Equatable {
        public var memberId: String
        public var status: String
        public init(memberId: String, status: String) { self.memberId = memberId; self.status = status }
    }
    public struct Reply: Sendable, Codable, Equatable {
        public var attendees: [Attendee]
        public init(attendees: [Attendee]) { self.attendees = attendees }
    }
    public var meetingId: String
    public var entries: [Entry]
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, entries }
    public init(meetingId: String, entries: [Entry]) { self.meetingId = meetingId; self.entries = entries }
}

/// `meetings.attendance.reply`: the answer to an invitation — `meetingId`, `memberId` and `reply`
/// (`attending` or `regrets`), or `calendar`, an iCalendar METHOD:REPLY.
public struct AttendanceReply: ContractRequest, Equatable {
    public static let type = "meetings.attendance.reply"
    public struct Reply: Sendable, Codable, Equatable {
        public var meetingId: String
        public var memberId: String
        public var status: String
        public init(meetingId: String, memberId: String, status: String) { self.meetingId = meetingId; self.memberId = memberId; self.status = status }
    }
    public var meetingId: String?
    public var memberId: String?
    public var reply: String?
    public var calendar: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, memberId, reply, calendar }
    public init(meetingId: String? = nil, memberId: String? = nil, reply: String? = nil, calendar: String? = nil) {
        self.meetingId = meetingId; self.memberId = memberId; self.reply = reply; self.calendar = calendar
    }
}

/// `meetings.attendance.agencies`: each member agency's attendance over the held meetings, newest
/// first, with the absences in a row and a flag from `flagAfter` on.
public struct AttendanceAgencies: ContractRequest, Equatable {
    public static let type = "meetings.attendance.agencies"
    public struct Held: Sendable, Codable, Equatable {
        public var meetingId: String
        public var date: String
        /// `present`, `regrets` or `absent`.
        public var status: String
        public init(meetingId: String, date: String, status: String) { self.meetingId = meetingId; self.date = date; self.status = status }
    }
    public struct Agency: Sendable, Codable, Equatable {
        public var agency: String
        @Nullable public var municipality: String?
        public var agencyName: String
        public var meetings: [Held]
        public var absentInARow: Int
        public var flagged: Bool
        public init(agency: String, municipality: String?, agencyName: String, meetings: [Held], absentInARow: Int, flagged: Bool) {
            self.agency = agency; self.municipality = municipality; self.agencyName = agencyName; self.meetings = meetings
            self.absentInARow = absentInARow; self.flagged = flagged
        }
    }
    public struct Reply: Sendable, Codable, Equatable {
        public var centre: String
        public var flagAfter: Int
        public var agencies: [Agency]
        public init(centre: String, flagAfter: Int, agencies: [Agency]) { self.centre = centre; self.flagAfter = flagAfter; self.agencies = agencies }
    }
    public var centre: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre }
    public init(centre: String) { self.centre = centre }
}

// MARK: Agenda and status reports

/// `meetings.agenda.add`: an item of the day, placed before the status round; only until the
/// deadline (`deadline_passed`).
public struct AgendaAdd: ContractRequest, Equatable {
    public static let type = "meetings.agenda.add"
    public struct Reply: Sendable, Codable, Equatable {
        public var id: String
        public var position: Int
        public init(id: String, position: Int) { self.id = id; self.position = position }
    }
    public var meetingId: String
    public var title: String
    /// The member agency adding it (default: the caller's only agency).
    public var agency: String?
    public var municipality: String?
    public var confidential: Bool?
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, title, agency, municipality, confidential }
    public init(meetingId: String, title: String, agency: String? = nil, municipality: String? = nil, confidential: Bool? = nil) {
        self.meetingId = meetingId; self.title = title; self.agency = agency; self.municipality = municipality; self.confidential = confidential
    }
}

/// `meetings.agenda.circulate`: the agenda with an iCalendar REQUEST to every member by e-mail and
/// to every member agency's adapter.
public struct AgendaCirculate: ContractRequest, Equatable {
    public static let type = "meetings.agenda.circulate"
    public struct Reply: Sendable, Codable, Equatable {
        public var meetingId: String
        /// Mails queued.
        public var mails: Int
        public var adapters: [String]
        public var sequence: Int
        /// The iCalendar text sent.
        public var calendar: String
        public init(meetingId: String, mails: Int, adapters: [String], sequence: Int, calendar: String) {
            self.meetingId = meetingId; self.mails = mails; self.adapters = adapters; self.sequence = sequence; self.calendar = calendar
        }
    }
    public var meetingId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId }
    public init(meetingId: String) { self.meetingId = meetingId }
}

/// `meetings.status-report.submit`: a member agency's report for the status round; a second
/// one replaces the first until the minutes are locked.
public struct StatusReportSubmit: ContractRequest, Equatable {
    public static let type = "meetings.status-report.submit"
    public struct Reply: Sendable, Codable, Equatable {
        public var meetingId: String
        public var agency: String
        @Nullable public var municipality: String?
        public var submittedAt: String
        public init(meetingId: String, agency: String, municipality: String?, submittedAt: String) {
            self.meetingId = meetingId; self.agency = agency; self.municipality = municipality; self.submittedAt = submittedAt
        }
    }
    public var meetingId: String
    public var agency: String?
    public var municipality: String?
    public var text: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, agency, municipality, text }
    public init(meetingId: String, agency: String? = nil, municipality: String? = nil, text: String) {
        self.meetingId = meetingId; self.agency = agency; self.municipality = municipality; self.text = text
    }
}

/// `meetings.status-report.pending`: the planned meetings where the caller's agencies have a seat
/// and have not yet reported (what an adapter asks before it sends).
public struct StatusReportPending: MemberlessRequest, Equatable {
    public static let type = "meetings.status-report.pending"
    public struct Seat: Sendable, Codable, Equatable {
        public var meetingId: String
        public var centre: String
        public var date: String
        public var start: String
        public var agency: String
        @Nullable public var municipality: String?
        public init(meetingId: String, centre: String, date: String, start: String, agency: String, municipality: String?) {
            self.meetingId = meetingId; self.centre = centre; self.date = date; self.start = start; self.agency = agency; self.municipality = municipality
        }
    }
    public struct Reply: Sendable, Codable, Equatable {
        public var pending: [Seat]
        public init(pending: [Seat]) { self.pending = pending }
    }
    public init() {}
}

/// `meetings.reminders.run`: the agenda again, by e-mail and to the adapters, for planned meetings
/// within `reminderHours` that had no reminder (staff; timed).
public struct RemindersRun: MemberlessRequest, Equatable {
    public static let type = "meetings.reminders.run"
    public struct Reply: Sendable, Codable, Equatable {
        /// The meetings reminded of.
        public var reminded: [String]
        public init(reminded: [String]) { self.reminded = reminded }
    }
    public init() {}
}

/// `meetings.mail.flush`: queued mail to the SMTP relay (staff; timed).
public struct MailFlush: ContractRequest, Equatable {
    public static let type = "meetings.mail.flush"
    public typealias Reply = MailFlushReply
    /// 1–500, default 100.
    public var limit: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable { case limit }
    public init(limit: Int? = nil) { self.limit = limit }
}

/// `meetings.mail.outbox`: the queued and sent mail of a meeting (the centre's staff).
public struct MailOutboxList: ContractRequest, Equatable {
    public static let type = "meetings.mail.outbox"
    public struct Reply: Sendable, Codable, Equatable {
        public var mail: [OutboxMail]
        public init(mail: [OutboxMail]) { self.mail = mail }
    }
    public var meetingId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId }
    public init(meetingId: String) { self.meetingId = meetingId }
}
