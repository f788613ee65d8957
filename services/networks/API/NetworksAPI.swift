import HubProtocol
@_exported import RegistrationAPI

/// The networks service's contract: every message it takes, as a request type named with its
/// bus type and its reply type, its error reasons and its vocabulary. The service, the gateway's
/// pages and the test stubs use these types; see services/networks/README.md.
public enum NetworksAPI {
    /// The service's name on the bus.
    public static let service = "networks"

    /// Every message type of the service with its request type (the handler table's keys).
    public static let messages: [String: any ContractRequest.Type] = Dictionary(uniqueKeysWithValues: requestTypes.map { ($0.type, $0) })

    static let requestTypes: [any ContractRequest.Type] = [
        ContactCreate.self, ContactUpdate.self, ContactList.self, ContactSelfGet.self, ContactSelfUpdate.self, CoverageGet.self,
        TourPlan.self, TourComplete.self, TourList.self, AgenciesList.self,
        DayCreate.self, DayUpdate.self, DayCancel.self, DayGet.self, DayList.self, DayPublic.self, DayInvite.self,
        RegistrationCreate.self, RegistrationGet.self, RegistrationCancel.self, BookingGet.self, BookingCancel.self,
        RegistrationList.self, RegistrationCheckIn.self, RegistrationMove.self, RegistrationExport.self, RegistrationInvoice.self,
        RegistrationPurge.self, AttendanceGet.self, MailFlush.self, MailOutboxList.self,
    ]
}

// MARK: Vocabulary

/// A network day's status as stored: open for registration, or called off.
public enum DayStatus: String, Vocabulary {
    case open, cancelled
    public var sv: String { self == .open ? "Planerad" : "Inställd" }
    public var en: String { self == .open ? "Scheduled" : "Cancelled" }
}

/// A tour visit's status.
public enum VisitStatus: String, Vocabulary {
    case planned, completed
    public var sv: String { self == .planned ? "Planerad" : "Genomförd" }
    public var en: String { self == .planned ? "Planned" : "Completed" }
}

/// Where an organiser moves a participant (`networks.registrations.move`).
public enum MoveDestination: String, Vocabulary {
    /// From the waiting list into a free seat.
    case confirmed
    /// From a seat to the end of the waiting list.
    case waiting
    /// To another network day (`toDayId`).
    case day
    public var sv: String {
        switch self { case .confirmed: "Till plats"; case .waiting: "Till väntelistan"; case .day: "Till en annan dag" }
    }
    public var en: String {
        switch self { case .confirmed: "To a seat"; case .waiting: "To the waiting list"; case .day: "To another day" }
    }
}

/// The METHOD of an invitation's iCalendar event.
public enum InvitationMethod: String, Vocabulary {
    case request = "REQUEST", cancel = "CANCEL"
    public var sv: String { self == .request ? "Inbjudan" : "Inställd" }
    public var en: String { self == .request ? "Invitation" : "Cancellation" }
}

/// The error reasons (`HubError.reason`) the networks service gives beyond the shared field
/// checks; registration's are `RegistrationErrorReason`. Errors without a reason name the field only.
public enum NetworksErrorReason {
    /// A date that does not exist (`YYYY-MM-DD`).
    public static let notADate = HubError.Reason.notADate
    /// A time that is not `HH:MM`.
    public static let notATime = HubError.Reason.notATime
    /// A number outside its range (capacity, fee, year).
    public static let outOfRange = HubError.Reason.outOfRange
    /// A contact e-mail address that is not valid.
    public static let invalidEmail = HubError.Reason.invalidEmail
}

// MARK: Shared parts of replies

/// A partner agency as the organisers' forms list it.
public struct AgencyInfo: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var kind: String
    public init(id: String, name: String, kind: String) { self.id = id; self.name = name; self.kind = kind }
}

/// A centre with the municipalities it serves.
public struct CentreInfo: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var municipalities: [String]
    public init(id: String, name: String, municipalities: [String]) { self.id = id; self.name = name; self.municipalities = municipalities }
}

// MARK: Contacts, coverage, tour

/// A contact person of a centre, with the agency (and municipality) they are contact for.
public struct Contact: Sendable, Codable, Equatable {
    public var id: String
    public var centreId: String
    public var name: String
    @Nullable public var title: String?
    @Nullable public var unit: String?
    public var agency: String
    /// Null: the contact covers every municipality of the centre (for agencies not per municipality).
    @Nullable public var municipality: String?
    public var email: String
    @Nullable public var phone: String?
    public var activeFrom: String
    @Nullable public var activeTo: String?
    public init(id: String, centreId: String, name: String, title: String? = nil, unit: String? = nil, agency: String, municipality: String? = nil,
                email: String, phone: String? = nil, activeFrom: String, activeTo: String? = nil) {
        self.id = id; self.centreId = centreId; self.name = name; self.title = title; self.unit = unit; self.agency = agency
        self.municipality = municipality; self.email = email; self.phone = phone; self.activeFrom = activeFrom; self.activeTo = activeTo
    }
}

