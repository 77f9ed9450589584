import Crypto
import Foundation

/// Random bearer secrets (API tokens, session cookies) and the hashes stored in their place.
public enum Secret {
    /// 256 random bits, hex-encoded, with a prefix that says what the secret is for.
    public static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256, hex: what the database keeps. A fast hash suffices because the secret is random
    /// (unlike a password, it cannot be guessed from a dictionary).
    public static func hash(_ secret: String) -> String { hashData(Data(secret.utf8)) }

    public static func hashData(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Lower-case hex of a digest or any bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
