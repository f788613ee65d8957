import HubProtocol

/// One operation of the JSON API as the OpenAPI document (`/openapi.yaml`) describes it.
///
/// Why Swift data and not YAML text: every operation shares most of its description — the
/// error responses (each status the gateway can answer for it, from the one map in
/// `HubProtocol/HTTPStatus.swift`), the security requirement, and the schemas of path ids,
/// centres, years, dates and text, which must match the services' checks exactly: a schema
/// wider than the check lets a "valid" request be refused, a narrower one lets an invalid
/// request through unnoticed. Each module lists its operations in a table of these, and
/// `APIDocument.paths` renders them all the same way; `APISchema` holds the shared schemas.
/// schemathesis (`Tests/protocol/test_openapi_schemathesis.py`) checks the result against
/// the running hub.
package struct APIOperation: Sendable {
    package var method: String
    /// The full path (`/api/v1/network-days/{dayId}`).
    package var path: String
    package var id: String
    package var summary: String
    package var tag: String
    /// Query parameters.
    package var query: [APIParameter] = []
    /// Schemas of path parameters other than a plain id (`APISchema.id`), by name.
    package var pathSchemas: [String: String] = [:]
    /// Header parameters (`Idempotency-Key`).
    package var headers: [APIParameter] = []
    /// The request body's schema (flow YAML or a `$ref`), nil for none.
    package var body: String? = nil
    package var bodyMedia = "application/json"
    package var bodyRequired = true
    /// The success status and its body: schema by media type.
    package var status = 200
    package var responseDescription = "The service's reply"
    package var response: [(media: String, schema: String)] = [("application/json", "{ type: object }")]
    /// Whether the state may refuse it (409 conflict: cancelled, full, already done, …).
    package var conflict = false
    /// Whether an unknown thing named outside the path gives 404 (a path parameter always may).
    package var notFound = false
    /// Public: no bearer token (the token exchange itself).
    package var open = false
    /// Extra responses written out in full (`"429": …`), for what only this operation answers.
    package var extraResponses: [String] = []

    package init(_ method: String, _ path: String, id: String, tag: String, summary: String,
                 query: [APIParameter] = [], pathSchemas: [String: String] = [:], headers: [APIParameter] = [],
                 body: String? = nil, bodyMedia: String = "application/json", bodyRequired: Bool = true,
                 status: Int = 200, responseDescription: String = "The service's reply",
                 response: [(media: String, schema: String)] = [("application/json", "{ type: object }")],
                 conflict: Bool = false, notFound: Bool = false, open: Bool = false, extraResponses: [String] = []) {
        self.method = method; self.path = path; self.id = id; self.tag = tag; self.summary = summary
        self.query = query; self.pathSchemas = pathSchemas; self.headers = headers
        self.body = body; self.bodyMedia = bodyMedia; self.bodyRequired = bodyRequired
        self.status = status; self.responseDescription = responseDescription; self.response = response
        self.conflict = conflict; self.notFound = notFound; self.open = open; self.extraResponses = extraResponses
    }

    /// The names in `{…}` of the path, in order.
    package var pathParameters: [String] {
        path.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }

    /// Whether a request to `requestPath` (no query) is for this operation's path.
    package func matches(_ requestPath: String) -> Bool {
        let want = path.split(separator: "/", omittingEmptySubsequences: false)
        let have = requestPath.split(separator: "/", omittingEmptySubsequences: false)
        guard want.count == have.count else { return false }
        return zip(want, have).allSatisfy { w, h in (w.hasPrefix("{") && !h.isEmpty) || w == h }
    }

    /// Every status this operation can answer besides its success, with the shared
    /// response it refers to: the statuses of `HubError.Code.httpStatus` that can arise here.
    package var errorResponses: [(String, String)] {
        var out: [(String, String)] = []
        let hasBody = method != "get"
        if hasBody { out.append(("400", "BadRequest")) }
        if !open { out += [("401", "Unauthorized"), ("403", "Forbidden")] }
        // An unknown id in the path, a centre that does not exist, or an id named in the body.
        if notFound || !pathParameters.isEmpty || body != nil || query.contains(where: { $0.schema == APISchema.centre }) {
            out.append(("404", "NotFound"))
        }
        if conflict { out.append(("409", "Conflict")) }
        if hasBody { out += [("413", "TooLarge"), ("415", "UnsupportedMediaType")] }
        out.append(("422", "Unprocessable"))
        out.append(("503", "Unavailable"))
        return out
    }

    /// The operation under its path item, indented as it stands under `paths:`.
    package var yaml: String {
        var out = ["    \(method):",
                   "      summary: \(APISchema.quoted(summary))",
                   "      operationId: \(id)",
                   "      tags: [\(tag)]"]
        if open { out.append("      security: []") }
        let params = pathParameters.map { APIParameter($0, pathSchemas[$0] ?? APISchema.id, required: true) }
        if !params.isEmpty || !query.isEmpty || !headers.isEmpty {
            out.append("      parameters:")
            out += params.map { $0.yaml(in: "path") } + query.map { $0.yaml(in: "query") } + headers.map { $0.yaml(in: "header") }
        }
        if let body {
            out += ["      requestBody:", "        required: \(bodyRequired)", "        content:",
                    "          \(bodyMedia):", "            schema: \(body)"]
        }
        out += ["      responses:", "        \"\(status)\":", "          description: \(APISchema.quoted(responseDescription))"]
        if !response.isEmpty {
            out.append("          content:")
            for (media, schema) in response { out.append("            \(media): { schema: \(schema) }") }
        }
        out += extraResponses.map { "        " + $0 }
        for (code, name) in errorResponses where !extraResponses.contains(where: { $0.hasPrefix("\"\(code)\"") }) {
            out.append("        \"\(code)\": { $ref: \"#/components/responses/\(name)\" }")
        }
        return out.joined(separator: "\n")
    }

    /// `operations` with the JSON body of each success response that `replies` names (by
    /// operation id) in place of the table's: a module keeps its reply schemas apart from its
    /// table of operations. Other media types (CSV, Markdown) stay as the table has them.
    package static func replying(_ operations: [APIOperation], _ replies: [String: String]) -> [APIOperation] {
        operations.map { operation in
            guard let schema = replies[operation.id] else { return operation }
            var out = operation
            out.response = operation.response.map { $0.media == "application/json" ? (media: $0.media, schema: schema) : $0 }
            return out
        }
    }

    /// Operations as YAML under `paths:`, grouped by path in first-seen order.
    package static func paths(_ operations: [APIOperation]) -> String {
        var order: [String] = []
        for op in operations where !order.contains(op.path) { order.append(op.path) }
        return order.map { path in
            (["  \(path):"] + operations.filter { $0.path == path }.map(\.yaml)).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// A query, path or header parameter.
package struct APIParameter: Sendable {
    package var name: String
    package var schema: String
    package var required: Bool
    package var description: String?

    package init(_ name: String, _ schema: String, required: Bool = false, description: String? = nil) {
        self.name = name; self.schema = schema; self.required = required; self.description = description
    }

    func yaml(in place: String) -> String {
        let text = description.map { ", description: \(APISchema.quoted($0))" } ?? ""
        // The gateway reads an empty query item as one not given.
        let schema = place == "query" && !required ? "{ anyOf: [\(self.schema), { const: \"\" }] }" : self.schema
        return "        - { name: \(name), in: \(place), required: \(required)\(text), schema: \(schema) }"
    }
}

/// Schemas shared by every module, as flow YAML, matching the services' checks
/// (`HubCore/BodyReader`: ids, text, dates, times; `LocalTime.isDate`: 1900–2200).
package enum APISchema {
    /// An id of lower-case letters, digits and '-' (`BodyReader.id`; the services take at most 64).
    package static let id = "{ $ref: \"#/components/schemas/Id\" }"
    /// A centre's id: one of the configured centres (filled in when the document is served).
    package static let centre = "{ $ref: \"#/components/schemas/CentreId\" }"
    /// A partner agency's id (config/agencies.json, filled in when the document is served).
    package static let agency = "{ $ref: \"#/components/schemas/AgencyId\" }"
    /// A municipality an Utväg centre serves (config/centres.json).
    package static let municipality = "{ $ref: \"#/components/schemas/Municipality\" }"
    /// A municipality that the body's `centreId` serves (with `allOf`, beside the fields).
    package static let servedMunicipality = "{ $ref: \"#/components/schemas/CentreMunicipality\" }"
    /// The `nextCursor` of a previous page.
    package static let cursor = "{ type: string, maxLength: 200, format: cursor, description: \"The nextCursor of the previous page\" }"
    /// A registration deadline: a date (end of that day) or `YYYY-MM-DDTHH:MM`, Europe/Stockholm.
    package static let deadline = "{ $ref: \"#/components/schemas/Deadline\" }"
    /// A year as the services take it.
    package static let year = "{ type: integer, minimum: 1900, maximum: 2200 }"
    /// A real date `YYYY-MM-DD` in 1900–2200.
    package static let date = "{ $ref: \"#/components/schemas/Date\" }"
    /// A time of day `HH:MM`.
    package static let time = "{ $ref: \"#/components/schemas/Time\" }"
    /// An e-mail address as `EmailAddress` takes it.
    /// Narrower than `EmailAddress.isValid` (ASCII, short parts) so that every address it
    /// describes is one the hub takes.
    package static let email = #"{ type: string, maxLength: 254, pattern: '^[A-Za-z0-9_%+-]{1,20}(?:\.[A-Za-z0-9_%+-]{1,20}){0,2}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,10}$' }"#
    package static let boolean = "{ type: boolean }"

    /// Characters no text may hold: C0, DEL and C1. (The services refuse the Unicode line
    /// separators U+2028 and U+2029 too; a `\u2028` in a pattern stops schemathesis from
    /// making any value for it, so the document leaves them out.)
    static let control = #"\x00-\x1f\x7f-\x9f"#
    /// The same, less new lines and tabs, for multi-line text.
    static let controlMultiline = #"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"#

    /// What the services trim from both ends before they check text (`whitespacesAndNewlines`;
    /// less U+0085, which in a pattern's class stops schemathesis from making values).
    static let trimmed = #"[\t-\r ]*"#

    /// One-line text of at most `max` characters; `required`: not blank. The services trim
    /// white space at both ends first, so a new line there is no control character.
    package static func text(_ max: Int, required: Bool = false, multiline: Bool = false) -> String {
        let bad = multiline ? controlMultiline : control
        let pattern = required ? "^\(trimmed)[^\(bad)]*[^\\s\(bad)][^\(bad)]*\(trimmed)$" : "^\(trimmed)[^\(bad)]*\(trimmed)$"
        return "{ type: string, maxLength: \(max), pattern: '\(pattern)' }"
    }

    /// One of `values`.
    package static func choice(_ values: [String]) -> String {
        "{ type: string, enum: [\(values.map(quoted).joined(separator: ", "))] }"
    }

    /// Text that is empty once trimmed: the services read it as a text member not given.
    static let blank = "{ type: string, pattern: '^\(trimmed)$' }"

    /// Whether `schema` is one of text (where the services read blank as not given).
    static func isText(_ schema: String) -> Bool {
        schema.hasPrefix("{ type: string") || [id, centre, agency, municipality, date, time, deadline].contains(schema)
    }

    /// An object with `properties` (name → schema), those in `required` required. The
    /// services read a null or blank member as one not given, so an optional member may be either.
    /// `blankIsAbsent` false: a reader that takes blank text as given (the registration engine's).
    /// `blankTextIsAbsent`: with `blankIsAbsent` false, free text (not a code, date or id) is
    /// still read as not given when blank (the referral submission's validator).
    package static func object(_ properties: [(String, String)], required: [String] = [], closed: Bool = false,
                               blankIsAbsent: Bool = true, blankTextIsAbsent: Bool = false) -> String {
        let props = properties.map { name, schema in
            if required.contains(name) { return "\(name): \(schema)" }
            let blankTaken = blankIsAbsent ? isText(schema) : blankTextIsAbsent && schema.hasPrefix("{ type: string, maxLength:")
            return "\(name): { anyOf: [\(schema), { type: \"null\" }\(blankTaken ? ", " + blank : "")] }"
        }.joined(separator: ", ")
        let req = required.isEmpty ? "" : ", required: [\(required.joined(separator: ", "))]"
        return "{ type: object\(req), properties: { \(props) }\(closed ? ", additionalProperties: false" : "") }"
    }

    /// `text` as a YAML double-quoted scalar.
    package static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The shared schemas, under `components.schemas:`, with the configured values of `reference`
    /// (any id or text where the referrals service did not say).
    package static func components(_ reference: APIReferenceValues) -> String {
        let centres = reference.centres, agencies = reference.agencies, municipalities = reference.municipalities
        let leap = "(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))"
        let day = "(?:(?:19[0-9]{2}|20[0-9]{2}|21[0-9]{2}|2200)-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|\(leap)-02-29)"
        let clock = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
        func values(_ list: [String], otherwise: String) -> String { list.isEmpty ? otherwise : choice(list) }
        return """
            Id: { type: string, pattern: '^[a-z0-9-]{1,64}$', description: "Lower-case letters, digits and '-'" }
            CentreId: \(values(centres, otherwise: id))
            AgencyId: \(values(agencies, otherwise: id))
            Municipality: \(values(municipalities, otherwise: text(100, required: true)))
            Date: { type: string, pattern: '^\(day)$', description: "A real date YYYY-MM-DD, 1900–2200" }
            Time: { type: string, pattern: '^\(clock)$', description: "HH:MM, Europe/Stockholm" }
            CentreMunicipality: \(reference.served.isEmpty ? "{ type: object }"
                : "{ anyOf: [" + reference.served.map { "{ properties: { centreId: { const: \(quoted($0.centre)) }, municipality: { anyOf: [\(choice($0.municipalities)), { type: \"null\" }, \(blank)] } } }" }.joined(separator: ", ") + "] }")
            RiskAnswers: { type: object, additionalProperties: \(reference.riskQuestions.isEmpty ? "{ type: string }"
                : "false, properties: { " + reference.riskQuestions.map { "\($0.id): \(choice(reference.riskAnswers))" }.joined(separator: ", ") + " }") }
            RequiredRiskAnswers: { type: object, required: [\(reference.riskQuestions.filter(\.required).map(\.id).joined(separator: ", "))] }
            Deadline: { type: string, pattern: '^\(day)(?:T\(clock))?$', description: "YYYY-MM-DD (the end of that day) or YYYY-MM-DDTHH:MM, Europe/Stockholm" }
        """
    }
}

/// The configured values some parameters take (centres, agencies, municipalities, the
/// risk-screening questions and answers), read from a `referrals.options` reply.
package struct APIReferenceValues: Sendable {
    package struct Question: Sendable {
        package var id: String; package var required: Bool
        package init(id: String, required: Bool) { self.id = id; self.required = required }
    }
    package var centres: [String] = []
    package var agencies: [String] = []
    package var municipalities: [String] = []
    package var riskQuestions: [Question] = []
    package var riskAnswers: [String] = []
    /// Each centre with the municipalities it serves.
    package var served: [(centre: String, municipalities: [String])] = []

    package init() {}
}
