import Foundation
import RegistryCore

/// One form of the web app, described once: its fields in the API input's own names (dotted and
/// indexed paths such as `screening.flattening` or `procedures[0].kind`), so a page's form
/// becomes the same JSON the API takes, meets the same rules, and every problem the API would
/// name lands beside the field of the same name.
public struct FormSpec: Sendable {
    /// The catalogue key of the form's heading.
    public let titleKey: String
    /// Fields in order, grouped under optional legends (a procedure, a findings section).
    public let groups: [FormGroup]

    public init(titleKey: String, groups: [FormGroup]) {
        self.titleKey = titleKey
        self.groups = groups
    }

    public var fields: [FormField] { groups.flatMap(\.fields) }

    /// The same form with only the fields `keep` accepts (a correction changes fewer fields).
    public func keeping(_ keep: (FormField) -> Bool) -> FormSpec {
        FormSpec(
            titleKey: titleKey,
            groups: groups.map { FormGroup(legendKey: $0.legendKey, fields: $0.fields.filter(keep), kinds: $0.kinds) }
                .filter { !$0.fields.isEmpty })
    }
}

/// Fields shown together; `kinds` marks a procedure's fields with the procedure kinds they
/// apply to, so the small script can hide the others (the page works without it).
public struct FormGroup: Sendable {
    public let legendKey: String?
    public let fields: [FormField]
    public let kinds: [String: [String]]

    public init(legendKey: String? = nil, fields: [FormField], kinds: [String: [String]] = [:]) {
        self.legendKey = legendKey
        self.fields = fields
        self.kinds = kinds
    }
}

public struct FormField: Sendable {
    public enum Kind: Sendable {
        case text(maxLength: Int)
        /// Text the screen does not show (a new account's password).
        case password
        case notes
        case date
        /// A clinic-local date and time (`datetime-local`), sent to the API with the clinic's offset.
        case dateTime
        case integer(ClosedRange<Int>)
        case decimal(maximum: Decimal, step: String)
        /// 0–10 as large buttons.
        case scale
        /// Coded values as radio buttons; labels from the catalogue as `labelPrefix + value`.
        case choice([String], labelPrefix: String)
        /// Coded values as a drop-down (with an empty first choice), labelled like `choice`.
        case menu([String], labelPrefix: String)
        /// Records to choose from as a drop-down; `labels` are shown as they are (sites, clinicians).
        case select([(value: String, label: String)])
        case yesNo
        case hidden
    }

    /// The API input's path for this field, also the form's field name.
    public let name: String
    /// Catalogue keys of the label and an optional hint.
    public let labelKey: String
    public let hintKey: String?
    public let kind: Kind

    public init(_ name: String, _ labelKey: String, _ kind: Kind, hint: String? = nil) {
        self.name = name
        self.labelKey = labelKey
        self.hintKey = hint
        self.kind = kind
    }

    /// The top-level input key the field belongs to (`procedures` for `procedures[0].kind`).
    public var topLevelKey: String { String(name.prefix { $0 != "." && $0 != "[" }) }
}
