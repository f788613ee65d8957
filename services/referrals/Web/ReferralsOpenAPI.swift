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
        ("municipality", APISchema.text(100)), ("agency", APISchema.agency), ("from", APISchema.date), ("to", APISchema.date),
        ("reference", APISchema.text(40)), ("externalRef", APISchema.text(100)), ("order", APISchema.choice(["newest", "oldest"])),
        ("limit", "{ type: integer, minimum: 1, maximum: 200 }"), ("cursor", APISchema.cursor),
    ]
    static let object = "{ type: object }"
    /// A search; one by identity number says why (purpose).
    static let search = "{ allOf: [" + APISchema.object(searchFilters + [("identityNumber", identityNumber), ("purpose", APISchema.choice(purposes))], closed: true)
        + ", { if: { required: [identityNumber], properties: { identityNumber: { type: string, pattern: '[0-9]' } } }, then: { required: [purpose], properties: { purpose: \(APISchema.choice(purposes)) } } }] }"
    /// Pausing needs a message and alternatives for the agencies.
    static let intake: String = {
        let fields = APISchema.object([("paused", APISchema.boolean), ("message", APISchema.text(500, multiline: true)),
                                       ("alternatives", APISchema.text(500, multiline: true)),
                                       ("categories", "{ type: array, items: \(APISchema.choice(categories)) }")], required: ["paused"])
        let paused = APISchema.object([("message", APISchema.text(500, required: true, multiline: true)),
                                       ("alternatives", APISchema.text(500, required: true, multiline: true))], required: ["message", "alternatives"])
        return "{ allOf: [\(fields), { if: { properties: { paused: { const: true } } }, then: \(paused) }] }"
    }()

    /// Every operation, with its reply schema from `replies`.
    static let operations = APIOperation.replying(table, replies)

    static let table: [APIOperation] = [
        Op("get", "/api/v1/referral-options", id: "referralOptions", tag: "referrals",
           summary: "What a referral may contain (categories, kinds of help, municipalities per centre with intake, reasons, risk questions)"),
        Op("post", "/api/v1/referrals", id: "submitReferral", tag: "referrals",
           summary: "Submit a referral (agency users for their own agency; staff also self-referrals). Validated in full; every problem is listed in error.details with its field. An agency referral needs the client's consent (scope referral); a personnummer's check digit must be right; the municipality must be one a centre serves. Send Idempotency-Key to make a retry return the first result",
           headers: [idempotencyKey], body: "{ $ref: \"#/components/schemas/ReferralSubmission\" }", status: 201,
           responseDescription: "Stored; id, reference, status, centre (and reserveId for an anonymous client)", conflict: true),
        Op("get", "/api/v1/referrals", id: "listReferrals", tag: "referrals",
           summary: "Referrals without personal data. With any search item: every status, filtered, in pages (referrals.find). Without: view=queue (staff: the waiting list in order), centre (staff: the last 30 days), mine (agency); an administrator names the centre",
           query: [APIParameter("view", APISchema.choice(["queue", "centre", "mine"]))]
               + searchFilters.map { APIParameter($0.0, $0.1) }),
        Op("post", "/api/v1/referrals/search", id: "searchReferrals", tag: "referrals",
           summary: "Search referrals with a JSON body: the filters of GET /api/v1/referrals, and identityNumber with purpose (centre staff only; audited). A personnummer is never sent in a URL",
           body: search, bodyRequired: false),
        Op("get", "/api/v1/referrals/{id}", id: "getReferral", tag: "referrals",
           summary: "One referral. Staff of its centre get personal data (the read is audit-logged with its purpose); the referring agency gets the status view; another agency's referral is not found",
           query: [APIParameter("purpose", APISchema.choice(purposes), required: true, description: "Why it is opened (audited); the referring agency's status view does not read it")], pathSchemas: ["id": referralId]),
        Op("post", "/api/v1/referrals/{id}/{action}", id: "referralAction", tag: "referrals",
           summary: "A life-cycle step: receive; assess {decision: accept|redirect|decline, priority 1-3, reason, redirectTo}; appointment {date, channel}; treatment {mode: individual|group, groupId}; close {reason}; withdraw {reason}; reprioritise {priority, reason}. A step the status does not allow is 409 (invalid_transition)",
           pathSchemas: ["id": referralId, "action": APISchema.choice(["receive", "assess", "appointment", "treatment", "close", "withdraw", "reprioritise"])],
           headers: [idempotencyKey], body: object, bodyRequired: false, responseDescription: "The referral after the step", conflict: true),
        Op("get", "/api/v1/capacity", id: "capacity", tag: "referrals",
           summary: "Each centre's intake per client group — open, waiting-list with a wait band, or paused — as broadcast to the agencies",
           query: [APIParameter("centre", APISchema.centre)]),
        Op("post", "/api/v1/centres/{centre}/intake", id: "setIntake", tag: "referrals", summary: "Pause or reopen intake (köstopp)",
           pathSchemas: ["centre": APISchema.centre],
           body: intake,
           responseDescription: "The centre's capacity now"),
        Op("get", "/api/v1/groups", id: "listGroups", tag: "referrals", summary: "Treatment groups with matching people waiting and whether each can start",
           query: [APIParameter("centre", APISchema.centre, required: true)]),
        Op("post", "/api/v1/groups", id: "defineGroup", tag: "referrals", summary: "Define a group: {centre, name, help, min, max, ageMin, ageMax, startsOn}",
           body: APISchema.object([("centre", APISchema.centre), ("name", APISchema.text(100, required: true, multiline: true)),
                                   ("help", APISchema.choice(["womens-group", "non-violence-group", "young-adults-group", "child-parent-group"])),
                                   ("min", "{ type: integer, minimum: 1, maximum: 30 }"), ("max", "{ type: integer, minimum: 1, maximum: 30, description: \"At least min\" }"),
                                   ("ageMin", "{ type: integer, minimum: 0, maximum: 120 }"), ("ageMax", "{ type: integer, minimum: 0, maximum: 120, description: \"At least ageMin\" }"),
                                   ("startsOn", APISchema.date)], required: ["centre", "name", "help", "min", "max", "ageMin", "ageMax"]),
           status: 201),
        Op("post", "/api/v1/groups/{id}/assign", id: "assignGroup", tag: "referrals", summary: "Assign waiting referrals to a group: {referralIds}",
           pathSchemas: ["id": referralId],
           body: APISchema.object([("referralIds", "{ type: array, minItems: 1, maxItems: 30, items: \(referralId) }")], required: ["referralIds"]), conflict: true),
        Op("get", "/api/v1/statistics", id: "statistics", tag: "referrals",
           summary: "Statistics per centre and year; counts below the threshold are \"<5\" (and \"x\" where a total would reveal them) unless view=internal for the centre's staff",
           query: [APIParameter("centre", APISchema.centre), APIParameter("year", "{ type: integer, minimum: 2000, maximum: 2200 }"),
                   APIParameter("view", APISchema.choice(["internal", "shared"])),
                   APIParameter("format", APISchema.choice(["json", "csv", "report"]))],
           responseDescription: "Statistics (csv: Swedish columns, years as headers, totals; report: the annual report's tables as markdown and csv)",
           response: [("application/json", object), ("text/csv", "{ type: string }")]),
        Op("post", "/api/v1/statistics/import", id: "importStatistics", tag: "referrals",
           summary: "Import earlier years' figures (administrators): CSV centre;year;table;key;count; a year with referrals is refused unless replace=true; a bad row is refused with line and field (csv:<line>:<field>) and nothing is stored",
           query: [APIParameter("replace", APISchema.choice(["true", "false"]))],
           body: "{ type: string, format: statistics-csv, description: \"The header centre;year;table;key;count, then one row or more: a configured centre, a year from 1990 to this year, table category, agency or municipality with a key of that table (a category code; an agency id or self; a municipality the centre serves), a count 0–1000000; each centre, year, table and key once\" }",
           bodyMedia: "text/csv", status: 201,
           responseDescription: "Imported", conflict: true),
        Op("get", "/api/v1/audit", id: "auditLog", tag: "referrals", summary: "The audit log of reads and changes of referrals (administrators; staff for their centre)",
           query: [APIParameter("centre", APISchema.centre), APIParameter("referralId", referralId), APIParameter("limit", "{ type: integer, minimum: 1, maximum: 5000 }")]),
        Op("post", "/api/v1/retention", id: "retention", tag: "referrals",
           summary: "Anonymise referrals closed longer than the retention period: {dryRun: true} reports, {dryRun: false} anonymises (administrators)",
           body: APISchema.object([("dryRun", APISchema.boolean)], required: ["dryRun"]), responseDescription: "Report"),
    ]

    static var paths: String { APIOperation.paths(operations) }

    static let phone = "{ type: string, maxLength: 40, pattern: '^[ +()-]*(?:[0-9][ +()-]*){6,15}$' }"
    /// Its shape is a pattern (digits, one '-' or '+'); its date and check digit are the format.
    static let identityNumber = "{ type: string, pattern: '^[\\t ]*(?:[0-9]{8}-?[0-9]{4}|[0-9]{6}[-+]?[0-9]{4})[\\t ]*$', anyOf: [{ format: personnummer }, { format: samordningsnummer }], description: \"YYYYMMDD-NNNC or YYMMDD-NNNC: a real date of birth and the right check digit (day + 60 for a samordningsnummer)\" }"

    /// The submission: its fields, then the rules between them (JSON Schema `if`/`then`), as
    /// `SubmissionValidator` checks them. A personnummer's date and check digit are its `format`.
    /// The validator reads blank text as not given (however long) but a blank code, date or id
    /// as wrong (`blankIsAbsent: false, blankTextIsAbsent: true`).
    static let submission: String = {
        let referrer = APISchema.object([("agency", APISchema.agency), ("unit", APISchema.text(200, required: true)),
                                         ("contactName", APISchema.text(200, required: true)), ("contactPhone", phone), ("contactEmail", APISchema.email)],
                                        required: ["agency", "unit", "contactName"], blankIsAbsent: false, blankTextIsAbsent: true)
        // One shape per kind of identity, so that the number's format goes with its kind: an
        // anonymous client has no number; a named one has a name unless the identity is protected.
        let contact: [(String, String)] = [
            ("phone", phone), ("email", APISchema.email), ("address", APISchema.text(300)),
            ("childrenAges", "{ type: array, maxItems: 20, items: { type: integer, minimum: 0, maximum: 17 } }"), ("interpreterLanguage", APISchema.text(60)),
        ]
        var shapes = [APISchema.object([("identityKind", "{ const: none }"), ("identityNumber", "{ const: \"\" }"), ("name", APISchema.text(200)), ("protectedIdentity", APISchema.boolean)] + contact,
                                       required: ["identityKind"], blankIsAbsent: false, blankTextIsAbsent: true)]
        for kind in ["personnummer", "samordningsnummer"] {
            let number = "{ type: string, pattern: '^[\\t ]*(?:[0-9]{8}-?[0-9]{4}|[0-9]{6}[-+]?[0-9]{4})[\\t ]*$', format: \(kind) }"
            shapes.append(APISchema.object([("identityKind", "{ const: \(kind) }"), ("identityNumber", number), ("name", APISchema.text(200, required: true)),
                                            ("protectedIdentity", "{ const: false }")] + contact, required: ["identityKind", "identityNumber", "name"], blankIsAbsent: false, blankTextIsAbsent: true))
            shapes.append(APISchema.object([("identityKind", "{ const: \(kind) }"), ("identityNumber", number), ("name", APISchema.text(200)),
                                            ("protectedIdentity", "{ const: true }")] + contact, required: ["identityKind", "identityNumber", "protectedIdentity"], blankIsAbsent: false, blankTextIsAbsent: true))
        }
        let client = "{ type: object, oneOf: [\(shapes.joined(separator: ", "))] }"
        let consent = APISchema.object([("given", APISchema.boolean), ("scope", "{ type: array, maxItems: 3, items: \(APISchema.choice(["referral", "status", "outcome"])) }"),
                                        ("givenAt", APISchema.date), ("recordedBy", APISchema.text(200))], blankIsAbsent: false, blankTextIsAbsent: true)
        let fields = APISchema.object([
            ("externalRef", APISchema.text(100)), ("source", APISchema.choice(["agency", "self"])), ("referrer", referrer),
            ("municipality", APISchema.municipality), ("category", APISchema.choice(categories)),
            ("help", "{ type: array, minItems: 1, maxItems: 5, items: \(APISchema.choice(["individual-talks", "womens-group", "non-violence-group", "young-adults-group", "child-parent-group"])) }"),
            ("client", client),
            ("safeContact", APISchema.object([("doNotContact", APISchema.boolean), ("mayCall", APISchema.boolean), ("callTimes", APISchema.text(200)), ("mayLeaveMessage", APISchema.boolean)])),
            ("consent", consent), ("urgency", APISchema.choice(["normal", "high", "acute"])),
            ("riskAnswers", "{ $ref: \"#/components/schemas/RiskAnswers\" }"), ("notes", APISchema.text(2000, multiline: true)),
        ], required: ["source", "municipality", "category", "help", "client", "safeContact"], blankIsAbsent: false, blankTextIsAbsent: true)
        let rules = [
            // An agency names itself and has the client's consent to the referral; a self-referral names no agency.
            "{ if: { properties: { source: { const: agency } } }, then: { required: [referrer, consent], properties: { referrer: { type: object }, consent: { type: object, required: [given, scope, givenAt, recordedBy], properties: { given: { const: true }, scope: { type: array, contains: { const: referral } }, givenAt: \(APISchema.date), recordedBy: \(APISchema.text(200, required: true)) } } } }, else: { not: { required: [referrer] } } }",
            // Status or outcome consent needs consent to the referral itself.
            "{ if: { properties: { consent: { properties: { scope: { contains: { enum: [status, outcome] } } } } } }, then: { properties: { consent: { properties: { scope: { contains: { const: referral } } } } } } }",
            // A child witness's age is given.
            "{ if: { properties: { category: { const: child-witness } } }, then: { properties: { client: { required: [childrenAges], properties: { childrenAges: { type: array, minItems: 1 } } } } } }",
            // The required risk-screening questions are answered, except for someone who used violence.
            "{ if: { properties: { category: { const: used-violence } } }, else: { required: [riskAnswers], properties: { riskAnswers: { $ref: \"#/components/schemas/RequiredRiskAnswers\" } } } }",
        ]
        return "{ allOf: [\(fields), \(rules.joined(separator: ", "))] }"
    }()

    static let schemas = """
        ReferralSubmission: \(submission)
    """
}
