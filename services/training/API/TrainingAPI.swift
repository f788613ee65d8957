import HubProtocol
@_exported import RegistrationAPI

/// The training service's contract: every message it takes, as a request type named with its
/// bus type and its reply type, its error reasons and its vocabulary (kinds of event, the parts
/// and stages of targeted supervision). See services/training/README.md.
public enum TrainingAPI {
    /// The service's name on the bus.
    public static let service = "training"

    /// Every message type of the service with its request type (the handler table's keys).
    public static let messages: [String: any ContractRequest.Type] = Dictionary(uniqueKeysWithValues: requestTypes.map { ($0.type, $0) })

    static let requestTypes: [any ContractRequest.Type] = [
        EventCreate.self, EventCancel.self, EventGet.self, EventList.self, EventPublic.self, EventInvite.self, ReferenceGet.self,
        RegistrationCreate.self, RegistrationGet.self, RegistrationCancel.self, RegistrationList.self, RegistrationExport.self,
        RegistrationInvoice.self, AttendanceMark.self, AttendanceGet.self,
        CertificateIssue.self, CertificateGet.self, EvaluationSubmit.self, EvaluationSummary.self,
        LectureCreate.self, LectureList.self, SupervisionCreate.self, SupervisionPart.self, SupervisionSession.self,
        SupervisionGet.self, SupervisionList.self, SupervisionCoverage.self, YearReviewGet.self,
        MailFlush.self, MailOutboxList.self,
    ]
}

// MARK: Vocabulary

/// What kind of event a training is.
public enum EventKind: String, Vocabulary {
    case training
    case openHouse = "open-house"
    case conference
    case manualTraining = "manual-training"
    public var sv: String {
        switch self { case .training: "Utbildning"; case .openHouse: "Öppet hus"; case .conference: "Konferens"; case .manualTraining: "Manualutbildning" }
    }
    public var en: String {
        switch self { case .training: "Training"; case .openHouse: "Open house"; case .conference: "Conference"; case .manualTraining: "Manual training" }
    }
}

/// A training's status as stored.
public enum EventStatus: String, Vocabulary {
    case open, cancelled
    public var sv: String { self == .open ? "Planerad" : "Inställd" }
    public var en: String { self == .open ? "Scheduled" : "Cancelled" }
}

/// The three parts of a targeted supervision assignment, in the order they must happen.
public enum SupervisionPartName: String, Vocabulary {
    case information, dialogue, onsite
    public var sv: String {
        switch self { case .information: "Information/utbildning"; case .dialogue: "Behovsdialog"; case .onsite: "Konsultation/handledning på plats" }
    }
    public var en: String {
        switch self { case .information: "Information/training"; case .dialogue: "Needs dialogue"; case .onsite: "On-site consultation/supervision" }
    }
}

/// Where a part of an assignment stands.
public enum PartStatus: String, Vocabulary {
    case notStarted = "not_started", planned, done
    public var sv: String { switch self { case .notStarted: "Ej påbörjad"; case .planned: "Planerad"; case .done: "Genomförd" } }
    public var en: String { switch self { case .notStarted: "Not started"; case .planned: "Planned"; case .done: "Done" } }
}

/// The stage an assignment (and the furthest of a municipality's) has reached.
public enum SupervisionStage: String, Vocabulary {
    case notContacted = "not_contacted", dialogueHeld = "dialogue_held", supervisionOngoing = "supervision_ongoing", completed
    public var sv: String {
        switch self {
        case .notContacted: "Ej kontaktad"; case .dialogueHeld: "Behovsdialog genomförd"; case .supervisionOngoing: "Handledning pågår"; case .completed: "Avslutad"
        }
    }
    public var en: String {
        switch self {
        case .notContacted: "Not contacted"; case .dialogueHeld: "Needs dialogue held"; case .supervisionOngoing: "Supervision ongoing"; case .completed: "Completed"
        }
    }
}

/// The error reasons (`HubError.reason`) the training service gives beyond the shared field
/// checks; registration's are `RegistrationErrorReason`.
public enum TrainingErrorReason {
    /// Two sessions overlap.
    public static let overlap = HubError.Reason.overlap
    /// A session ends before it starts.
    public static let endBeforeStart = HubError.Reason.endBeforeStart
    /// The registration deadline is after the first session.
    public static let deadlineAfterStart = HubError.Reason.deadlineAfterStart
    /// A supervision part before this one is not done.
    public static let outOfOrder = HubError.Reason.outOfOrder
    /// A part's date is before the previous part's.
    public static let beforePrevious = HubError.Reason.beforePrevious
    /// A later part has already started.
    public static let laterStarted = HubError.Reason.laterStarted
    /// A session of a part that is not planned.
    public static let notPlanned = HubError.Reason.notPlanned
    /// Not a partner agency, municipality of the centre or kind.
    public static let notAChoice = HubError.Reason.notAChoice
}

// MARK: Events

