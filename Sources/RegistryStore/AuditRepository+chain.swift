import Foundation
import PostgresNIO
import RegistryCore

/// Follows the chain row by row: each row must come next in sequence, carry the hash of the row
/// before it and hash to what it stores; the head must name the last row.
struct AuditChainWalk {
    private(set) var report = AuditChainReport()
    private var seq: Int64 = 0
    private var hash = AuditChainReport.genesis

    /// Takes the next row in seq order: its stored seq, id, previous hash, hash, and the hash
    /// recomputed from its content now.
    mutating func add(seq rowSeq: Int64, id: Int64, previous: String, stored: String, recomputed: String) {
        guard report.intact else { return }
        let row = "audit row \(id) (seq \(rowSeq))"
        if rowSeq != seq + 1 {
            report.firstBreak =
                rowSeq > seq + 1
                ? "\(row): the rows with seq \(seq + 1)…\(rowSeq - 1) are missing"
                : "\(row): seq repeats or goes back after seq \(seq)"
        } else if previous != hash {
            report.firstBreak = "\(row): does not link to the row before it (a row before it was changed, removed or inserted)"
        } else if recomputed != stored {
            report.firstBreak = "\(row): its content no longer matches its hash (the row was changed)"
        } else {
            report.verified += 1
            seq = rowSeq
            hash = stored
        }
    }

    /// Checks the head against the last row walked; returns the finished report.
    mutating func finish(head: AuditChainReport.Head?) -> AuditChainReport {
        guard let head else {
            report.firstBreak = report.firstBreak ?? "the chain's head row was removed"
            return report
        }
        report.head = head
        if report.intact, head.seq != seq || head.hash != hash {
            report.firstBreak =
                head.seq > seq
                ? "the chain's head names seq \(head.seq) but the last row is seq \(seq): rows at the end were removed"
                : "the chain's head (seq \(head.seq)) does not match the last row (seq \(seq))"
        }
        return report
    }
}

extension AuditRepository {
    /// Links the audit rows committed since the last seal into the chain (`seal_audit_chain`,
    /// Schema/functions/seal_audit_chain.sql); returns how many.
    @discardableResult
    public func seal() async throws -> Int {
        try await database.withConnection { connection in
            try await connection.query("SELECT seal_audit_chain()", logger: logger).decode(Int.self).first { _ in true } ?? 0
        }
    }

    /// Seals what is unsealed, then walks the whole audit chain in one snapshot, recomputing
    /// every row's hash in the database with the function that wrote it, and names the first
    /// row that does not hold. (Rows committed after the seal are left for the next one.)
    public func verifyChain() async throws -> AuditChainReport {
        try await seal()
        return try await database.transaction { connection in
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger)
            var walk = AuditChainWalk()
            for try await r in try await connection.query(
                """
                SELECT seq, id, encode(prev_hash, 'hex'), encode(hash, 'hex'), encode(audit_row_hash(a), 'hex')
                FROM audit_log a WHERE seq IS NOT NULL ORDER BY seq
                """, logger: logger
            ).decode((Int64, Int64, String, String, String).self) {
                walk.add(seq: r.0, id: r.1, previous: r.2, stored: r.3, recomputed: r.4)
            }
            let head = try await connection.query("SELECT seq, encode(hash, 'hex') FROM audit_chain_head", logger: logger)
                .decode((Int64, String).self).first { _ in true }
            return walk.finish(head: head.map { AuditChainReport.Head(seq: $0.0, hash: $0.1) })
        }
    }

    /// The stored hash (hex) of the audit row at `seq`, nil when there is none.
    public func chainHash(at seq: Int64) async throws -> String? {
        try await database.withConnection { connection in
            try await connection.query("SELECT encode(hash, 'hex') FROM audit_log WHERE seq = \(seq)", logger: logger).decode(String.self).first {
                _ in true
            }
        }
    }
}
