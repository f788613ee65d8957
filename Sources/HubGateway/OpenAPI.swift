import HubWeb

/// The hand-written OpenAPI 3.1 description of the JSON API, served at /openapi.yaml.
/// Keep it in step with `GatewayServer.buildRouter()` (a test checks every route is named).
enum OpenAPIDocument {
    static func yaml(modules: [WebModule]) -> String {
    #"""
    openapi: 3.1.0
    info:
      title: Utväg Hub API
      version: 1.0.0
      description: |
        JSON API of the Utväg Hub gateway. Obtain a bearer token with POST /api/v1/tokens
        and send it as `Authorization: Bearer <token>`. Cookies are never used by the API.
        Every error has the shape `{"error": {"code", "message", "field"}}`.
    servers:
      - url: /
    security:
      - bearerAuth: []
    paths:
      /api/v1/tokens:
        post:
          summary: Exchange username and password for a bearer token
          operationId: createToken
          security: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [username, password]
                  properties:
                    username: { type: string }
                    password: { type: string, format: password }
          responses:
            "201":
              description: A new token (shown once; only its SHA-256 hash is stored)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Token" }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "413": { $ref: "#/components/responses/TooLarge" }
            "429":
              description: Too many failed logins for this username
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
      /api/v1/me:
        get:
          summary: The user the token belongs to
          operationId: getMe
          responses:
            "200":
              description: The current user
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/User" }
            "401": { $ref: "#/components/responses/Unauthorized" }
      /api/v1/status:
        get:
          summary: The message bus as the broker sees it (any logged-in role)
          operationId: getStatus
          responses:
            "200":
              description: Broker, services and adapters
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/BusStatus" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/centres:
        get:
          summary: The centres, from the referrals service (bus message referrals.centres.list)
          operationId: listCentres
          responses:
            "200":
              description: The referrals service's reply, passed through unchanged
              content:
                application/json:
                  schema: {}
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "503": { $ref: "#/components/responses/Unavailable" }
    \#(modules.map(\.openAPIPaths).joined(separator: "\n"))
    components:
      securitySchemes:
        bearerAuth:
          type: http
          scheme: bearer
          description: Token from POST /api/v1/tokens
      schemas:
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
                details:
                  type: array
                  description: Every problem when there were several (a form with three wrong fields)
                  items:
                    type: object
                    required: [field, message]
                    properties:
                      field: { type: string }
                      message: { type: string }
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
          description: The body could not be read (not JSON, or not an object)
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
