import Foundation
import RegistryCore
import Testing

/// Time-ordered ids (RFC 9562 version 7) keep the busiest table's indexes growing at one end.
@Suite struct TimeOrderedUUIDTests {
    @Test func carriesItsMillisecondVersionAndVariant() {
        let instant = Date(timeIntervalSince1970: 1_764_158_400.125)  // 2025-11-26T12:00:00.125Z (exact in binary)
        let id = UUID.timeOrdered(at: instant)
        let hex = id.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        #expect(UInt64(hex.prefix(12), radix: 16) == 1_764_158_400_125)
        #expect(Array(hex)[12] == "7")
        #expect("89ab".contains(Array(hex)[16]))
    }

    @Test func sortsByTimeAndDiffersWithinAMillisecond() {
        let earlier = Date(timeIntervalSince1970: 1_764_158_400)
        let ids = (0..<1000).map { n in UUID.timeOrdered(at: earlier.addingTimeInterval(Double(n / 10) * 0.125)) }
        #expect(Set(ids).count == 1000)
        // Ids of different milliseconds sort as their times do, as PostgreSQL compares uuids (bytewise).
        let firsts = stride(from: 0, to: 1000, by: 10).map { ids[$0].uuidString.lowercased() }
        #expect(firsts == firsts.sorted())
    }
}
