import HubWeb
import ReferralsAPI

/// The JSON bodies of the referrals operations' success responses (checked by schemathesis's
/// response_schema_conformance), each written from its reply type in ReferralsAPI: a member
/// the type always sends is `required`, one it leaves out when it has nothing is optional and
/// never null, one it sends as null is `[type, "null"]`, and a code is its vocabulary's `enum`.
/// A reply whose shape depends on who asks (or on the view or format) is `anyOf` its shapes.
/// Rendered by `APIOperation.replying`.
extension ReferralsOpenAPI {
    static let replies: [String: String] = [
        "referralOptions": ReplySchema.options,
        "submitReferral": ReplySchema.object([
            ("id", ReplySchema.string), ("reference", ReplySchema.string), ("status", ReplySchema.code(ReferralStatus.self)),
            ("centre", ReplySchema.string), ("centreName", ReplySchema.string), ("submittedAt", ReplySchema.string), ("reserveId", ReplySchema.string),
            ("externalRef", ReplySchema.string), ("droppedFields", ReplySchema.array(ReplySchema.string)), ("notice", ReplySchema.string),
        ], required: ["centre", "centreName", "id", "reference", "status", "submittedAt"]),
        "listReferrals": "{ anyOf: [\(ReplySchema.queueView), \(ReplySchema.centreView), \(ReplySchema.mineView), \(ReplySchema.found)] }",
        "searchReferrals": ReplySchema.found,
        "getReferral": "{ anyOf: [\(ReplySchema.fullReferral), \(ReplySchema.statusView)] }",
        "referralAction": ReplySchema.object(ReplySchema.summaryMembers, required: ReplySchema.summaryRequired + ["action"]),
        "capacity": ReplySchema.object([("centres", ReplySchema.array(ReplySchema.capacity))], required: ["centres"]),
        "setIntake": ReplySchema.capacity,
        "listGroups": ReplySchema.groups,
        "defineGroup": ReplySchema.object([("id", ReplySchema.string), ("name", ReplySchema.string)], required: ["id", "name"]),
        "assignGroup": ReplySchema.object([("groupId", ReplySchema.string), ("assigned", ReplySchema.array(ReplySchema.summary))], required: ["assigned", "groupId"]),
        "statistics": "{ anyOf: [\(ReplySchema.statistics), \(ReplySchema.statisticsReport)] }",
        "importStatistics": ReplySchema.object([
            ("replace", ReplySchema.boolean), ("rows", ReplySchema.integer),
            ("years", ReplySchema.array(ReplySchema.object([("centre", ReplySchema.string), ("rows", ReplySchema.integer), ("year", ReplySchema.integer)]))),
        ]),
        "auditLog": ReplySchema.object([("entries", ReplySchema.array(ReplySchema.object([
            ("action", ReplySchema.string), ("actor", ReplySchema.string), ("at", ReplySchema.string), ("centre", ReplySchema.nullableString),
            ("purpose", ReplySchema.string), ("referralId", ReplySchema.nullableString), ("role", ReplySchema.string), ("unit", ReplySchema.string),
        ])))]),
        "retention": ReplySchema.object([
            ("count", ReplySchema.integer), ("cutoff", ReplySchema.string), ("dryRun", ReplySchema.boolean), ("retentionDays", ReplySchema.integer),
            ("referrals", ReplySchema.array(ReplySchema.object([
                ("centre", ReplySchema.string), ("endedAt", ReplySchema.string), ("id", ReplySchema.string), ("reference", ReplySchema.string),
                ("status", ReplySchema.code(ReferralStatus.self)),
            ]))),
        ]),
    ]
}

/// The pieces of the reply schemas, each from its ReferralsAPI type.
enum ReplySchema {
    static let string = "{ type: string }", integer = "{ type: integer }", boolean = "{ type: boolean }"
    static let nullableString = #"{ type: [string, "null"] }"#
    static let nullableInteger = #"{ type: [integer, "null"] }"#

