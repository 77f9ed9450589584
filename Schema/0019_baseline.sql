-- The registry's tables as migrations 0001 to 0019 left them, in one file: a fresh database runs
-- this instead of them, and a database that applied all nineteen (unedited) adopts it without
-- running anything. Their functions and triggers live in Schema/functions/, one file each; the
-- whole current shape, as pg_dump prints it, is Schema/schema.sql.
--
-- The sections keep the order (and the ALTERs) of the migrations they come from, so the columns
-- of every table stand in the order an existing database has them.
-- replaces 0001_core.sql 182b5bb791549f44e39c183b77025f50480b13443257c76699d8bfb91d9aba18
-- replaces 0002_access.sql 9a6a4c712308306fd3871885a16f3ddd615d57bf6a5747736c7938f6f2072f52
-- replaces 0003_export.sql d4fe9040e40b1f44caf4bd25e5f8b8d22e3f7311810baa49f64e383dbc66b061
-- replaces 0004_export_functions.sql af062e90442a0681d03fefb807e7d1e2de5fdbb22e6a204095965dc54b28a05b
-- replaces 0005_patient_search.sql 29e6d58967306e9606009b675715cbd886252369d49f1c8873f29df75b2dbe12
-- replaces 0006_follow_up.sql 47c79bc2f0207faaf25694334b95cdcf34e4c8413669411cdd538e5bbbe43ccb
-- replaces 0007_audit_chain.sql 330685e3a2463d1f0080d017fe9b683ee5f4b967f1839e35dea8952c95c0a9e3
-- replaces 0008_audit_sealing.sql 6a7bab7cd842982b2ec0aa318cd7a17bc23c4cb6d6b54dae69deecf37acf0d55
-- replaces 0009_pain_score_write.sql 797e25b494892847c1a85877a874d531f0fb84858702fa06224f3821fb9aa623
-- replaces 0010_pain_score_plans.sql 5aa73f18c743a06829a5e6dafaa54edac6789c8d4de3c08271b8dcc3268d376f
-- replaces 0011_export_inlining.sql d0cccde205c216040bb4f2bcd595000ed46cc91c47e8bce55d5d2c37206a0d3d
-- replaces 0012_pain_score_batches.sql 73deef9a3c5bd51c9be5aad51aa32f8d6971a3e34fcbf7780ca93a41b384dee0
-- replaces 0013_one_pain_score_function.sql 7d276e365fc7789b044738ebc86660b6c5681bbc87cac89b4e5dc96ac91156f9
-- replaces 0014_pain_score_batch_insert.sql 723c4db16c3f3103d22d3e4ae5cce4af164359710234189259c4d9e51cf42466
-- replaces 0015_pain_score_dates_checked_once.sql 213ae92081fb34e95e18d7f7afe2298ded586118961a9439b048516ee0841350
-- replaces 0016_audit_sealing_in_one_statement.sql afbf982b39adda6ac2343bd9ca33a283cd1c456695d84f943694f730c1356b00
-- replaces 0017_course_at_patient_site.sql 005948e01e8aa87153570c585b5e72f622d6d1fd5c250328f5ebc9e07f6a5072
-- replaces 0018_refused_sign_ins_not_counted.sql 59fb7a71168801c6e3d6b1583514af02fe7ed8dcb19d92406027c49666b7578b
-- replaces 0019_csv_text_cells_inert.sql 945e2eb669b205088515a3a372cdee3e5872bb747fe6cce44fc489d522f9c75f

-- ---- from 0001_core.sql

-- Core registry schema: sites, users, patients (identity kept apart), treatment courses and
-- everything clinical that hangs off a course, plus the append-only audit trail.
--
-- Every rule the application validates is also a constraint here, so no path (API, CLI, psql)
-- can write a row the registry would reject. Range limits that depend on configuration
-- (the block assessment window, for instance) are checked here against their widest sane value.
CREATE TABLE sites (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9-]{2,16}$'),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
    display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
    role          text NOT NULL CHECK (role IN ('clinician', 'manager', 'researcher', 'admin')),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_sites (
    user_id  uuid NOT NULL REFERENCES users (id),
    site_id  uuid NOT NULL REFERENCES sites (id),
    PRIMARY KEY (user_id, site_id)
);

