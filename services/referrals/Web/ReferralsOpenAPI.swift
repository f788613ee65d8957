import HubWeb

/// The referral part of the OpenAPI document: operations under /api/v1 and their schemas.
enum ReferralsOpenAPI {
    typealias Op = APIOperation
    static let statuses = ["submitted", "received", "accepted", "appointment-offered", "in-treatment", "redirected", "declined", "closed", "withdrawn"]
    static let categories = ["subjected-to-violence", "used-violence", "child-witness", "young-adult", "not-stated"]
    static let purposes = ["case-handling", "assessment", "appointment", "follow-up", "print"]
    static let referralId = "{ type: string, pattern: '^[0-9a-f-]{1,64}$', description: \"A referral's id\" }"
    static let idempotencyKey = APIParameter("Idempotency-Key", "{ type: string, minLength: 1, maxLength: 80, pattern: '^[!-~]+$' }",
                                             description: "Makes a retry return the first result")
    static let searchFilters: [(String, String)] = [
        ("centre", APISchema.centre), ("status", APISchema.choice(statuses)), ("category", APISchema.choice(categories)),
        ("municipality", APISchema.municipality), ("agency", APISchema.agency), ("from", APISchema.date), ("to", APISchema.date),
        ("reference", APISchema.text(40)), ("externalRef", APISchema.text(100)), ("order", APISchema.choice(["newest", "oldest"])),
        ("limit", "{ type: integer, minimum: 1, maximum: 200 }"), ("cursor", APISchema.text(200)),
    ]
    static let object = "{ type: object }"

