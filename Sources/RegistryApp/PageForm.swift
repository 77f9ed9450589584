import Foundation
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// A form of the web app: what it asks, where it posts, and the page it sits on (shown by GET,
/// and again with what was typed when a rule is broken).
struct PageForm {
    let spec: FormSpec
    let action: String
    let page: (FilledForm) async throws -> String
    var data: [String: String] = [:]
    /// Catalogue key of its button.
    var submitKey = "save"
    /// A link to show under the field of a clash (`StoreError.conflict`), from what was posted:
    /// the record that already has the value.
    var conflictLink: ((_ field: String, _ posted: [String: String]) async throws -> FilledForm.FieldLink?)?
}

/// Showing a form and taking it back: every form of the web app goes through these two.
extension WebEdge {
    /// Shows `form` fresh: a new idempotency key, the session's CSRF token, `values` filled in.
    func show(
        _ form: PageForm, _ principal: Principal, _ request: Request, values: [String: String] = [:], carried: [String: String] = [:],
        noticeKey: String? = nil, needs capability: Capability = .writeClinical
    ) async throws -> String {
        guard principal.may(capability) else { throw PageRefusal.readOnly }
        return try await form.page(
            FilledForm(
                spec: form.spec, action: form.action, csrf: CSRF.token(for: request), idempotencyKey: UUID().uuidString,
                values: values, carried: carried, noticeKey: noticeKey, data: form.data, submitKey: form.submitKey))
    }

    /// A form whose rules are all checked by `write` (a correction, checked against the record it changes).
    func submit(
        _ form: PageForm, _ principal: Principal, _ request: Request, fixed: [String: String] = [:], blanksAsNull: Bool = false,
        needs capability: Capability = .writeClinical, write: (Data, PostedForm) async throws -> PageAnswer
    ) async throws -> PageAnswer {
        try await submit(
            form, principal, request, fixed: fixed, blanksAsNull: blanksAsNull, needs: capability, validate: { $0 }, write: write)
    }

    /// Checks the role and the CSRF token, turns the posted fields into the API's JSON, checks it
    /// with `validate` (the API's own decoding and rules) and hands the valid input, with the form
    /// as posted, to `write`, which answers where to go next. A broken rule or a clash (a
    /// duplicate MRN) shows the form again with what was typed and every problem beside its
    /// field, those of a field that is not even a number included; nothing is written. `fixed`
    /// fields come from the address, never from what was posted.
    func submit<Valid>(
        _ form: PageForm, _ principal: Principal, _ request: Request, fixed: [String: String] = [:], blanksAsNull: Bool = false,
        needs capability: Capability = .writeClinical, validate: (Data) throws -> Valid, write: (Valid, PostedForm) async throws -> PageAnswer
    ) async throws -> PageAnswer {
        var posted = try await PostedForm.read(request)
        guard principal.may(capability) else { throw PageRefusal.readOnly }
        guard let session = request.cookies[SessionCookie.name]?.value, CSRF.matches(posted.csrf, session: session) else { throw PageRefusal.expired }
        posted.values.merge(fixed) { _, address in address }
        // The language switch of a form shown again: the same form and problems, in the other language.
        let switchingLanguage = posted.values.removeValue(forKey: FilledForm.languageField) != nil
        func again(_ problems: [FieldProblem], links: [String: FilledForm.FieldLink] = [:]) async throws -> PageRefusal {
            .invalid(try await shownAgain(problems, links: links))
        }
        func shownAgain(_ problems: [FieldProblem], links: [String: FilledForm.FieldLink] = [:]) async throws -> String {
            var shown = FilledForm(
                spec: form.spec, action: form.action, csrf: posted.csrf ?? "",
                idempotencyKey: posted.idempotencyKey ?? UUID().uuidString, values: posted.values, problems: problems,
                carried: posted.version.map { ["version": $0] } ?? [:], data: form.data, submitKey: form.submitKey)
            shown.reposted = true
            shown.fieldLinks = links
            return try await form.page(shown)
        }
        do {
            let (values, malformed) = form.spec.parsed(posted.values, clinicZone: config.clinicTimeZone, blanksAsNull: blanksAsNull)
            let valid: Valid
            do {
                valid = try validate(values)
            } catch let failure as ValidationFailure {
                // A field left out as malformed is not also "required".
                let named = Set(malformed.map(\.field))
                throw ValidationFailure(malformed + failure.problems.filter { !named.contains($0.field) })
            }
            guard malformed.isEmpty else { throw ValidationFailure(malformed) }
            // Nothing is written by a switch of language, even once every rule is met.
            if switchingLanguage { return .page(try await shownAgain([])) }
            return try await write(valid, posted)
        } catch let failure as ValidationFailure {
            throw try await again(failure.problems)
        } catch StoreError.conflict(let field, let message) {
            let link = try await form.conflictLink?(field, posted.values)
            throw try await again([FieldProblem(field: field, rule: "unique", message: message)], links: link.map { [field: $0] } ?? [:])
        } catch StoreError.idempotencyKeyReused {
            // The same form sent again with other values: a fresh form would store it; say so.
            throw try await again([
                FieldProblem(
                    field: form.spec.fields.first { $0.kind.isVisible }?.name ?? "", rule: "resubmitted",
                    message: "this form was already saved with other values; open a new form to add another record")
            ])
        }
    }
}