-- A patient is only a random id and the site that registered them. Everything that identifies a
-- person lives in patient_identities, which research exports never read.
CREATE TABLE patients (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    site_id     uuid NOT NULL REFERENCES sites (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, site_id)
);

CREATE TABLE patient_identities (
    patient_id     uuid PRIMARY KEY,
    site_id        uuid NOT NULL,
    mrn            text NOT NULL CHECK (mrn ~ '^[A-Za-z0-9-]{1,32}$'),
    family_name    text NOT NULL CHECK (char_length(family_name) BETWEEN 1 AND 100),
    given_name     text NOT NULL CHECK (char_length(given_name) BETWEEN 1 AND 100),
    date_of_birth  date NOT NULL CHECK (date_of_birth >= DATE '1900-01-01' AND date_of_birth <= current_date + 1),
    sex            text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    phone          text CHECK (char_length(phone) <= 40),
    email          text CHECK (char_length(email) <= 254),
    FOREIGN KEY (patient_id, site_id) REFERENCES patients (id, site_id),
    CONSTRAINT patient_identities_site_mrn_key UNIQUE (site_id, mrn)
);

-- Columns shared by every clinical record: who wrote it, its version for corrections, and the
-- void that removes it from analysis without deleting it.
CREATE TABLE treatment_courses (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    patient_id     uuid NOT NULL REFERENCES patients (id),
    site_id        uuid NOT NULL REFERENCES sites (id),
    clinician_id   uuid NOT NULL REFERENCES users (id),
    side           text NOT NULL CHECK (side IN ('left', 'right', 'bilateral')),
    icd10          text NOT NULL CHECK (icd10 ~ '^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$'),
    symptom_onset  date CHECK (symptom_onset <= current_date + 1),
    started_on     date NOT NULL CHECK (started_on <= current_date + 1),
    notes          text CHECK (char_length(notes) <= 2000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     uuid REFERENCES users (id),
    version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    voided_at      timestamptz,
    void_reason    text CHECK (char_length(void_reason) BETWEEN 1 AND 500),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL)),
    CHECK (symptom_onset IS NULL OR symptom_onset <= started_on)
);

CREATE INDEX treatment_courses_patient_idx ON treatment_courses (patient_id);

CREATE INDEX treatment_courses_site_idx ON treatment_courses (site_id, created_at DESC, id DESC);

CREATE TABLE screening_findings (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id                 uuid NOT NULL REFERENCES treatment_courses (id),
    recorded_on               date NOT NULL CHECK (recorded_on <= current_date + 1),
    pain_over_three_months    boolean NOT NULL,
    imaging_mild_only         boolean NOT NULL,
    pain_at_iliac_crest       boolean NOT NULL,
    worse_upright_eased_lying boolean NOT NULL,
    psis_pressure_reproduces  boolean NOT NULL,
    physiotherapy_relapse     boolean NOT NULL,
    created_at                timestamptz NOT NULL DEFAULT now(),
    created_by                uuid REFERENCES users (id),
    version                   integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    voided_at                 timestamptz,
    void_reason               text CHECK (char_length(void_reason) BETWEEN 1 AND 500),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);

CREATE INDEX screening_findings_course_idx ON screening_findings (course_id);

CREATE TABLE examination_findings (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id                   uuid NOT NULL REFERENCES treatment_courses (id),
    recorded_on                 date NOT NULL CHECK (recorded_on <= current_date + 1),
    trigger_point               boolean NOT NULL,
    trigger_point_distance_cm   numeric(4,1) CHECK (trigger_point_distance_cm > 0 AND trigger_point_distance_cm <= 20),
    lateral_bending_positive    boolean NOT NULL,
    pelvic_rotation_positive    boolean NOT NULL,
    single_leg_stance_positive  boolean NOT NULL,
    straight_leg_raise_positive boolean NOT NULL,
    strength_normal             boolean NOT NULL,
    reflexes_normal             boolean NOT NULL,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    created_by                  uuid REFERENCES users (id),
    version                     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    voided_at                   timestamptz,
    void_reason                 text CHECK (char_length(void_reason) BETWEEN 1 AND 500),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL)),
    CHECK (trigger_point OR trigger_point_distance_cm IS NULL)
);