/// `networks.contacts.create`: a contact person; `updateToken` (made by the gateway) gives them a self-update link.
public struct ContactCreate: ContractRequest, Equatable {
    public static let type = "networks.contacts.create"
    public typealias Reply = Contact
    public var centreId: String
    public var name: String
    public var title: String?
    public var unit: String?
    public var agency: String
    public var municipality: String?
    public var email: String
    public var phone: String?
    public var activeFrom: String?
    public var activeTo: String?
    public var updateToken: String?
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case centreId, name, title, unit, agency, municipality, email, phone, activeFrom, activeTo, updateToken
    }
    public init(centreId: String, name: String, title: String? = nil, unit: String? = nil, agency: String, municipality: String? = nil,
                email: String, phone: String? = nil, activeFrom: String? = nil, activeTo: String? = nil, updateToken: String? = nil) {
        self.centreId = centreId; self.name = name; self.title = title; self.unit = unit; self.agency = agency; self.municipality = municipality
        self.email = email; self.phone = phone; self.activeFrom = activeFrom; self.activeTo = activeTo; self.updateToken = updateToken
    }
}

/// `networks.contacts.update`: the organiser changes the fields given (an empty text clears an optional one).
public struct ContactUpdate: ContractRequest, Equatable {
    public static let type = "networks.contacts.update"
    public typealias Reply = Contact
    public var contactId: String
    public var name: String?
    public var title: String?
    public var unit: String?
    public var agency: String?
    public var municipality: String?
    public var email: String?
    public var phone: String?
    public var activeFrom: String?
    public var activeTo: String?
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case contactId, name, title, unit, agency, municipality, email, phone, activeFrom, activeTo
    }
    public init(contactId: String, name: String? = nil, title: String? = nil, unit: String? = nil, agency: String? = nil, municipality: String? = nil,
                email: String? = nil, phone: String? = nil, activeFrom: String? = nil, activeTo: String? = nil) {
        self.contactId = contactId; self.name = name; self.title = title; self.unit = unit; self.agency = agency; self.municipality = municipality
        self.email = email; self.phone = phone; self.activeFrom = activeFrom; self.activeTo = activeTo
    }
}

/// `networks.contacts.list`: the centre's contact persons active today (or all).
public struct ContactList: ContractRequest, Equatable {
    public static let type = "networks.contacts.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var contacts: [Contact]
        public init(contacts: [Contact]) { self.contacts = contacts }
    }
    public var centreId: String
    public var includeInactive: Bool?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, includeInactive }
    public init(centreId: String, includeInactive: Bool? = nil) { self.centreId = centreId; self.includeInactive = includeInactive }
}

/// `networks.contacts.self.get`: the contact person's own details, by their link.
public struct ContactSelfGet: ContractRequest, Equatable {
    public static let type = "networks.contacts.self.get"
    public typealias Reply = Contact
    public var token: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case token }
    public init(token: String) { self.token = token }
}

/// `networks.contacts.self.update`: the contact person changes their own details by their link.
/// Agency, municipality, dates and centre stay with the organiser: naming one is `forbidden`.
public struct ContactSelfUpdate: ContractRequest, Equatable {
    public static let type = "networks.contacts.self.update"
    public typealias Reply = Contact
    /// Known to the service but refused from this link (`forbidden`, "Only the organiser can change this.").
    public static let organiserOnly: Set<String> = ["agency", "municipality", "activeFrom", "activeTo", "centreId"]
    public static var fields: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)).union(organiserOnly) }
    public var token: String
    public var name: String?
    public var title: String?
    public var unit: String?
    public var email: String?
    public var phone: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case token, name, title, unit, email, phone }
    public init(token: String, name: String? = nil, title: String? = nil, unit: String? = nil, email: String? = nil, phone: String? = nil) {
        self.token = token; self.name = name; self.title = title; self.unit = unit; self.email = email; self.phone = phone
    }
}

/// `networks.coverage.get`: municipalities × agencies on a date, `gap` where nobody is contact.
public struct CoverageGet: ContractRequest, Equatable {
    public static let type = "networks.coverage.get"
    public typealias Reply = Coverage
    public var centreId: String
    public var date: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, date }
    public init(centreId: String, date: String? = nil) { self.centreId = centreId; self.date = date }
}

