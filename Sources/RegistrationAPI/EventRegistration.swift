import HubProtocol

/// Who an event's JSON (a network day, a training) is for: what it leaves out.
public enum EventView: String, Sendable, Codable {
    /// The organisers: every member.
    case organiser
    /// Someone with a personal or booking link: no contact e-mail.
    case link
    /// The public registration page: neither contact e-mail nor seats taken.
    case `public`
}

/// What registration for an event looks like, the same for a network day and a training: how
/// it was announced (the organisers' address, the invitation's SEQUENCE, when and with which
/// link it went out) and how full it is (seats taken and left, the waiting list, whether one
/// can still register, whether the participants' data is gone). It is part of the event's own
/// JSON object, its members beside the event's (`"seatsLeft"`, not `"registration": {…}`):
/// `init(from:)` and `encode(to:)` read and write the event's container.
public struct EventRegistration: Sendable, Equatable, Codable {
    /// Absent in the link and public views.
    public var contactEmail: String?
    /// The iCalendar SEQUENCE: raised by each change.
    public var sequence: Int
    public var invitationsSentAt: String?
    public var registrationUrl: String?
    /// Seats taken; absent in the public view.
    public var taken: Int?
    public var seatsLeft: Int
    public var waiting: Int
    public var registrationOpen: Bool
    /// The participants' personal data has been purged.
    public var purged: Bool
    /// Which members the JSON holds (not itself a member).
    public var view: EventView

    /// The members, as keys of the event's object.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case contactEmail, sequence, invitationsSentAt, registrationUrl, taken, seatsLeft, waiting, registrationOpen, purged
    }

    public init(contactEmail: String? = nil, sequence: Int = 0, invitationsSentAt: String? = nil, registrationUrl: String? = nil,
                taken: Int? = 0, seatsLeft: Int, waiting: Int = 0, registrationOpen: Bool = true, purged: Bool = false,
                view: EventView = .organiser) {
        self.contactEmail = contactEmail; self.sequence = sequence; self.invitationsSentAt = invitationsSentAt
        self.registrationUrl = registrationUrl; self.taken = taken; self.seatsLeft = seatsLeft; self.waiting = waiting
        self.registrationOpen = registrationOpen; self.purged = purged; self.view = view
    }

    /// Reads the members from the event's own object (a decoded event is the organisers' view).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        contactEmail = try c.decodeIfPresent(String.self, forKey: .contactEmail)
        sequence = try c.decode(Int.self, forKey: .sequence)
        invitationsSentAt = try c.decodeIfPresent(String.self, forKey: .invitationsSentAt)
        registrationUrl = try c.decodeIfPresent(String.self, forKey: .registrationUrl)
        taken = try c.decodeIfPresent(Int.self, forKey: .taken)
        seatsLeft = try c.decode(Int.self, forKey: .seatsLeft)
        waiting = try c.decode(Int.self, forKey: .waiting)
        registrationOpen = try c.decode(Bool.self, forKey: .registrationOpen)
        purged = try c.decode(Bool.self, forKey: .purged)
        view = .organiser
    }

    /// Writes the members into the event's own object: every one, null where there is no
    /// value, except what the view leaves out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if view == .organiser { try c.encode(contactEmail, forKey: .contactEmail) }
        try c.encode(sequence, forKey: .sequence)
        try c.encode(invitationsSentAt, forKey: .invitationsSentAt); try c.encode(registrationUrl, forKey: .registrationUrl)
        if view != .public { try c.encode(taken ?? 0, forKey: .taken) }
        try c.encode(seatsLeft, forKey: .seatsLeft); try c.encode(waiting, forKey: .waiting)
        try c.encode(registrationOpen, forKey: .registrationOpen); try c.encode(purged, forKey: .purged)
    }

    /// The same registration as `view` shows it.
    public func viewed(as view: EventView) -> EventRegistration {
        var shown = self
        shown.view = view
        if view != .organiser { shown.contactEmail = nil }
        if view == .public { shown.taken = nil }
        return shown
    }
}

/// An event that shows itself to organisers, to link holders and on the public page
/// (`EventView`). Its registration's members read as its own (`day.seatsLeft`,
/// `training.taken`), as they stand in its JSON.
@dynamicMemberLookup
public protocol ViewedEvent: Codable, Sendable, Equatable {
    /// How the event was announced and how full it is.
    var registration: EventRegistration { get set }
}

extension ViewedEvent {
    /// A member of the registration, read and written as the event's own.
    public subscript<Value>(dynamicMember member: WritableKeyPath<EventRegistration, Value>) -> Value {
        get { registration[keyPath: member] }
        set { registration[keyPath: member] = newValue }
    }

    /// The same event as `view` shows it.
    public func viewed(as view: EventView) -> Self {
        var event = self
        event.registration = registration.viewed(as: view)
        return event
    }
}
