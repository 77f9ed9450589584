import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Where reports, the dashboard and exports read: a PostgreSQL streaming replica when one is
/// configured (`database.replicaUrl`) and it answers, streams and is no further behind the
/// primary than `maxLagSeconds`; else the primary. Writes, the audit rows of those reads among
/// them, always go to the primary.
public final class ReadSource: Sendable {
    public let primary: RegistryDatabase
    public let replica: RegistryDatabase?
    let maxLagSeconds: Double
    /// Told each read's choice, for the metrics.
    let onRead: @Sendable (Choice) -> Void
    /// The last check: a replica is asked at most once a second.
    private let recent = Mutex<(at: ContinuousClock.Instant, choice: Choice)?>(nil)

    public struct Choice: Sendable, Equatable {
        public enum Source: String, Sendable { case primary, replica }
        public let source: Source
        /// How far the replica's data is behind the primary, in seconds (when it was checked).
        public let lagSeconds: Double?
        /// Why the primary is read although a replica is configured: `unreachable` (no answer in
        /// 2 s), `not_streaming` (not receiving from the primary) or `behind` (past the bound).
        public let fallback: String?

        public static let primaryOnly = Choice(source: .primary, lagSeconds: nil, fallback: nil)
    }

    public init(
        primary: RegistryDatabase, replica: RegistryDatabase? = nil, maxLagSeconds: Double = 30,
        onRead: @escaping @Sendable (Choice) -> Void = { _ in }
    ) {
        self.primary = primary
        self.replica = replica
        self.maxLagSeconds = maxLagSeconds
        self.onRead = onRead
    }

    /// The database to read from now, and why.
    public func choose() async -> (RegistryDatabase, Choice) {
        guard let replica else { return (primary, .primaryOnly) }
        let now = ContinuousClock.now
        let last = recent.withLock { $0 }
        var choice: Choice
        if let last, now - last.at < .seconds(1) {
            choice = last.choice
        } else {
            choice = await check(replica)
            recent.withLock { $0 = (now, choice) }
            // Logged when it changes, not on every check.
            if choice.fallback != last?.choice.fallback {
                if let reason = choice.fallback {
                    primary.logger.warning("reports read the primary: the replica is \(reason)", metadata: ["lag": "\(choice.lagSeconds ?? -1)"])
                } else {
                    primary.logger.notice("reports read the replica again", metadata: ["lag": "\(choice.lagSeconds ?? 0)"])
                }
            }
        }
        onRead(choice)
        return (choice.source == .replica ? replica : primary, choice)
    }

    /// Asks the replica how it stands. The lag is nil-free: 0 when it has replayed all it has
    /// received, else the age of the last transaction it replayed. The WAL receiver's row is
    /// there only while it runs; its state is shown to privileged roles only (null otherwise).
    private func check(_ replica: RegistryDatabase) async -> Choice {
        let row: (Bool, Bool, String?, Double)?
        do {
            row = try await replica.answering(within: 2) {
                try await replica.withConnection { connection in
                    try await connection.query(
                        """
                        SELECT pg_is_in_recovery(), EXISTS (SELECT 1 FROM pg_stat_wal_receiver), (SELECT status FROM pg_stat_wal_receiver),
                               CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                                    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8
                        """, logger: replica.logger
                    ).decode((Bool, Bool, String?, Double).self).first { _ in true }
                }
            }
        } catch {
            return Choice(source: .primary, lagSeconds: nil, fallback: "unreachable")
        }
        guard let (recovering, receiving, status, lag) = row, recovering, receiving, status == nil || status == "streaming" else {
            return Choice(source: .primary, lagSeconds: row?.3, fallback: "not_streaming")
        }
        guard lag <= maxLagSeconds else { return Choice(source: .primary, lagSeconds: lag, fallback: "behind") }
        return Choice(source: .replica, lagSeconds: lag, fallback: nil)
    }
}
