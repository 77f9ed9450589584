-- Follow-up that sends itself. A patient's consent to be contacted (the channels in order of
-- preference, how and when consent was given, an opt-out that stops every message), and the
-- outbox: one row per message a course's follow-up calls for, kept with its state, so a message
-- is sent once whichever server sends it, and retried when the gateway fails.
CREATE TABLE follow_up_contacts (
    patient_id    uuid PRIMARY KEY REFERENCES patients (id),
    channels      text[] NOT NULL CHECK (channels <@ ARRAY['line', 'sms']::text[] AND cardinality(channels) BETWEEN 1 AND 2),
    line_user_id  text CHECK (line_user_id ~ '^U[0-9a-f]{32}$'),
    consented_on  date NOT NULL,
    consent_how   text NOT NULL CHECK (consent_how IN ('written', 'verbal', 'online')),
    opted_out_at  timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT ('line' = ANY (channels)) OR line_user_id IS NOT NULL)
);

-- A message is named by its course, its follow-up (the due date) and its number (0 is the
-- invitation, 1 and up the reminders): the unique key makes planning it twice harmless.
-- 'sending' holds the message for one sender until next_attempt_at; 'failed' waits for its retry.
CREATE TABLE follow_up_messages (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id        uuid NOT NULL REFERENCES treatment_courses (id),
    due_on           date NOT NULL,
    number           smallint NOT NULL CHECK (number BETWEEN 0 AND 10),
    channel          text NOT NULL CHECK (channel IN ('line', 'sms')),
    state            text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'given_up', 'cancelled')),
    attempts         smallint NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    last_error       text CHECK (char_length(last_error) <= 500),
    link_id          uuid REFERENCES follow_up_links (id),
    queued_at        timestamptz NOT NULL,
    sent_at          timestamptz,
    UNIQUE (course_id, due_on, number)
);

CREATE INDEX follow_up_messages_waiting_idx ON follow_up_messages (next_attempt_at) WHERE state IN ('queued', 'sending', 'failed');
