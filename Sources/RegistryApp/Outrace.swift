import NIOCore
import NIOPosix
import Synchronization

/// Returns what `work` returns, or what `fallback` gives if `limit` passes first; the work is
/// then cancelled and left behind, not waited for.
///
/// A task group would wait for its child even after cancelling it, and some waits (a query on a
/// connection that died mid-flight) never notice cancellation; a task of its own can be
/// abandoned, so the caller's bound holds whatever the work is waiting on. The bound is an event
/// loop's timer, which every request sets and nearly always cancels: cheaper than a sleeping task.
public func outrace<T: Sendable>(
    _ limit: Duration, work: @escaping @Sendable () async throws -> T,
    fallback: @escaping @Sendable () throws -> T
) async throws -> T {
    let race = Race<T>()
    return try await withCheckedThrowingContinuation { continuation in
        race.waiting.withLock { $0 = continuation }
        let worker = Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            race.waiting.withLock { $0.take() }?.resume(with: result)
            race.timer.withLock { $0 }?.cancel()
        }
        race.timer.withLock {
            $0 = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit)) {
                guard let late = race.waiting.withLock({ $0.take() }) else { return }
                worker.cancel()
                late.resume(with: Result { try fallback() })
            }
        }
    }
}

/// The answer still owed (taken by whichever finishes first: the work or the timer) and the timer.
private final class Race<T: Sendable>: Sendable {
    let waiting = Mutex<CheckedContinuation<T, any Error>?>(nil)
    let timer = Mutex<Scheduled<Void>?>(nil)
}
