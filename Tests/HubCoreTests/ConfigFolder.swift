import Foundation

/// A temporary configuration folder holding `hub.json` with `json`, for the settings tests.
func configFolder(_ json: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try json.write(toFile: dir + "/hub.json", atomically: true, encoding: .utf8)
    return dir
}
