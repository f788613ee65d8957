import Crypto
import Foundation
import HubProtocol
#if canImport(Glibc)
import Glibc
#endif

/// What a backup folder holds: `manifest.json`, written last (a folder without it is an
/// unfinished backup), listing every other file with its size and SHA-256.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let fileName = "manifest.json"
    public static let currentFormat = 1

    public struct Entry: Codable, Sendable, Equatable {
        /// Relative to the backup folder, and the same relative to the data folder for
        /// `sqlite` and `file` entries (`db/referrals.sqlite`, `adapters/kriminalvarden/outbox/…`).
        public var path: String
        public var bytes: Int64
        public var sha256: String
        /// `sqlite` (an online-backup copy), `pg_dump` (one schema, custom format) or `file`.
        public var kind: String
        /// The database file's component or the PostgreSQL schema.
        public var component: String?
        /// The highest applied migration of that database.
        public var schemaVersion: Int?
        public var pages: Int?

        public init(path: String, bytes: Int64, sha256: String, kind: String, component: String? = nil,
                    schemaVersion: Int? = nil, pages: Int? = nil) {
            self.path = path; self.bytes = bytes; self.sha256 = sha256; self.kind = kind
            self.component = component; self.schemaVersion = schemaVersion; self.pages = pages
        }
    }

    public var format: Int
    public var createdAt: String
    /// `sqlite` or `postgres`.
    public var backend: String
    /// SHA-256 of the `hub` binary that took the backup (the build, for the restore drill).
    public var hubBinarySHA256: String?
    public var files: [Entry]
    /// What is deliberately not in the backup, for the person restoring.
    public var notIncluded: [String]

    public init(createdAt: String, backend: String, hubBinarySHA256: String?, files: [Entry], notIncluded: [String] = BackupManifest.excluded) {
        self.format = Self.currentFormat
        self.createdAt = createdAt
        self.backend = backend
        self.hubBinarySHA256 = hubBinarySHA256
        self.files = files
        self.notIncluded = notIncluded
    }

    public static let excluded = [
        "keys/: CURVE keys and the data keys that open sealed personal data; back them up apart (deploy/README.md §7)",
        "logs/: operational logs",
        "*.lock: the running hub's locks",
        "adapters/*/inbox/: files an agency dropped that were not yet taken in (the agency keeps its copy)",
        "adapters/*/api-key.new: a new adapter API key, shown once",
    ]
}