/// A trainer of an event.
public struct Trainer: Sendable, Codable, Equatable {
    public var name: String
    /// From outside Utväg.
    public var external: Bool?
    @Nullable public var organisation: String?
    public init(name: String, external: Bool? = nil, organisation: String? = nil) {
        self.name = name; self.external = external; self.organisation = organisation
    }
}

/// A session as a new training gives it.
public struct SessionInput: Sendable, Codable, Equatable {
    public var date: String
    public var startTime: String
    public var endTime: String
    public var venue: String
    public init(date: String, startTime: String, endTime: String, venue: String) {
        self.date = date; self.startTime = startTime; self.endTime = endTime; self.venue = venue
    }
}

/// A stored session, numbered in time order.
public struct Session: Sendable, Codable, Equatable {
    public var id: String
    public var number: Int
    public var date: String
    public var startTime: String
    public var endTime: String
    public var venue: String
    /// ISO 8601 UTC.
    public var startsAt: String
    public var endsAt: String
    public init(id: String, number: Int, date: String, startTime: String, endTime: String, venue: String, startsAt: String, endsAt: String) {
        self.id = id; self.number = number; self.date = date; self.startTime = startTime; self.endTime = endTime; self.venue = venue
        self.startsAt = startsAt; self.endsAt = endsAt
    }
}

/// A training, open house, conference or manual training with its sessions and seats.
/// Organisers see every member; the public page's reply leaves out `contactEmail` and `taken`.
/// The registration's members (`EventRegistration`) stand in the training's own JSON object.
public struct TrainingEvent: ViewedEvent {
    public var id: String
    public var centreId: String
    public var kind: EventKind
    public var title: String
    public var focus: String?
    public var audience: String
    public var description: String?
    public var trainers: [Trainer]
    public var sessions: [Session]
    public var firstDate: String
    public var lastDate: String
    public var capacity: Int
    public var feeSEK: Int
    public var deadline: String
    /// Whether a full training takes people on a waiting list.
    public var waitingList: Bool
    public var status: EventStatus
    /// The last session has ended.
    public var ended: Bool
    /// Contact, invitation and seats, as for a network day.
    public var registration: EventRegistration

    /// The training's own members; the registration's are `EventRegistration.CodingKeys`.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, centreId, kind, title, focus, audience, description, trainers, sessions, firstDate, lastDate, capacity, feeSEK, deadline
        case waitingList, status, ended
    }

    public init(id: String, centreId: String, kind: EventKind, title: String, focus: String? = nil, audience: String, description: String? = nil,
                trainers: [Trainer] = [], sessions: [Session], firstDate: String, lastDate: String, capacity: Int, feeSEK: Int = 0, deadline: String,
                waitingList: Bool = true, contactEmail: String? = nil, status: EventStatus = .open, sequence: Int = 0, invitationsSentAt: String? = nil,
                registrationUrl: String? = nil, taken: Int? = 0, seatsLeft: Int, waiting: Int = 0, registrationOpen: Bool = true, ended: Bool = false,
                purged: Bool = false, view: EventView = .organiser) {
        self.id = id; self.centreId = centreId; self.kind = kind; self.title = title; self.focus = focus; self.audience = audience
        self.description = description; self.trainers = trainers; self.sessions = sessions; self.firstDate = firstDate; self.lastDate = lastDate
        self.capacity = capacity; self.feeSEK = feeSEK; self.deadline = deadline; self.waitingList = waitingList; self.status = status
        self.ended = ended
        registration = EventRegistration(contactEmail: contactEmail, sequence: sequence, invitationsSentAt: invitationsSentAt,
                                         registrationUrl: registrationUrl, taken: taken, seatsLeft: seatsLeft, waiting: waiting,
                                         registrationOpen: registrationOpen, purged: purged, view: view)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id); centreId = try c.decode(String.self, forKey: .centreId)
        kind = try c.decode(EventKind.self, forKey: .kind); title = try c.decode(String.self, forKey: .title)
        focus = try c.decodeIfPresent(String.self, forKey: .focus); audience = try c.decode(String.self, forKey: .audience)
        description = try c.decodeIfPresent(String.self, forKey: .description); trainers = try c.decode([Trainer].self, forKey: .trainers)
        sessions = try c.decode([Session].self, forKey: .sessions); firstDate = try c.decode(String.self, forKey: .firstDate)
        lastDate = try c.decode(String.self, forKey: .lastDate); capacity = try c.decode(Int.self, forKey: .capacity)
        feeSEK = try c.decode(Int.self, forKey: .feeSEK); deadline = try c.decode(String.self, forKey: .deadline)
        waitingList = try c.decode(Bool.self, forKey: .waitingList); status = try c.decode(EventStatus.self, forKey: .status)
        ended = try c.decode(Bool.self, forKey: .ended)
        registration = try EventRegistration(from: decoder)
    }

    /// Every member, null where there is no value, except what the view leaves out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(centreId, forKey: .centreId); try c.encode(kind, forKey: .kind); try c.encode(title, forKey: .title)
        try c.encode(focus, forKey: .focus); try c.encode(audience, forKey: .audience); try c.encode(description, forKey: .description)
        try c.encode(trainers, forKey: .trainers); try c.encode(sessions, forKey: .sessions); try c.encode(firstDate, forKey: .firstDate)
        try c.encode(lastDate, forKey: .lastDate); try c.encode(capacity, forKey: .capacity); try c.encode(feeSEK, forKey: .feeSEK)
        try c.encode(deadline, forKey: .deadline); try c.encode(waitingList, forKey: .waitingList)
        try registration.encode(to: encoder)
        try c.encode(status, forKey: .status); try c.encode(ended, forKey: .ended)
    }
}


