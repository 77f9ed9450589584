import Foundation

/// Counts attempts per key in a sliding hour, in memory: enough to stop one link or one address
/// from flooding the registry with answers (a second server keeps its own counts).
actor RateLimiter {
    private var attempts: [String: [Date]] = [:]

    /// Records an attempt for `key` at `now`; false when `limit` were already made in the past hour.
    func allow(_ key: String, limit: Int, now: Date) -> Bool {
        let recent = (attempts[key] ?? []).filter { now.timeIntervalSince($0) < 3600 }
        guard recent.count < limit else {
            attempts[key] = recent
            return false
        }
        attempts[key] = recent + [now]
        if attempts.count > 100_000 { attempts = attempts.filter { !($0.value.last.map { now.timeIntervalSince($0) >= 3600 } ?? true) } }
        return true
    }
}