    static func array(_ items: String) -> String { "{ type: array, items: \(items) }" }
    static func code<V: ReferralCode>(_ vocabulary: V.Type) -> String { APISchema.choice(V.codes) }
    /// An object of `members`; `required` nil: every member is always sent.
    static func object(_ members: [(String, String)], required: [String]? = nil) -> String {
        let names = (required ?? members.map(\.0)).sorted()
        return "{ type: object, required: [\(names.joined(separator: ", "))], properties: { \(members.map { "\($0.0): \($0.1)" }.joined(separator: ", ")) } }"
    }

    // MARK: The form's options (ReferralOptions.Reply)

    static let options: String = {
        let reason = object([("code", string), ("sv", string), ("en", string)])
        return object([
            ("categories", array(code(ClientCategory.self))), ("help", array(code(HelpKind.self))), ("urgency", array(code(Urgency.self))),
            ("centres", array(object([
                ("id", string), ("name", string), ("municipalities", array(string)),
                ("intake", object([("paused", boolean), ("categories", array(string)), ("message", string), ("alternatives", string), ("since", string)],
                                  required: ["categories", "paused"])),
            ], required: ["id", "municipalities", "name"]))),
            ("agencies", array(object([("id", string), ("name", string)]))),
            ("riskQuestions", array(object([("id", string), ("sv", string), ("en", string), ("required", boolean)]))),
            ("riskAnswers", array(string)), ("declineReasons", array(reason)), ("redirectReasons", array(reason)),
            ("closureReasons", array(reason)), ("withdrawReasons", array(reason)), ("maxFreeTextChars", integer),
        ])
    }()

    // MARK: Referrals (ReferralSummary, AgencyReferral, QueuePosition, ReferralCase, ReferralStatusView)

    static let summaryMembers: [(String, String)] = [
        ("id", string), ("reference", string), ("centre", string), ("centreName", string), ("municipality", string), ("category", string),
        ("help", array(string)), ("source", string), ("status", code(ReferralStatus.self)), ("urgency", string), ("submittedAt", string),
        ("protectedIdentity", boolean), ("doNotContact", boolean), ("riskScore", integer), ("highRisk", boolean), ("childrenAges", array(integer)),
        ("version", integer), ("referrerAgency", string), ("priority", integer), ("reserveId", string), ("receivedAt", string), ("clientAge", integer),
        ("treatment", string), ("groupId", string), ("reason", string), ("redirectTo", string), ("appointmentDate", string), ("endedAt", string),
        ("anonymised", boolean), ("action", string),
    ]
    static let summaryRequired = ["id", "reference", "centre", "centreName", "municipality", "category", "help", "source", "status", "urgency",
                                  "submittedAt", "protectedIdentity", "doNotContact", "riskScore", "highRisk", "childrenAges", "version"]
    static let summary = object(summaryMembers, required: summaryRequired)
    static let placeMembers: [(String, String)] = [("position", integer), ("estimatedWaitDays", integer), ("waitBand", code(WaitBand.self))]
    static let queued = object(summaryMembers + placeMembers, required: summaryRequired + placeMembers.map(\.0))
    static let agencyMembers: [(String, String)] = [
        ("id", string), ("reference", string), ("centre", string), ("centreName", string), ("category", code(ClientCategory.self)),
        ("status", code(ReferralStatus.self)), ("submittedAt", string), ("externalRef", nullableString),
    ]
    static let history = object([
        ("status", code(ReferralStatus.self)), ("action", string), ("at", string), ("reason", string), ("priority", integer), ("actor", string), ("note", string),
    ], required: ["action", "at", "status"])

    static let queueView = object([
        ("view", "{ const: queue }"), ("centre", string), ("capacity", capacity),
        ("categories", array(object([("category", code(ClientCategory.self)), ("count", integer), ("referrals", array(queued))]))),
    ])
    static let centreView = object([("view", "{ const: centre }"), ("centre", string), ("referrals", array(summary))])
    static let mineView = object([("view", "{ const: mine }"), ("referrals", array(object(agencyMembers + [("changedAt", string)])))])
    static let found = object([
        ("referrals", array("{ anyOf: [\(summary), \(object(agencyMembers))] }")), ("order", APISchema.choice(["newest", "oldest"])),
        ("nextCursor", nullableString), ("audited", boolean),
    ], required: ["nextCursor", "order", "referrals"])

