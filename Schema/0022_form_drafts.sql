-- A form of the web app whose rules were broken, kept between the POST that broke them and the
-- page that shows it again (post/redirect/get): what was typed and each problem, for the session
-- that posted it only, an hour at most. A reload or the browser's Back shows it again instead of
-- asking to send the form a second time.
CREATE TABLE form_drafts (
    id            uuid PRIMARY KEY,
    session_hash  text NOT NULL REFERENCES web_sessions (id_hash) ON DELETE CASCADE,
    action        text NOT NULL CHECK (char_length(action) <= 300),
    state         jsonb NOT NULL CHECK (octet_length(state::text) <= 200000),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX form_drafts_created_idx ON form_drafts (created_at);
