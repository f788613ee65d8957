import HubProtocol

// The registration messages' shapes, the same for network days and trainings (both run on
// the shared `RegistrationEngine`): who registers, where they stand, what a link shows. Each
// service's contract (`NetworksAPI`, `TrainingAPI`) names its messages with these parts.

/// Where a participant stands for an event.
public enum ParticipantStatus: String, Vocabulary {
    /// Has a seat.
    case confirmed
    /// On the waiting list, promoted in order when a seat frees up.
    case waiting
    /// Cancelled (by the person, their booker or an organiser); the seat was given back.
    case cancelled

    public var sv: String {
        switch self {
        case .confirmed: "Plats bekräftad"
        case .waiting: "Väntelista"
        case .cancelled: "Avbokad"
        }
    }

    public var en: String {
        switch self {
        case .confirmed: "Seat confirmed"
        case .waiting: "Waiting list"
        case .cancelled: "Cancelled"
        }
    }
}

/// The language a person registered in (the page's language); the mail they get about
/// their place — the confirmation, and later "you have a seat" — is written in it.
public enum MailLanguage: String, Sendable, Codable, CaseIterable {
    case sv, en
}

/// A registered person as organisers see them (and as the person sees themself by their link).
/// Members without a value are left out of the JSON.
public struct Participant: Sendable, Codable, Equatable {
    public var id: String
    public var eventId: String
    public var bookingId: String
    public var name: String
    public var agency: String
    public var municipality: String?
    public var email: String
    public var dietary: String?
    public var invoiceReference: String?
    public var status: ParticipantStatus
    /// Arrival order within the event (1 = first); the waiting list is served in this order.
    public var sequence: Int
    /// 1-based place on the waiting list, when waiting.
    public var waitingPosition: Int?
    public var attended: Bool
    public var checkedInAt: String?
    public var registeredAt: String
    public var cancelledAt: String?
    /// The language they registered in (their mail is written in it).
    public var language: MailLanguage

    public init(id: String, eventId: String, bookingId: String, name: String, agency: String, municipality: String? = nil, email: String,
                dietary: String? = nil, invoiceReference: String? = nil, status: ParticipantStatus, sequence: Int, waitingPosition: Int? = nil,
                attended: Bool = false, checkedInAt: String? = nil, registeredAt: String, cancelledAt: String? = nil, language: MailLanguage = .sv) {
        self.id = id; self.eventId = eventId; self.bookingId = bookingId; self.name = name; self.agency = agency
        self.municipality = municipality; self.email = email; self.dietary = dietary; self.invoiceReference = invoiceReference
        self.status = status; self.sequence = sequence; self.waitingPosition = waitingPosition; self.attended = attended
        self.checkedInAt = checkedInAt; self.registeredAt = registeredAt; self.cancelledAt = cancelledAt; self.language = language
    }
}

/// One colleague in a group booking (`participants[i]` of a registration).
public struct Registrant: Sendable, Codable, Equatable {
    public var name: String
    public var agency: String
    public var municipality: String?
    public var email: String
    public var dietary: String?
    /// The personal cancellation link's token, made by the caller (only its SHA-256 is stored).
    public var cancelToken: String
    public init(name: String, agency: String, municipality: String? = nil, email: String, dietary: String? = nil, cancelToken: String) {
        self.name = name; self.agency = agency; self.municipality = municipality; self.email = email
        self.dietary = dietary; self.cancelToken = cancelToken
    }
}

/// Who books for a group: they get the manage link's mail.
public struct Booker: Sendable, Codable, Equatable {
    public var name: String
    public var email: String
    public init(name: String, email: String) { self.name = name; self.email = email }
}

/// One place of a registration's reply: the participant, their status and place in line.
public struct PlacedParticipant: Sendable, Codable, Equatable {
    public var participantId: String
    public var status: ParticipantStatus
    /// 1-based place on the waiting list; null with a seat.
    @Nullable public var waitingPosition: Int?
    public init(participantId: String, status: ParticipantStatus, waitingPosition: Int? = nil) {
        self.participantId = participantId; self.status = status; self.waitingPosition = waitingPosition
    }
}

/// The reply to a cancellation or a move: the place as it is now, and the ids of whoever
/// moved up from the waiting list (they are told by mail).
public struct CancellationReply: Sendable, Codable, Equatable {
    public var participant: Participant
    public var promoted: [String]
    public init(participant: Participant, promoted: [String]) { self.participant = participant; self.promoted = promoted }
}

