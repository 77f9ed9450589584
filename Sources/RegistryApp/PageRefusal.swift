import Hummingbird

/// How a page's request ends when it is not refused: a page, or (after a write) a redirect to
/// the page that shows the result, post/redirect/get.
enum PageAnswer {
    /// The page, with cookies to set (or clear) beside it.
    case page(String, cookies: [Cookie] = [])
    case redirect(String, cookies: [Cookie] = [])
}

/// How a page's request is refused: each is answered with a page saying why, or the form again.
enum PageRefusal: Error {
    /// The role may read but not write: a 403 page.
    case readOnly
    /// The CSRF token is missing or not this session's: a 403 page, nothing written.
    case expired
    /// A rule was broken: the page again (422) with the form as typed.
    case invalid(String)
    /// The record changed since the form was opened: the form again (409) with its current values.
    case stale(String)
}
