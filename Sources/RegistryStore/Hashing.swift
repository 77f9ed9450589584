import Crypto
import Foundation

/// SHA-256 as hex and random bytes: what migration checksums, request hashes, export manifests,
/// bearer secrets and export keys are made of, in one place.
public enum Hashing {
    /// Lower-case hex of SHA-256 over `data`.
    public static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Lower-case hex of a digest or any bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// `count` bytes from the system's cryptographically secure generator.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
