import Foundation

/// What walking the audit chain found: how far it holds, and the first row where it does not.
public struct AuditChainReport: Sendable, Equatable {
    /// Rows that link and match their hashes, from the first on.
    public var verified = 0
    /// The last row of the chain as the head records it (seq and hex hash).
    public var head: (seq: Int64, hash: String) = (0, AuditChainReport.genesis)
    /// The first break, in words naming its row; nil when the whole chain holds.
    public var firstBreak: String?

    public var intact: Bool { firstBreak == nil }

    /// The "previous hash" of the first row: 32 zero bytes, in hex.
    public static let genesis = String(repeating: "0", count: 64)

    public init() {}

    /// As the API gives it.
    public var json: [String: Any] {
        ["intact": intact, "verified": verified, "head": ["seq": head.seq, "hash": head.hash], "firstBreak": firstBreak ?? NSNull()]
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.verified == b.verified && a.head == b.head && a.firstBreak == b.firstBreak
    }
}
