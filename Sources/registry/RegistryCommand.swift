import ArgumentParser
import Foundation
import NIOCore

@main
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "The SCN treatment-course registry.",
        subcommands: [
            UpCommand.self, DownCommand.self, ServeCommand.self, MigrateCommand.self, SeedCommand.self, ReportCommand.self, UserCommand.self,
            AuditCommand.self, BackupCommand.self, RestoreCommand.self, ExportCommand.self, BenchCommand.self, ConfigCommand.self,
        ]
    )

    static func main() async {
        // One event loop carries all of the process's network traffic (HTTP and PostgreSQL),
        // which a clinic network's load never fills; request work runs on Swift's concurrency
        // pool either way. Fewer loops mean fewer wake-ups between threads per request, which
        // `registry bench write` shows as less server CPU per pain score.
        // NIO's own NIO_SINGLETON_GROUP_LOOP_COUNT sets another number.
        if ProcessInfo.processInfo.environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil {
            NIOSingletons.groupLoopCountSuggestion = 1
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // postgres-nio hides server messages from `description`; a CLI user needs them.
            if String(describing: type(of: error)).hasPrefix("PSQL") {
                FileHandle.standardError.write(Data("Error: \(String(reflecting: error))\n".utf8))
                exit(withError: ExitCode.failure)
            }
            exit(withError: error)
        }
    }
}

/// Writes a line to stdout unbuffered, so progress and the serving URL appear at once even when
/// stdout is a pipe or a log file.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// A command that could not do its work (no database, a registry already holding data, …):
/// printed as `Error: …` with exit code 1, without the usage text meant for mistyped options.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
