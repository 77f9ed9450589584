import Crypto
import Foundation
import RegistryCore

/// Turns registry identifiers and dates into research-safe ones, the same way on every route.
///
/// Pseudonyms are HMAC-SHA-256 of the real id under a key: stable within one export (the same
/// key), unlinkable across exports (a fresh random key each time) unless an admin configures a
/// project-stable key. Dates move by a per-patient offset of up to ±180 days derived from the same
/// key, so all of one patient's intervals are kept; or, by option, become days from the course's start.
public struct Deidentifier: Sendable {
    public enum Dates: String, Sendable, Codable { case shifted, relative }

    private let key: SymmetricKey
    public let dates: Dates
    public let projectStable: Bool

    /// `projectKey` (from `export.projectKey`) makes pseudonyms and shifts repeat across exports.
    public init(projectKey: String?, dates: Dates) {
        if let projectKey, !projectKey.isEmpty {
            key = SymmetricKey(data: SHA256.hash(data: Data(projectKey.utf8)))
            projectStable = true
        } else {
            key = SymmetricKey(size: .bits256)
            projectStable = false
        }
        self.dates = dates
    }

    private func mac(_ label: String, _ id: UUID) -> HashedAuthenticationCode<SHA256> {
        HMAC<SHA256>.authenticationCode(for: Data((label + ":" + id.uuidString.lowercased()).utf8), using: key)
    }

    /// `P-7K2M9QX4TR`-style: a prefix for the kind of record and 10 Crockford base-32 characters (50 bits).
    public func pseudonym(_ prefix: String, _ id: UUID) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var bits = mac(prefix, id).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var out = prefix + "-"
        for _ in 0..<10 {
            out.append(alphabet[Int(bits & 31)])
            bits >>= 5
        }
        return out
    }

    /// The patient's shift in days, from −180 to +180.
    public func offsetDays(patient: UUID) -> Int {
        let value = mac("shift", patient).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(value % 361) - 180
    }

    /// A calendar day as exported: shifted ISO date, or whole days from the course's start.
    public func day(_ dayNumber: Int, patient: UUID, courseStart: Int) -> String {
        switch dates {
        case .shifted: CalendarDate(dayNumber: dayNumber + offsetDays(patient: patient)).description
        case .relative: String(dayNumber - courseStart)
        }
    }

    /// An instant as exported: shifted by whole days (time of day kept), or days from course start.
    public func instant(_ date: Date, patient: UUID, courseStart: Int) -> String {
        switch dates {
        case .shifted:
            ISO8601DateFormatter().string(from: date.addingTimeInterval(Double(offsetDays(patient: patient)) * 86400))
        case .relative:
            String(Int((date.timeIntervalSince1970 / 86400).rounded(.down)) - courseStart)
        }
    }

    /// Whole years, with 90 and over as "90+" (ages that old are rare enough to identify).
    public static func age(_ years: Int?) -> String? {
        guard let years else { return nil }
        return years >= 90 ? "90+" : String(years)
    }
}
