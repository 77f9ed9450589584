import Foundation
import RegistryCore

/// The scripts every export carries so researchers can work without us: `load.R` and `load.py`
/// read each table with the codebook's types and value labels, and `reproduce.R` recomputes the
/// report's 1–2 vs 3–5 recurrence figures from the courses table with R's survival package.
/// They are real files in `ExportScripts/`, shipped as resources.
enum ExportScripts {
    /// File name and text of each script, with `reproduce.R` set to the configured cohorts.
    static func files(cohorts: [ClinicalRules.Cohort]) throws -> [(String, String)] {
        try ["load.R", "load.py", "reproduce.R"].map { name in
            var text = try script(name)
            if name == "reproduce.R" {
                let labels = cohorts.prefix(2).map {
                    "\"" + $0.label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
                }
                text = text.replacingOccurrences(of: defaultCohortsLine, with: "cohorts <- c(\(labels.joined(separator: ", ")))")
            }
            return (name, text)
        }
    }

    /// The line of `reproduce.R` naming the cohorts it compares (the defaults, as shipped).
    static let defaultCohortsLine = #"cohorts <- c("1-2", "3-5")"#

    private static func script(_ name: String) throws -> String {
        guard let file = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "ExportScripts")
        else { throw StoreError.configuration("export script \(name) is missing from the build") }
        return try String(contentsOf: file, encoding: .utf8)
    }
}
