import Foundation
import RegistryCore

extension Pages {
    /// The research export page: the export's filters as a form, the zip and each table as
    /// download links for the current filter (none while it breaks a rule), and what
    /// de-identification the files get.
    /// `downloads` are (file name, address) pairs; the zip first.
    public func exports(
        _ language: Language, viewer: Viewer, filter: FilledForm, downloads: [(name: String, href: String)], notesIncluded: Bool
    ) throws -> String {
        try render(
            "exports", language,
            [
                "title": catalogue.text("exportsTitle", language), "viewer": viewer, "filter": formValues(filter, language),
                "zip": downloads.first.map { ["name": $0.name, "href": $0.href] } ?? false,
                "tables": downloads.dropFirst().map { ["name": $0.name, "href": $0.href] },
                "notes": catalogue.text(notesIncluded ? "deidNotesIncluded" : "deidNotesLeftOut", language),
            ])
    }
}

extension FormSpec {
    /// The export's filters, named as the API's query parameters.
    /// `cohorts` are (label, label as the page shows it).
    public static func exportFilter(sites: [(value: String, label: String)], cohorts: [(value: String, label: String)]) -> FormSpec {
        FormSpec(
            titleKey: "filters",
            groups: [
                FormGroup(fields: [
                    FormField("siteId", "site", .select(sites)),
                    FormField("from", "courseStartFrom", .date),
                    FormField("to", "courseStartTo", .date),
                    FormField("cohort", "cohort", .select(cohorts)),
                    FormField("procedureKind", "procedureKind", .menu(ProcedureKind.allowed, labelPrefix: "")),
                    FormField("dates", "datesMode", .choice(["shifted", "relative"], labelPrefix: "dates_")),
                ])
            ])
    }
}
