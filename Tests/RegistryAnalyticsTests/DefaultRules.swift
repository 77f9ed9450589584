import Foundation
import RegistryCore

/// The repository's `Config/registry.json` thresholds, without environment overrides.
func defaultRules() throws -> ClinicalRules {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Config/registry.json")
    return try RegistryConfig.load(file: file, environment: [:]).clinical
}
