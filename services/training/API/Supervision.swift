import HubProtocol

// MARK: Certificates and evaluations

/// A certificate of attendance, with its print-ready page.
public struct Certificate: Sendable, Codable, Equatable {
    public var id: String
    /// `UTB-<year>-<nnnn>`.
    public var number: String
    public var eventId: String
    public var participantId: String
    public var issuedAt: String
    /// One A4 page, no scripts.
    public var html: String
    public init(id: String, number: String, eventId: String, participantId: String, issuedAt: String, html: String) {
        self.id = id; self.number = number; self.eventId = eventId; self.participantId = participantId; self.issuedAt = issuedAt; self.html = html
    }
}

/// `training.certificates.issue`: for one person, or for everyone who attended every session.
public struct CertificateIssue: ContractRequest, Equatable {
    public static let type = "training.certificates.issue"
    public struct Reply: Sendable, Codable, Equatable {
        public var eventId: String
        public var certificates: [Certificate]
        /// People with a seat who missed a session.
        public var notEligible: Int
        public init(eventId: String, certificates: [Certificate], notEligible: Int) {
            self.eventId = eventId; self.certificates = certificates; self.notEligible = notEligible
        }
    }
    public var eventId: String
    public var participantId: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId, participantId }
    public init(eventId: String, participantId: String? = nil) { self.eventId = eventId; self.participantId = participantId }
}

/// `training.certificates.get`: the certificate with its page.
public struct CertificateGet: ContractRequest, Equatable {
    public static let type = "training.certificates.get"
    public typealias Reply = Certificate
    public var certificateId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case certificateId }
    public init(certificateId: String) { self.certificateId = certificateId }
}

/// `training.evaluations.submit`: scores 1–5 after the last session, within 60 days; the token
/// (made by the form) is usable once.
public struct EvaluationSubmit: ContractRequest, Equatable {
    public static let type = "training.evaluations.submit"
    public struct Reply: Sendable, Codable, Equatable {
        public var eventId: String
        public var received: Bool
        public init(eventId: String, received: Bool) { self.eventId = eventId; self.received = received }
    }
    public var eventId: String
    public var token: String
    public var overall: Int
    public var content: Int
    public var useful: Int
    public var comment: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId, token, overall, content, useful, comment }
    public init(eventId: String, token: String, overall: Int, content: Int, useful: Int, comment: String? = nil) {
        self.eventId = eventId; self.token = token; self.overall = overall; self.content = content; self.useful = useful; self.comment = comment
    }
}

/// `training.evaluations.summary`: responses, per question the average and the count per score, and the comments.
public struct EvaluationSummary: ContractRequest, Equatable {
    public static let type = "training.evaluations.summary"
    public struct Reply: Sendable, Codable, Equatable {
        public struct Question: Sendable, Codable, Equatable {
            /// `overall`, `content` or `useful`.
            public var question: String
            public var answers: Int
            /// One decimal; null without answers.
            @Nullable public var average: Double?
            /// Answers per score 1…5.
            public var distribution: [Int]
            public init(question: String, answers: Int, average: Double?, distribution: [Int]) {
                self.question = question; self.answers = answers; self.average = average; self.distribution = distribution
            }
        }
        public var eventId: String
        public var responses: Int
        public var questions: [Question]
        public var comments: [String]
        public init(eventId: String, responses: Int, questions: [Question], comments: [String]) {
            self.eventId = eventId; self.responses = responses; self.questions = questions; self.comments = comments
        }
    }
    public var eventId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case eventId }
    public init(eventId: String) { self.eventId = eventId }
}

// MARK: Lectures and targeted supervision

/// A commissioned lecture ("föreläsning på uppdrag").
public struct Lecture: Sendable, Codable, Equatable {
    public var id: String
    public var centreId: String
    public var date: String
    /// The partner agency's id, and its name.
    public var partner: String
    public var partnerName: String
    @Nullable public var unit: String?
    @Nullable public var municipality: String?
    public var topic: String
    public var audienceSize: Int
    @Nullable public var lecturer: String?
    public init(id: String, centreId: String, date: String, partner: String, partnerName: String, unit: String? = nil, municipality: String? = nil,
                topic: String, audienceSize: Int, lecturer: String? = nil) {
        self.id = id; self.centreId = centreId; self.date = date; self.partner = partner; self.partnerName = partnerName; self.unit = unit
        self.municipality = municipality; self.topic = topic; self.audienceSize = audienceSize; self.lecturer = lecturer
    }
}

/// `training.lectures.create`: a lecture given to a partner.
public struct LectureCreate: ContractRequest, Equatable {
    public static let type = "training.lectures.create"
    public typealias Reply = Lecture
    public var centreId: String
    public var date: String
    public var partner: String
    public var unit: String?
    public var municipality: String?
    public var topic: String
    public var audienceSize: Int
    public var lecturer: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, date, partner, unit, municipality, topic, audienceSize, lecturer }
}

/// `training.lectures.list`: a centre's lectures by date.
public struct LectureList: ContractRequest, Equatable {
    public static let type = "training.lectures.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var lectures: [Lecture]
        public init(lectures: [Lecture]) { self.lectures = lectures }
    }
    public var centreId: String
    public var year: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, year }
    public init(centreId: String, year: Int? = nil) { self.centreId = centreId; self.year = year }
}

