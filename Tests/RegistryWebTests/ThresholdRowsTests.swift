import Foundation
import RegistryCore
import Testing

@testable import RegistryWeb

/// The dashboard's thresholds name every clinical setting there is: a setting added to
/// `ClinicalRules` without its sentence fails here, not silently on the page.
@Suite struct ThresholdRowsTests {
    @Test func everyClinicalSettingHasItsSentenceInBothLanguages() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Config/registry.json")
        let rules = try RegistryConfig.load(file: file, environment: [:]).clinical
        func leaves(_ value: Any, _ path: String) -> [String] {
            if let object = value as? [String: Any] {
                return object.flatMap { leaves($0.value, path.isEmpty ? $0.key : "\(path).\($0.key)") }
            }
            return [path]
        }
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(rules)) as? [String: Any])
        let settings = Set(leaves(json, "").filter { $0 != "cohorts" })
        let pages = try Pages()
        for language in Language.allCases {
            let rows = pages.thresholdRows(rules, language)
            #expect(Set(rows.compactMap { $0["name"] }.filter { !$0.hasPrefix("cohorts[") }) == settings, "\(language)")
            #expect(rows.filter { $0["name"]!.hasPrefix("cohorts[") }.count == rules.cohorts.count)
            #expect(rows.allSatisfy { !($0["text"] ?? "").hasPrefix("threshold_") && !($0["text"] ?? "").contains("{") }, "\(language): \(rows)")
        }
    }
}