/// `training.events.create`: a training with its sessions, open for registration at once.
public struct EventCreate: ContractRequest, Equatable {
    public static let type = "training.events.create"
    public typealias Reply = TrainingEvent
    public var centreId: String
    public var kind: EventKind
    public var title: String
    public var focus: String?
    public var audience: String
    public var description: String?
    public var trainers: [Trainer]?
    public var sessions: [SessionInput]
    public var capacity: Int
    public var feeSEK: Int?
    public var deadline: String
    /// Default true.
    public var waitingList: Bool?
    public var contactEmail: String?
    public var purgeAfterDays: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case centreId, kind, title, focus, audience, description, trainers, sessions, capacity, feeSEK, deadline, waitingList, contactEmail, purgeAfterDays
    }
}

/// `training.events.cancel`: no more registrations; a cancellation goes to the agencies invited.
public struct EventCancel: ContractRequest, Equatable {
    public static let type = "training.events.cancel"
    public typealias Reply = TrainingEvent
    public var eventId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId }
    public init(eventId: String) { self.eventId = eventId }
}

/// `training.events.get`: the training with its sessions and seats.
public struct EventGet: ContractRequest, Equatable {
    public static let type = "training.events.get"
    public typealias Reply = TrainingEvent
    public var eventId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId }
    public init(eventId: String) { self.eventId = eventId }
}

/// `training.events.list`: trainings by first date.
public struct EventList: ContractRequest, Equatable {
    public static let type = "training.events.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var events: [TrainingEvent]
        public init(events: [TrainingEvent]) { self.events = events }
    }
    public var centreId: String?
    public var year: Int?
    public var kind: EventKind?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, year, kind }
    public init(centreId: String? = nil, year: Int? = nil, kind: EventKind? = nil) { self.centreId = centreId; self.year = year; self.kind = kind }
}

/// `training.events.public`: what the public registration page may show, never a participant.
public struct EventPublic: ContractRequest, Equatable {
    public static let type = "training.events.public"
    public var eventId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId }
    public init(eventId: String) { self.eventId = eventId }

    /// The public view of the training (as `event`: no `contactEmail`, no `taken`), and the form's choices.
    public typealias Reply = PublicRegistrationForm<TrainingEvent>
}

/// `training.events.invite`: invitations to every partner agency with an adapter (or those named),
/// with the centre's contact persons (asked of the networks service) as attendees.
public struct EventInvite: ContractRequest, Equatable {
    public static let type = "training.events.invite"
    public var eventId: String
    public var registrationUrl: String
    public var agencies: [String]?
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId, registrationUrl, agencies }
    public init(eventId: String, registrationUrl: String, agencies: [String]? = nil) {
        self.eventId = eventId; self.registrationUrl = registrationUrl; self.agencies = agencies
    }

    public struct Reply: Sendable, Codable, Equatable {
        public var eventId: String
        /// `REQUEST` or `CANCEL`.
        public var method: String
        public var sequence: Int
        public var adapters: [String]
        public var recipients: Int
        /// Whether the networks service answered with the contact persons.
        public var contactsAvailable: Bool
        public init(eventId: String, method: String, sequence: Int, adapters: [String], recipients: Int, contactsAvailable: Bool) {
            self.eventId = eventId; self.method = method; self.sequence = sequence; self.adapters = adapters; self.recipients = recipients
            self.contactsAvailable = contactsAvailable
        }
    }
}

/// `training.reference.get`: the centres, agencies and kinds for the forms.
public struct ReferenceGet: MemberlessRequest, Equatable {
    public static let type = "training.reference.get"
    public struct Reply: Sendable, Codable, Equatable {
        public struct Centre: Sendable, Codable, Equatable {
            public var id: String
            public var name: String
            public var municipalities: [String]
            public init(id: String, name: String, municipalities: [String]) { self.id = id; self.name = name; self.municipalities = municipalities }
        }
        public var centres: [Centre]
        public var agencies: [AgencyChoice]
        public var kinds: [EventKind]
        public init(centres: [Centre], agencies: [AgencyChoice], kinds: [EventKind]) { self.centres = centres; self.agencies = agencies; self.kinds = kinds }
    }
    public init() {}
}
