import Foundation

/// The one JSON form of records: API bodies, and the bodies kept so a retried write gets its
/// first answer byte for byte.
public enum RecordJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func encode(_ value: some Encodable) throws -> Data { try encoder.encode(value) }
}
