import Foundation
import PostgresNIO
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

/// Every audit row is linked to the one before it by hash, so a change made behind the
/// application's back (as the database superuser, with the append-only trigger switched off) is
/// found and named by the verifier.
@Suite struct AuditChainTests {
    /// A fixture plus `writers` concurrent writers appending `each` audit rows apiece, each in its
    /// own transaction, as a busy clinic day would.
    func busyRegistry(_ database: RegistryDatabase, writers: Int = 8, each: Int = 20) async throws -> Int {
        _ = try await Fixture.make(database)
        let registry = try Repositories.testing(database)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for n in 0..<each {
                        try await database.transaction {
                            try await registry.audit.auditAction("report", actor: Fixture.actor, details: "{\"writer\":\(writer),\"n\":\(n)}", on: $0)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        try await AuditRepository(database: database).seal()
        return try await count(database, "SELECT count(*) FROM audit_log")
    }

    func count(_ database: RegistryDatabase, _ sql: String) async throws -> Int {
        try await database.withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int.self).first { _ in true } ?? 0
        }
    }

    /// Runs `sql` as the superuser would to hide something: with the append-only trigger off.
    func tamper(_ database: RegistryDatabase, _ sql: String) async throws {
        try await database.transaction { connection in
            try await connection.query("ALTER TABLE audit_log DISABLE TRIGGER USER", logger: TestDatabase.logger)
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
            try await connection.query("ALTER TABLE audit_log ENABLE TRIGGER USER", logger: TestDatabase.logger)
        }
    }

    @Test func concurrentWritersLeaveOneUnbrokenChain() async throws {
        try await TestDatabase.withFresh { database in
            let rows = try await busyRegistry(database)
            let report = try await AuditRepository(database: database).verifyChain()
            #expect(report.intact, "\(report.firstBreak ?? "")")
            #expect(report.verified == rows)
            #expect(report.head.seq == Int64(rows))
            #expect(try await AuditRepository(database: database).chainHash(at: report.head.seq) == report.head.hash)
        }
    }