CREATE INDEX examination_findings_course_idx ON examination_findings (course_id);

CREATE TABLE ultrasound_findings (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id              uuid NOT NULL REFERENCES treatment_courses (id),
    recorded_on            date NOT NULL CHECK (recorded_on <= current_date + 1),
    nerve_csa_mm2          numeric(5,2) CHECK (nerve_csa_mm2 > 0 AND nerve_csa_mm2 <= 50),
    flattening             boolean NOT NULL,
    restricted_gliding     boolean NOT NULL,
    fascia_thickness_mm    numeric(4,1) CHECK (fascia_thickness_mm > 0 AND fascia_thickness_mm <= 30),
    fascia_adhesion        boolean NOT NULL,
    tunnel_narrowing       boolean NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    created_by             uuid REFERENCES users (id),
    version                integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    voided_at              timestamptz,
    void_reason            text CHECK (char_length(void_reason) BETWEEN 1 AND 500),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);

CREATE INDEX ultrasound_findings_course_idx ON ultrasound_findings (course_id);

CREATE TABLE diagnostic_blocks (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id                uuid NOT NULL REFERENCES treatment_courses (id),
    performed_at             timestamptz NOT NULL CHECK (performed_at <= now() + interval '1 day'),
    side                     text NOT NULL CHECK (side IN ('left', 'right', 'bilateral')),
    agent                    text NOT NULL CHECK (agent IN ('lidocaine', 'ropivacaine', 'bupivacaine', 'levobupivacaine', 'mepivacaine')),
    volume_ml                numeric(4,1) NOT NULL CHECK (volume_ml > 0 AND volume_ml <= 20),
    nrs_before               integer NOT NULL CHECK (nrs_before BETWEEN 1 AND 10),
    nrs_after                integer NOT NULL CHECK (nrs_after BETWEEN 0 AND 10),
    assessed_minutes_after   integer NOT NULL CHECK (assessed_minutes_after BETWEEN 0 AND 120),
    created_at               timestamptz NOT NULL DEFAULT now(),
    created_by               uuid REFERENCES users (id),
    version                  integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    voided_at                timestamptz,
    void_reason              text CHECK (char_length(void_reason) BETWEEN 1 AND 500),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);

CREATE INDEX diagnostic_blocks_course_idx ON diagnostic_blocks (course_id);

-- One visit. Procedures hang off it; analytics counts distinct session dates.
CREATE TABLE treatment_sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id     uuid NOT NULL REFERENCES treatment_courses (id),
    session_on    date NOT NULL CHECK (session_on <= current_date + 1),
    clinician_id  uuid NOT NULL REFERENCES users (id),
    notes         text CHECK (char_length(notes) <= 2000),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    uuid REFERENCES users (id),
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    voided_at     timestamptz,
    void_reason   text CHECK (char_length(void_reason) BETWEEN 1 AND 500),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);

CREATE INDEX treatment_sessions_course_idx ON treatment_sessions (course_id, session_on);