    static let personal = object(["name", "identityNumber", "phone", "email", "address", "callTimes", "referrerContactName", "referrerContactPhone",
                                  "referrerContactEmail", "interpreterLanguage", "consentRecordedBy", "notes"].map { ($0, string) }
                                 + [("riskAnswers", "{ type: object, additionalProperties: { type: string } }")], required: ["riskAnswers"])
    static let detailMembers: [(String, String)] = [
        ("externalRef", nullableString), ("referrerUnit", nullableString), ("identityKind", code(IdentityKind.self)),
        ("consentScope", array(code(ConsentScope.self))), ("mayCall", boolean), ("mayLeaveMessage", boolean), ("history", array(history)),
        ("linked", array(object([("id", string), ("reference", string), ("centre", string), ("status", code(ReferralStatus.self)), ("submittedAt", string)]))),
        ("personal", personal), ("queue", object(placeMembers + [("of", integer)])),
    ]
    static let fullReferral = object(summaryMembers + detailMembers, required: summaryRequired + detailMembers.map(\.0).filter { $0 != "personal" && $0 != "queue" })
    static let statusView = object([
        ("id", string), ("reference", string), ("centre", string), ("centreName", string), ("status", code(ReferralStatus.self)), ("submittedAt", string),
        ("category", string), ("history", array(history)), ("consentToStatus", boolean), ("externalRef", nullableString),
        ("reason", string), ("treatment", string),
    ], required: ["category", "centre", "centreName", "consentToStatus", "externalRef", "history", "id", "reference", "status", "submittedAt"])

    // MARK: Capacity and groups (ReferralCapacity, ListGroups)

    static let capacity = object([
        ("centre", string), ("centreName", string), ("at", string),
        ("categories", array(object([
            ("category", code(ClientCategory.self)), ("state", code(IntakeStateCode.self)),
            ("waitBand", "{ type: [string, \"null\"], enum: [\(WaitBand.codes.map(APISchema.quoted).joined(separator: ", ")), null] }"),
            ("message", string), ("alternatives", string),
        ], required: ["category", "state", "waitBand"]))),
    ])
    static let groups = object([("centre", string), ("groups", array(object([
        ("id", string), ("name", string), ("help", code(HelpKind.self)), ("min", integer), ("max", integer), ("ageMin", integer), ("ageMax", integer),
        ("startsOn", nullableString), ("counts", APISchema.choice(["children", "people"])), ("enrolled", integer), ("matchingWaiting", integer),
        ("readyToStart", boolean),
        ("candidates", array(object([("id", string), ("reference", string), ("priority", nullableInteger), ("participants", integer),
                                     ("status", code(ReferralStatus.self))]))),
    ])))])

    // MARK: Statistics (ReferralStatistics.Tables and .Report; a masked count is a StatisticsCell)

    static let cell = #"{ type: [integer, string], description: "A count, or in the shared view the mark that hides a small one" }"#
    static let imported = object([("year", boolean), ("previous", boolean)])
    static let comparison: [(String, String)] = [("previous", cell), ("difference", cell)]
    static func counts(_ key: String, _ extra: [(String, String)] = []) -> String {
        object([("rows", array(object([(key, string), ("count", cell)] + extra + comparison))), ("total", cell), ("previousTotal", cell)])
    }
    static let statistics = object([
        ("centre", string), ("centreName", string), ("year", integer), ("view", APISchema.choice(["internal", "shared"])), ("threshold", integer),
        ("imported", imported),
        ("uniqueClients", object([("rows", array(object([("category", code(ClientCategory.self)), ("year", cell)] + comparison))),
                                  ("total", object([("year", cell)] + comparison))])),
        ("byAgency", counts("agency", [("name", string)])), ("byMunicipality", counts("municipality")),
        ("waitToFirstAppointment", object([("n", cell), ("medianDays", nullableInteger), ("p90Days", nullableInteger)])),
        ("queueOverTime", array(object([("date", string), ("length", cell)]))),
    ])
    static let statisticsReport = object([("centre", string), ("centreName", string), ("year", integer), ("imported", imported),
                                          ("markdown", string), ("csv", string)])
}
