import Foundation

/// Random bearer secrets (API tokens, session cookies) and the hashes stored in their place.
public enum Secret {
    /// 256 random bits, hex-encoded, with a prefix that says what the secret is for.
    public static func generate(prefix: String) -> String {
        prefix + Hashing.hex(Hashing.randomBytes(32))
    }

    /// SHA-256, hex: what the database keeps. A fast hash suffices because the secret is random
    /// (unlike a password, it cannot be guessed from a dictionary).
    public static func hash(_ secret: String) -> String { Hashing.sha256Hex(Data(secret.utf8)) }
}
