import HubProtocol

/// How this service's registration messages are named (`training.…`, the event as `eventId`).
public enum TrainingRegistration: RegistrationMessages {
    public static let service = "training"
    public static let eventKey = "eventId"
}

/// `training.registrations.create`: one person or a group booking (see `RegistrationCreateRequest`).
public typealias RegistrationCreate = RegistrationCreateRequest<TrainingRegistration>

/// `training.registrations.get`: one's own place and the training (no contact e-mail), by the personal link.
public struct RegistrationGet: ContractRequest, Equatable {
    public static let type = "training.registrations.get"
    public struct Reply: Sendable, Codable, Equatable {
        public var participant: Participant
        /// The training in the link view (no contact e-mail).
        public var event: TrainingEvent
        public init(participant: Participant, event: TrainingEvent) { self.participant = participant; self.event = event.viewed(as: .link) }
        enum CodingKeys: String, CodingKey { case participant, event }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            participant = try c.decode(Participant.self, forKey: .participant)
            event = try c.decode(TrainingEvent.self, forKey: .event).viewed(as: .link)
        }
    }
    public var token: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case token }
    public init(token: String) { self.token = token }
}

/// `training.registrations.cancel`: cancels by the personal link; the freed seat goes to the next in line.
public struct RegistrationCancel: ContractRequest, Equatable {
    public static let type = "training.registrations.cancel"
    public typealias Reply = CancellationReply
    public var token: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case token }
    public init(token: String) { self.token = token }
}

/// `training.registrations.list` (organisers): seats, the waiting list in order, cancellations.
public struct RegistrationList: ContractRequest, Equatable {
    public static let type = "training.registrations.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var event: TrainingEvent
        public var participants: [Participant]
        public init(event: TrainingEvent, participants: [Participant]) { self.event = event; self.participants = participants }
    }
    public var eventId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId }
    public init(eventId: String) { self.eventId = eventId }
}

/// `training.registrations.export`: the participant list as a spreadsheet file.
public struct RegistrationExport: ContractRequest, Equatable {
    public static let type = "training.registrations.export"
    public typealias Reply = ExportReply
    public var eventId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId }
    public init(eventId: String) { self.eventId = eventId }
}

/// `training.registrations.invoice`: people × fee per agency and invoice reference, and the totals.
/// (The training is under `day`, as in the networks service's reply.)
public struct RegistrationInvoice: ContractRequest, Equatable {
    public static let type = "training.registrations.invoice"
    public struct Reply: Sendable, Codable, Equatable {
        public var day: TrainingEvent
        public var feeSEK: Int
        public var lines: [InvoiceRow]
        public var totalSEK: Int
        public var people: Int
        public init(day: TrainingEvent, feeSEK: Int, lines: [InvoiceRow], totalSEK: Int, people: Int) {
            self.day = day; self.feeSEK = feeSEK; self.lines = lines; self.totalSEK = totalSEK; self.people = people
        }
    }
    public var eventId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId }
    public init(eventId: String) { self.eventId = eventId }
}

/// One attendance mark of a session.
public struct AttendanceMarkEntry: Sendable, Codable, Equatable {
    public var participantId: String
    /// Absent from a body: attended, as the service reads it (so that such a body still fits
    /// the contract and its other members are checked).
    public var attended: Bool
    public init(participantId: String, attended: Bool) { self.participantId = participantId; self.attended = attended }
    enum CodingKeys: String, CodingKey { case participantId, attended }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        participantId = try c.decode(String.self, forKey: .participantId)
        attended = try c.decodeIfPresent(Bool.self, forKey: .attended) ?? true
    }
}

/// `training.attendance.mark`: attendance for one session that has started; one refused mark stores none.
public struct AttendanceMark: ContractRequest, Equatable {
    public static let type = "training.attendance.mark"
    public struct Reply: Sendable, Codable, Equatable {
        public var sessionId: String
        public var marked: Int
        public init(sessionId: String, marked: Int) { self.sessionId = sessionId; self.marked = marked }
    }
    public var sessionId: String
    public var marks: [AttendanceMarkEntry]
    public enum CodingKeys: String, CodingKey, CaseIterable { case sessionId, marks }
    public init(sessionId: String, marks: [AttendanceMarkEntry]) { self.sessionId = sessionId; self.marks = marks }
}

/// `training.attendance.get`: the sessions, and per person with a seat the sessions attended.
public struct AttendanceGet: ContractRequest, Equatable {
    public static let type = "training.attendance.get"
    public struct Reply: Sendable, Codable, Equatable {
        public struct Row: Sendable, Codable, Equatable {
            public var participantId: String
            public var name: String
            public var agency: String
            @Nullable public var municipality: String?
            /// Attended, per session in order.
            public var sessions: [Bool]
            public var allSessions: Bool
            @Nullable public var certificateId: String?
            public init(participantId: String, name: String, agency: String, municipality: String? = nil, sessions: [Bool], allSessions: Bool,
                        certificateId: String? = nil) {
                self.participantId = participantId; self.name = name; self.agency = agency; self.municipality = municipality
                self.sessions = sessions; self.allSessions = allSessions; self.certificateId = certificateId
            }
        }
        public var event: TrainingEvent
        public var sessions: [Session]
        public var participants: [Row]
        public init(event: TrainingEvent, sessions: [Session], participants: [Row]) { self.event = event; self.sessions = sessions; self.participants = participants }
    }
    public var eventId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId }
    public init(eventId: String) { self.eventId = eventId }
}

/// `training.mail.flush`: sends queued mail through the relay (the service's timer runs it).
public struct MailFlush: ContractRequest, Equatable {
    public static let type = "training.mail.flush"
    public typealias Reply = MailFlushReply
    public var limit: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable { case limit }
    public init(limit: Int? = nil) { self.limit = limit }
}

/// `training.mail.outbox`: the queued and sent mail about a training (who and what, never the text).
public struct MailOutboxList: ContractRequest, Equatable {
    public static let type = "training.mail.outbox"
    public struct Reply: Sendable, Codable, Equatable {
        public var mail: [OutboxMail]
        public init(mail: [OutboxMail]) { self.mail = mail }
    }
    public var eventId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId }
    public init(eventId: String) { self.eventId = eventId }
}
