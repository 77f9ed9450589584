import Foundation

extension RegistryConfig {
    /// One configurable leaf: its dotted key, the environment variable that overrides it, and its
    /// effective value as JSON text.
    public struct Setting: Sendable {
        public let key: String
        public let variable: String
        public let value: String
    }

    /// Reads `file` and applies environment overrides.
    ///
    /// Every leaf `a.bC` is overridden by `REGISTRY_A_B_C`; `DATABASE_URL` also sets
    /// `database.url`. Deriving names from keys means a new setting needs no new code, and
    /// `registry config` lists them all.
    public static func load(file: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RegistryConfig {
        let (config, _) = try resolve(file: file, environment: environment)
        return config
    }

    /// The effective settings, for `registry config` and the README's table.
    public static func settings(file: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [Setting] {
        try resolve(file: file, environment: environment).1
    }

    /// Finds `Config/registry.json`: `REGISTRY_CONFIG` names the file, else the working directory's `Config/`.
    public static func defaultFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["REGISTRY_CONFIG"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appending(path: "Config/registry.json")
    }

    private static func resolve(file: URL, environment: [String: String]) throws -> (RegistryConfig, [Setting]) {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw ConfigError("cannot read configuration file \(file.path): set REGISTRY_CONFIG or run from the checkout")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigError("\(file.path) is not a JSON object")
        }
        var settings: [Setting] = []
        var env = environment
        if let url = environment["DATABASE_URL"], env["REGISTRY_DATABASE_URL"] == nil { env["REGISTRY_DATABASE_URL"] = url }
        let merged = try override(root, path: [], environment: env, settings: &settings)
        do {
            let json = try JSONSerialization.data(withJSONObject: merged)
            let config = try JSONDecoder().decode(RegistryConfig.self, from: json).validated()
            return (config, settings)
        } catch let error as ConfigError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw ConfigError("\(keyPath(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ConfigError("\(keyPath(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw ConfigError("\(keyPath(context.codingPath + [key])) is missing from \(file.path)")
        }
    }

    private static func override(_ node: Any, path: [String], environment: [String: String], settings: inout [Setting]) throws -> Any {
        if let object = node as? [String: Any] {
            var result: [String: Any] = [:]
            for key in object.keys.sorted() {
                result[key] = try override(object[key]!, path: path + [key], environment: environment, settings: &settings)
            }
            return result
        }
        let variable = "REGISTRY_" + path.map(screamingSnake).joined(separator: "_")
        var value = node
        if let text = environment[variable] {
            if node is String {
                value = text
            } else if let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed),
                !(parsed is String), (parsed is [Any]) == (node is [Any])
            {
                // The decoder checks the exact type (whole number, true/false) and names the key.
                value = parsed
            } else {
                throw ConfigError("\(variable)=\(text) is not valid: expected a value like \(jsonText(node))")
            }
        }
        settings.append(Setting(key: path.joined(separator: "."), variable: variable, value: jsonText(value)))
        return value
    }

    /// `minimumNRS` → `MINIMUM_NRS`, `statementTimeoutMs` → `STATEMENT_TIMEOUT_MS`.
    static func screamingSnake(_ key: String) -> String {
        var out = ""
        var previousWasLower = false
        for character in key {
            if character.isUppercase, previousWasLower { out.append("_") }
            out.append(character.uppercased())
            previousWasLower = character.isLowercase || character.isNumber
        }
        return out
    }

    private static func jsonText(_ value: Any) -> String {
        if let text = value as? String { return text }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]) else {
            return "\(value)"
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func keyPath(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
