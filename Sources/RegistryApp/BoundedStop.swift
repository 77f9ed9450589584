import ServiceLifecycle

/// A service that is given `bound` to end once the server stops, then left behind.
///
/// A query on a connection whose PostgreSQL died under it can wait forever without noticing
/// cancellation (see `BoundedResponder`). A service awaiting one (the audit sealer, the outbox,
/// the pool waiting for that connection's lease to come back) would hold the whole process past
/// its graceful shutdown, and ServiceLifecycle then ends the process with a fatal error. So the
/// service runs in a task of its own, which sees the same graceful shutdown (it inherits the
/// task's locals); when it has not ended `bound` after the shutdown began, it is cancelled and
/// no longer waited for: the process is ending anyway.
struct BoundedStop<Inner: Service>: Service {
    let inner: Inner
    let bound: Duration

    init(_ inner: Inner, within bound: Duration) {
        self.inner = inner
        self.bound = bound
    }

    func run() async throws {
        let (ended, ending) = AsyncStream<(any Error)?>.makeStream()
        let running = Task {
            do {
                try await inner.run()
                ending.yield(nil)
            } catch {
                ending.yield(error)
            }
            ending.finish()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ends when the service does, or when this task is cancelled (iteration then stops).
                for await failure in ended { if let failure { throw failure } }
            }
            group.addTask {
                try? await gracefulShutdown()
                try? await Task.sleep(for: bound)
                running.cancel()
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}

extension BoundedStop: CustomStringConvertible {
    var description: String { "\(Inner.self)" }
}