/// Backup and restore of a data folder's files: the SQLite databases (by online backup) and
/// the adapters' folders. PostgreSQL schemas are `PostgresBackup`'s.
public enum DataFolderBackup {
    /// Makes `path` a new private folder (0700), refusing one that exists with anything in it.
    public static func prepareEmptyTarget(_ path: String, field: String = "--to") throws(HubError) {
        let fm = FileManager.default
        if let items = try? fm.contentsOfDirectory(atPath: path), !items.isEmpty {
            throw HubError(.conflict, "The backup folder \(path) is not empty; give a new or empty folder.", field: field)
        }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
            throw HubError(.conflict, "\(path) is a file, not a folder.", field: field)
        }
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        } catch {
            throw HubError(.storage, "The backup folder \(path) could not be created.", field: field)
        }
    }

    /// Refuses a data folder to restore into unless it is missing or empty (a `keys` folder,
    /// restored apart by the operator, may already be there), then makes it 0700.
    public static func prepareEmptyDataFolder(_ dataDir: String) throws(HubError) {
        let fm = FileManager.default
        let items = (try? fm.contentsOfDirectory(atPath: dataDir)) ?? []
        if let other = items.sorted().first(where: { $0 != "keys" }) {
            throw HubError(.conflict, "The data folder \(dataDir) is not empty (it holds \(other)); restore into a new or empty folder.", field: "--data-dir")
        }
        do {
            try fm.createDirectory(atPath: dataDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dataDir)
        } catch {
            throw HubError(.storage, "The data folder \(dataDir) could not be created.", field: "--data-dir")
        }
    }

    /// Copies every `<dataDir>/db/*.sqlite` with the online backup API into `<target>/db/`,
    /// reporting `progress(file, pages copied, pages)`. The target must be prepared.
    ///
    /// Every database's snapshot is taken first, in the order work flows — adapters, then the
    /// gateway, then the services — and the copies are made afterwards, so all the snapshots
    /// are within milliseconds of each other. A referral an adapter handed on before its
    /// snapshot is therefore in the service's snapshot too (taken just after), or still in the
    /// adapter's outbox, which sends it again after a restore (idempotently).
    public static func backUpSQLite(dataDir: String, to target: String,
                                    progress: (String, Int, Int) -> Void = { _, _, _ in }) throws(HubError) -> [BackupManifest.Entry] {
        let dbDir = dataDir + "/db"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dbDir)) ?? []).filter { $0.hasSuffix(".sqlite") }
        guard !names.isEmpty else {
            throw HubError(.notFound, "The data folder \(dataDir) has no databases (db/*.sqlite).", field: "--data-dir")
        }
        try makeFolder(target + "/db")
        var snapshots: [SQLiteOnlineBackup.Snapshot] = []
        for name in snapshotOrder(names) { snapshots.append(try SQLiteOnlineBackup.Snapshot(source: dbDir + "/" + name)) }
        defer { for snapshot in snapshots { snapshot.close() } }
        var entries: [BackupManifest.Entry] = []
        for snapshot in snapshots {
            let path = "db/" + snapshot.name
            let result = try SQLiteOnlineBackup.copy(snapshot, destination: target + "/" + path) { progress(path, $0, $1) }
            chmod(target + "/" + path, 0o600)
            var entry = try describe(path, in: target, kind: "sqlite")
            entry.component = String(snapshot.name.dropLast(".sqlite".count))
            entry.schemaVersion = result.schemaVersion
            entry.pages = result.pages
            entries.append(entry)
        }
        return entries
    }

    /// Upstream first: adapters, the gateway, then the services (each group by name).
    static func snapshotOrder(_ names: [String]) -> [String] {
        func rank(_ name: String) -> Int { name.hasPrefix("adapter") ? 0 : name.hasPrefix("gateway") ? 1 : 2 }
        return names.sorted { (rank($0), $0) < (rank($1), $1) }
    }

    /// Copies the adapters' folders (`<dataDir>/adapters`): receipts, sealed refused files,
    /// what the hub sends to agencies, the API key digests. Not `inbox/` (files not yet taken
    /// in), `*.part` (being written) or `api-key.new` (a secret shown once).
    public static func backUpAdapterFiles(dataDir: String, to target: String) throws(HubError) -> [BackupManifest.Entry] {
        var entries: [BackupManifest.Entry] = []
        for path in files(under: dataDir, in: "adapters") where included(path) {
            let out = target + "/" + path
            try makeFolder((out as NSString).deletingLastPathComponent)
            guard let data = FileManager.default.contents(atPath: dataDir + "/" + path) else {
                continue // removed since it was listed (a purge, a file taken in): not state any more
            }
            try write(data, to: out, field: path)
            entries.append(try describe(path, in: target, kind: "file"))
        }
        return entries
    }

    static func included(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        let name = parts.last.map(String.init) ?? ""
        return !parts.contains("inbox") && !name.hasSuffix(".part") && name != "api-key.new"
    }

    /// Writes the manifest last, atomically (a temporary file renamed), 0600.
    public static func writeManifest(_ manifest: BackupManifest, to target: String) throws(HubError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(manifest) else { throw HubError(.internal, "The manifest could not be written.", field: BackupManifest.fileName) }
        try write(data, to: target + "/" + BackupManifest.fileName, field: BackupManifest.fileName)
    }

    /// Reads the manifest and checks every file in the backup against it before anything is
    /// restored: each listed file present with its size and SHA-256, and no file it does not list.
    public static func verify(backup: String) throws(HubError) -> BackupManifest {
        let manifestPath = backup + "/" + BackupManifest.fileName
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw HubError(.notFound, "\(backup) has no \(BackupManifest.fileName): not a backup, or an unfinished one.", field: BackupManifest.fileName)
        }
        guard let manifest = try? JSONDecoder().decode(BackupManifest.self, from: data) else {
            throw HubError(.validation, "The manifest is not a backup manifest.", field: BackupManifest.fileName)
        }
        guard manifest.format == BackupManifest.currentFormat else {
            throw HubError(.validation, "The manifest's format \(manifest.format) is not one this hub reads (\(BackupManifest.currentFormat)).", field: BackupManifest.fileName)
        }
        var listed = Set<String>()
        for entry in manifest.files {
            guard isSafeRelative(entry.path), listed.insert(entry.path).inserted else {
                throw HubError(.validation, "The manifest names a file outside the backup, or one file twice.", field: entry.path)
            }
            let actual: BackupManifest.Entry
            do { actual = try describe(entry.path, in: backup, kind: entry.kind) } catch {
                throw HubError(.notFound, "The backup is incomplete: \(entry.path) is missing.", field: entry.path)
            }
            guard actual.bytes == entry.bytes, actual.sha256 == entry.sha256 else {
                throw HubError(.validation, "\(entry.path) does not match its checksum in the manifest: the backup was changed or damaged.", field: entry.path)
            }
        }
        for path in files(under: backup, in: "") where path != BackupManifest.fileName && !listed.contains(path) {
            throw HubError(.validation, "\(path) is in the backup folder but not in its manifest.", field: path)
        }
        return manifest
    }

    /// Copies the backup's `sqlite` and `file` entries into the (prepared) data folder:
    /// folders 0700, files 0600, each written to a temporary name, synced, renamed, and
    /// checked against the manifest once in place.
    public static func restoreFiles(_ manifest: BackupManifest, from backup: String, to dataDir: String) throws(HubError) {
        for entry in manifest.files where entry.kind == "sqlite" || entry.kind == "file" {
            let out = dataDir + "/" + entry.path
            try makeFolder((out as NSString).deletingLastPathComponent)
            guard let data = FileManager.default.contents(atPath: backup + "/" + entry.path) else {
                throw HubError(.notFound, "The backup is incomplete: \(entry.path) is missing.", field: entry.path)
            }
            try write(data, to: out, field: entry.path)
            let copied = try describe(entry.path, in: dataDir, kind: entry.kind)
            guard copied.sha256 == entry.sha256 else {
                throw HubError(.storage, "\(entry.path) was not restored intact.", field: entry.path)
            }
        }
    }

    // MARK: Files

    /// Size and SHA-256 of `<root>/<path>`.
    public static func describe(_ path: String, in root: String, kind: String) throws(HubError) -> BackupManifest.Entry {
        guard let handle = FileHandle(forReadingAtPath: root + "/" + path) else {
            throw HubError(.notFound, "\(path) is missing.", field: path)
        }
        defer { try? handle.close() }
        var hash = SHA256()
        var bytes: Int64 = 0
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch { throw HubError(.storage, "\(path) could not be read.", field: path) }
            if chunk.isEmpty { break }
            hash.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        let digest = hash.finalize().map { String(format: "%02x", $0) }.joined()
        return BackupManifest.Entry(path: path, bytes: bytes, sha256: digest, kind: kind)
    }

    /// SHA-256 of any file (the hub binary), nil when it cannot be read.
    public static func sha256(ofFile path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        return try? describe((path as NSString).lastPathComponent, in: folder, kind: "file").sha256
    }

    /// Regular files under `<root>/<folder>`, as paths relative to `root`, sorted.
    static func files(under root: String, in folder: String) -> [String] {
        let base = folder.isEmpty ? root : root + "/" + folder
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var out: [String] = []
        while let item = walker.nextObject() as? String {
            var info = stat()
            guard lstat(base + "/" + item, &info) == 0, (info.st_mode & 0o170000) == 0o100000 else { continue }
            out.append(folder.isEmpty ? item : folder + "/" + item)
        }
        return out.sorted()
    }

    static func isSafeRelative(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }

    static func makeFolder(_ path: String) throws(HubError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw HubError(.storage, "A folder could not be created.", field: path)
        }
    }

    /// Writes `data` to a temporary file 0600, syncs it, renames it into place, syncs the folder.
    static func write(_ data: Data, to path: String, field: String) throws(HubError) {
        let temporary = path + ".part"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw HubError(.storage, "A file could not be written.", field: field) }
        fchmod(fd, 0o600)
        let ok = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard ok, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw HubError(.storage, "A file could not be written (is the disk full?).", field: field)
        }
        let dir = open((path as NSString).deletingLastPathComponent, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
    }
}
