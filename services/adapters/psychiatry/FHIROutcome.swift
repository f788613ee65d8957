// Errors as FHIR OperationOutcome: the response of every failed request, the FHIRPath of
// the offending element, and the middleware that turns unknown routes and methods into one.

import Foundation
import HTTPTypes
import HubCore
import HubProtocol
import Hummingbird

extension PsychiatryAdapter {

    static func resource(_ resource: JSONValue, status: HTTPResponse.Status, location: String? = nil) -> Response {
        HTTPSupport.json(resource, status: status, contentType: fhirJSON, headers: location.map { [(.location, $0)] } ?? [])
    }

    /// A hub error as an OperationOutcome with the FHIRPath of the offending element.
    static func outcome(_ error: HubError) -> Response {
        resource(outcomeResource(error), status: HTTPSupport.status(for: error.code))
    }

    /// One issue per problem (`details` when the hub error lists several).
    static func outcomeResource(_ error: HubError) -> JSONValue {
        let problems = error.details.map { ds in ds.map { HubError(error.code, $0.message, field: $0.field, reason: $0.reason) } } ?? [error]
        return ["resourceType": "OperationOutcome", "issue": .array(problems.map(issue))]
    }

    static func issue(_ error: HubError) -> JSONValue {
        let code: String = switch error.code {
        case .validation: error.message.contains("required") ? "required" : "invalid"
        case .invalidJSON, .malformed: "structure"
        case .forbidden: "forbidden"
        case .unauthenticated: "login"
        case .notFound: "not-found"
        case .tooLarge: "too-costly"
        case .busy, .timeout, .storage, .internal: "transient"
        default: "processing"
        }
        var issue: [String: JSONValue] = ["severity": "error", "code": .string(code), "diagnostics": .string(error.message),
                                          "details": ["coding": [["system": .string(base + "/CodeSystem/error"), "code": .string(error.code.rawValue)]]]]
        if let f = error.field { issue["expression"] = [.string(fhirPath(f))] }
        return .object(issue)
    }

    /// Hub field paths → FHIRPath in the resources the agency sent.
    static func fhirPath(_ field: String) -> String {
        let map: [(String, String)] = [
            ("body.externalRef", "ServiceRequest.identifier"), ("body.referrer.agency", "ServiceRequest.requester"),
            ("body.referrer.unit", "ServiceRequest.requester"), ("body.referrer", "ServiceRequest.extension('\(base)/StructureDefinition/referrer-contact')"),
            ("body.riskAnswers", "ServiceRequest.extension('\(base)/StructureDefinition/risk-answer')"),
            ("body.municipality", "ServiceRequest.extension('\(base)/StructureDefinition/municipality')"),
            ("body.category", "ServiceRequest.category"), ("body.help", "ServiceRequest.code"),
            ("body.client.identity", "Patient.identifier"), ("body.client.name", "Patient.name"),
            ("body.client.phone", "Patient.telecom"), ("body.client.email", "Patient.telecom"), ("body.client.address", "Patient.address"),
            ("body.client.childrenAges", "ServiceRequest.extension('\(base)/StructureDefinition/child-age')"),
            ("body.client.interpreterLanguage", "Patient.communication"), ("body.client", "ServiceRequest.subject"),
            ("body.consent", "ServiceRequest.extension('\(base)/StructureDefinition/consent')"),
            ("body.safeContact", "ServiceRequest.extension('\(base)/StructureDefinition/safe-contact')"),
            ("body.urgency", "ServiceRequest.priority"), ("body.notes", "ServiceRequest.note"),
        ]
        return map.first { field.hasPrefix($0.0) }?.1 ?? field
    }
}

/// Turns every error that escapes a route — an unknown path (404), a wrong method (405),
/// anything thrown — into an OperationOutcome with `application/fhir+json`.
struct OperationOutcomeMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HubError {
            return PsychiatryAdapter.outcome(e)
        } catch let e as any HTTPResponseError {
            let code: HubError.Code = switch e.status {
            case .notFound: .notFound
            case .methodNotAllowed: .validation
            case .contentTooLarge: .tooLarge
            case .unauthorized: .unauthenticated
            case .badRequest: .malformed
            default: .internal
            }
            let message = e.status == .notFound ? "No such resource or route on this FHIR server." : "The request cannot be served (HTTP \(e.status.code))."
            var response = PsychiatryAdapter.outcome(HubError(code, message))
            response.status = e.status
            return response
        } catch {
            return PsychiatryAdapter.outcome(HubError(.internal, "Something went wrong; try again."))
        }
    }
}
