import Foundation
import HubCore
import HubProtocol

/// The adapter's own data key ring (never the referrals service's): it seals the outbox,
/// the inbox and rejected files at rest.
///
/// From `HUB_ADAPTER_<NAME>_DATA_KEYS` (the key file's JSON content) or from
/// `<data>/keys/adapter-<name>-data-keys.json`, which is made (mode 0600, folder 0700) on
/// first start when missing. Rotation: add a key with `DataKeyRing.rotated` and make it
/// current; the old keys stay in the file to open what they sealed.
public enum AdapterDataKeys {
    public static func environmentName(_ adapter: String) -> String { "HUB_ADAPTER_\(adapter.uppercased())_DATA_KEYS" }
    public static func path(adapter: String, dataDir: String) -> String { dataDir + "/keys/adapter-\(adapter)-data-keys.json" }

    public static func load(adapter: String, dataDir: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DataKeyRing {
        try DataKeyRing.loadOrCreate(path: path(adapter: adapter, dataDir: dataDir), environmentVariable: environmentName(adapter),
                                     environment: environment)
    }
}
