/// The hand-written OpenAPI 3.1 description of the JSON API, served at /openapi.yaml.
/// Keep it in step with `GatewayServer.buildRouter()` (a test checks every route is named).
enum OpenAPIDocument {
    static let yaml = #"""
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
      /api/v1/referral-options:
        get:
          summary: What a referral may contain (categories, kinds of help, municipalities per centre with intake, reasons, risk questions)
          operationId: referralOptions
          responses:
            "200": { description: Options, content: { application/json: { schema: { type: object } } } }
            "401": { $ref: "#/components/responses/Unauthorized" }
      /api/v1/referrals:
        post:
          summary: Submit a referral (agency users for their own agency; staff also self-referrals)
          description: |
            Validated in full; every problem is listed in `error.details` with its field. An agency referral needs the
            client's consent (scope `referral`). For a protected identity no name or contact details are stored
            (`droppedFields`). Send `Idempotency-Key` to make a retry return the first result.
          operationId: submitReferral
          parameters:
            - { name: Idempotency-Key, in: header, required: false, schema: { type: string, maxLength: 80 } }
          requestBody:
            required: true
            content: { application/json: { schema: { $ref: "#/components/schemas/ReferralSubmission" } } }
          responses:
            "201": { description: Stored; id, reference, status, centre (and reserveId for an anonymous client), content: { application/json: { schema: { type: object } } } }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "409": { description: "intake_paused: the centre has paused intake; the message says where to turn", content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
            "400": { $ref: "#/components/responses/BadRequest" }
            "503": { $ref: "#/components/responses/Unavailable" }
        get:
          summary: "List referrals without personal data: view=queue (staff: the waiting list in order with positions and estimated waits), centre (staff), mine (agency: own referrals, status only)"
          operationId: listReferrals
          parameters:
            - { name: view, in: query, schema: { type: string, enum: [queue, centre, mine] } }
            - { name: centre, in: query, schema: { type: string } }
          responses:
            "200": { description: Referrals, content: { application/json: { schema: { type: object } } } }
            "403": { $ref: "#/components/responses/Forbidden" }
      /api/v1/referrals/{id}:
        get:
          summary: One referral. Staff of its centre get personal data (the read is audit-logged with its purpose); the referring agency gets the status view
          operationId: getReferral
          parameters:
            - { name: id, in: path, required: true, schema: { type: string } }
            - { name: purpose, in: query, schema: { type: string, enum: [case-handling, assessment, appointment, follow-up, print] } }
          responses:
            "200": { description: The referral, content: { application/json: { schema: { type: object } } } }
            "404": { description: No such referral for this user (another agency's referral is not found), content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
      /api/v1/referrals/{id}/{action}:
        post:
          summary: "A life-cycle step: receive; assess {decision: accept|redirect|decline, priority 1-3, reason, redirectTo}; appointment {date, channel}; treatment {mode: individual|group, groupId}; close {reason}; withdraw {reason}; reprioritise {priority, reason}"
          operationId: referralAction
          parameters:
            - { name: id, in: path, required: true, schema: { type: string } }
            - { name: action, in: path, required: true, schema: { type: string, enum: [receive, assess, appointment, treatment, close, withdraw, reprioritise] } }
            - { name: Idempotency-Key, in: header, required: false, schema: { type: string, maxLength: 80 } }
          requestBody: { required: true, content: { application/json: { schema: { type: object } } } }
          responses:
            "200": { description: The referral after the step, content: { application/json: { schema: { type: object } } } }
            "409": { description: Changed by someone else meanwhile, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { description: "invalid_transition (field `status`): the life cycle does not allow the step", content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
      /api/v1/capacity:
        get:
          summary: Each centre's intake per client group — open, waiting-list with a wait band, or paused — as broadcast to the agencies
          operationId: capacity
          responses:
            "200": { description: Capacity, content: { application/json: { schema: { type: object } } } }
      /api/v1/centres/{centre}/intake:
        post:
          summary: "Pause or reopen intake (köstopp): {paused, message, alternatives, categories}"
          operationId: setIntake
          parameters:
            - { name: centre, in: path, required: true, schema: { type: string } }
          requestBody: { required: true, content: { application/json: { schema: { type: object } } } }
          responses:
            "200": { description: The centre's capacity now, content: { application/json: { schema: { type: object } } } }
            "403": { $ref: "#/components/responses/Forbidden" }
      /api/v1/groups:
        get:
          summary: Treatment groups with matching people waiting and whether each can start
          operationId: listGroups
          parameters:
            - { name: centre, in: query, schema: { type: string } }
          responses:
            "200": { description: Groups, content: { application/json: { schema: { type: object } } } }
        post:
          summary: "Define a group: {centre, name, help, min, max, ageMin, ageMax, startsOn}"
          operationId: defineGroup
          requestBody: { required: true, content: { application/json: { schema: { type: object } } } }
          responses:
            "201": { description: Defined, content: { application/json: { schema: { type: object } } } }
      /api/v1/groups/{id}/assign:
        post:
          summary: "Assign waiting referrals to a group: {referralIds}"
          operationId: assignGroup
          parameters:
            - { name: id, in: path, required: true, schema: { type: string } }
          requestBody: { required: true, content: { application/json: { schema: { type: object } } } }
          responses:
            "200": { description: Assigned, content: { application/json: { schema: { type: object } } } }
      /api/v1/statistics:
        get:
          summary: Statistics per centre and year; counts below the threshold are "<5" (and "x" where a total would reveal them) unless view=internal for the centre's staff
          operationId: statistics
          parameters:
            - { name: centre, in: query, schema: { type: string } }
            - { name: year, in: query, schema: { type: integer } }
            - { name: view, in: query, schema: { type: string, enum: [internal, shared] } }
            - { name: format, in: query, schema: { type: string, enum: [json, csv, report] } }
          responses:
            "200": { description: "Statistics (csv: Swedish columns, years as headers, totals; report: the annual report's tables as markdown and csv)", content: { application/json: { schema: { type: object } }, text/csv: { schema: { type: string } } } }
      /api/v1/statistics/import:
        post:
          summary: "Import earlier years' figures (administrators): CSV centre;year;table;key;count; a year with referrals is refused unless replace=true; a bad row is refused with line and field (csv:<line>:<field>) and nothing is stored"
          operationId: importStatistics
          parameters:
            - { name: replace, in: query, schema: { type: boolean } }
          requestBody: { required: true, content: { text/csv: { schema: { type: string } } } }
          responses:
            "201": { description: Imported, content: { application/json: { schema: { type: object } } } }
      /api/v1/audit:
        get:
          summary: The audit log of reads and changes of referrals (administrators; staff for their centre)
          operationId: auditLog
          parameters:
            - { name: centre, in: query, schema: { type: string } }
            - { name: referralId, in: query, schema: { type: string } }
          responses:
            "200": { description: Entries, content: { application/json: { schema: { type: object } } } }
      /api/v1/retention:
        post:
          summary: "Anonymise referrals closed longer than the retention period: {dryRun: true} reports, {dryRun: false} anonymises (administrators)"
          operationId: retention
          requestBody: { required: true, content: { application/json: { schema: { type: object } } } }
          responses:
            "200": { description: Report, content: { application/json: { schema: { type: object } } } }
    \#(NetworksOpenAPI.paths)
    \#(MeetingsOpenAPI.paths)
    \#(TrainingOpenAPI.paths)
    components:
      securitySchemes:
        bearerAuth:
          type: http
          scheme: bearer
          description: Token from POST /api/v1/tokens
      schemas:
        ReferralSubmission:
          type: object
          required: [source, municipality, category, help, client, safeContact]
          properties:
            externalRef: { type: string, maxLength: 100 }
            source: { type: string, enum: [agency, self] }
            referrer:
              type: object
              properties:
                agency: { type: string }
                unit: { type: string }
                contactName: { type: string }
                contactPhone: { type: string }
                contactEmail: { type: string }
            municipality: { type: string }
            category: { type: string, enum: [subjected-to-violence, used-violence, child-witness, young-adult, not-stated] }
            help: { type: array, minItems: 1, items: { type: string, enum: [individual-talks, womens-group, non-violence-group, young-adults-group, child-parent-group] } }
            client:
              type: object
              properties:
                identityKind: { type: string, enum: [personnummer, samordningsnummer, none] }
                identityNumber: { type: string }
                name: { type: string }
                protectedIdentity: { type: boolean }
                phone: { type: string }
                email: { type: string }
                address: { type: string }
                childrenAges: { type: array, items: { type: integer, minimum: 0, maximum: 17 } }
                interpreterLanguage: { type: string }
            safeContact:
              type: object
              properties:
                doNotContact: { type: boolean }
                mayCall: { type: boolean }
                callTimes: { type: string }
                mayLeaveMessage: { type: boolean }
            consent:
              type: object
              properties:
                given: { type: boolean }
                scope: { type: array, items: { type: string, enum: [referral, status, outcome] } }
                givenAt: { type: string, format: date }
                recordedBy: { type: string }
            urgency: { type: string, enum: [normal, high, acute] }
            riskAnswers: { type: object, additionalProperties: { type: string, enum: ["yes", "no", "unknown"] } }
            notes: { type: string }
    \#(NetworksOpenAPI.schemas)
    \#(MeetingsOpenAPI.schemas)
    \#(TrainingOpenAPI.schemas)
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
          description: Validation failed or the body is not JSON; `field` names the field
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
