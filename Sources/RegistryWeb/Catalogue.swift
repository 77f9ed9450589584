import Foundation

/// The languages every page speaks. Traditional Chinese first: the clinic works in it.
public enum Language: String, CaseIterable, Sendable {
    case zhTW = "zh-TW"
    case en

    /// The language's own name, for the switcher.
    public var name: String { self == .zhTW ? "繁體中文" : "English" }

    /// The best match for an `Accept-Language` header: any Chinese is Traditional Chinese here,
    /// anything else English; q-values order the candidates.
    public static func preferred(acceptLanguage header: String?) -> Language {
        let ranked = (header ?? "").split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, quality)
        }.sorted { $0.1 > $1.1 }
        for (tag, quality) in ranked where quality > 0 {
            if tag.hasPrefix("zh") { return .zhTW }
            if tag.hasPrefix("en") { return .en }
        }
        return .zhTW
    }
}

/// One string catalogue per language (`Strings/<language>.json`), read once. Templates hold no
/// language: every word on a page comes from here.
public struct Catalogue: Sendable {
    public let strings: [Language: [String: String]]

    public init() throws {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            guard let url = Bundle.module.url(forResource: language.rawValue, withExtension: "json", subdirectory: "Strings") else {
                throw WebError.missingResource("Strings/\(language.rawValue).json")
            }
            strings[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        self.strings = strings
    }

    /// The string for `key`, with `{name}` placeholders filled; the key itself when missing, so a
    /// gap shows on the page instead of breaking it (a test keeps the catalogues complete).
    /// A cohort's label in `language` ("not improved", "not evaluable", "other" are the catalogue's;
    /// configured ones such as "1-2" read the same in every language).
    public func cohort(_ label: String, _ language: Language) -> String {
        strings[language]?["cohort " + label] ?? label
    }

    /// A follow-up milestone's label in `language` (the catalogue's "milestone 2 weeks"), else as configured.
    public func milestone(_ label: String, _ language: Language) -> String {
        strings[language]?["milestone " + label] ?? label
    }

    public func text(_ key: String, _ language: Language, _ values: [String: String] = [:]) -> String {
        var text = strings[language]?[key] ?? key
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }
}

public enum WebError: Error, CustomStringConvertible {
    case missingResource(String)
    case missingTemplate(String)

    public var description: String {
        switch self {
        case .missingResource(let name): "\(name) is missing from the build"
        case .missingTemplate(let name): "template \(name) is missing or does not render"
        }
    }
}
