import RegistryCore

extension FormSpec {
    /// The outcome report's filters, named as the API's query parameters.
    public static func reportFilter(sites: [(value: String, label: String)], clinicians: [(value: String, label: String)]) -> FormSpec {
        FormSpec(
            titleKey: "filters",
            groups: [
                FormGroup(fields: [
                    FormField("siteId", "site", .select(sites)),
                    FormField("clinicianId", "clinician", .select(clinicians)),
                    FormField("from", "firstSessionFrom", .date),
                    FormField("to", "firstSessionTo", .date),
                    FormField("injectate", "injectate", .menu(Injectate.allowed, labelPrefix: "injectate_")),
                    FormField("side", "side", .menu(Side.allowed, labelPrefix: "side_")),
                    FormField("source", "scoreSource", .menu(ScoreSource.allowed, labelPrefix: "source_")),
                ])
            ])
    }
}
