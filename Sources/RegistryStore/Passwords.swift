import HummingbirdBcrypt
import NIOPosix

/// bcrypt takes about a quarter second at cost 12: it runs on NIO's thread pool for blocking
/// work, never on the cooperative executor, so a sign-in does not stall other requests.
enum Passwords {
    /// bcrypt ignores every byte after the 72nd, so a longer password would sign in with any
    /// ending: longer ones are refused (not pre-hashed, which would tie the stored hashes to
    /// this registry's own scheme).
    static let maximumBytes = 72

    static func hash(_ password: String, cost: Int) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: UInt8(cost)) }
    }

    static func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
