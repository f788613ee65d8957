import Foundation
import HubProtocol
@_exported import RegistrationAPI

/// An event that takes registrations: a network day, a training, a conference.
/// The owning service keeps its own description of the event; the engine keeps only
/// what seats, deadlines and purging need.
public struct RegistrationEventSpec: Sendable, Equatable {
    public var id: String
    public var title: String
    public var starts: Date
    public var ends: Date
    public var capacity: Int
    public var feeSEK: Int
    /// Registrations are refused after this instant.
    public var deadline: Date
    /// Participant data is purged this many days after `ends`; nil: the engine's default.
    public var purgeAfterDays: Int?
    public init(id: String, title: String, starts: Date, ends: Date, capacity: Int, feeSEK: Int, deadline: Date, purgeAfterDays: Int? = nil) {
        self.id = id; self.title = title; self.starts = starts; self.ends = ends; self.capacity = capacity
        self.feeSEK = feeSEK; self.deadline = deadline; self.purgeAfterDays = purgeAfterDays
    }
}

/// The engine's view of an event: seats taken and left, status.
public struct RegistrationEventState: Sendable, Codable, Equatable {
    public var id: String
    public var title: String
    public var capacity: Int
    public var taken: Int
    public var waiting: Int
    public var feeSEK: Int
    public var deadline: String
    public var starts: String
    public var ends: String
    public var status: String
    public var purged: Bool
    public var seatsLeft: Int { max(0, capacity - taken) }
}

/// One person to register (public form, or one colleague in a group booking).
public struct ParticipantInput: Sendable, Equatable {
    public var name: String
    public var agency: String
    public var municipality: String?
    public var email: String
    public var dietary: String?
    /// Made by the client (the gateway), shown once in the confirmation; only its SHA-256 is stored.
    public var cancelToken: String
    /// Where this participant sits in the request, for error fields (`body` or `body.participants[2]`).
    public var fieldPath: String
    public init(name: String, agency: String, municipality: String? = nil, email: String, dietary: String? = nil,
                cancelToken: String, fieldPath: String = "body") {
        self.name = name; self.agency = agency; self.municipality = municipality; self.email = email
        self.dietary = dietary; self.cancelToken = cancelToken; self.fieldPath = fieldPath
    }
}

/// A registration of one person, or a group booking of several colleagues on one
/// invoice reference, managed through one link.
public struct RegistrationRequest: Sendable, Equatable {
    public var eventId: String
    /// Of the page the registration came from; every place in it is mailed in this language.
    public var language: MailLanguage
    public var invoiceReference: String?
    public var bookerName: String?
    public var bookerEmail: String?
    /// Required for group bookings: the token of the booker's manage link (only its hash is stored).
    public var manageToken: String?
    public var participants: [ParticipantInput]
    /// The request field that holds the event id, for errors (`body.eventId`, `body.dayId`).
    public var eventIdField: String
    public init(eventId: String, invoiceReference: String? = nil, bookerName: String? = nil, bookerEmail: String? = nil,
                manageToken: String? = nil, participants: [ParticipantInput], eventIdField: String = "body.eventId",
                language: MailLanguage = .sv) {
        self.eventId = eventId; self.language = language; self.invoiceReference = invoiceReference; self.bookerName = bookerName
        self.bookerEmail = bookerEmail; self.manageToken = manageToken; self.participants = participants
        self.eventIdField = eventIdField
    }

