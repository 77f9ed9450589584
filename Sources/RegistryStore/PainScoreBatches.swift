import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import RegistryCore
import Synchronization

/// One clinician's pain score on its way to the database, with the answer its key will replay.
struct PainScoreWrite: Sendable {
    let record: PainScoreRecord
    let response: Data
    let idempotency: Idempotency?
}

/// Who writes: scores are batched only with others of the same user, route and sites, which
/// the audit rows and the site check share.
struct PainScoreWriter: Hashable, Sendable {
    let actor: Actor
    let sites: Set<UUID>?
}

/// What the database made of one score (`add_pain_scores`, Schema/functions/add_pain_scores.sql).
enum PainScoreOutcome: Sendable, Equatable {
    case created
    case replayed(requestHash: String?, response: Data?)
    case notFound
    case beforeStart(CalendarDate)
}

/// Writes pain scores in batches: a score that arrives while its writer's previous batch is
/// being written waits, and the next batch takes everything waiting (up to `maxBatch`). An idle
/// registry writes each score at once, alone; a busy writer (an EHR interface posting in
/// parallel, a clinic's front desk) shares a round trip and a commit among several, which is
/// where a write's time goes (`registry bench write`). Different writers never wait for each other.
///
/// Every score is answered only after its batch committed. A batch the database refuses as a
/// whole (a rule only it checks, a deadlock between two retries of the same keys) is written
/// again one score at a time, so each caller gets its own answer or error; a batch whose fate is
/// unknown (the connection lost) is answered "unavailable" to every caller.
final class PainScoreBatches: Sendable {
    static let maxBatch = 64
    /// How long a writer's next batch waits for the one being written (see `start`).
    static let slot = TimeAmount.seconds(1)

    private struct Waiting: Sendable {
        let write: PainScoreWrite
        let answer: Answer
    }

    /// A caller's answer, given once: by its batch, or as "unavailable" when the batch outlives
    /// its bound (and then never again, whatever the late batch does).
    private final class Answer: Sendable {
        private let waiting: Mutex<CheckedContinuation<PainScoreOutcome, any Error>?>

        init(_ continuation: CheckedContinuation<PainScoreOutcome, any Error>) { waiting = Mutex(continuation) }

        func resume(with result: Result<PainScoreOutcome, any Error>) {
            waiting.withLock { $0.take() }?.resume(with: result)
        }
    }

    /// A batch's hold on its writer's turn, given up once.
    private final class Turn: Sendable {
        private let held = Mutex(true)

        /// True the first time only.
        func giveUp() -> Bool {
            held.withLock { held in
                defer { held = false }
                return held
            }
        }
    }

    /// The connection a batch is being written on.
    private final class Lease: Sendable {
        private let connection = Mutex<PostgresConnection?>(nil)

        func hold(_ leased: PostgresConnection) { connection.withLock { $0 = leased } }

        /// True when the connection closed under the batch.
        var lost: Bool { connection.withLock { $0?.isClosed ?? false } }
    }

    private struct State {
        var waiting: [PainScoreWriter: [Waiting]] = [:]
        /// Writers with a batch being written.
        var writing: Set<PainScoreWriter> = []

        /// `writer`'s next batch, marked as being written; nil when it is busy or nothing waits.
        mutating func next(of writer: PainScoreWriter) -> [Waiting]? {
            guard !writing.contains(writer), var queue = waiting[writer] else { return nil }
            let batch = Array(queue.prefix(PainScoreBatches.maxBatch))
            queue.removeFirst(batch.count)
            waiting[writer] = queue.isEmpty ? nil : queue
            writing.insert(writer)
            return batch
        }
    }

    private let database: RegistryDatabase
    private let logger: Logger
    /// How long a batch may take before its callers are told the database is unavailable: a
    /// query on a connection that died mid-flight (PostgreSQL restarting) can wait forever.
    private let bound: TimeAmount
    private let state = Mutex(State())

    init(database: RegistryDatabase, bound: TimeAmount, logger: Logger) {
        self.database = database
        self.bound = bound
        self.logger = logger
    }

    func write(_ write: PainScoreWrite, by writer: PainScoreWriter) async throws -> PainScoreOutcome {
        try await withCheckedThrowingContinuation { answer in
            let batch = state.withLock { state in
                state.waiting[writer, default: []].append(Waiting(write: write, answer: Answer(answer)))
                return state.next(of: writer)
            }
            if let batch { start(batch, by: writer) }
        }
    }

    /// Writes `batch`; the writer's next batch starts once it is written, or after `slot` at the
    /// latest, so a batch stuck on a connection that died (PostgreSQL restarting) holds up no
    /// score sent after it. Its own callers are answered "unavailable" then if the connection
    /// has closed under the query (postgres-nio does not always fail such a query:
    /// LoadAndFaultTests saw it wait on), and when `bound` passes in any case.
    private func start(_ batch: [Waiting], by writer: PainScoreWriter) {
        let turn = Turn()
        let lease = Lease()
        // Timers on an event loop: cheaper than a sleeping task for every batch.
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let handOnLater = loop.scheduleTask(in: Self.slot) {
            if lease.lost { Self.unavailable(batch) }
            self.handOn(turn, writer)
        }
        let expiry = loop.scheduleTask(in: bound) { Self.unavailable(batch) }
        Task {
            await answer(batch, by: writer, on: lease)
            handOnLater.cancel()
            expiry.cancel()
            handOn(turn, writer)
        }
    }

    /// Hands the writer's turn on, once per batch: starts its next batch if one waits.
    private func handOn(_ turn: Turn, _ writer: PainScoreWriter) {
        guard turn.giveUp() else { return }
        let next = state.withLock { state in
            state.writing.remove(writer)
            return state.next(of: writer)
        }
        if let next { start(next, by: writer) }
    }

    /// Tells every caller of `batch` still waiting that the database is unavailable.
    private static func unavailable(_ batch: [Waiting]) {
        for waiting in batch { waiting.answer.resume(with: .failure(StoreError.unavailable)) }
    }

    /// Writes `batch` (a single score is a batch of one) and answers each caller.
    private func answer(_ batch: [Waiting], by writer: PainScoreWriter, on lease: Lease) async {
        do {
            let outcomes = try await database.withConnection { connection in
                lease.hold(connection)
                var outcomes: [PainScoreOutcome?] = []
                for try await outcome in try await connection.execute(AddPainScores(writes: batch.map(\.write), writer: writer), logger: logger) {
                    outcomes.append(outcome)
                }
                return outcomes
            }
            // One row per score, in order; anything else is a bug, answered as such rather than
            // left waiting.
            for (n, waiting) in batch.enumerated() {
                guard n < outcomes.count, let outcome = outcomes[n] else {
                    waiting.answer.resume(with: .failure(UnknownOutcome(text: n < outcomes.count ? "unknown outcome" : "no row")))
                    continue
                }
                waiting.answer.resume(with: .success(outcome))
            }
        } catch StoreError.unavailable {
            // Whether the batch committed is unknown (the connection was lost): each caller is
            // told so, and a retry with its key writes nothing twice. Written again here, a score
            // sent without a key could be.
            Self.unavailable(batch)
        } catch {
            // The database refused the batch and rolled it back: each score alone gets its own answer.
            guard batch.count > 1 else { return batch[0].answer.resume(with: .failure(error)) }
            for waiting in batch { await answer([waiting], by: writer, on: lease) }
        }
    }
}
