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
    /// The key XORed with HMAC's inner and outer pads. PostgreSQL computes the same HMAC from
    /// them (Schema/functions/export_mac.sql) when it formats export rows itself.
    public let innerPad: [UInt8]
    public let outerPad: [UInt8]
    public let dates: ExportDates
    public let projectStable: Bool

    /// `projectKey` (from `export.projectKey`) makes pseudonyms and shifts repeat across exports.
    public init(projectKey: String?, dates: ExportDates) {
        var key: [UInt8]
        if let projectKey, !projectKey.isEmpty {
            key = Array(SHA256.hash(data: Data(projectKey.utf8)))
            projectStable = true
        } else {
            key = Hashing.randomBytes(32)
            projectStable = false
        }
        key += [UInt8](repeating: 0, count: 64 - key.count)
        innerPad = key.map { $0 ^ 0x36 }
        outerPad = key.map { $0 ^ 0x5c }
        self.dates = dates
    }

    /// HMAC-SHA-256(label ‖ the id's 16 raw bytes), spelled out as the SQL side spells it.
    private func mac(_ label: String, _ id: UUID) -> [UInt8] {
        var message = innerPad + Array(label.utf8)
        withUnsafeBytes(of: id.uuid) { message += $0 }
        return Array(SHA256.hash(data: outerPad + Array(SHA256.hash(data: message))))
    }

    /// `P-3f9a2b4c5d6e7f80`-style: a one-letter kind and the MAC's bytes 2–9 in hex, as
    /// `export_pseudonym` writes it in SQL.
    public func pseudonym(_ kind: String, _ id: UUID) -> String {
        kind + "-" + Hashing.hex(mac(kind, id)[1...8])
    }

    /// The patient's shift in days, from −180 to +180.
    public func offsetDays(patient: UUID) -> Int {
        let mac = mac("shift", patient)
        return Int(mac[0...3].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } % 361) - 180
    }

    /// A calendar day as exported: shifted ISO date, or whole days from the course's start.
    public func day(_ dayNumber: Int, patient: UUID, courseStart: Int) -> String {
        switch dates {
        case .shifted: CalendarDate(dayNumber: dayNumber + offsetDays(patient: patient)).isoText
        case .relative: String(dayNumber - courseStart)
        }
    }

    /// Whole years, with 90 and over as "90+" (ages that old are rare enough to identify).
    public static func age(_ years: Int?) -> String? {
        guard let years else { return nil }
        return years >= 90 ? "90+" : String(years)
    }
}
