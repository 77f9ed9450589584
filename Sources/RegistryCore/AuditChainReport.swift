import Foundation

/// What walking the audit chain found: how far it holds, and the first row where it does not.
public struct AuditChainReport: Sendable, Equatable {
    /// Rows that link and match their hashes, from the first on.
    public var verified = 0
    /// The last row of the chain as the head records it.
    public var head = Head(seq: 0, hash: AuditChainReport.genesis)
    /// The first break, in words naming its row; nil when the whole chain holds.
    public var firstBreak: String?

    public var intact: Bool { firstBreak == nil }

    public struct Head: Sendable, Equatable {
        public var seq: Int64
        /// SHA-256, in hex.
        public var hash: String

        public init(seq: Int64, hash: String) {
            self.seq = seq
            self.hash = hash
        }

        /// `SEQ:HASH`, as `registry audit verify --anchor` takes it back.
        public var anchor: String { "\(seq):\(hash)" }
    }

    /// The "previous hash" of the first row: 32 zero bytes, in hex.
    public static let genesis = String(repeating: "0", count: 64)

    public init() {}

    /// As the API gives it.
    public var json: [String: Any] {
        ["intact": intact, "verified": verified, "head": ["seq": head.seq, "hash": head.hash], "firstBreak": firstBreak ?? NSNull()]
    }
}