-- Each kind carries exactly the columns that describe it; the CHECKs say which.
CREATE TABLE procedures (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id        uuid NOT NULL REFERENCES treatment_sessions (id),
    position          integer NOT NULL CHECK (position BETWEEN 1 AND 10),
    kind              text NOT NULL CHECK (kind IN ('hydrodissection', 'prp', 'dextrose', 'surgical_neurolysis')),
    injectate         text CHECK (injectate IN ('normal_saline', 'd5w', 'local_anaesthetic', 'prp', 'mixed')),
    volume_ml         numeric(4,1) CHECK (volume_ml > 0),
    leukocytes        text CHECK (leukocytes IN ('rich', 'poor')),
    dextrose_percent  numeric(4,1) CHECK (dextrose_percent > 0 AND dextrose_percent <= 50),
    UNIQUE (session_id, position),
    CONSTRAINT procedures_hydrodissection_shape CHECK (kind <> 'hydrodissection' OR
        (injectate IS NOT NULL AND volume_ml <= 60 AND leukocytes IS NULL AND dextrose_percent IS NULL)),
    CONSTRAINT procedures_prp_shape CHECK (kind <> 'prp' OR
        (injectate IS NULL AND volume_ml <= 20 AND leukocytes IS NOT NULL AND dextrose_percent IS NULL)),
    CONSTRAINT procedures_dextrose_shape CHECK (kind <> 'dextrose' OR
        (injectate IS NULL AND volume_ml <= 30 AND leukocytes IS NULL AND dextrose_percent IS NOT NULL)),
    CONSTRAINT procedures_neurolysis_shape CHECK (kind <> 'surgical_neurolysis' OR
        (injectate IS NULL AND volume_ml IS NULL AND leukocytes IS NULL AND dextrose_percent IS NULL))
);

CREATE INDEX procedures_session_idx ON procedures (session_id);

CREATE TABLE pain_scores (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id     uuid NOT NULL REFERENCES treatment_courses (id),
    recorded_on   date NOT NULL CHECK (recorded_on <= current_date + 1),
    timepoint     text NOT NULL CHECK (timepoint IN ('baseline', 'pre_procedure', 'post_procedure', 'follow_up')),
    nrs           integer NOT NULL CHECK (nrs BETWEEN 0 AND 10),
    odi           integer CHECK (odi BETWEEN 0 AND 100),
    pgic          integer CHECK (pgic BETWEEN 1 AND 7),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    uuid REFERENCES users (id),
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    voided_at     timestamptz,
    void_reason   text CHECK (char_length(void_reason) BETWEEN 1 AND 500),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);

CREATE INDEX pain_scores_course_idx ON pain_scores (course_id, recorded_on);

CREATE TABLE course_events (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id     uuid NOT NULL REFERENCES treatment_courses (id),
    kind          text NOT NULL CHECK (kind IN ('recurrence_observed', 'referred_to_surgery', 'discharged',
                                               'lost_to_follow_up', 'other_surgery', 'died')),
    occurred_on   date NOT NULL CHECK (occurred_on <= current_date + 1),
    note          text CHECK (char_length(note) <= 2000),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    uuid REFERENCES users (id),
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    voided_at     timestamptz,
    void_reason   text CHECK (char_length(void_reason) BETWEEN 1 AND 500),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);

CREATE INDEX course_events_course_idx ON course_events (course_id);

-- Who did what, when, to which record, with the row before and after, as JSON.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id      uuid REFERENCES users (id),
    actor_label   text NOT NULL,
    action        text NOT NULL CHECK (action IN ('create', 'correct', 'void', 'login', 'login_failed',
                                                 'report', 'export', 'migrate', 'seed')),
    route         text NOT NULL,
    record_table  text,
    record_id     uuid,
    before        jsonb,
    after         jsonb
);

CREATE INDEX audit_log_record_idx ON audit_log (record_table, record_id);

CREATE INDEX audit_log_at_idx ON audit_log (at);

-- A POST retried with the same Idempotency-Key returns the stored first response. The row is
-- written in the same transaction as the record, so either both exist or neither does.
CREATE TABLE idempotency_keys (
    key           text PRIMARY KEY CHECK (char_length(key) BETWEEN 1 AND 200),
    request_hash  text NOT NULL,
    status        integer NOT NULL,
    response      bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- ---- from 0002_access.sql

-- Accounts, credentials and login throttling.
--
-- Secrets are never stored: passwords as bcrypt hashes, API tokens and session cookies as
-- SHA-256 hashes of random values, so a copy of the database grants no access.
ALTER TABLE users ADD COLUMN password_hash text CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$');

ALTER TABLE users ADD COLUMN disabled_at timestamptz;

CREATE TABLE api_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id),
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    label       text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    last_used_at timestamptz,
    CHECK (expires_at > created_at)
);

CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE web_sessions (
    id_hash       text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
    user_id       uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz
);

CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);

-- Every login attempt, for throttling by account and by address.
CREATE TABLE login_attempts (
    id        bigserial PRIMARY KEY,
    username  text NOT NULL,
    address   text NOT NULL,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    success   boolean NOT NULL
);

CREATE INDEX login_attempts_username_idx ON login_attempts (username, at);

CREATE INDEX login_attempts_address_idx ON login_attempts (address, at);

-- Audit rows of corrections name the version they produced.
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);

-- Idempotency keys are now stored per user ("<user id>:<key>").
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_key_check;

ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_key_check CHECK (char_length(key) BETWEEN 1 AND 300);

-- ---- from 0003_export.sql

-- Research exports never read patient_identities. The two facts researchers need from it, age at
-- course start and sex, are copied onto the course when it is created (by the database, so every
-- path does it), with age in whole years.
ALTER TABLE treatment_courses ADD COLUMN patient_age_at_start integer CHECK (patient_age_at_start BETWEEN 0 AND 130);

ALTER TABLE treatment_courses ADD COLUMN patient_sex text CHECK (patient_sex IN ('female', 'male', 'other', 'unknown'));

-- ---- from 0005_patient_search.sql

-- Finding a patient in one step during a clinic day: by MRN or by name, from their first letters.
-- Prefix matches on lower case use these indexes (text_pattern_ops serves LIKE 'abc%' in any
-- collation); "family name then given name" written together is how Chinese names are typed.
CREATE INDEX patient_identities_mrn_prefix_idx ON patient_identities (lower(mrn) text_pattern_ops);

CREATE INDEX patient_identities_family_prefix_idx ON patient_identities (lower(family_name) text_pattern_ops);

CREATE INDEX patient_identities_given_prefix_idx ON patient_identities (lower(given_name) text_pattern_ops);

CREATE INDEX patient_identities_full_name_prefix_idx ON patient_identities (lower(family_name || given_name) text_pattern_ops);

-- ---- from 0006_follow_up.sql

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

-- ---- from 0007_audit_chain.sql

-- A tamper-evident audit trail: every audit row carries its place in one chain (seq), the hash
-- of the row before it and its own hash over its content and that previous hash. Changing,
-- removing or inserting a row anywhere breaks the chain from that row on, which
-- `registry audit verify` finds and names.
--
-- Rows are chained in the order their transactions take the chain's head (one row, locked until
-- commit), not in id order: ids come from a sequence before the transaction commits, so two
-- concurrent writers could otherwise link to a row the other has not committed yet.
CREATE TABLE audit_chain_head (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq       bigint NOT NULL,
    hash      bytea NOT NULL
);

ALTER TABLE audit_log ADD COLUMN seq bigint, ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea;

-- The genesis row's "previous hash" is 32 zero bytes.
INSERT INTO audit_chain_head (seq, hash) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');

ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL,
    ADD CONSTRAINT audit_log_seq_unique UNIQUE (seq);

-- ---- from 0008_audit_sealing.sql

ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL, ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL;

CREATE INDEX audit_log_unsealed_idx ON audit_log (id) WHERE seq IS NULL;

-- ---- from 0017_course_at_patient_site.sql

-- A course belongs to its patient's site: a branch never holds a course of another branch's
-- patient (which would copy the patient's age and sex into that branch's exports). NOT VALID
-- keeps a database that already holds such a course migrating; every new or changed row is checked.
ALTER TABLE treatment_courses
    ADD CONSTRAINT treatment_courses_patient_site_fkey FOREIGN KEY (patient_id, site_id) REFERENCES patients (id, site_id) NOT VALID;

-- ---- from 0018_refused_sign_ins_not_counted.sql

-- A sign-in refused without checking its password (the account or address was locked out) is
-- recorded but does not count as a failure: otherwise anyone who keeps trying would keep the
-- lock on for ever.
ALTER TABLE login_attempts ADD COLUMN refused boolean NOT NULL DEFAULT false;
