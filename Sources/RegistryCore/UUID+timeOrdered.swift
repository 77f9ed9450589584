import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562): the current Unix time in milliseconds, then random bits.
    ///
    /// Records written by the busiest path get these ids so that their primary key and the
    /// audit trail's record index grow at one end, as a sequence would, instead of touching a
    /// random page of a large index on every insert (and logging that page again after each
    /// checkpoint). An id says when its record was made, which the record says anyway; exports
    /// never show these ids.
    public static func timeOrdered(at now: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        // 48 bits of time, the version, 12 random bits; the variant, 62 random bits.
        let high = milliseconds << 16 | 0x7000 | generator.next() & 0x0FFF
        let low = 0x8000_0000_0000_0000 | generator.next() & 0x3FFF_FFFF_FFFF_FFFF
        let (h, l) = (high.bigEndian, low.bigEndian)
        return withUnsafeBytes(of: (h, l)) { bytes in
            UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                    bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                ))
        }
    }
}
