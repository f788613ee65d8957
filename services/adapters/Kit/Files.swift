import Foundation
import HubCore
import HubProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Writes that are whole or absent: a temporary file, fsync, rename, fsync of the folder.
public enum AtomicFile {
    /// Readable by the adapter's user only (0600) unless told otherwise.
    public static func write(_ data: Data, to path: String, permissions: Int = 0o600) throws {
        let tmp = path + ".\(UUID().uuidString.prefix(8)).part"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode_t(permissions))
        guard fd >= 0 else { throw HubError(.storage, "Cannot create a file.", field: (path as NSString).lastPathComponent) }
        var ok = true
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { ok = false; break }
                off += n
            }
        }
        if fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw HubError(.storage, "Cannot write a file.", field: (path as NSString).lastPathComponent)
        }
        syncFolder((path as NSString).deletingLastPathComponent)
    }

    static func syncFolder(_ dir: String) {
        let fd = open(dir, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}

/// A watched folder: agencies drop files in `inbox/` (written as `*.part`, then renamed).
/// Once a file's content is durably in the (sealed) outbox the original is deleted and a
/// receipt without personal data is written to `processed/`; a refused file is kept only
/// sealed with the adapter's key ring (`rejected/<name>.sealed`, bound to that name) beside
/// its report, and both are removed after the retention. What the hub sends goes to `outbox/`.
/// Folders are 0700, files 0600.
public struct WatchedFolder: Sendable {
    public let root: String
    public init(root: String) { self.root = root }
    public var inbox: String { root + "/inbox" }
    public var processed: String { root + "/processed" }
    public var rejected: String { root + "/rejected" }
    public var outbox: String { root + "/outbox" }

    public func create() throws {
        for d in [root, inbox, processed, rejected, outbox] {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: d)
        }
    }

    /// Deletes a file from `inbox/` (its content is stored elsewhere now).
    public func remove(_ name: String) throws {
        guard unlink(inbox + "/" + name) == 0 || errno == ENOENT else { throw HubError(.storage, "Cannot remove a file.", field: name) }
        AtomicFile.syncFolder(inbox)
    }

    /// The context a rejected file is sealed under: bound to its stored name.
    static func sealContext(_ storedName: String) -> String { "adapter-rejected-file:" + storedName }

    /// Keeps a refused file's content sealed in `rejected/<name>.sealed` (never overwriting an
    /// earlier one) and deletes the original from `inbox/`. Returns the sealed file's name.
    @discardableResult
    public func keepSealed(_ name: String, content: Data, protector: DataProtector) throws -> String {
        var stored = name + ".sealed"
        if FileManager.default.fileExists(atPath: rejected + "/" + stored) {
            stored = Timestamp.now().replacingOccurrences(of: ":", with: "") + "-" + stored
        }
        let sealed = try protector.seal(Array(content), context: Self.sealContext(stored))
        try AtomicFile.write(Data(sealed), to: rejected + "/" + stored)
        try remove(name)
        return stored
    }

    /// Opens a sealed rejected file (for staff; `storedName` is its name in `rejected/`).
    public func openSealed(_ storedName: String, protector: DataProtector) throws -> Data {
        guard let bytes = FileManager.default.contents(atPath: rejected + "/" + storedName) else {
            throw HubError(.notFound, "No such rejected file.", field: storedName)
        }
        return Data(try protector.open(Array(bytes), context: Self.sealContext(storedName)))
    }

    /// The purge: removes rejected files (sealed originals and reports) last changed before
    /// `cutoff`; and what an older version left in clear — originals in `processed/` (only
    /// receipts, ending in `receiptSuffix`, stay) and clear originals in `rejected/` (sealed now).
    public func purge(before cutoff: Date, receiptSuffix: String, reportSuffix: String, protector: DataProtector) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: processed)) ?? [] where !name.hasSuffix(receiptSuffix) && !name.hasSuffix(".part") {
            unlink(processed + "/" + name)
        }
        for name in (try? fm.contentsOfDirectory(atPath: rejected)) ?? [] where !name.hasSuffix(".part") {
            let path = rejected + "/" + name
            if !name.hasSuffix(".sealed") && !name.hasSuffix(reportSuffix), let data = fm.contents(atPath: path) {
                let stored = name + ".sealed"
                if let sealed = try? protector.seal(Array(data), context: Self.sealContext(stored)),
                   (try? AtomicFile.write(Data(sealed), to: rejected + "/" + stored)) != nil {
                    unlink(path)
                }
                continue
            }
            if let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff {
                unlink(path)
            }
        }
        AtomicFile.syncFolder(processed)
        AtomicFile.syncFolder(rejected)
    }

    /// Files in `inbox/` with one of `extensions`, oldest name first (hidden and `.part` files ignored).
    public func pending(extensions: Set<String>) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inbox)) ?? []
        return names.filter { n in
            !n.hasPrefix(".") && extensions.contains((n as NSString).pathExtension.lowercased())
        }.sorted()
    }

    /// Reads a file in `inbox/`, or nil when it is larger than `limit` bytes (not read at all).
    public func read(_ name: String, limit: Int) throws(HubError) -> Data? {
        let path = inbox + "/" + name
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path), let size = attrs[.size] as? Int else {
            throw HubError(.storage, "Cannot read a file in the inbox.", field: name)
        }
        if size > limit { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw HubError(.storage, "Cannot read a file in the inbox.", field: name) }
        return data
    }

    /// Moves a file out of `inbox/` into `folder`, never overwriting an earlier file of the same name.
    public func move(_ name: String, to folder: String) throws {
        var target = folder + "/" + name
        if FileManager.default.fileExists(atPath: target) {
            target = folder + "/" + Timestamp.now().replacingOccurrences(of: ":", with: "") + "-" + name
        }
        guard rename(inbox + "/" + name, target) == 0 else { throw HubError(.storage, "Cannot move a file.", field: name) }
        AtomicFile.syncFolder(folder)
        AtomicFile.syncFolder(inbox)
    }
}

/// Text from agency files: UTF-8 (with or without BOM), else Windows-1252 as Swedish
/// Windows programs write it. Bytes that are text in neither (NUL, UTF-16, the five
/// holes of 1252) make the file unreadable rather than silently garbled.
public enum AgencyText {
    public enum Encoding: String, Sendable { case utf8 = "UTF-8", windows1252 = "Windows-1252" }

    public static func decode(_ data: Data) throws(HubError) -> (String, Encoding) {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw HubError(.validation, "The file is UTF-16; save it as UTF-8 or Windows-1252.", field: "encoding")
        }
        if bytes.contains(0) { throw HubError(.validation, "The file is not text (it has NUL bytes).", field: "encoding") }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let s = String(validating: bytes, as: UTF8.self) { return (s, .utf8) }
        var out = String.UnicodeScalarView()
        for b in bytes {
            if b < 0x80 || b >= 0xA0 { out.append(Unicode.Scalar(b)); continue }
            let u = cp1252[Int(b - 0x80)]
            guard u != 0, let scalar = Unicode.Scalar(u) else {
                throw HubError(.validation, "The file is neither UTF-8 nor Windows-1252.", field: "encoding")
            }
            out.append(scalar)
        }
        return (String(out), .windows1252)
    }

    /// 0x80–0x9F of Windows-1252; 0 marks the undefined bytes.
    static let cp1252: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]
}
