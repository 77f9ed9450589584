import RegistryCore

/// The admin's forms, field for field `UserInput`, `TokenInput` and the audit query.
extension FormSpec {
    public static let user = FormSpec(
        titleKey: "addUser",
        groups: [
            FormGroup(fields: [
                FormField("username", "username", .text(maxLength: 64), hint: "usernameHint"),
                FormField("displayName", "displayName", .text(maxLength: TextLimit.name)),
                FormField("role", "role", .choice(Role.allowed, labelPrefix: "role_")),
                FormField("sites", "siteCodes", .text(maxLength: 200), hint: "siteCodesHint"),
                FormField("password", "password", .password, hint: "passwordHint"),
            ])
        ])

    public static func token(users: [(value: String, label: String)]) -> FormSpec {
        FormSpec(
            titleKey: "issueToken",
            groups: [
                FormGroup(fields: [
                    FormField("username", "username", .select(users)),
                    FormField("label", "tokenLabel", .text(maxLength: 100), hint: "tokenLabelHint"),
                    FormField("days", "tokenDays", .integer(1...365)),
                ])
            ])
    }

    public static func auditFilter(users: [(value: String, label: String)]) -> FormSpec {
        FormSpec(
            titleKey: "filters",
            groups: [
                FormGroup(fields: [
                    FormField("recordId", "recordId", .text(maxLength: 36)),
                    FormField("user", "username", .select(users)),
                    FormField("from", "from", .date),
                    FormField("to", "to", .date),
                ])
            ])
    }
}
