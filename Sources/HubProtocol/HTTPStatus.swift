extension HubError.Code {
    /// Too many attempts in a short time (failed logins, public form posts).
    public static let rateLimited = HubError.Code("rate_limited")
    /// The request body has a media type the route does not take (the API takes JSON only).
    public static let unsupportedMediaType = HubError.Code("unsupported_media_type")
    /// The thing's state does not allow the step (a referral's status, minutes not yet circulated).
    public static let invalidTransition = HubError.Code("invalid_transition")
    /// Too late for it (agenda items after the deadline).
    public static let deadlinePassed = HubError.Code("deadline_passed")
    /// The minutes are filed and never change.
    public static let minutesLocked = HubError.Code("minutes_locked")

    /// The HTTP status for this code: the one map that the gateway's API and every agency
    /// adapter answer by (documented in docs/protocol.md, "Errors over HTTP").
    ///
    /// A body that cannot be read is 400; one that reads but breaks a rule is 422, as FHIR
    /// servers answer it; a refusal that a retry may cure (timeout, busy, storage) is 503;
    /// a fault of ours is 500. A refusal by the state of things — not by the body — is 409:
    /// a retry with the same body may pass once the state has changed. A code this version
    /// does not know is 422.
    public var httpStatus: Int {
        switch self {
        case .malformed, .invalidJSON, .unsupportedVersion: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound, .unknownType: 404
        case .conflict, .intakePaused, .invalidTransition, .deadlinePassed, .minutesLocked: 409
        case .tooLarge: 413
        case .unsupportedMediaType: 415
        case .validation: 422
        case .rateLimited: 429
        case .internal: 500
        case .timeout, .busy, .storage, .unknownService: 503
        default: 422
        }
    }
}
