import Foundation
import RegistryCore
import Synchronization

/// Who a credential (a token's or session's hash) belongs to, remembered for a short time so a
/// busy client's requests do not each ask the database first.
///
/// Only found credentials are remembered, so a new token works at once and guesses always reach
/// the database. Whatever this server changes about credentials (revoke, logout, disable) clears
/// it at once; other servers' changes reach it within `lifetime`.
final class CredentialCache: Sendable {
    let lifetime: Duration
    /// A bound on memory: past it, everything is forgotten and relearnt.
    static let capacity = 10_000
    private let entries = Mutex<[String: (principal: Principal, until: ContinuousClock.Instant)]>([:])

    init(lifetime: Duration) { self.lifetime = lifetime }

    func principal(for hash: String) -> Principal? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.until > now else {
                entries[hash] = nil
                return nil
            }
            return entry.principal
        }
    }

    func remember(_ principal: Principal, for hash: String) {
        let until = ContinuousClock.now + lifetime
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = (principal, until)
        }
    }

    func forgetAll() {
        entries.withLock { $0.removeAll() }
    }
}