    /// Reads a message body in one of two shapes: one person
    /// `{"eventId","name","agency","municipality","email","dietary","invoiceReference","cancelToken"}`,
    /// or a group `{"eventId","invoiceReference","booker":{"name","email"},"manageToken","participants":[{…,"cancelToken"}]}`;
    /// either may carry `"language": "sv" | "en"` (default `sv`).
    /// `eventIdField` names the key that holds the event id (`dayId` for network days).
    public static func decode(_ body: JSONValue, eventIdField: String = "eventId") throws(HubError) -> RegistrationRequest {
        guard case .object(let o) = body else { throw HubError(.validation, "The body must be an object.", field: "body") }
        func string(_ object: [String: JSONValue], _ key: String, _ path: String, required: Bool) throws(HubError) -> String? {
            switch object[key] {
            case nil, .null?:
                if required { throw HubError(.validation, "A required field is missing.", field: "\(path).\(key)") }
                return nil
            case .string(let s)?: return s
            default: throw HubError(.validation, "The field must be text.", field: "\(path).\(key)")
            }
        }
        func participant(_ p: [String: JSONValue], _ path: String) throws(HubError) -> ParticipantInput {
            ParticipantInput(
                name: try string(p, "name", path, required: true) ?? "",
                agency: try string(p, "agency", path, required: true) ?? "",
                municipality: try string(p, "municipality", path, required: false),
                email: try string(p, "email", path, required: true) ?? "",
                dietary: try string(p, "dietary", path, required: false),
                cancelToken: try string(p, "cancelToken", path, required: true) ?? "",
                fieldPath: path)
        }
        let eventId = try string(o, eventIdField, "body", required: true) ?? ""
        let invoice = try string(o, "invoiceReference", "body", required: false)
        let languageCode = try string(o, "language", "body", required: false) ?? MailLanguage.sv.rawValue
        guard let language = MailLanguage(rawValue: languageCode) else {
            throw HubError(.validation, "The language must be sv or en.", field: "body.language", reason: .notAChoice)
        }
        if let list = o["participants"] {
            guard case .array(let items) = list else { throw HubError(.validation, "The participants must be a list.", field: "body.participants") }
            var participants: [ParticipantInput] = []
            for (i, item) in items.enumerated() {
                guard case .object(let p) = item else { throw HubError(.validation, "Each participant must be an object.", field: "body.participants[\(i)]") }
                participants.append(try participant(p, "body.participants[\(i)]"))
            }
            var bookerName: String?, bookerEmail: String?
            if let booker = o["booker"], booker != .null {
                guard case .object(let b) = booker else { throw HubError(.validation, "The booker must be an object.", field: "body.booker") }
                bookerName = try string(b, "name", "body.booker", required: true)
                bookerEmail = try string(b, "email", "body.booker", required: true)
            }
            return RegistrationRequest(eventId: eventId, invoiceReference: invoice, bookerName: bookerName, bookerEmail: bookerEmail,
                                       manageToken: try string(o, "manageToken", "body", required: false), participants: participants,
                                       eventIdField: "body.\(eventIdField)", language: language)
        }
        return RegistrationRequest(eventId: eventId, invoiceReference: invoice,
                                   manageToken: try string(o, "manageToken", "body", required: false),
                                   participants: [try participant(o, "body")], eventIdField: "body.\(eventIdField)", language: language)
    }
}

/// The answer to a registration: each participant's id, status and place in line.
public struct RegistrationResult: Sendable, Codable, Equatable {
    /// Each place as the registration's reply gives it.
    public typealias Placed = PlacedParticipant
    public var eventId: String
    /// The event's title (read with the seat lock), for the confirmation mail.
    public var title: String
    public var bookingId: String
    public var participants: [Placed]
}

/// A cancellation and whoever got the freed seat (to be told).
public struct CancellationResult: Sendable, Equatable {
    public var cancelled: Participant
    public var promoted: [Participant]
}

/// Where an organiser moves someone.
public enum MoveTarget: Sendable, Equatable {
    /// From the waiting list into a free seat (never beyond capacity).
    case confirmed
    /// From a seat to the end of the waiting list; the seat goes to the head of the list.
    case waiting
    /// To another event of the same service (a seat there if one is free, else its waiting list).
    case event(String)
}

/// A booking (one person or a group on one invoice reference) as its manage link shows it.
public struct Booking: Sendable, Codable, Equatable {
    public var id: String
    public var eventId: String
    public var invoiceReference: String?
    public var participants: [Participant]
}

/// One row of the invoice basis: people × fee per agency and invoice reference.
public struct InvoiceLine: Sendable, Codable, Equatable {
    public var agency: String
    public var invoiceReference: String
    public var people: Int
    public var feeSEK: Int
    public var amountSEK: Int
}

/// Registrations and attendance of one agency at one event.
public struct AgencyAttendance: Sendable, Codable, Equatable {
    public var eventId: String
    public var agency: String
    public var registered: Int
    public var attended: Int
}
