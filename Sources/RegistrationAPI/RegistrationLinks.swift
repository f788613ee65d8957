import HubProtocol

/// A registration as the JSON API answers it: the service's reply with the links the hub made
/// for it, given once (the service stores only their hashes). One person gets `cancelUrl`; a
/// group booking gets `manageUrl` and each place its own `cancelUrl`.
public struct LinkedRegistration<Service: RegistrationMessages>: Sendable, Encodable {
    /// A place with its cancellation link, written as the place's members and `cancelUrl`.
    public struct LinkedPlace: Sendable, Encodable {
        public var place: PlacedParticipant
        public var cancelUrl: String
        public init(place: PlacedParticipant, cancelUrl: String) { self.place = place; self.cancelUrl = cancelUrl }
        enum CodingKeys: String, CodingKey { case cancelUrl }
        public func encode(to encoder: any Encoder) throws {
            try place.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(cancelUrl, forKey: .cancelUrl)
        }
    }

    public var reply: RegistrationCreateRequest<Service>.Reply
    /// One person's cancellation link.
    public var cancelUrl: String?
    /// A group booking's manage link, and each place's cancellation link in the order of its places.
    public var manageUrl: String?
    public var places: [LinkedPlace]?

    /// One person.
    public init(_ reply: RegistrationCreateRequest<Service>.Reply, cancelUrl: String) {
        self.reply = reply; self.cancelUrl = cancelUrl
    }

    /// A group booking: the places paired with the links made for them, in order.
    public init(_ reply: RegistrationCreateRequest<Service>.Reply, manageUrl: String, cancelUrls: [String]) {
        self.reply = reply; self.manageUrl = manageUrl
        places = zip(reply.participants, cancelUrls).map { LinkedPlace(place: $0, cancelUrl: $1) }
    }

    enum CodingKeys: String, CodingKey { case participants, cancelUrl, manageUrl }

    /// The reply's members, the group's places in place of the reply's, and the links given.
    public func encode(to encoder: any Encoder) throws {
        try reply.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let places { try c.encode(places, forKey: .participants) }
        try c.encodeIfPresent(cancelUrl, forKey: .cancelUrl)
        try c.encodeIfPresent(manageUrl, forKey: .manageUrl)
    }
}
