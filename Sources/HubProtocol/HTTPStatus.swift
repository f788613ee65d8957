extension HubError.Code {
    /// Too many attempts in a short time (failed logins, public form posts).
    public static let rateLimited = HubError.Code("rate_limited")
    /// The request body has a media type the route does not take (the API takes JSON only).
    public static let unsupportedMediaType = HubError.Code("unsupported_media_type")

    /// The HTTP status for this code: the one map that the gateway's API and every agency
    /// adapter answer by (documented in docs/protocol.md, "Errors over HTTP").
    ///
    /// A body that cannot be read is 400; one that reads but breaks a rule is 422, as FHIR
    /// servers answer it; a refusal that a retry may cure (timeout, busy, storage) is 503;
    /// a fault of ours is 500. A code this version does not know is 422.
    public var httpStatus: Int {
        switch self {
        case .malformed, .invalidJSON, .unsupportedVersion: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound, .unknownType: 404
        case .conflict, .intakePaused: 409
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