/// Who is contact for each municipality × agency of a centre.
public struct Coverage: Sendable, Codable, Equatable {
    /// A contact person in a cell.
    public struct Person: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public init(id: String, name: String) { self.id = id; self.name = name }
    }
    /// One agency's cell in a municipality's row.
    public struct Cell: Sendable, Codable, Equatable {
        public var agency: String
        public var contacts: [Person]
        /// Nobody is contact here.
        public var gap: Bool
        public init(agency: String, contacts: [Person], gap: Bool) { self.agency = agency; self.contacts = contacts; self.gap = gap }
    }
    /// A municipality's row.
    public struct Row: Sendable, Codable, Equatable {
        public var municipality: String
        public var agencies: [Cell]
        public init(municipality: String, agencies: [Cell]) { self.municipality = municipality; self.agencies = agencies }
    }
    public var centreId: String
    public var centreName: String
    public var date: String
    public var agencies: [AgencyInfo]
    public var municipalities: [Row]
    /// The number of cells without a contact.
    public var gaps: Int
    public init(centreId: String, centreName: String, date: String, agencies: [AgencyInfo], municipalities: [Row], gaps: Int) {
        self.centreId = centreId; self.centreName = centreName; self.date = date; self.agencies = agencies
        self.municipalities = municipalities; self.gaps = gaps
    }
}

/// A visit of the collaboration tour ("samverkansturné") to a municipality.
public struct TourVisit: Sendable, Codable, Equatable {
    public var id: String
    public var centreId: String
    public var municipality: String
    public var plannedDate: String
    @Nullable public var completedDate: String?
    public var status: VisitStatus
    @Nullable public var notes: String?
    public init(id: String, centreId: String, municipality: String, plannedDate: String, completedDate: String? = nil,
                status: VisitStatus, notes: String? = nil) {
        self.id = id; self.centreId = centreId; self.municipality = municipality; self.plannedDate = plannedDate
        self.completedDate = completedDate; self.status = status; self.notes = notes
    }
}

/// `networks.tour.plan`: a planned visit to one of the centre's municipalities.
public struct TourPlan: ContractRequest, Equatable {
    public static let type = "networks.tour.plan"
    public typealias Reply = TourVisit
    public var centreId: String
    public var municipality: String
    public var date: String
    public var notes: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, municipality, date, notes }
    public init(centreId: String, municipality: String, date: String, notes: String? = nil) {
        self.centreId = centreId; self.municipality = municipality; self.date = date; self.notes = notes
    }
}

/// `networks.tour.complete`: the visit is done (on `date`, by default the planned one).
public struct TourComplete: ContractRequest, Equatable {
    public static let type = "networks.tour.complete"
    public typealias Reply = TourVisit
    public var visitId: String
    public var date: String?
    public var notes: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case visitId, date, notes }
    public init(visitId: String, date: String? = nil, notes: String? = nil) { self.visitId = visitId; self.date = date; self.notes = notes }
}

/// `networks.tour.list`: the year's visits and the municipalities not yet visited.
public struct TourList: ContractRequest, Equatable {
    public static let type = "networks.tour.list"
    public struct Reply: Sendable, Codable, Equatable {
        /// A municipality without a completed visit this year; `planned` when a visit is planned.
        public struct NotVisited: Sendable, Codable, Equatable {
            public var municipality: String
            public var planned: Bool
            public init(municipality: String, planned: Bool) { self.municipality = municipality; self.planned = planned }
        }
        public var centreId: String
        public var year: Int
        public var visits: [TourVisit]
        public var notVisited: [NotVisited]
        public init(centreId: String, year: Int, visits: [TourVisit], notVisited: [NotVisited]) {
            self.centreId = centreId; self.year = year; self.visits = visits; self.notVisited = notVisited
        }
    }
    public var centreId: String
    public var year: Int?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, year }
    public init(centreId: String, year: Int? = nil) { self.centreId = centreId; self.year = year }
}

/// `networks.agencies.list`: the partner agencies and centres of the reference data, for forms.
public struct AgenciesList: MemberlessRequest, Equatable {
    public static let type = "networks.agencies.list"
    public struct Reply: Sendable, Codable, Equatable {
        public var agencies: [AgencyInfo]
        public var centres: [CentreInfo]
        public init(agencies: [AgencyInfo], centres: [CentreInfo]) { self.agencies = agencies; self.centres = centres }
    }
    public init() {}
}
