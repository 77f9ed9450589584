/// How a page's POST ends other than with the page itself.
enum PageRefusal: Error {
    /// The role may read but not write: a 403 page.
    case readOnly
    /// The CSRF token is missing or not this session's: a 403 page, nothing written.
    case expired
    /// A rule was broken: the page again (422) with the form as typed.
    case invalid(String)
    /// The record changed since the form was opened: the form again (409) with its current values.
    case stale(String)
    /// Written: post/redirect/get to `location`.
    case done(location: String)
    /// Written, and the answer is a page of its own (a token shown once).
    case shown(String)
}
