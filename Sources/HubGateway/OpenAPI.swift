import HubWeb

/// The OpenAPI 3.1 description of the JSON API, served at /openapi.yaml: the gateway's own
/// operations and every web module's (`WebModule.openAPIOperations`), each rendered by
/// `APIOperation` with every status it can answer; the configured centres, agencies and
/// municipalities are filled in as the values those parameters take. A test checks every
/// route is named; schemathesis checks the document against the running hub
/// (Tests/protocol/test_openapi_schemathesis.py, docs/protocol.md).
enum OpenAPIDocument {
    /// The gateway's own operations.
    static let operations: [APIOperation] = [
        APIOperation("post", "/api/v1/tokens", id: "createToken", tag: "gateway", summary: "Exchange username and password for a bearer token",
                     body: APISchema.object([("username", APISchema.text(200, required: true)), ("password", "{ type: string, format: password, minLength: 1 }")],
                                            required: ["username", "password"]),
                     status: 201, responseDescription: "A new token (shown once; only its SHA-256 hash is stored)",
                     response: [("application/json", "{ $ref: \"#/components/schemas/Token\" }")], open: true,
                     extraResponses: [##""401": { $ref: "#/components/responses/Unauthorized" }"##,
                                      ##""429": { description: "Too many failed logins from this address, or for this username; Retry-After says when to try again", headers: { Retry-After: { schema: { type: integer } } }, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }"##]),
        APIOperation("get", "/api/v1/me", id: "getMe", tag: "gateway", summary: "The user the token belongs to",
                     responseDescription: "The current user", response: [("application/json", "{ $ref: \"#/components/schemas/User\" }")]),
        APIOperation("get", "/api/v1/status", id: "getStatus", tag: "gateway", summary: "The message bus as the broker sees it (any logged-in role)",
                     responseDescription: "Broker, services and adapters", response: [("application/json", "{ $ref: \"#/components/schemas/BusStatus\" }")]),
        APIOperation("get", "/api/v1/centres", id: "listCentres", tag: "gateway", summary: "The centres, from the referrals service (bus message referrals.centres.list)",
                     responseDescription: "The centres with the municipalities each serves",
                     response: [("application/json", "{ type: object, required: [centres], properties: { centres: { type: array, items: { type: object, required: [id, name, municipalities], properties: { id: { type: string }, name: { type: string }, town: { type: string }, municipalities: { type: array, items: { type: string } } } } } } }")]),
    ]

    /// Every operation of the document, the gateway's and the modules'.
    static func allOperations(modules: [WebModule]) -> [APIOperation] {
        operations + modules.flatMap(\.openAPIOperations)
    }

    /// The document. `reference` holds the configured values (asked of the referrals service
    /// when the document is served; empty when it did not answer).
    static func yaml(modules: [WebModule], reference: APIReferenceValues = APIReferenceValues()) -> String {
    #"""
    openapi: 3.1.0
    info:
      title: Utväg Hub API
      version: 1.0.0
      description: |
        JSON API of the Utväg Hub gateway. Obtain a bearer token with POST /api/v1/tokens
        and send it as `Authorization: Bearer <token>`. Cookies are never used by the API.
        Every error has the shape `{"error": {"code", "message", "field", "reason"?, "details"?}}`;
        the HTTP status follows from the code (docs/protocol.md, "Errors over HTTP").
        A method a path does not take is answered 405 with `Allow`.
    servers:
      - url: /
    security:
      - bearerAuth: []
    paths:
    \#(APIOperation.paths(allOperations(modules: modules)))
    components:
      securitySchemes:
        bearerAuth:
          type: http
          scheme: bearer
          description: Token from POST /api/v1/tokens
      schemas:
    \#(APISchema.components(reference))
    \#(modules.map(\.openAPISchemas).joined(separator: "\n"))
        Error:
          type: object
          required: [error]
          properties:
            error:
              type: object
              required: [code, message]
              properties:
                code:
                  type: string
                  description: Stable machine code (validation, invalid_json, unauthenticated, forbidden, not_found, conflict, too_large, rate_limited, timeout, busy, storage, internal, …)
                message:
                  type: string
                  description: For people; never contains personal data
                field:
                  type: [string, "null"]
                  description: The input field that was wrong, as a dotted path (body.username)
                reason:
                  type: string
                  description: What exactly was wrong with the field, for programs (required, too_long, not_a_date, end_before_start, …; docs/protocol.md)
                details:
                  type: array
                  description: Every problem when there were several (a form with three wrong fields)
                  items:
                    type: object
                    required: [field, message]
                    properties:
                      field: { type: string }
                      message: { type: string }
                      reason: { type: string }
        Token:
          type: object
          required: [token, tokenType, expiresAt, user]
          properties:
            token: { type: string }
            tokenType: { type: string, const: Bearer }
            expiresAt: { type: string, format: date-time }
            user: { $ref: "#/components/schemas/User" }
        User:
          type: object
          required: [id, username, role]
          properties:
            id: { type: string }
            username: { type: string }
            role: { type: string, enum: [admin, staff, agency, board] }
            agency: { type: [string, "null"], description: Agency id for role agency }
            centre: { type: [string, "null"], description: Centre id for roles staff and board }
        Component:
          type: object
          required: [name, status]
          properties:
            name: { type: string }
            status: { type: string, enum: [up, down] }
            workers: { type: integer, description: Live workers (services only) }
        BusStatus:
          type: object
          required: [status, broker, services, adapters]
          properties:
            status: { type: string, enum: [ok, degraded] }
            broker: { type: string, enum: [up, down] }
            uptimeSeconds: { type: number }
            services: { type: array, items: { $ref: "#/components/schemas/Component" } }
            adapters: { type: array, items: { $ref: "#/components/schemas/Component" } }
      responses:
        BadRequest:
          description: The body could not be read (not JSON)
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        Unprocessable:
          description: The body was read but breaks a rule; `field` names the field and `reason` says what
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        Unauthorized:
          description: Missing, wrong or expired credentials
          headers:
            WWW-Authenticate: { schema: { type: string } }
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        Forbidden:
          description: The user may not do this
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        NotFound:
          description: No such thing (or not one this user may see); `field` names the id
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        Conflict:
          description: The state does not allow it now (cancelled, full, deadline passed, already done, intake paused, changed meanwhile)
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        UnsupportedMediaType:
          description: The body is not sent as the media type the operation takes (application/json; text/csv for the statistics import)
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        TooLarge:
          description: The body exceeds 64 KiB
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        Unavailable:
          description: The bus or a service did not answer in time, or is busy
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
    """#
    }
}
