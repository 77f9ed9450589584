import Foundation
import RegistryCore

/// Calendar dates cross the wire as ISO text (`$1::date` in, `col::text` out) so no time zone
/// can shift them.
func calendarDate(_ text: String) throws -> CalendarDate {
    guard let date = CalendarDate(iso: text) else { throw StoreError.configuration("unreadable date \(text) from the database") }
    return date
}

func calendarDate(_ text: String?) throws -> CalendarDate? {
    try text.map(calendarDate)
}

func coded<T: CodedValue>(_ text: String, as type: T.Type = T.self) throws -> T {
    guard let value = T(rawValue: text) else { throw StoreError.configuration("unknown \(T.self) \(text) in the database") }
    return value
}

func voidInfo(_ at: Date?, _ reason: String?) -> VoidInfo? {
    guard let at, let reason else { return nil }
    return VoidInfo(voidedAt: at, reason: reason)
}

/// Drops the extra row fetched by `keyset` and issues the cursor of the last kept row when
/// another page follows.
func trimmed<Item>(_ rows: [(Item, PageRequest.Cursor)], page: PageRequest) -> Page<Item> {
    let kept = rows.prefix(page.limit)
    let more = rows.count > page.limit
    return Page(items: kept.map(\.0), nextCursor: more ? kept.last?.1.text : nil)
}
