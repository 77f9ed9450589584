import Crypto
import Foundation

/// SHA-256 as hex and random bytes: what migration checksums, request hashes, export manifests,
/// bearer secrets and export keys are made of, in one place.
public enum Hashing {
    /// Lower-case hex of SHA-256 over `data`.
    public static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Lower-case hex of a digest or any bytes. Every request hashes its credential and body and
    /// every exported row its pseudonyms, so this is written out rather than formatted per byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `count` bytes from the system's cryptographically secure generator.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