    /// Sealing runs beside the writers (every server seals each second): rows committed while a
    /// seal runs are left for the next, none is sealed twice, and the chain ends whole.
    @Test func sealersRunningBesideWritersLeaveOneUnbrokenChain() async throws {
        try await TestDatabase.withFresh { database in
            _ = try await Fixture.make(database)
            let registry = try Repositories.testing(database), audit = AuditRepository(database: database)
            let sealed = try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<6 {
                    group.addTask {
                        for n in 0..<25 {
                            try await database.transaction {
                                try await registry.audit.auditAction(
                                    "report", actor: Fixture.actor, details: "{\"writer\":\(writer),\"n\":\(n)}", on: $0)
                            }
                        }
                        return 0
                    }
                }
                for _ in 0..<2 {
                    group.addTask {
                        var total = 0
                        for _ in 0..<40 { total += try await audit.seal() }
                        return total
                    }
                }
                return try await group.reduce(0, +)
            }
            let rows = try await count(database, "SELECT count(*) FROM audit_log")
            let rest = try await audit.seal()
            // Every row (the fixture's too) was written unsealed: each is counted by exactly one seal.
            #expect(sealed + rest == rows, "sealed \(sealed) + \(rest) of \(rows)")
            #expect(try await audit.seal() == 0)
            let report = try await audit.verifyChain()
            #expect(report.intact, "\(report.firstBreak ?? "")")
            #expect(report.verified == rows && report.head.seq == Int64(rows))
        }
    }

    /// Before it is sealed a row's content is as fixed as after: the application's role can
    /// neither change it nor give it a place in the chain outside sealing.
    @Test func anUnsealedRowCanOnlyBeSealed() async throws {
        try await TestDatabase.withFresh { database in
            _ = try await Fixture.make(database)
            try await database.transaction {
                try await (try Repositories.testing(database)).audit.auditAction("report", actor: Fixture.actor, details: "{}", on: $0)
            }
            let pending = try await count(database, "SELECT count(*) FROM audit_log WHERE seq IS NULL")
            #expect(pending >= 1)
            for change in [
                "UPDATE audit_log SET after = '{\"x\":1}' WHERE seq IS NULL", "UPDATE audit_log SET seq = 999999 WHERE seq IS NULL",
                "DELETE FROM audit_log WHERE seq IS NULL",
            ] {
                // The trigger refuses with insufficient_privilege (42501), not a syntax or any other error.
                let error = await #expect(throws: PSQLError.self, "\(change)") {
                    try await database.withConnection { try await $0.query(PostgresQuery(unsafeSQL: change), logger: TestDatabase.logger) }
                }
                #expect(error?.serverInfo?[.sqlState] == "42501", "\(change)")
            }
            #expect(try await AuditRepository(database: database).seal() == pending)
            #expect(try await count(database, "SELECT count(*) FROM audit_log WHERE seq IS NULL") == 0)
        }
    }

    /// Sealing's own setting opens one door only: an unsealed row's three chain columns.
    @Test func whileSealingOnlyAnUnsealedRowsPlaceInTheChainMayBeFilledIn() async throws {
        try await TestDatabase.withFresh { database in
            _ = try await busyRegistry(database, writers: 1, each: 3)
            try await database.transaction {
                try await (try Repositories.testing(database)).audit.auditAction("report", actor: Fixture.actor, details: "{}", on: $0)
            }
            struct Allowed: Error {}
            /// Makes `change` with sealing's setting on and rolls it back: "allowed", "refused" (by
            /// the append-only trigger) or the other error.
            func whileSealing(_ change: String) async -> String {
                do {
                    try await database.transaction { connection in
                        try await connection.query("SELECT set_config('registry.sealing', 'on', true)", logger: TestDatabase.logger)
                        try await connection.query(PostgresQuery(unsafeSQL: change), logger: TestDatabase.logger)
                        throw Allowed()
                    }
                    return "committed"
                } catch is Allowed {
                    return "allowed"
                } catch {
                    return String(reflecting: error).contains("audit_log is append-only") ? "refused" : String(reflecting: error)
                }
            }
            for change in [
                "UPDATE audit_log SET seq = 999999, prev_hash = '\\x00', hash = '\\x00', after = '{\"x\":1}' WHERE seq IS NULL",
                "UPDATE audit_log SET seq = 999999, prev_hash = '\\x00', hash = '\\x00', at = at - interval '1 day' WHERE seq IS NULL",
                "UPDATE audit_log SET seq = 999999, prev_hash = '\\x00', hash = '\\x00', actor_label = 'x' WHERE seq IS NULL",
                "UPDATE audit_log SET hash = '\\x00' WHERE seq = 2", "DELETE FROM audit_log WHERE seq IS NULL",
            ] {
                #expect(await whileSealing(change) == "refused", "\(change)")
            }
            #expect(await whileSealing("UPDATE audit_log SET seq = 999999, prev_hash = '\\x00', hash = '\\x00' WHERE seq IS NULL") == "allowed")
            #expect(try await AuditRepository(database: database).verifyChain().intact)
        }
    }

    /// A backlog (an import, a server that was down) is sealed in chunks of 10,000 rows, each
    /// linked to the last of the chunk before.
    @Test func aBacklogLargerThanOneChunkIsSealedIntoOneChain() async throws {
        try await TestDatabase.withFresh { database in
            _ = try await Fixture.make(database)
            try await database.withConnection { connection in
                try await connection.query(
                    """
                    INSERT INTO audit_log (actor_label, action, route, after)
                    SELECT 'import', 'seed', 'test', jsonb_build_object('n', n) FROM generate_series(1, 20500) n
                    """, logger: TestDatabase.logger)
            }
            let rows = try await count(database, "SELECT count(*) FROM audit_log")
            #expect(try await AuditRepository(database: database).seal() == rows)
            let report = try await AuditRepository(database: database).verifyChain()
            #expect(report.intact, "\(report.firstBreak ?? "")")
            #expect(report.verified == rows && report.head.seq == Int64(rows))
        }
    }

    @Test(arguments: [
        ("UPDATE audit_log SET after = '{\"writer\":99}' WHERE seq = 40", "seq 40): its content no longer matches its hash", 39),
        ("UPDATE audit_log SET at = at - interval '1 hour' WHERE seq = 12", "seq 12): its content no longer matches its hash", 11),
        ("DELETE FROM audit_log WHERE seq = 30", "(seq 31): the rows with seq 30…30 are missing", 29),
        ("DELETE FROM audit_log WHERE seq > 100", "names seq", 100),
    ])
    func aChangeMadeBehindTheApplicationsBackIsNamed(sql: String, named: String, goodRows: Int) async throws {
        try await TestDatabase.withFresh { database in
            _ = try await busyRegistry(database, writers: 4, each: 30)
            try await tamper(database, sql)
            let report = try await AuditRepository(database: database).verifyChain()
            #expect(!report.intact)
            #expect(report.firstBreak?.contains(named) == true, "\(report.firstBreak ?? "intact")")
            #expect(report.verified == goodRows)
        }
    }

    @Test func rehashingOneRowStillBreaksTheLinkOfTheNext() async throws {
        try await TestDatabase.withFresh { database in
            _ = try await busyRegistry(database, writers: 2, each: 10)
            try await tamper(database, "UPDATE audit_log SET after = '{}' WHERE seq = 5")
            try await tamper(database, "UPDATE audit_log a SET hash = audit_row_hash(a) WHERE seq = 5")
            let report = try await AuditRepository(database: database).verifyChain()
            #expect(report.firstBreak?.contains("(seq 6): does not link to the row before it") == true, "\(report.firstBreak ?? "intact")")
        }
    }

    @Test func theHeadMovesOnlyWhenRowsAreSealed() async throws {
        try await TestDatabase.withFresh { database in
            _ = try await Fixture.make(database)
            let error = await #expect(throws: PSQLError.self) {
                try await database.withConnection { try await $0.query("UPDATE audit_chain_head SET seq = 1", logger: TestDatabase.logger) }
            }
            #expect(error?.serverInfo?[.sqlState] == "42501")
            #expect(try await AuditRepository(database: database).verifyChain().intact)
        }
    }
}
