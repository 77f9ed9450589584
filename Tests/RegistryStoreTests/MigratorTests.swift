import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite struct MigratorTests {
    @Test func aMigratedDatabaseIsCurrentAndMigratingAgainAppliesNothing() async throws {
        try await TestDatabase.withFresh { database in
            let migrator = try Migrator(directory: TestDatabase.schema)
            #expect(try await migrator.status(database) == .current)
            #expect(try await migrator.migrate(database).isEmpty)
        }
    }

    @Test func aNewFileIsPendingThenApplied() async throws {
        try await TestDatabase.withFresh { database in
            let folder = try copyOfSchema(adding: ("9999_extra.sql", "CREATE TABLE extra (id int); INSERT INTO extra VALUES (1);"))
            let migrator = try Migrator(directory: folder)
            #expect(try await migrator.status(database) == .pending(["9999_extra.sql"]))
            #expect(try await migrator.migrate(database) == ["9999_extra.sql"])
            let count = try await database.withConnection {
                try await $0.query("SELECT count(*) FROM extra", logger: TestDatabase.logger).decode(Int.self).first { _ in true }
            }
            #expect(count == 1)
        }
    }

    @Test func anEditedAppliedFileStopsEverything() async throws {
        try await TestDatabase.withFresh { database in
            let folder = try copyOfSchema(adding: nil)
            let first = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()[0]
            try ("-- edited\n" + String(contentsOf: folder.appending(path: first), encoding: .utf8)).write(
                to: folder.appending(path: first), atomically: true, encoding: .utf8)
            let migrator = try Migrator(directory: folder)
            for error in [
                await #expect(throws: StoreError.self) { try await migrator.migrate(database) },
                await #expect(throws: StoreError.self) { try await migrator.status(database) },
            ] {
                guard case .schemaOutdated(let message) = error else {
                    Issue.record("\(String(describing: error))")
                    continue
                }
                #expect(message.contains("Schema/\(first) was edited after it was applied"), "\(message)")
            }
        }
    }

    @Test func aFailingMigrationLeavesNoTrace() async throws {
        try await TestDatabase.withFresh { database in
            let folder = try copyOfSchema(adding: ("9999_broken.sql", "CREATE TABLE half (id int); SELECT no_such_function();"))
            let error = await #expect(throws: StoreError.self) { try await Migrator(directory: folder).migrate(database) }
            guard case .schemaOutdated(let message) = error else {
                Issue.record("\(String(describing: error))")
                return
            }
            #expect(message.contains("a migration failed") && message.contains("no_such_function"), "\(message)")
            let exists = try await database.withConnection {
                try await $0.query("SELECT to_regclass('half') IS NOT NULL", logger: TestDatabase.logger).decode(Bool.self).first { _ in true }
            }
            #expect(exists == false)
        }
    }

    @Test func aChangedFunctionFileIsAppliedAgainAndNothingElse() async throws {
        try await TestDatabase.withFresh { database in
            let folder = try copyOfSchema(adding: nil)
            let file = folder.appending(path: "functions/export_pseudonym.sql")
            let original = try String(contentsOf: file, encoding: .utf8)
            try original.replacingOccurrences(of: "kind || '-'", with: "kind || '~'").write(to: file, atomically: true, encoding: .utf8)
            let migrator = try Migrator(directory: folder)
            #expect(try await migrator.status(database) == .pending(["functions/export_pseudonym.sql"]))
            #expect(try await migrator.migrate(database) == ["functions/export_pseudonym.sql"])
            #expect(try await migrator.migrate(database).isEmpty)
            let pseudonym = try await database.withConnection {
                try await $0.query("SELECT export_pseudonym('P', sha256('x'))", logger: TestDatabase.logger).decode(String.self).first { _ in true }
            }
            #expect(pseudonym?.hasPrefix("P~") == true, "\(pseudonym ?? "nil")")
        }
    }

    /// Schema/schema.sql is the shape a fresh migrate gives, as pg_dump prints it (without its
    /// settings and comments). `REGISTRY_WRITE_SCHEMA=1 swift test --filter MigratorTests` rewrites it.
    @Test func theSchemaFileIsWhatAFreshMigrateGives() async throws {
        let dump = try await TestDatabase.withFresh { database in try await schemaDump(database.url) }
        let file = TestDatabase.schema.appending(path: "schema.sql")
        let header =
            "-- The registry's schema as a fresh `registry migrate` leaves it (pg_dump --schema-only, without settings\n"
            + "-- and comments). Generated: MigratorTests fails when it differs from a fresh migrate.\n\n"
        if ProcessInfo.processInfo.environment["REGISTRY_WRITE_SCHEMA"] == "1" {
            try (header + dump).write(to: file, atomically: true, encoding: .utf8)
        }
        let checkedIn = Self.normalised(try String(contentsOf: file, encoding: .utf8))
        if checkedIn != dump {
            let actual = FileManager.default.temporaryDirectory.appending(path: "schema-\(UUID().uuidString).sql")
            try dump.write(to: actual, atomically: true, encoding: .utf8)
            Issue.record("Schema/schema.sql differs from a fresh migrate (\(actual.path)): REGISTRY_WRITE_SCHEMA=1 swift test --filter MigratorTests")
        }
    }

    /// A database that today's build migrated before the baseline (Tests/Fixtures: the 19
    /// migrations and 40 demo courses, made with pg_dump) moves forward without running the
    /// baseline: the same rows, the same outcome report, the same schema as a fresh database.
    @Test func aDatabaseMigratedBeforeTheBaselineMovesForwardWithEverythingInIt() async throws {
        let psql = try #require(PostgresPrograms.locate("psql"), "psql is needed: apt-get install postgresql-client")
        let fresh = try await TestDatabase.withFresh { database in try await schemaDump(database.url) }
        try await TestDatabase.withEmpty { url in
            let connection = PostgresPrograms.connection(url)
            let fixture = TestDatabase.checkout.appending(path: "Tests/Fixtures/registry-0001-0019.sql.gz").path
            let load = try await Subprocess.run(
                "/bin/sh", ["-c", "gzip -dc \"$0\" | \"$1\" -X -q -v ON_ERROR_STOP=1 --dbname=\"$2\"", fixture, psql, connection.address],
                environment: ProcessInfo.processInfo.environment.merging(connection.environment) { $1 })
            try #require(load.status == 0, "\(load.errors)")
            try await RegistryDatabase.withRunning(url: url, poolSize: 2, logger: TestDatabase.logger) { database in
                let config = try TestDatabase.config()
                func state() async throws -> (counts: [String: Int], report: Data) {
                    let counts = try await database.rowCounts()
                    let report = try await ReportRepository(database: database).read(
                        rules: config.clinical, filter: ReportFilter(), scope: nil,
                        followUp: FollowUpDay(rules: config.followUp, today: CalendarDate(iso: "2026-12-01")!, timeZone: config.clinicTimeZone),
                        // The database before the migrations has no outbox to read.
                        readingAsks: false, by: Fixture.actor
                    ).report
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = .sortedKeys
                    return (counts, try encoder.encode(report))
                }
                let before = try await state()
                let migrator = try Migrator(directory: TestDatabase.schema)
                // Adopting the baseline runs nothing of it; the migrations after it run, and the
                // function files are applied again.
                let later = migrator.migrations.map(\.name).filter { $0 > "0019_baseline.sql" }
                #expect(try await migrator.status(database) == .pending(later + migrator.functions.map(\.name)))
                #expect(try await migrator.migrate(database) == later + migrator.functions.map(\.name))
                #expect(try await migrator.status(database) == .current)
                let after = try await state()
                var expected = before.counts
                expected["audit_log", default: 0] += 1  // the first report's own audit row
                #expect(after.counts == expected && before.counts["treatment_courses"] == 40)
                #expect(before.report == after.report)
                let recorded = try await database.withConnection { connection in
                    var names: [String] = []
                    for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: TestDatabase.logger).decode(
                        String.self)
                    {
                        names.append(name)
                    }
                    return names
                }
                #expect(recorded.sorted() == ["0019_baseline.sql"] + later)
            }
            #expect(try await schemaDump(url) == fresh)
        }
    }

    @Test func aDatabaseWithOnlySomeOfTheReplacedMigrationsIsToldWhatToDo() async throws {
        try await TestDatabase.withEmpty { url in
            try await RegistryDatabase.withRunning(url: url, poolSize: 1, logger: TestDatabase.logger) { database in
                try await database.withConnection { connection in
                    try await connection.query(
                        "CREATE TABLE schema_migrations (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                        logger: TestDatabase.logger)
                    try await connection.query(
                        "INSERT INTO schema_migrations (name, checksum) VALUES ('0001_core.sql', 'x')", logger: TestDatabase.logger)
                }
                let error = await #expect(throws: StoreError.self) { try await Migrator(directory: TestDatabase.schema).migrate(database) }
                guard case .schemaOutdated(let message) = error else {
                    Issue.record("\(String(describing: error))")
                    return
                }
                #expect(message.contains("lacks 0002_access.sql") && message.contains("from before 0019_baseline.sql"), "\(message)")
            }
        }
    }

    /// pg_dump's schema of `url`, without its settings, comments and blank-line runs.
    private func schemaDump(_ url: DatabaseURL) async throws -> String {
        let pgDump = try #require(PostgresPrograms.locate("pg_dump"), "pg_dump is needed: apt-get install postgresql-client")
        let connection = PostgresPrograms.connection(url)
        let dump = try await Subprocess.run(
            pgDump, ["--schema-only", "--no-owner", "--no-privileges", "--dbname=\(connection.address)"],
            environment: ProcessInfo.processInfo.environment.merging(connection.environment) { $1 })
        try #require(dump.status == 0, "\(dump.errors)")
        return Self.normalised(dump.output)
    }

    static func normalised(_ dump: String) -> String {
        let kept = dump.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !(line.hasPrefix("--") || line.hasPrefix("SET ") || line.hasPrefix("SELECT pg_catalog.set_config") || line.hasPrefix("\\restrict")
                || line.hasPrefix("\\unrestrict"))
        }
        return kept.joined(separator: "\n").replacing(#/\n{3,}/#, with: "\n\n").trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }

    private func copyOfSchema(adding extra: (String, String)?) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appending(path: "schema-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestDatabase.schema, to: folder)
        if let (name, sql) = extra { try sql.write(to: folder.appending(path: name), atomically: true, encoding: .utf8) }
        return folder
    }
}
