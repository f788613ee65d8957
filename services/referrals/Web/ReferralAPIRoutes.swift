import HubWeb
import Foundation
import HubCore
import HubProtocol
import ReferralsAPI
import HTTPTypes
import Hummingbird

/// The JSON API of referrals (`/api/v1/referrals`, groups, statistics, audit): each route reads
/// its query or body and asks the referrals service, which checks the caller on every read.
extension ReferralRoutes {
    // MARK: API

    @Sendable func apiOptions(_ request: Request, context: Context) async throws -> Response {
        json(try await call(ReferralOptions.type, [:], user: try apiUser(context)))
    }

    @Sendable func apiSubmit(_ request: Request, context: Context) async throws -> Response {
        let user = try apiUser(context)
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        return json(try await call(SubmitReferral.type, try await jsonBody(request, context), user: user, key: key), status: .created)
    }

    /// The query items of a search (`referrals.find`); a personnummer is never one of them:
    /// it goes in the body of `POST /api/v1/referrals/search`, so that it is in no URL or log.
    static let searchKeys = ["centre", "status", "category", "municipality", "agency", "from", "to", "reference", "externalRef",
                             "order", "limit", "cursor"]

    /// `GET /api/v1/referrals`: with any search item (status, category, …, cursor) a search over
    /// every status in pages; without, the working lists (`view` = queue, centre or mine).
    @Sendable func apiList(_ request: Request, context: Context) async throws -> Response {
        let user = try apiUser(context)
        if let view = request.uri.queryParameters.get("view"), !view.isEmpty, !["queue", "centre", "mine"].contains(view) {
            throw HubError(.validation, "Use one of: queue, centre, mine.", field: "view", reason: .notAChoice)
        }
        let searching = Self.searchKeys.contains { $0 != "centre" && $0 != "limit" && request.uri.queryParameters.get($0) != nil }
        guard searching else { return json(try await call(ListReferrals.type, Self.query(request, ["view", "centre", "limit"]), user: user)) }
        return json(try await call(FindReferrals.type, Self.query(request, Self.searchKeys), user: user))
    }

    /// `POST /api/v1/referrals/search`: the same search with a JSON body, the only way to
    /// search by personnummer (with `purpose`; audited).
    @Sendable func apiSearch(_ request: Request, context: Context) async throws -> Response {
        json(try await call(FindReferrals.type, try await jsonBody(request, context), user: try apiUser(context)))
    }

    @Sendable func apiGet(_ request: Request, context: Context) async throws -> Response {
        var body = Self.query(request, ["purpose"]).objectValue ?? [:]
        body["id"] = .string(context.parameters.get("id") ?? "")
        return json(try await call(GetReferral.type, .object(body), user: try apiUser(context)))
    }


    static let actionTypes = ["receive": ReceiveReferral.type, "assess": AssessReferral.type, "appointment": OfferAppointment.type,
                              "treatment": StartTreatment.type, "close": CloseReferral.type, "withdraw": WithdrawReferral.type,
                              "reprioritise": ReprioritiseReferral.type]

    @Sendable func apiAction(_ request: Request, context: Context) async throws -> Response {
        let user = try apiUser(context)
        guard let type = Self.actionTypes[context.parameters.get("action") ?? ""] else {
            throw HubError(.notFound, "Unknown action; use \(Self.actionTypes.keys.sorted().joined(separator: ", ")).", field: "action")
        }
        var body = (try await jsonBody(request, context)).objectValue ?? [:]
        body["id"] = .string(context.parameters.get("id") ?? "")
        return json(try await call(type, .object(body), user: user, key: request.headers[HTTPField.Name("Idempotency-Key")!]))
    }

    @Sendable func apiCapacity(_ request: Request, context: Context) async throws -> Response {
        json(try await call(ReferralCapacity.type, Self.query(request, ["centre"]), user: try apiUser(context)))
    }

    @Sendable func apiIntake(_ request: Request, context: Context) async throws -> Response {
        var body = (try await jsonBody(request, context)).objectValue ?? [:]
        body["centre"] = .string(context.parameters.get("centre") ?? "")
        return json(try await call(SetIntake.type, .object(body), user: try apiUser(context)))
    }

    @Sendable func apiGroups(_ request: Request, context: Context) async throws -> Response {
        json(try await call(ListGroups.type, Self.query(request, ["centre"]), user: try apiUser(context)))
    }

    @Sendable func apiDefineGroup(_ request: Request, context: Context) async throws -> Response {
        json(try await call(DefineGroup.type, try await jsonBody(request, context), user: try apiUser(context)), status: .created)
    }

    @Sendable func apiAssign(_ request: Request, context: Context) async throws -> Response {
        var body = (try await jsonBody(request, context)).objectValue ?? [:]
        body["groupId"] = .string(context.parameters.get("id") ?? "")
        return json(try await call(AssignGroup.type, .object(body), user: try apiUser(context)))
    }

    @Sendable func apiStatistics(_ request: Request, context: Context) async throws -> Response {
        let q = Self.query(request, ["centre", "year", "view", "format"])
        let stats = try await call(ReferralStatistics.type, q, user: try apiUser(context))
        if q["format"]?.stringValue == "csv" { return try csv(try Self.reply(ReferralStatistics.self, stats)) }
        return json(stats)
    }

    /// `POST /api/v1/statistics/import[?replace=true]`, body `text/csv`: forwarded as it is.
    @Sendable func apiImportStatistics(_ request: Request, context: Context) async throws -> Response {
        let user = try apiUser(context)
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard let text = String(validating: Array(buffer: buffer), as: UTF8.self) else {
            throw HubError(.validation, "The body must be UTF-8 text (text/csv).", field: "body")
        }
        let replace = request.uri.queryParameters.get("replace") ?? ""
        guard ["true", "false", ""].contains(replace) else { throw HubError(.validation, "Use true or false.", field: "replace", reason: .wrongType) }
        let body: JSONValue = ["csv": .string(text), "replace": .bool(replace == "true")]
        return json(try await call(ImportReferralStatistics.type, body, user: user), status: .created)
    }

    @Sendable func apiAudit(_ request: Request, context: Context) async throws -> Response {
        json(try await call(ListAudit.type, Self.query(request, ["centre", "referralId", "limit"]), user: try apiUser(context)))
    }

    @Sendable func apiRetention(_ request: Request, context: Context) async throws -> Response {
        json(try await call(RunRetention.type, try await jsonBody(request, context), user: try apiUser(context)))
    }

    /// The statistics CSV as the referrals service wrote it (`format: csv`).
    func csv(_ reply: ReferralStatistics.Reply) throws(HubError) -> Response {
        guard case .csv(let file) = reply else {
            throw Self.misfit(ReferralStatistics.self)
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(file.filename)\""],
                        body: .init(byteBuffer: ByteBuffer(string: file.csv)))
    }
}
