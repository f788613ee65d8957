/// The referral part of the OpenAPI document: paths under /api/v1 and their schemas.
enum ReferralsOpenAPI {
    static let paths = #"""
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
            "422": { $ref: "#/components/responses/Unprocessable" }
            "503": { $ref: "#/components/responses/Unavailable" }
        get:
          summary: "Referrals without personal data. With any search item: every status, filtered, in pages (referrals.find). Without: view=queue (staff: the waiting list in order), centre (staff: the last 30 days), mine (agency)"
          operationId: listReferrals
          parameters:
            - { name: view, in: query, schema: { type: string, enum: [queue, centre, mine] } }
            - { name: centre, in: query, schema: { type: string } }
            - { name: status, in: query, schema: { type: string, enum: [submitted, received, accepted, appointment-offered, in-treatment, redirected, declined, closed, withdrawn] } }
            - { name: category, in: query, schema: { type: string, enum: [subjected-to-violence, used-violence, child-witness, young-adult, not-stated] } }
            - { name: municipality, in: query, schema: { type: string } }
            - { name: agency, in: query, description: "The referring agency's id", schema: { type: string } }
            - { name: from, in: query, description: "Sent on or after this date (Europe/Stockholm)", schema: { type: string, format: date } }
            - { name: to, in: query, description: "Sent on or before this date (Europe/Stockholm)", schema: { type: string, format: date } }
            - { name: reference, in: query, description: "The case number (or reserve number)", schema: { type: string, maxLength: 40 } }
            - { name: externalRef, in: query, description: "The agency's own reference", schema: { type: string, maxLength: 100 } }
            - { name: order, in: query, schema: { type: string, enum: [newest, oldest] } }
            - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 200 } }
            - { name: cursor, in: query, description: "nextCursor of the previous page", schema: { type: string } }
          responses:
            "200":
              description: "A search: {referrals: [...], order, nextCursor (null on the last page)}; a view: {view, referrals or categories}"
              content: { application/json: { schema: { type: object } } }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "422": { $ref: "#/components/responses/Unprocessable" }
      /api/v1/referrals/search:
        post:
          summary: "Search referrals with a JSON body: the filters of GET /api/v1/referrals, and identityNumber with purpose (centre staff only; audited). A personnummer is never sent in a URL"
          operationId: searchReferrals
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    identityNumber: { type: string, maxLength: 20 }
                    purpose: { type: string, enum: [case-handling, assessment, appointment, follow-up, print] }
                    status: { type: string }
                    category: { type: string }
                    centre: { type: string }
                    reference: { type: string }
                    externalRef: { type: string }
                    from: { type: string, format: date }
                    to: { type: string, format: date }
                    order: { type: string, enum: [newest, oldest] }
                    limit: { type: integer, minimum: 1, maximum: 200 }
                    cursor: { type: string }
                  additionalProperties: false
          responses:
            "200": { description: "{referrals: [...], order, nextCursor, audited?}", content: { application/json: { schema: { type: object } } } }
            "400": { $ref: "#/components/responses/BadRequest" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "422": { $ref: "#/components/responses/Unprocessable" }
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
            "422": { $ref: "#/components/responses/Unprocessable" }
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
    """#

    static let schemas = #"""
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
    """#
}
