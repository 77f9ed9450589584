import NIOCore
import PostgresNIO
import RegistryCore

/// A coded value decodes straight from its text column, as postgres-nio decodes its own types, so
/// rows are read as the registry's types rather than as strings turned into them afterwards.
public protocol CodedColumn: CodedValue, PostgresDecodable {}

extension CodedColumn {
    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        // The schema's CHECK constraints hold the same sets, so a failure here is a schema out of step.
        guard let value = Self(rawValue: try String(from: &buffer, type: type, format: format, context: context)) else {
            throw PostgresDecodingError.Code.failure
        }
        self = value
    }
}

extension Side: CodedColumn {}
extension Sex: CodedColumn {}
extension BlockAgent: CodedColumn {}
extension ProcedureKind: CodedColumn {}
extension Injectate: CodedColumn {}
extension Leukocytes: CodedColumn {}
extension Timepoint: CodedColumn {}
extension CourseEventKind: CodedColumn {}
extension ScoreSource: CodedColumn {}
extension Role: CodedColumn {}
extension CourseStatus: CodedColumn {}
extension ContactChannel: CodedColumn {}
extension ConsentHow: CodedColumn {}
extension OutboxMessage.State: CodedColumn {}

/// A calendar date from a `date` column (days since 2000-01-01 on the wire), or from its ISO text.
extension CalendarDate: PostgresDecodable {
    /// 2000-01-01, PostgreSQL's day 0, in the registry's day numbers (days since 1970-01-01).
    static let postgresEpoch = 10_957

    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        switch (type, format) {
        case (.date, .binary):
            guard buffer.readableBytes == 4, let days = buffer.readInteger(as: Int32.self) else { throw PostgresDecodingError.Code.failure }
            self.init(dayNumber: Int(days) + Self.postgresEpoch)
        default:
            guard let date = CalendarDate(iso: try String(from: &buffer, type: type, format: format, context: context)) else {
                throw PostgresDecodingError.Code.failure
            }
            self = date
        }
    }
}