/// One move of a participant by an organiser, with its reason (oldest first in a list).
public struct ParticipantMove: Sendable, Codable, Equatable {
    public var fromEventId: String
    public var toEventId: String
    public var fromStatus: ParticipantStatus
    public var toStatus: ParticipantStatus
    /// Empty once the event's personal data is purged.
    public var reason: String
    /// Who moved them; null once purged.
    @Nullable public var actor: String?
    public var movedAt: String
    public init(fromEventId: String, toEventId: String, fromStatus: ParticipantStatus, toStatus: ParticipantStatus, reason: String,
                actor: String?, movedAt: String) {
        self.fromEventId = fromEventId; self.toEventId = toEventId; self.fromStatus = fromStatus; self.toStatus = toStatus
        self.reason = reason; self.actor = actor; self.movedAt = movedAt
    }
}

/// The participant list as a spreadsheet file (`CSVText`: semicolons, UTF-8 BOM, Swedish columns).
public struct ExportReply: Sendable, Codable, Equatable {
    public var filename: String
    public var csv: String
    public init(filename: String, csv: String) { self.filename = filename; self.csv = csv }
}

/// One row of an invoice basis: people with a seat × fee, per agency and invoice reference.
public struct InvoiceRow: Sendable, Codable, Equatable {
    public var agency: String
    public var agencyName: String
    public var invoiceReference: String
    public var people: Int
    public var feeSEK: Int
    public var amountSEK: Int
    public init(agency: String, agencyName: String, invoiceReference: String, people: Int, feeSEK: Int, amountSEK: Int) {
        self.agency = agency; self.agencyName = agencyName; self.invoiceReference = invoiceReference
        self.people = people; self.feeSEK = feeSEK; self.amountSEK = amountSEK
    }
}

/// The error reasons (`HubError.reason`) a registration may be refused with, beyond the
/// shared field checks (`required`, `too_long`, `invalid_email`, …).
public enum RegistrationErrorReason {
    /// The e-mail address is already registered for the event (or twice in one booking).
    public static let taken = HubError.Reason.taken
    /// The registration deadline has passed.
    public static let deadlinePassed = HubError.Reason.deadlinePassed
    /// The event is cancelled.
    public static let eventCancelled = HubError.Reason.eventCancelled
    /// The event has started: no more registrations or cancellations.
    public static let eventStarted = HubError.Reason.eventStarted
    /// Not one of the partner agencies, municipalities or languages.
    public static let notAChoice = HubError.Reason.notAChoice
    /// More people than one booking may hold.
    public static let tooMany = HubError.Reason.tooMany
}

/// A service whose events take registrations through the shared engine, as its messages name
/// them: networks (`networks.…`, `dayId`) and training (`training.…`, `eventId`).
public protocol RegistrationMessages: Sendable {
    /// The service's name on the bus.
    static var service: String { get }
    /// The body member that names the event.
    static var eventKey: String { get }
}

/// `<service>.registrations.create`: one person (`name`, `agency`, `email`, `cancelToken`, …) or a
/// group booking (`booker`, `manageToken`, `participants`) for an event, the same for every
/// service but for the member naming the event (`Service.eventKey`). Tokens are made by the
/// caller; only their SHA-256 is stored. The engine checks every field before it looks the event up.
public struct RegistrationCreateRequest<Service: RegistrationMessages>: ContractRequest, Equatable {
    public static var type: String { Service.service + ".registrations.create" }
    /// Sent as `Service.eventKey` (`dayId`, `eventId`).
    public var eventId: String
    /// One person: their details.
    public var name: String?
    public var agency: String?
    public var municipality: String?
    public var email: String?
    public var dietary: String?
    public var cancelToken: String?
    /// Of the whole booking.
    public var invoiceReference: String?
    /// A group: who books, their manage link's token, and the colleagues.
    public var booker: Booker?
    public var manageToken: String?
    public var participants: [Registrant]?
    /// The page's language: every mail about these places is written in it (default `sv`).
    public var language: MailLanguage?

    /// One person.
    public init(eventId: String, person: Registrant, invoiceReference: String? = nil, language: MailLanguage? = nil) {
        self.eventId = eventId; name = person.name; agency = person.agency; municipality = person.municipality; email = person.email
        dietary = person.dietary; cancelToken = person.cancelToken; self.invoiceReference = invoiceReference; self.language = language
    }

    /// A group booking.
    public init(eventId: String, booker: Booker?, manageToken: String, participants: [Registrant], invoiceReference: String?, language: MailLanguage? = nil) {
        self.eventId = eventId; self.booker = booker; self.manageToken = manageToken; self.participants = participants
        self.invoiceReference = invoiceReference; self.language = language
    }

