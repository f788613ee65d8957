import HubProtocol

/// How this service's registration messages are named (`networks.…`, the event as `dayId`).
public enum NetworkDayRegistration: RegistrationMessages {
    public static let service = "networks"
    public static let eventKey = "dayId"
}

/// `networks.registrations.create`: one person or a group booking (see `RegistrationCreateRequest`).
public typealias RegistrationCreate = RegistrationCreateRequest<NetworkDayRegistration>

/// A place and its day, as a personal link shows them.
public struct PlaceWithDay: Sendable, Codable, Equatable {
    public var participant: Participant
    /// The day in the link view (no contact e-mail).
    public var day: Day
    public init(participant: Participant, day: Day) { self.participant = participant; self.day = day.viewed(as: .link) }
    enum CodingKeys: String, CodingKey { case participant, day }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        participant = try c.decode(Participant.self, forKey: .participant)
        day = try c.decode(Day.self, forKey: .day).viewed(as: .link)
    }
}

/// `networks.registrations.get`: one's own place and the day, by the personal link.
public struct RegistrationGet: ContractRequest, Equatable {
    public static let type = "networks.registrations.get"
    public typealias Reply = PlaceWithDay
    public var token: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case token }
    public init(token: String) { self.token = token }
}

/// `networks.registrations.cancel`: cancels by the personal link; a used link is `conflict`.
public struct RegistrationCancel: ContractRequest, Equatable {
    public static let type = "networks.registrations.cancel"
    public typealias Reply = CancellationReply
    public var token: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case token }
    public init(token: String) { self.token = token }
}

/// A group booking's places and its day, as the manage link shows them.
public struct BookingWithDay: Sendable, Codable, Equatable {
    public var bookingId: String
    @Nullable public var invoiceReference: String?
    public var participants: [Participant]
    /// The day in the link view (no contact e-mail).
    public var day: Day
    public init(bookingId: String, invoiceReference: String?, participants: [Participant], day: Day) {
        self.bookingId = bookingId; self.invoiceReference = invoiceReference; self.participants = participants; self.day = day.viewed(as: .link)
    }
    enum CodingKeys: String, CodingKey { case bookingId, invoiceReference, participants, day }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bookingId = try c.decode(String.self, forKey: .bookingId)
        _invoiceReference = try c.decode(Nullable<String>.self, forKey: .invoiceReference)
        participants = try c.decode([Participant].self, forKey: .participants)
        day = try c.decode(Day.self, forKey: .day).viewed(as: .link)
    }
}

/// `networks.bookings.get`: the places of a group booking, by its manage link.
public struct BookingGet: ContractRequest, Equatable {
    public static let type = "networks.bookings.get"
    public typealias Reply = BookingWithDay
    public var token: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case token }
    public init(token: String) { self.token = token }
}

/// `networks.bookings.cancel`: cancels one place of a group booking through its manage link.
public struct BookingCancel: ContractRequest, Equatable {
    public static let type = "networks.bookings.cancel"
    public typealias Reply = CancellationReply
    public var token: String
    public var participantId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case token, participantId }
    public init(token: String, participantId: String) { self.token = token; self.participantId = participantId }
}

/// `networks.registrations.list` (organisers): seats, then the waiting list in order, then cancellations.
public struct RegistrationList: ContractRequest, Equatable {
    public static let type = "networks.registrations.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var day: Day
        public var participants: [Participant]
        public init(day: Day, participants: [Participant]) { self.day = day; self.participants = participants }
    }
    public var dayId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case dayId }
    public init(dayId: String) { self.dayId = dayId }
}

/// `networks.registrations.checkin`: attendance on the day (or taken back); only with a seat.
public struct RegistrationCheckIn: ContractRequest, Equatable {
    public static let type = "networks.registrations.checkin"
    public typealias Reply = Participant
    public var participantId: String
    /// Default true.
    public var attended: Bool?
    public enum CodingKeys: String, CodingKey, CaseIterable { case participantId, attended }
    public init(participantId: String, attended: Bool? = nil) { self.participantId = participantId; self.attended = attended }
}