/// A targeted supervision assignment ("Riktad handledning") with its three parts and session log.
public struct Assignment: Sendable, Codable, Equatable {
    public struct Part: Sendable, Codable, Equatable {
        public var part: SupervisionPartName
        public var status: PartStatus
        @Nullable public var date: String?
        public init(part: SupervisionPartName, status: PartStatus, date: String? = nil) { self.part = part; self.status = status; self.date = date }
    }
    public struct LoggedSession: Sendable, Codable, Equatable {
        public var id: String
        public var part: SupervisionPartName
        public var date: String
        @Nullable public var participants: Int?
        @Nullable public var notes: String?
        public init(id: String, part: SupervisionPartName, date: String, participants: Int? = nil, notes: String? = nil) {
            self.id = id; self.part = part; self.date = date; self.participants = participants; self.notes = notes
        }
    }
    public var id: String
    public var centreId: String
    public var municipality: String
    public var agency: String
    public var agencyName: String
    public var unit: String
    @Nullable public var notes: String?
    public var parts: [Part]
    public var sessions: [LoggedSession]
    public var stage: SupervisionStage
    public var updatedAt: String
    public init(id: String, centreId: String, municipality: String, agency: String, agencyName: String, unit: String, notes: String? = nil,
                parts: [Part], sessions: [LoggedSession], stage: SupervisionStage, updatedAt: String) {
        self.id = id; self.centreId = centreId; self.municipality = municipality; self.agency = agency; self.agencyName = agencyName
        self.unit = unit; self.notes = notes; self.parts = parts; self.sessions = sessions; self.stage = stage; self.updatedAt = updatedAt
    }
}

/// `training.supervision.create`: an assignment with every part not started.
public struct SupervisionCreate: ContractRequest, Equatable {
    public static let type = "training.supervision.create"
    public typealias Reply = Assignment
    public var centreId: String
    public var municipality: String
    public var agency: String
    public var unit: String
    public var notes: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, municipality, agency, unit, notes }
}

/// `training.supervision.part`: a part planned or done (in order), or back to not started.
public struct SupervisionPart: ContractRequest, Equatable {
    public static let type = "training.supervision.part"
    public typealias Reply = Assignment
    public var assignmentId: String
    public var part: SupervisionPartName
    public var status: PartStatus
    /// Required unless `not_started`.
    public var date: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case assignmentId, part, status, date }
}

/// `training.supervision.session`: logs a session of a part that is planned or done.
public struct SupervisionSession: ContractRequest, Equatable {
    public static let type = "training.supervision.session"
    public typealias Reply = Assignment
    public var assignmentId: String
    public var part: SupervisionPartName
    public var date: String
    public var participants: Int?
    public var notes: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case assignmentId, part, date, participants, notes }
}

/// `training.supervision.get`: the assignment with its parts and session log.
public struct SupervisionGet: ContractRequest, Equatable {
    public static let type = "training.supervision.get"
    public typealias Reply = Assignment
    public var assignmentId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case assignmentId }
    public init(assignmentId: String) { self.assignmentId = assignmentId }
}

/// `training.supervision.list`: a centre's assignments of a year.
public struct SupervisionList: ContractRequest, Equatable {
    public static let type = "training.supervision.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var assignments: [Assignment]
        public init(assignments: [Assignment]) { self.assignments = assignments }
    }
    public var centreId: String
    public var year: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, year }
    public init(centreId: String, year: Int? = nil) { self.centreId = centreId; self.year = year }
}

/// `training.supervision.coverage`: each municipality with the furthest stage any assignment reached.
public struct SupervisionCoverage: ContractRequest, Equatable {
    public static let type = "training.supervision.coverage"
    public struct Reply: Sendable, Codable, Equatable {
        public struct Unit: Sendable, Codable, Equatable {
            public var assignmentId: String
            public var agency: String
            public var unit: String
            public var stage: SupervisionStage
            public init(assignmentId: String, agency: String, unit: String, stage: SupervisionStage) {
                self.assignmentId = assignmentId; self.agency = agency; self.unit = unit; self.stage = stage
            }
        }
        public struct Row: Sendable, Codable, Equatable {
            public var municipality: String
            public var status: SupervisionStage
            public var assignments: Int
            public var informationGiven: Bool
            public var units: [Unit]
            public init(municipality: String, status: SupervisionStage, assignments: Int = 0, informationGiven: Bool = false, units: [Unit] = []) {
                self.municipality = municipality; self.status = status; self.assignments = assignments
                self.informationGiven = informationGiven; self.units = units
            }
        }
        public var centreId: String
        public var centreName: String
        public var municipalities: [Row]
        /// Municipalities per stage (every stage named).
        public var counts: [String: Int]
        public init(centreId: String, centreName: String, municipalities: [Row], counts: [String: Int]) {
            self.centreId = centreId; self.centreName = centreName; self.municipalities = municipalities; self.counts = counts
        }
    }
    public var centreId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId }
    public init(centreId: String) { self.centreId = centreId }
}
