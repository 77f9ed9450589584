import ArgumentParser
import RegistryCore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Print every setting, the environment variable that overrides it, and its value.")

    func run() async throws {
        let settings = try RegistryConfig.settings(file: RegistryConfig.defaultFile())
        let keyWidth = settings.map(\.key.count).max() ?? 0
        let variableWidth = settings.map(\.variable.count).max() ?? 0
        for setting in settings {
            // Secrets are shown only as set or not.
            let secret = setting.key == "database.url" || setting.key == "export.projectKey"
            let value = secret && !setting.value.isEmpty ? "(set)" : setting.value
            say(
                setting.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "  "
                    + setting.variable.padding(toLength: variableWidth, withPad: " ", startingAt: 0) + "  " + value)
        }
    }
}
