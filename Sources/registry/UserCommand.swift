import ArgumentParser
import Foundation
import RegistryCore
import RegistryStore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage accounts and API tokens.",
        subcommands: [Add.self, List.self, Disable.self, Token.self, Revoke.self])

    static func actor(_ command: String) -> Actor {
        Actor(userId: nil, label: "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown"), route: "registry user \(command)")
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account; the password is read from standard input.")
        @Argument(help: "Login name: 3–64 of a-z 0-9 . _ -") var username: String
        @Option(help: "clinician, manager, researcher or admin.") var role: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Site code; repeat for several sites.") var site: [String] = []

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role must be one of: \(Role.allowed.joined(separator: ", "))") }
            if role.siteBound && site.isEmpty { throw ValidationError("a \(role.rawValue) needs at least one --site") }
            FileHandle.standardError.write(Data("password (at least 12 characters), then Enter: ".utf8))
            guard let password = readLine(strippingNewline: true) else { throw CommandFailure("no password on standard input") }
            let context = try CommandContext()
            do {
                let user = try await context.withDatabase { database in
                    try await AccountRepository(database: database).addUser(
                        username: username, displayName: name, role: role, siteCodes: site,
                        password: password, rules: context.config.auth, actor: UserCommand.actor("add"))
                }
                say("created \(user.username) (\(user.role.rawValue)) \(user.id.uuidString.lowercased())")
            } catch let failure as ValidationFailure {
                throw CommandFailure(failure.problems.map { "\($0.field): \($0.message)" }.joined(separator: "\n"))
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        func run() async throws {
            let context = try CommandContext()
            let (users, sites) = try await context.withDatabase { database in
                let accounts = AccountRepository(database: database)
                return (try await accounts.users(), try await accounts.sites())
            }
            let codes = Dictionary(uniqueKeysWithValues: sites.map { ($0.id, $0.code) })
            for user in users {
                say(
                    [
                        user.username.padding(toLength: 22, withPad: " ", startingAt: 0),
                        user.role.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0),
                        (user.active ? "active" : "disabled").padding(toLength: 9, withPad: " ", startingAt: 0),
                        user.siteIds.compactMap { codes[$0] }.joined(separator: ","),
                    ].joined(separator: " "))
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account, ending its sessions and tokens.")
        @Argument var username: String
        func run() async throws {
            let context = try CommandContext()
            let changed: Bool
            do {
                changed = try await context.withDatabase {
                    try await AccountRepository(database: $0).disableUser(username: username, actor: UserCommand.actor("disable"))
                }
            } catch let error as StoreError { throw CommandFailure(error.description) }
            say(changed ? "disabled \(username)" : "\(username) was disabled already")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an API token; it is shown once.")
        @Argument var username: String
        @Option(help: "Days until it expires (default: auth.tokenDays).") var days: Int?
        @Option(help: "What the token is for.") var label = "api"
        func run() async throws {
            let context = try CommandContext()
            let days = days ?? context.config.auth.tokenDays
            guard (1...3650).contains(days) else { throw ValidationError("--days must be from 1 to 3650") }
            do {
                let issued = try await context.withDatabase {
                    try await AccountRepository(database: $0).issueToken(
                        username: username, label: label, days: days, actor: UserCommand.actor("token"))
                }
                say(issued.token)
                let expires = ISO8601DateFormatter().string(from: issued.expires)
                FileHandle.standardError.write(
                    Data("token \(issued.id.uuidString.lowercased()) for \(username), expires \(expires); it will not be shown again\n".utf8))
            } catch let error as StoreError { throw CommandFailure(error.description) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token by its id.")
        @Argument var tokenId: String
        func run() async throws {
            guard let id = UUID(uuidString: tokenId) else { throw ValidationError("the token id must be a UUID (printed when it was issued)") }
            let context = try CommandContext()
            do {
                try await context.withDatabase { try await AccountRepository(database: $0).revokeToken(id: id, actor: UserCommand.actor("revoke")) }
            } catch let error as StoreError { throw CommandFailure(error.description) }
            say("revoked \(tokenId)")
        }
    }
}
