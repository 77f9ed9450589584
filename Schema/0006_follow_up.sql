-- Follow-up that patients answer themselves: who entered each pain score, the links patients
-- answer from (the token itself is never stored, only its SHA-256), one answer per follow-up
-- and link, and the review items a "the pain came back" answer opens for the clinician.

ALTER TABLE pain_scores ADD COLUMN source text NOT NULL DEFAULT 'clinician' CHECK (source IN ('clinician', 'patient'));

CREATE TABLE follow_up_links (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id   uuid NOT NULL REFERENCES treatment_courses (id),
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid REFERENCES users (id),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX follow_up_links_course_idx ON follow_up_links (course_id);

-- One answer per follow-up of a course: the follow-up is named by its due date.
CREATE TABLE follow_up_answers (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    link_id        uuid NOT NULL REFERENCES follow_up_links (id),
    course_id      uuid NOT NULL REFERENCES treatment_courses (id),
    due_on         date NOT NULL,
    pain_score_id  uuid NOT NULL REFERENCES pain_scores (id),
    pain_came_back boolean NOT NULL,
    answered_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (course_id, due_on)
);

CREATE TABLE follow_up_reviews (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id   uuid NOT NULL REFERENCES treatment_courses (id),
    answer_id   uuid NOT NULL UNIQUE REFERENCES follow_up_answers (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    resolved_by uuid REFERENCES users (id)
);
CREATE INDEX follow_up_reviews_open_idx ON follow_up_reviews (course_id) WHERE resolved_at IS NULL;
