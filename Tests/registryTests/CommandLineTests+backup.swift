import Foundation
import RegistryAnalytics
import RegistryCore
import RegistryDevTools
import RegistryStore
import RegistryTestSupport
import Testing

extension CommandLineTests {
    /// What a restore must reproduce: every table's row count, the outcome report and the
    /// audit chain (read before the report, whose run adds an audit row).
    func picture(_ database: RegistryDatabase) async throws -> (counts: [String: Int], chain: AuditChainReport, report: Data) {
        let registry = try Repositories.testing(database)
        let counts = try await database.rowCounts()
        let chain = try await AuditRepository(database: database).verifyChain()
        let config = try TestDatabase.config()
        let report = try await ReportRepository(database: database).outcomes(
            rules: config.clinical, filter: ReportFilter(), scope: nil, by: Fixture.actor)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (counts, chain, try encoder.encode(report))
    }

    @Test func aBackupOfTheDemoRegistryRestoresIntoAnEmptyDatabaseIdentically() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "registry-backup-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appending(path: "registry.dump").path
        try await TestDatabase.withFresh { source in
            let config = try TestDatabase.config()
            try await DemoData(courses: 60, today: CalendarDate(iso: "2026-11-25")!).load(
                into: try Repositories.testing(source), auth: config.auth)
            let backup = try await registry(["backup", "--out", file], environment: ["DATABASE_URL": address(source)])
            #expect(backup.status == 0 && backup.output.contains("backup written"), "\(backup.output)")
            let original = try await picture(source)
            #expect(original.chain.intact && original.counts["treatment_courses"] == 60)

            let again = try await registry(["backup", "--out", file], environment: ["DATABASE_URL": address(source)])
            #expect(again.status == 64 && again.output.contains("exists"), "\(again.output)")
            let intoFull = try await registry(["restore", file], environment: ["DATABASE_URL": address(source)])
            #expect(intoFull.status == 1 && intoFull.output.contains("restore only into an empty database"), "\(intoFull.output)")
            let afterRefusal = try await source.rowCounts()
            #expect(afterRefusal == original.counts.merging(["audit_log": original.counts["audit_log"]! + 1]) { $1 }, "only the report run was added")

            let empty = source.url.with(database: "registry_test_restore_" + UUID().uuidString.prefix(8).lowercased())
            try await DatabaseAdmin.createIfMissing(empty, logger: TestDatabase.logger)
            do {
                let junk = folder.appending(path: "junk.dump")
                try Data("not a backup".utf8).write(to: junk)
                let refused = try await registry(["restore", junk.path], environment: ["DATABASE_URL": address(empty)])
                #expect(refused.status == 1 && refused.output.contains("pg_restore"), "\(refused.output)")
                let restore = try await registry(["restore", file], environment: ["DATABASE_URL": address(empty)])
                #expect(restore.status == 0 && restore.output.contains("audit chain intact"), "\(restore.output)")
                let restored = try await RegistryDatabase.withRunning(url: empty, poolSize: 2, logger: TestDatabase.logger) { try await picture($0) }
                #expect(restored.counts == original.counts)
                #expect(restored.chain == original.chain)
                #expect(restored.report == original.report)
            } catch {
                try? await DatabaseAdmin.drop(empty, logger: TestDatabase.logger)
                throw error
            }
            try await DatabaseAdmin.drop(empty, logger: TestDatabase.logger)
        }
    }
}