    /// The members: the service's event key, then the rest.
    public struct CodingKeys: CodingKey, CaseIterable, Sendable {
        public var stringValue: String
        public var intValue: Int? { nil }
        public init?(stringValue: String) { self.stringValue = stringValue }
        public init?(intValue: Int) { nil }
        init(_ name: String) { stringValue = name }
        public static var allCases: [CodingKeys] {
            ([Service.eventKey] + ["name", "agency", "municipality", "email", "dietary", "cancelToken", "invoiceReference", "booker",
                                   "manageToken", "participants", "language"]).map(CodingKeys.init)
        }
        static var event: CodingKeys { CodingKeys(Service.eventKey) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: String) throws -> String? { try c.decodeIfPresent(String.self, forKey: CodingKeys(key)) }
        eventId = try c.decode(String.self, forKey: .event)
        name = try text("name"); agency = try text("agency"); municipality = try text("municipality"); email = try text("email")
        dietary = try text("dietary"); cancelToken = try text("cancelToken"); invoiceReference = try text("invoiceReference")
        manageToken = try text("manageToken")
        booker = try c.decodeIfPresent(Booker.self, forKey: CodingKeys("booker"))
        participants = try c.decodeIfPresent([Registrant].self, forKey: CodingKeys("participants"))
        language = try c.decodeIfPresent(MailLanguage.self, forKey: CodingKeys("language"))
    }

    /// Members without a value are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(eventId, forKey: .event)
        for (key, value) in [("name", name), ("agency", agency), ("municipality", municipality), ("email", email), ("dietary", dietary),
                             ("cancelToken", cancelToken), ("invoiceReference", invoiceReference), ("manageToken", manageToken)] {
            try c.encodeIfPresent(value, forKey: CodingKeys(key))
        }
        try c.encodeIfPresent(booker, forKey: CodingKeys("booker"))
        try c.encodeIfPresent(participants, forKey: CodingKeys("participants"))
        try c.encodeIfPresent(language, forKey: CodingKeys("language"))
    }

    /// Each place: a seat while seats are left, else the next place in line.
    public struct Reply: Sendable, Codable, Equatable {
        /// Sent as `Service.eventKey`.
        public var eventId: String
        public var bookingId: String
        public var participants: [PlacedParticipant]
        public init(eventId: String, bookingId: String, participants: [PlacedParticipant]) {
            self.eventId = eventId; self.bookingId = bookingId; self.participants = participants
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            eventId = try c.decode(String.self, forKey: .event)
            bookingId = try c.decode(String.self, forKey: CodingKeys("bookingId"))
            participants = try c.decode([PlacedParticipant].self, forKey: CodingKeys("participants"))
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(eventId, forKey: .event)
            try c.encode(bookingId, forKey: CodingKeys("bookingId"))
            try c.encode(participants, forKey: CodingKeys("participants"))
        }
    }
}

/// An agency's id and name, for a form's choice.
public struct AgencyChoice: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public init(id: String, name: String) { self.id = id; self.name = name }
}

/// What the public registration page shows: the event in its public view and the form's
/// choices, in one object (the event's members beside `centreName`, `agencies`, `municipalities`).
public struct PublicRegistrationForm<Event: ViewedEvent>: Sendable, Codable, Equatable {
    public var event: Event
    public var centreName: String
    public var agencies: [AgencyChoice]
    /// The centre's municipalities.
    public var municipalities: [String]
    public init(event: Event, centreName: String, agencies: [AgencyChoice], municipalities: [String]) {
        self.event = event.viewed(as: .public); self.centreName = centreName; self.agencies = agencies; self.municipalities = municipalities
    }
    enum Extra: String, CodingKey { case centreName, agencies, municipalities }
    public init(from decoder: any Decoder) throws {
        event = try Event(from: decoder).viewed(as: .public)
        let c = try decoder.container(keyedBy: Extra.self)
        centreName = try c.decode(String.self, forKey: .centreName)
        agencies = try c.decode([AgencyChoice].self, forKey: .agencies)
        municipalities = try c.decode([String].self, forKey: .municipalities)
    }
    public func encode(to encoder: any Encoder) throws {
        try event.viewed(as: .public).encode(to: encoder)
        var c = encoder.container(keyedBy: Extra.self)
        try c.encode(centreName, forKey: .centreName); try c.encode(agencies, forKey: .agencies)
        try c.encode(municipalities, forKey: .municipalities)
    }
}
