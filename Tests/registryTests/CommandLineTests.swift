import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// The `registry` command on bad input: each mistake is named, with exit code 64 for a mistyped
/// option (usage follows) and 1 for a command that cannot do its work; nothing hangs.
@Suite struct CommandLineTests {
    /// The built `registry` beside the test bundle (`swift test` builds it: the suite depends on it).
    static let binary: URL = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "registry")
        return FileManager.default.isExecutableFile(atPath: besideTests.path)
            ? besideTests : TestDatabase.checkout.appending(path: ".build/debug/registry")
    }()

    /// Runs `registry arguments` in the checkout with `environment` added, stdin from `input`;
    /// returns the exit status and what it printed (stdout and stderr together).
    func registry(_ arguments: [String], environment: [String: String] = [:], input: String = "") async throws -> Subprocess.Outcome {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("REGISTRY_") && $0.key != "DATABASE_URL" }
        env["LOG_LEVEL"] = "error"
        env.merge(environment) { _, new in new }
        return try await Subprocess.run(Self.binary.path, arguments, in: TestDatabase.checkout, environment: env, input: input, mergingErrors: true)
    }

    /// The address of `database` with its password, for DATABASE_URL.
    func address(_ database: RegistryDatabase) -> String { address(database.url) }

    /// `url` with its password, for DATABASE_URL.
    func address(_ url: DatabaseURL) -> String {
        let secret = url.password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? $0) } ?? ""
        return "postgres://\(url.username)\(secret)@\(url.host):\(url.port)/\(url.database)"
    }

    @Test(arguments: [
        (["report", "outcomes", "--from", "2026-13-01", "--injectate", "honey"], ["--from must be", "--injectate must be one of"]),
        (["report", "outcomes", "--source", "neighbour"], ["--source must be one of: clinician, patient"]),
        (["bench", "pages", "--clients", "0"], ["--clients must be from 1 to 256"]),
        (
            ["export", "--out", "/tmp/never-written", "--cohort", "9-9", "--dates", "sideways"],
            ["--cohort must be one of", "--dates must be one of"]
        ),
        (["user", "add", "bob", "--role", "wizard", "--name", "Bob"], ["--role must be one of: clinician, manager, researcher, admin"]),
        (["user", "add", "bob", "--role", "clinician", "--name", "Bob"], ["a clinician needs at least one --site"]),
        (["audit", "--limit", "lots"], ["--limit"]),
        (["seed", "--courses", "0"], ["--courses must be from 1 to 100000"]),
        (["bench", "report", "--courses", "5"], ["--courses must be from 1000 to 2000000"]),
        (["frobnicate"], ["Unexpected argument 'frobnicate'"]),
    ])
    func mistypedOptionsAreNamedWithUsageAndExitCode64(_ arguments: [String], _ messages: [String]) async throws {
        let outcome = try await registry(arguments, environment: ["DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"])
        #expect(outcome.status == 64, "\(outcome.output)")
        for message in messages { #expect(outcome.output.contains(message), "\(outcome.output)") }
    }

    @Test func anUnusableSettingIsNamedAndExits1() async throws {
        let outcome = try await registry(["config"], environment: ["REGISTRY_SERVER_PORT": "eighty"])
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("Error: REGISTRY_SERVER_PORT=eighty is not valid"), "\(outcome.output)")
    }

    @Test func anUnreachableDatabaseIsAClearErrorWithinSeconds() async throws {
        let started = Date()
        let outcome = try await registry(["migrate", "--check"], environment: ["DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"])
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("Error: cannot reach the database at postgres://nobody@127.0.0.1:1/none"), "\(outcome.output)")
        #expect(Date().timeIntervalSince(started) < 60)
    }

    @Test func commandsThatCannotDoTheirWorkSayWhyAndExit1() async throws {
        try await TestDatabase.withFresh { database in
            _ = try await Fixture.make(database)
            let env = ["DATABASE_URL": address(database)]
            let short = try await registry(
                ["user", "add", "bob.short", "--role", "clinician", "--name", "Bob", "--site", "TEST"], environment: env, input: "too short\n")
            #expect(short.status == 1 && short.output.contains("password: must be at least 12 characters"), "\(short.output)")
            let unknownSite = try await registry(
                ["user", "add", "bob.site", "--role", "clinician", "--name", "Bob", "--site", "NOWHERE"], environment: env,
                input: "a long enough password\n")
            #expect(unknownSite.status == 1 && unknownSite.output.contains("NOWHERE"), "\(unknownSite.output)")
            let seeded = try await registry(["seed"], environment: env)
            #expect(seeded.status == 1 && seeded.output.contains("Error:"), "\(seeded.output)")
            let nobody = try await registry(["user", "token", "no.such.user"], environment: env)
            #expect(nobody.status == 1 && nobody.output.contains("no.such.user"), "\(nobody.output)")
            let revoke = try await registry(["user", "revoke", "not-a-uuid"], environment: env)
            #expect(revoke.status == 64 || revoke.status == 1, "\(revoke.output)")
            #expect(revoke.output.lowercased().contains("uuid") || revoke.output.contains("token"), "\(revoke.output)")
        }
    }

    @Test func auditVerifyNamesTheFirstAlteredRowAndHoldsToAnAnchor() async throws {
        try await TestDatabase.withFresh { database in
            _ = try await Fixture.make(database)
            let env = ["DATABASE_URL": address(database)]
            let intact = try await registry(["audit", "verify"], environment: env)
            #expect(intact.status == 0 && intact.output.contains("audit chain intact"), "\(intact.output)")
            let head = try #require(intact.output.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
            #expect(try await registry(["audit", "verify", "--anchor", head], environment: env).status == 0)
            let seq = head.split(separator: ":")[0]
            let forged = try await registry(["audit", "verify", "--anchor", "\(seq):" + String(repeating: "a", count: 64)], environment: env)
            #expect(forged.status == 1 && forged.output.contains("no longer has the anchored hash"), "\(forged.output)")
            let malformed = try await registry(["audit", "verify", "--anchor", "head"], environment: env)
            #expect(malformed.status == 64 && malformed.output.contains("--anchor must be SEQ:HASH"), "\(malformed.output)")

            try await database.transaction { connection in
                try await connection.query("ALTER TABLE audit_log DISABLE TRIGGER USER", logger: TestDatabase.logger)
                try await connection.query("UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 2", logger: TestDatabase.logger)
                try await connection.query("ALTER TABLE audit_log ENABLE TRIGGER USER", logger: TestDatabase.logger)
            }
            let broken = try await registry(["audit", "verify"], environment: env)
            #expect(broken.status == 1 && broken.output.contains("(seq 2): its content no longer matches its hash"), "\(broken.output)")
        }
    }
}
