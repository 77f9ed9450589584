import Foundation
import PostgresNIO
import RegistryStore
import RegistryTestSupport
import Testing

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

    private func copyOfSchema(adding extra: (String, String)?) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appending(path: "schema-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestDatabase.schema, to: folder)
        if let (name, sql) = extra { try sql.write(to: folder.appending(path: name), atomically: true, encoding: .utf8) }
        return folder
    }
}