    static let operations: [APIOperation] = [
        Op("get", "/api/v1/referral-options", id: "referralOptions", tag: "referrals",
           summary: "What a referral may contain (categories, kinds of help, municipalities per centre with intake, reasons, risk questions)"),
        Op("post", "/api/v1/referrals", id: "submitReferral", tag: "referrals",
           summary: "Submit a referral (agency users for their own agency; staff also self-referrals). Validated in full; every problem is listed in error.details with its field. An agency referral needs the client's consent (scope referral); a personnummer's check digit must be right; the municipality must be one a centre serves. Send Idempotency-Key to make a retry return the first result",
           headers: [idempotencyKey], body: "{ $ref: \"#/components/schemas/ReferralSubmission\" }", status: 201,
           responseDescription: "Stored; id, reference, status, centre (and reserveId for an anonymous client)", conflict: true),
        Op("get", "/api/v1/referrals", id: "listReferrals", tag: "referrals",
           summary: "Referrals without personal data. With any search item: every status, filtered, in pages (referrals.find). Without: view=queue (staff: the waiting list in order), centre (staff: the last 30 days), mine (agency); an administrator names the centre",
           query: [APIParameter("view", APISchema.choice(["queue", "centre", "mine"]))] + searchFilters.map { APIParameter($0.0, $0.1) }),
        Op("post", "/api/v1/referrals/search", id: "searchReferrals", tag: "referrals",
           summary: "Search referrals with a JSON body: the filters of GET /api/v1/referrals, and identityNumber with purpose (centre staff only; audited). A personnummer is never sent in a URL",
           body: APISchema.object(searchFilters + [("identityNumber", "{ type: string, pattern: '^[0-9]{6}(?:[0-9]{2})?[-+]?[0-9]{4}$' }"), ("purpose", APISchema.choice(purposes))], closed: true)),
        Op("get", "/api/v1/referrals/{id}", id: "getReferral", tag: "referrals",
           summary: "One referral. Staff of its centre get personal data (the read is audit-logged with its purpose); the referring agency gets the status view; another agency's referral is not found",
           query: [APIParameter("purpose", APISchema.choice(purposes))], pathSchemas: ["id": referralId]),
        Op("post", "/api/v1/referrals/{id}/{action}", id: "referralAction", tag: "referrals",
           summary: "A life-cycle step: receive; assess {decision: accept|redirect|decline, priority 1-3, reason, redirectTo}; appointment {date, channel}; treatment {mode: individual|group, groupId}; close {reason}; withdraw {reason}; reprioritise {priority, reason}. A step the status does not allow is 409 (invalid_transition)",
           pathSchemas: ["id": referralId, "action": APISchema.choice(["receive", "assess", "appointment", "treatment", "close", "withdraw", "reprioritise"])],
           headers: [idempotencyKey], body: object, bodyRequired: false, responseDescription: "The referral after the step", conflict: true),
        Op("get", "/api/v1/capacity", id: "capacity", tag: "referrals",
           summary: "Each centre's intake per client group — open, waiting-list with a wait band, or paused — as broadcast to the agencies",
           query: [APIParameter("centre", APISchema.centre)]),
        Op("post", "/api/v1/centres/{centre}/intake", id: "setIntake", tag: "referrals", summary: "Pause or reopen intake (köstopp)",
           pathSchemas: ["centre": APISchema.centre],
           body: APISchema.object([("paused", APISchema.boolean), ("message", APISchema.text(1000, multiline: true)),
                                   ("alternatives", APISchema.text(1000, multiline: true)), ("categories", "{ type: array, items: \(APISchema.choice(categories)) }")],
                                  required: ["paused"]),
           responseDescription: "The centre's capacity now"),
        Op("get", "/api/v1/groups", id: "listGroups", tag: "referrals", summary: "Treatment groups with matching people waiting and whether each can start",
           query: [APIParameter("centre", APISchema.centre)]),
        Op("post", "/api/v1/groups", id: "defineGroup", tag: "referrals", summary: "Define a group: {centre, name, help, min, max, ageMin, ageMax, startsOn}",
           body: object, status: 201),
        Op("post", "/api/v1/groups/{id}/assign", id: "assignGroup", tag: "referrals", summary: "Assign waiting referrals to a group: {referralIds}",
           body: APISchema.object([("referralIds", "{ type: array, minItems: 1, maxItems: 50, items: \(referralId) }")], required: ["referralIds"]), conflict: true),
        Op("get", "/api/v1/statistics", id: "statistics", tag: "referrals",
           summary: "Statistics per centre and year; counts below the threshold are \"<5\" (and \"x\" where a total would reveal them) unless view=internal for the centre's staff",
           query: [APIParameter("centre", APISchema.centre), APIParameter("year", APISchema.year), APIParameter("view", APISchema.choice(["internal", "shared"])),
                   APIParameter("format", APISchema.choice(["json", "csv", "report"]))],
           responseDescription: "Statistics (csv: Swedish columns, years as headers, totals; report: the annual report's tables as markdown and csv)",
           response: [("application/json", object), ("text/csv", "{ type: string }")]),
        Op("post", "/api/v1/statistics/import", id: "importStatistics", tag: "referrals",
           summary: "Import earlier years' figures (administrators): CSV centre;year;table;key;count; a year with referrals is refused unless replace=true; a bad row is refused with line and field (csv:<line>:<field>) and nothing is stored",
           query: [APIParameter("replace", APISchema.choice(["true", "false"]))], body: "{ type: string }", bodyMedia: "text/csv", status: 201,
           responseDescription: "Imported", conflict: true),
        Op("get", "/api/v1/audit", id: "auditLog", tag: "referrals", summary: "The audit log of reads and changes of referrals (administrators; staff for their centre)",
           query: [APIParameter("centre", APISchema.centre), APIParameter("referralId", referralId), APIParameter("limit", "{ type: integer, minimum: 1, maximum: 500 }")]),
        Op("post", "/api/v1/retention", id: "retention", tag: "referrals",
           summary: "Anonymise referrals closed longer than the retention period: {dryRun: true} reports, {dryRun: false} anonymises (administrators)",
           body: APISchema.object([("dryRun", APISchema.boolean)]), bodyRequired: false, responseDescription: "Report"),
    ]

    static var paths: String { APIOperation.paths(operations) }

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
