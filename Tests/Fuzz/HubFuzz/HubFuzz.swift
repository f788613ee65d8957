import AgencyAdapters
import Foundation
import HubCore
import HubWeb
import HubProtocol
import MeetingsService
import ReferralsAPI

/// The fuzz targets: one per decoder of outside input. Each takes any bytes and must end
/// in a value or a `HubError` — never a crash, a hang or a leak of what it read. Chosen by
/// `HUB_FUZZ_TARGET`; `scripts/fuzz.sh` builds this with libFuzzer (`-sanitize=fuzzer`)
/// and runs every target on its seeds in `Tests/Fuzz/corpus/<target>/`; a normal build
/// replays the seeds and every crash ever found (`Tests/Fuzz/crashes/<target>/`).
enum FuzzTarget: String, CaseIterable {
    case json, envelope, frames, csv, xml, fhir, minutes, personnummer, form

    var run: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt {
        switch self {
        case .json: return fuzzJSON
        case .envelope: return fuzzEnvelope
        case .frames: return fuzzFrames
        case .csv: return fuzzCSV
        case .xml: return fuzzXML
        case .fhir: return fuzzFHIR
        case .minutes: return fuzzMinutes
        case .personnummer: return fuzzPersonnummer
        case .form: return fuzzForm
        }
    }
}

func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] { Array(UnsafeBufferPointer(start: data, count: size)) }

/// A bug the fuzzer is to find (not input): stops the run with a message and no input in it.
func invariant(_ ok: Bool, _ what: StaticString) {
    if !ok { fatalError("invariant broken: \(what)") }
}

/// Reference data for the adapters' checks (`config/`, or `HUB_FUZZ_CONFIG`).
let reference: ReferenceData? = try? ReferenceData.load(configDir: ProcessInfo.processInfo.environment["HUB_FUZZ_CONFIG"] ?? "config")
let risk: RiskScreening? = try? ConfigFile.decode(RiskScreening.self, path: (ProcessInfo.processInfo.environment["HUB_FUZZ_CONFIG"] ?? "config") + "/" + RiskScreening.file)

/// JSON text: a value read back from its own serialisation is the same value.
func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let value = try? JSONValue.parse(bytes(data, size)) else { return 0 }
    invariant((try? JSONValue.parse(value.serialized())) == value, "JSON round trip")
    return 0
}

/// The envelope: a decoded envelope encodes and decodes to itself.
func fuzzEnvelope(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let envelope = try? Envelope.decode(bytes(data, size)) else { return 0 }
    let again = try? Envelope.decode(envelope.encoded())
    invariant(again?.id == envelope.id && again?.type == envelope.type && again?.body == envelope.body, "envelope round trip")
    return 0
}

/// A peer's frames (split at NUL bytes): a message or a `malformed` error.
func fuzzFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let frames = bytes(data, size).split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
    switch PeerMessage.parse(frames[...]) {
    case .success(.ready(_, let capacity)): invariant((1...10_000).contains(capacity), "READY capacity in range")
    case .success: break
    case .failure(let e): invariant(e.code == .malformed, "frame errors are malformed")
    }
    if let envelope = frames.last { _ = try? Envelope.decode(envelope) }
    return 0
}

/// A municipality's CSV file: rows become referral drafts or errors naming a field.
func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: bytes(data, size), as: UTF8.self), let file = try? CSVFile.parse(text) else { return 0 }
    let header = file.header.map { $0.lowercased() }
    for row in file.rows.prefix(50) {
        var values: [String: String] = [:]
        for (i, h) in header.enumerated() where i < row.fields.count { values[h] = row.fields[i] }
        if let draft = try? MunicipalityAdapter.draft(values, municipality: "Skövde"), let reference, let risk {
            _ = try? draft.validatedBody(adapter: "municipality", reference: reference, risk: risk)
        }
    }
    return 0
}

/// A Kriminalvården XML document: schema check (libxml2), safe parse, draft.
func fuzzXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let document = Data(bytes(data, size))
    guard (try? SchemaValidator.remiss.validate(document)) != nil, let root = try? XMLElement.parse(document) else { return 0 }
    if let draft = try? KriminalvardenAdapter.draft(root), let reference, let risk {
        _ = try? draft.validatedBody(adapter: "kriminalvarden", reference: reference, risk: risk)
    }
    return 0
}

/// A FHIR R4 ServiceRequest (JSON): a draft or an error naming the FHIR path.
func fuzzFHIR(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let resource = try? JSONValue.parse(bytes(data, size)) else { return 0 }
    if let draft = try? PsychiatryAdapter.draft(from: resource), let reference, let risk {
        _ = try? draft.validatedBody(adapter: "psychiatry", reference: reference, risk: risk)
    }
    return 0
}

/// Minutes written by any secretary (Markdown-ish text).
func fuzzMinutes(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: bytes(data, size), as: UTF8.self) else { return 0 }
    _ = try? MinutesParser.parse(text)
    return 0
}

/// Swedish identity numbers: an accepted one has a valid check digit.
func fuzzPersonnummer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size <= 64, let text = String(validating: bytes(data, size), as: UTF8.self) else { return 0 }
    _ = try? PersonalIdentityNumber(text)
    return 0
}

/// An `application/x-www-form-urlencoded` body as the pages read it.
func fuzzForm(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = Forms.parse(String(decoding: bytes(data, size), as: UTF8.self))
    return 0
}

@main enum Main {
    static func main() {
        let name = ProcessInfo.processInfo.environment["HUB_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("HUB_FUZZ_TARGET must be one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        FuzzDriver.main(target.run)
    }
}
