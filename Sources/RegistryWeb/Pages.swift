import Foundation
import Mustache

/// Renders the registry's pages from the mustache templates in `Templates/` and the string
/// catalogues; no I/O after start-up.
public struct Pages: Sendable {
    public let catalogue: Catalogue
    private let library: MustacheLibrary
    /// The forms' small script (`Assets/forms.js`), served as it is.
    public let formsScript: String

    public init() throws {
        catalogue = try Catalogue()
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else { throw WebError.missingResource("Templates") }
        var library = MustacheLibrary()
        // Every template (partials too: each starts with the default) escapes with `HTMLEscaping`.
        MustacheContentTypes.register(HTMLEscaping(), named: HTMLEscaping.name)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
            let template = "{{%CONTENT_TYPE:\(HTMLEscaping.name)}}" + (try String(contentsOf: folder.appending(path: file), encoding: .utf8))
            try library.register(template, named: String(file.dropLast(9)))
        }
        self.library = library
        guard let script = Bundle.module.url(forResource: "forms", withExtension: "js", subdirectory: "Assets") else {
            throw WebError.missingResource("Assets/forms.js")
        }
        formsScript = try String(contentsOf: script, encoding: .utf8)
    }

    /// The sign-in form, with the username kept and the message shown when a try failed.
    public func login(_ language: Language, username: String = "", error: String? = nil) throws -> String {
        var values: [String: Any] = ["username": username]
        if let error { values["error"] = error }
        return try render("login", language, values)
    }

    /// `values` plus what every page has: the language, its strings as `t`, and the switcher.
    func render(_ template: String, _ language: Language, _ values: [String: Any]) throws -> String {
        var context = values
        if let viewer = values["viewer"] as? Viewer {
            context["user"] = viewer.name
            context["nav"] = viewer.links.map { ["href": $0.href, "label": catalogue.text($0.labelKey, language)] }
        }
        context["language"] = language.rawValue
        context["t"] = catalogue.strings[language] ?? [:]
        context["languages"] = Language.allCases.map { ["code": $0.rawValue, "name": $0.name] }
        // The language switch keeps the page's query (a dashboard's filter, a form kept as typed).
        if let viewer = values["viewer"] as? Viewer { context["keptQuery"] = viewer.keptQuery }
        guard let html = library.render(context, withTemplate: template) else { throw WebError.missingTemplate(template) }
        return html
    }
}
