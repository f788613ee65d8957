import HubProtocol

/// One item of a network day's programme.
public struct ProgrammeItem: Sendable, Codable, Equatable {
    public var start: String
    @Nullable public var end: String?
    public var title: String
    @Nullable public var speaker: String?
    public init(start: String, end: String? = nil, title: String, speaker: String? = nil) {
        self.start = start; self.end = end; self.title = title; self.speaker = speaker
    }
}

/// A network day ("nätverksträff") with its seats as the registration engine counts them.
/// Organisers get every member; a personal or booking link's reply leaves out `contactEmail`
/// (`EventView.link`), the public page's also `taken` (`EventView.public`). The registration's
/// members (`EventRegistration`) stand in the day's own JSON object and read as the day's own.
public struct Day: ViewedEvent {
    public var id: String
    public var centreId: String
    public var title: String
    public var theme: String
    /// `YYYY-MM-DD`, Europe/Stockholm.
    public var date: String
    public var startTime: String
    public var endTime: String
    public var venue: String
    public var organisers: [String]
    public var programme: [ProgrammeItem]
    public var capacity: Int
    public var feeSEK: Int
    /// `YYYY-MM-DD` (end of that day) or `YYYY-MM-DDTHH:MM`.
    public var deadline: String
    public var status: DayStatus
    public var deadlinePassed: Bool
    /// Contact, invitation and seats, as for a training.
    public var registration: EventRegistration

    /// The day's own members; the registration's are `EventRegistration.CodingKeys`.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, centreId, title, theme, date, startTime, endTime, venue, organisers, programme, capacity, feeSEK, deadline
        case status, deadlinePassed
    }

    public init(id: String, centreId: String, title: String, theme: String, date: String, startTime: String, endTime: String, venue: String,
                organisers: [String] = [], programme: [ProgrammeItem] = [], capacity: Int, feeSEK: Int = 0, deadline: String,
                contactEmail: String? = nil, status: DayStatus = .open, sequence: Int = 0, invitationsSentAt: String? = nil,
                registrationUrl: String? = nil, taken: Int? = 0, seatsLeft: Int, waiting: Int = 0, registrationOpen: Bool = true,
                deadlinePassed: Bool = false, purged: Bool = false, view: EventView = .organiser) {
        self.id = id; self.centreId = centreId; self.title = title; self.theme = theme; self.date = date; self.startTime = startTime
        self.endTime = endTime; self.venue = venue; self.organisers = organisers; self.programme = programme; self.capacity = capacity
        self.feeSEK = feeSEK; self.deadline = deadline; self.status = status; self.deadlinePassed = deadlinePassed
        registration = EventRegistration(contactEmail: contactEmail, sequence: sequence, invitationsSentAt: invitationsSentAt,
                                         registrationUrl: registrationUrl, taken: taken, seatsLeft: seatsLeft, waiting: waiting,
                                         registrationOpen: registrationOpen, purged: purged, view: view)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id); centreId = try c.decode(String.self, forKey: .centreId)
        title = try c.decode(String.self, forKey: .title); theme = try c.decode(String.self, forKey: .theme)
        date = try c.decode(String.self, forKey: .date); startTime = try c.decode(String.self, forKey: .startTime)
        endTime = try c.decode(String.self, forKey: .endTime); venue = try c.decode(String.self, forKey: .venue)
        organisers = try c.decode([String].self, forKey: .organisers); programme = try c.decode([ProgrammeItem].self, forKey: .programme)
        capacity = try c.decode(Int.self, forKey: .capacity); feeSEK = try c.decode(Int.self, forKey: .feeSEK)
        deadline = try c.decode(String.self, forKey: .deadline); status = try c.decode(DayStatus.self, forKey: .status)
        deadlinePassed = try c.decode(Bool.self, forKey: .deadlinePassed)
        registration = try EventRegistration(from: decoder)
    }

    /// Every member, null where there is no value, except what the view leaves out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(centreId, forKey: .centreId); try c.encode(title, forKey: .title)
        try c.encode(theme, forKey: .theme); try c.encode(date, forKey: .date); try c.encode(startTime, forKey: .startTime)
        try c.encode(endTime, forKey: .endTime); try c.encode(venue, forKey: .venue); try c.encode(organisers, forKey: .organisers)
        try c.encode(programme, forKey: .programme); try c.encode(capacity, forKey: .capacity); try c.encode(feeSEK, forKey: .feeSEK)
        try c.encode(deadline, forKey: .deadline)
        try registration.encode(to: encoder)
        try c.encode(status, forKey: .status); try c.encode(deadlinePassed, forKey: .deadlinePassed)
    }
}


/// `networks.days.create`: a network day, open for registration at once.
public struct DayCreate: ContractRequest, Equatable {
    public static let type = "networks.days.create"
    public typealias Reply = Day
    public var centreId: String
    public var title: String
    public var theme: String
    public var date: String
    public var startTime: String
    public var endTime: String
    public var venue: String
    public var organisers: [String]?
    public var programme: [ProgrammeItem]?
    public var capacity: Int
    public var feeSEK: Int?
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, before the day starts.
    public var deadline: String
    public var contactEmail: String?
    public var purgeAfterDays: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case centreId, title, theme, date, startTime, endTime, venue, organisers, programme, capacity, feeSEK, deadline, contactEmail, purgeAfterDays
    }
    public init(centreId: String, title: String, theme: String, date: String, startTime: String, endTime: String, venue: String,
                organisers: [String]? = nil, programme: [ProgrammeItem]? = nil, capacity: Int, feeSEK: Int? = nil, deadline: String,
                contactEmail: String? = nil, purgeAfterDays: Int? = nil) {
        self.centreId = centreId; self.title = title; self.theme = theme; self.date = date; self.startTime = startTime; self.endTime = endTime
        self.venue = venue; self.organisers = organisers; self.programme = programme; self.capacity = capacity; self.feeSEK = feeSEK
        self.deadline = deadline; self.contactEmail = contactEmail; self.purgeAfterDays = purgeAfterDays
    }
}

