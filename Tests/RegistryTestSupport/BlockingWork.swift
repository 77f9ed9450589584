import Foundation

/// Work that blocks its thread (waiting on a program or a socket), run on a thread of its own.
///
/// Swift's cooperative pool has one thread per core, two on CI, and the servers the tests start
/// answer on the same threads: a test blocking one of them while another test blocks the other
/// leaves no server able to answer, and a test waiting for an answer within seconds fails.
public enum BlockingWork {
    public static func aside<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    public static func aside<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
