import Foundation
import HubProtocol
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Small helpers for the HTTP adapters (police JSON, psychiatry FHIR).
enum HTTPSupport {
    /// An adapter's HTTP server on `settings.host`:`settings.port` (or `defaultPort`); logs
    /// and reports the port it listens on (0 in settings picks a free one).
    static func server(_ router: Router<BasicRequestContext>, settings: AdapterSettings, defaultPort: Int, name: String, logger: Logger,
                       onServerRunning: @escaping @Sendable (Int) async -> Void) -> any Service {
        Application(router: router,
                    configuration: .init(address: .hostname(settings.host, port: settings.port ?? defaultPort), serverName: nil),
                    onServerRunning: { channel in
                        let port = channel.localAddress?.port ?? 0
                        logger.info("\(name) adapter listening", metadata: ["hub.port": .stringConvertible(port)])
                        await onServerRunning(port)
                    }, logger: logger)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status, contentType: String = "application/json; charset=utf-8",
                     headers extra: [(HTTPField.Name, String)] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        for (k, v) in extra { headers[k] = v }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    /// The HTTP status for a hub error code: the hub's one map (`HubError.Code.httpStatus`).
    static func status(for code: HubError.Code) -> HTTPResponse.Status {
        HTTPResponse.Status(code: code.httpStatus)
    }

    /// Reads the whole body, or a `tooLarge` error when it exceeds `limit`.
    static func body(_ request: Request, limit: Int) async throws(HubError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw HubError(.tooLarge, "The request body is larger than \(limit) bytes.")
        }
    }
}

/// Typed reads from parsed JSON whose errors name the field (never the value).
struct JSONReader {
    let value: JSONValue?
    let path: String

    subscript(_ key: String) -> JSONReader {
        JSONReader(value: value?[key], path: path.isEmpty ? key : path + "." + key)
    }

    var isAbsent: Bool { if value == nil || value == .null { return true }; return false }

    func object() throws(HubError) -> [String: JSONValue]? {
        if isAbsent { return nil }
        guard let o = value?.objectValue else { throw HubError(.validation, "Must be an object.", field: path) }
        return o
    }
    func string() throws(HubError) -> String? {
        if isAbsent { return nil }
        guard let s = value?.stringValue else { throw HubError(.validation, "Must be a string.", field: path) }
        return s
    }
    func bool() throws(HubError) -> Bool? {
        if isAbsent { return nil }
        guard let b = value?.boolValue else { throw HubError(.validation, "Must be true or false.", field: path) }
        return b
    }
    func array() throws(HubError) -> [JSONReader]? {
        if isAbsent { return nil }
        guard let a = value?.arrayValue else { throw HubError(.validation, "Must be an array.", field: path) }
        return a.enumerated().map { JSONReader(value: $1, path: "\(path)[\($0)]") }
    }
    func strings() throws(HubError) -> [String]? {
        guard let a = try array() else { return nil }
        var out: [String] = []
        for r in a { guard let s = try r.string() else { throw HubError(.validation, "Must be a string.", field: r.path) }; out.append(s) }
        return out
    }
    func ints() throws(HubError) -> [Int]? {
        guard let a = try array() else { return nil }
        var out: [Int] = []
        for r in a {
            guard let n = r.value?.numberValue, n == n.rounded(), abs(n) < 1000 else { throw HubError(.validation, "Must be a whole number.", field: r.path) }
            out.append(Int(n))
        }
        return out
    }
}