/// `networks.registrations.move`: between seat and waiting list, or to another day, with a reason.
public struct RegistrationMove: ContractRequest, Equatable {
    public static let type = "networks.registrations.move"
    public var participantId: String
    public var to: MoveDestination
    /// With `to: day`: the day to move to (one the caller organises too).
    public var toDayId: String?
    public var reason: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case participantId, to, toDayId, reason }
    public init(participantId: String, to: MoveDestination, toDayId: String? = nil, reason: String) {
        self.participantId = participantId; self.to = to; self.toDayId = toDayId; self.reason = reason
    }

    /// The place as it is now, who moved up, and the participant's moves with their reasons.
    public struct Reply: Sendable, Codable, Equatable {
        /// One move, oldest first.
        public typealias Move = ParticipantMove
        public var participant: Participant
        public var promoted: [String]
        public var moves: [Move]
        public init(participant: Participant, promoted: [String], moves: [Move]) {
            self.participant = participant; self.promoted = promoted; self.moves = moves
        }
    }
}

/// `networks.registrations.export`: the participant list as a spreadsheet file.
public struct RegistrationExport: ContractRequest, Equatable {
    public static let type = "networks.registrations.export"
    public typealias Reply = ExportReply
    public var dayId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case dayId }
    public init(dayId: String) { self.dayId = dayId }
}

/// `networks.registrations.invoice`: people × fee per agency and invoice reference, and the totals.
public struct RegistrationInvoice: ContractRequest, Equatable {
    public static let type = "networks.registrations.invoice"
    public struct Reply: Sendable, Codable, Equatable {
        public var day: Day
        public var feeSEK: Int
        public var lines: [InvoiceRow]
        public var totalSEK: Int
        public var people: Int
        public init(day: Day, feeSEK: Int, lines: [InvoiceRow], totalSEK: Int, people: Int) {
            self.day = day; self.feeSEK = feeSEK; self.lines = lines; self.totalSEK = totalSEK; self.people = people
        }
    }
    public var dayId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case dayId }
    public init(dayId: String) { self.dayId = dayId }
}

/// `networks.registrations.purge`: purges the participant data that is due.
public struct RegistrationPurge: MemberlessRequest, Equatable {
    public static let type = "networks.registrations.purge"
    public struct Reply: Sendable, Codable, Equatable {
        public var purgedDays: Int
        public init(purgedDays: Int) { self.purgedDays = purgedDays }
    }
    public init() {}
}

/// `networks.attendance.get`: per agency, across the centre's days of a year.
public struct AttendanceGet: ContractRequest, Equatable {
    public static let type = "networks.attendance.get"
    public var centreId: String
    public var year: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, year }
    public init(centreId: String, year: Int? = nil) { self.centreId = centreId; self.year = year }

    public struct Reply: Sendable, Codable, Equatable {
        /// A day counted.
        public struct DayRef: Sendable, Codable, Equatable {
            public var id: String
            public var title: String
            public var date: String
            public init(id: String, title: String, date: String) { self.id = id; self.title = title; self.date = date }
        }
        /// One agency's people at one day.
        public struct PerDay: Sendable, Codable, Equatable {
            public var dayId: String
            public var registered: Int
            public var attended: Int
            public init(dayId: String, registered: Int, attended: Int) { self.dayId = dayId; self.registered = registered; self.attended = attended }
        }
        /// One agency: days with someone attending, people registered (with a seat) and attended.
        public struct Agency: Sendable, Codable, Equatable {
            public var agency: String
            public var name: String
            public var daysRepresented: Int
            public var registered: Int
            public var attended: Int
            public var perDay: [PerDay]
            public init(agency: String, name: String, daysRepresented: Int, registered: Int, attended: Int, perDay: [PerDay]) {
                self.agency = agency; self.name = name; self.daysRepresented = daysRepresented; self.registered = registered
                self.attended = attended; self.perDay = perDay
            }
        }
        public var centreId: String
        public var days: [DayRef]
        public var agencies: [Agency]
        public init(centreId: String, days: [DayRef], agencies: [Agency]) { self.centreId = centreId; self.days = days; self.agencies = agencies }
    }
}

/// `networks.mail.flush`: sends queued mail through the relay (the service's timer runs it).
public struct MailFlush: ContractRequest, Equatable {
    public static let type = "networks.mail.flush"
    public typealias Reply = MailFlushReply
    /// 1–500, default 100.
    public var limit: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable { case limit }
    public init(limit: Int? = nil) { self.limit = limit }
}

/// `networks.mail.outbox`: the queued and sent mail about a day (who and what, never the text).
public struct MailOutboxList: ContractRequest, Equatable {
    public static let type = "networks.mail.outbox"
    public struct Reply: Sendable, Codable, Equatable {
        public var mail: [OutboxMail]
        public init(mail: [OutboxMail]) { self.mail = mail }
    }
    public var dayId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case dayId }
    public init(dayId: String) { self.dayId = dayId }
}