/// `networks.days.update`: changes the fields given; raises SEQUENCE, re-sends invitations that
/// went out, and a larger capacity promotes from the waiting list. `centreId`, `id` and `status`
/// cannot be changed (`validation`, "This field cannot be changed.").
public struct DayUpdate: ContractRequest, Equatable {
    public static let type = "networks.days.update"
    public typealias Reply = Day
    /// Known to the service but refused with their own message.
    public static let unchangeable: Set<String> = ["centreId", "id", "status"]
    public static var fields: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)).union(unchangeable) }
    public var dayId: String
    public var title: String?
    public var theme: String?
    public var date: String?
    public var startTime: String?
    public var endTime: String?
    public var venue: String?
    public var organisers: [String]?
    public var programme: [ProgrammeItem]?
    public var capacity: Int?
    public var feeSEK: Int?
    public var deadline: String?
    public var contactEmail: String?
    public var purgeAfterDays: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case dayId, title, theme, date, startTime, endTime, venue, organisers, programme, capacity, feeSEK, deadline, contactEmail, purgeAfterDays
    }
    public init(dayId: String, title: String? = nil, theme: String? = nil, date: String? = nil, startTime: String? = nil, endTime: String? = nil,
                venue: String? = nil, organisers: [String]? = nil, programme: [ProgrammeItem]? = nil, capacity: Int? = nil, feeSEK: Int? = nil,
                deadline: String? = nil, contactEmail: String? = nil, purgeAfterDays: Int? = nil) {
        self.dayId = dayId; self.title = title; self.theme = theme; self.date = date; self.startTime = startTime; self.endTime = endTime
        self.venue = venue; self.organisers = organisers; self.programme = programme; self.capacity = capacity; self.feeSEK = feeSEK
        self.deadline = deadline; self.contactEmail = contactEmail; self.purgeAfterDays = purgeAfterDays
    }
}

/// `networks.days.cancel`: no more registrations; a cancellation (METHOD:CANCEL) goes to every agency invited.
public struct DayCancel: ContractRequest, Equatable {
    public static let type = "networks.days.cancel"
    public typealias Reply = Day
    public enum CodingKeys: String, CodingKey, CaseIterable { case dayId }
    public var dayId: String
    public init(dayId: String) { self.dayId = dayId }
}

/// `networks.days.get`: the day with seats taken, left and waiting.
public struct DayGet: ContractRequest, Equatable {
    public static let type = "networks.days.get"
    public typealias Reply = Day
    public enum CodingKeys: String, CodingKey, CaseIterable { case dayId }
    public var dayId: String
    public init(dayId: String) { self.dayId = dayId }
}

/// `networks.days.list`: the days by date — staff their own centre's, an administrator the centre named or all.
public struct DayList: ContractRequest, Equatable {
    public static let type = "networks.days.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var days: [Day]
        public init(days: [Day]) { self.days = days }
    }
    public var centreId: String?
    public var year: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, year }
    public init(centreId: String? = nil, year: Int? = nil) { self.centreId = centreId; self.year = year }
}

/// `networks.days.public`: what the public registration page shows (never anyone's registration),
/// with the agencies and the centre's municipalities to choose from.
public struct DayPublic: ContractRequest, Equatable {
    public static let type = "networks.days.public"
    public enum CodingKeys: String, CodingKey, CaseIterable { case dayId }
    public var dayId: String
    public init(dayId: String) { self.dayId = dayId }

    /// The public view of the day (as `event`), and the choices of the form.
    public typealias Reply = PublicRegistrationForm<Day>
}

/// `networks.days.invite`: invitations (iCalendar REQUEST) to every adapter whose agency has an
/// active contact person at the centre, and an e-mail to each of them.
public struct DayInvite: ContractRequest, Equatable {
    public static let type = "networks.days.invite"
    public typealias Reply = InvitationsSent
    public var dayId: String
    /// The public registration page (`http://` or `https://`).
    public var registrationUrl: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case dayId, registrationUrl }
    public init(dayId: String, registrationUrl: String) { self.dayId = dayId; self.registrationUrl = registrationUrl }
}

/// What an invitation (or its change or cancellation) reached.
public struct InvitationsSent: Sendable, Codable, Equatable {
    public var dayId: String
    public var method: InvitationMethod
    public var sequence: Int
    /// The adapters that got an `agency.<adapter>.invitation` event.
    public var adapters: [String]
    /// Active contact persons of the centre.
    public var recipients: Int
    /// Mails queued (one per contact person not mailed this invitation before).
    public var mails: Int
    public init(dayId: String, method: InvitationMethod, sequence: Int, adapters: [String], recipients: Int, mails: Int) {
        self.dayId = dayId; self.method = method; self.sequence = sequence; self.adapters = adapters
        self.recipients = recipients; self.mails = mails
    }
}
