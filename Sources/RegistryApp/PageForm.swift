import Foundation
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// A form of the web app: what it asks, where it posts, the address of the page it sits on, and
/// that page (shown by GET, and again with what was typed when it could not be saved).
struct PageForm {
    let spec: FormSpec
    let action: String
    /// Where the form is shown: its action unless the page has an address of its own (`…/new`).
    let shownAt: String
    let page: (FilledForm) async throws -> String
    var data: [String: String] = [:]
    /// Catalogue key of its button.
    var submitKey = "save"
    /// A link to show under the field of a clash (`StoreError.conflict`), from what was posted:
    /// the record that already has the value.
    var conflictLink: ((_ field: String, _ posted: [String: String]) async throws -> FilledForm.FieldLink?)?

    init(spec: FormSpec, action: String, shownAt: String? = nil, page: @escaping (FilledForm) async throws -> String) {
        self.spec = spec
        self.action = action
        self.shownAt = shownAt ?? action
        self.page = page
    }
}

/// Showing a form and taking it back: every form of the web app goes through these two.
extension WebEdge {
    /// Shows `form` fresh: a new idempotency key, the session's CSRF token, `values` filled in.
    /// With `?draft=` naming a form this session could not save, shows that instead, as typed
    /// and with its problems, answered 422 (409 for a record changed meanwhile) like the POST.
    func show(
        _ form: PageForm, _ principal: Principal, _ request: Request, values: [String: String] = [:], carried: [String: String] = [:],
        needs capability: Capability = .writeClinical
    ) async throws -> String {
        guard principal.may(capability) else { throw PageRefusal.readOnly }
        let csrf = CSRF.token(for: request)
        if let draft = try await draft(of: form, request) {
            var shown = FilledForm(
                spec: form.spec, action: form.action, csrf: csrf, idempotencyKey: draft.idempotencyKey, values: draft.values,
                problems: draft.problems, carried: draft.carried, noticeKey: draft.noticeKey, data: form.data, submitKey: form.submitKey)
            shown.fieldLinks = draft.links
            let page = try await form.page(shown)
            throw draft.stale ? PageRefusal.stale(page) : PageRefusal.invalid(page)
        }
        return try await form.page(
            FilledForm(
                spec: form.spec, action: form.action, csrf: csrf, idempotencyKey: UUID().uuidString,
                values: values, carried: carried, data: form.data, submitKey: form.submitKey))
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
    /// duplicate MRN) keeps the form as typed with every problem beside its field (those of a
    /// field that is not even a number included) and redirects to the page that shows it;
    /// nothing is written. `fixed` fields come from the address, never from what was posted.
    func submit<Valid>(
        _ form: PageForm, _ principal: Principal, _ request: Request, fixed: [String: String] = [:], blanksAsNull: Bool = false,
        needs capability: Capability = .writeClinical, validate: (Data) throws -> Valid, write: (Valid, PostedForm) async throws -> PageAnswer
    ) async throws -> PageAnswer {
        var posted = try await PostedForm.read(request)
        guard principal.may(capability) else { throw PageRefusal.readOnly }
        guard let session = request.cookies[SessionCookie.name]?.value, CSRF.matches(posted.csrf, session: session) else { throw PageRefusal.expired }
        posted.values.merge(fixed) { _, address in address }
        // Shown again from the form's own page, so a reload or Back never asks to post it twice.
        func again(_ draft: FormDraft) async throws -> PageAnswer {
            let state = String(decoding: try JSONEncoder().encode(draft), as: UTF8.self)
            let id = try await drafts.keepDraft(state, action: form.action, sessionToken: session)
            return .redirect(form.shownAt + "?draft=" + id.uuidString.lowercased())
        }
        func again(_ problems: [FieldProblem], links: [String: FilledForm.FieldLink] = [:]) async throws -> PageAnswer {
            try await again(
                FormDraft(
                    values: posted.values, problems: problems, links: links, carried: posted.version.map { ["version": $0] } ?? [:],
                    idempotencyKey: posted.idempotencyKey ?? UUID().uuidString))
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
            return try await write(valid, posted)
        } catch let failure as ValidationFailure {
            return try await again(failure.problems)
        } catch StoreError.conflict(let field, let message) {
            let link = try await form.conflictLink?(field, posted.values)
            return try await again([FieldProblem(field: field, rule: "unique", message: message)], links: link.map { [field: $0] } ?? [:])
        } catch StoreError.idempotencyKeyReused {
            // The same form sent again with other values: a fresh form would store it; say so.
            return try await again([
                FieldProblem(
                    field: form.spec.fields.first { $0.kind.isVisible }?.name ?? "", rule: "resubmitted",
                    message: "this form was already saved with other values; open a new form to add another record")
            ])
        } catch let changed as RecordChanged {
            // The stored values win: the user re-applies their change knowingly, from a fresh key.
            return try await again(
                FormDraft(
                    values: changed.values, carried: ["version": String(changed.version)], idempotencyKey: UUID().uuidString,
                    noticeKey: "staleNotice", stale: true))
        }
    }

    /// The draft `?draft=` names, when it is this session's and this form's.
    private func draft(of form: PageForm, _ request: Request) async throws -> FormDraft? {
        guard let id = request.query("draft").flatMap(UUID.init(uuidString:)), let session = request.cookies[SessionCookie.name]?.value,
            let state = try await drafts.draft(id, action: form.action, sessionToken: session)
        else { return nil }
        return try JSONDecoder().decode(FormDraft.self, from: Data(state.utf8))
    }
}
