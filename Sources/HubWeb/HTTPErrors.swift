import Foundation
import Hummingbird
import HubProtocol
import NIOCore
import NIOHTTP1

package extension HubError.Reason {
    /// A form's CSRF token is missing or stale (gateway only): reloading the page helps.
    package static let staleForm = HubError.Reason("stale_form")
}

/// A refusal that says when to try again: the response carries `Retry-After` (seconds).
package struct RetryLater: Error {
    package let seconds: Int
    package let error: HubError

    package init(seconds: Int, error: HubError) { self.seconds = seconds; self.error = error }
}

/// The one place where a `HubError` code becomes an HTTP status, and where any error
/// becomes the JSON error shape `{"error":{"code","message","field"}}`.
///
/// Internal errors (and anything that is not a `HubError`) never show their details:
/// the caller gets a generic message; the operational log gets the code only.
package enum ErrorMapping {
    package static func status(for code: HubError.Code) -> HTTPResponse.Status {
        HTTPResponse.Status(code: code.httpStatus)
    }

    /// Turns any error into a `HubError` safe to show to a caller.
    package static func publicError(_ error: any Error) -> HubError {
        switch error {
        case let e as RetryLater:
            return e.error
        case let e as HubError:
            switch e.code {
            case .internal: return HubError(.internal, "An internal error occurred.")
            case .storage: return HubError(.storage, "Storage is unavailable; nothing was changed.")
            default: return e
            }
        case let e as HTTPError:
            switch e.status {
            case .contentTooLarge: return HubError(.tooLarge, "The request body is too large.")
            case .notFound: return HubError(.notFound, "No such resource.")
            case .methodNotAllowed: return HubError(HubError.Code("method_not_allowed"), "Method not allowed.")
            case .unauthorized: return HubError(.unauthenticated, "Authentication required.")
            case .forbidden: return HubError(.forbidden, "Forbidden.")
            case .badRequest: return HubError(.validation, "The request could not be read.")
            default:
                return e.status.code < 500
                    ? HubError(HubError.Code("http_\(e.status.code)"), "The request could not be handled.")
                    : HubError(.internal, "An internal error occurred.")
            }
        case is NIOTooManyBytesError:
            return HubError(.tooLarge, "The request body is too large.")
        case is HTTPParserError:
            // Broken framing (a malformed chunk, a bad header) is the client's fault, not ours.
            return HubError(.malformed, "The request is not valid HTTP (its framing or headers are malformed).")
        case let e as DecodingError:
            return HubError.from(e, prefix: "body")
        default:
            return HubError(.internal, "An internal error occurred.")
        }
    }

    package static func httpStatus(for error: any Error) -> HTTPResponse.Status {
        if let e = error as? HTTPError, e.status == .methodNotAllowed { return .methodNotAllowed }
        if let e = error as? HTTPError, HubError.Code("http_\(e.status.code)") == publicError(error).code { return e.status }
        return status(for: publicError(error).code)
    }

    /// The JSON error response for `error`.
    package static func jsonResponse(_ error: any Error) -> Response {
        let e = publicError(error)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let status = httpStatus(for: error)
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let later = error as? RetryLater { headers[.retryAfter] = String(later.seconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: errorBody(e))))
    }

    package static func errorBody(_ e: HubError) -> [UInt8] {
        var inner: [String: JSONValue] = ["code": .string(e.code.rawValue), "message": .string(e.message)]
        inner["field"] = e.field.map { .string($0) } ?? .null
        if let reason = e.reason { inner["reason"] = .string(reason.rawValue) }
        if let details = e.details, !details.isEmpty {
            inner["details"] = .array(details.map { d in
                var item: [String: JSONValue] = ["field": .string(d.field), "message": .string(d.message)]
                if let reason = d.reason { item["reason"] = .string(reason.rawValue) }
                return .object(item)
            })
        }
        return JSONValue.object(["error": .object(inner)]).serialized()
    }
}
