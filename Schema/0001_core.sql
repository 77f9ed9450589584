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

-- Nothing clinical may be dated before its course started. The rule spans two tables, so a
-- trigger carries it; it raises a check_violation named like a constraint so the application
-- maps it the same way as any other CHECK.
CREATE FUNCTION reject_before_course_start() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    course_start date;
    record_date date;
BEGIN
    SELECT started_on INTO course_start FROM treatment_courses WHERE id = NEW.course_id;
    -- The trigger's argument names the record's date column; blocks carry an instant instead.
    record_date := CASE WHEN TG_ARGV[0] = 'performed_at'
        THEN ((to_jsonb(NEW) ->> 'performed_at')::timestamptz AT TIME ZONE 'UTC')::date
        ELSE (to_jsonb(NEW) ->> TG_ARGV[0])::date
    END;
    IF record_date < course_start THEN
        RAISE EXCEPTION '% dated % is before its course started', TG_TABLE_NAME, record_date
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_not_before_course_start';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER treatment_sessions_not_before_course_start BEFORE INSERT OR UPDATE ON treatment_sessions
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('session_on');
CREATE TRIGGER diagnostic_blocks_not_before_course_start BEFORE INSERT OR UPDATE ON diagnostic_blocks
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('performed_at');
CREATE TRIGGER course_events_not_before_course_start BEFORE INSERT OR UPDATE ON course_events
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('occurred_on');
CREATE TRIGGER pain_scores_not_before_course_start BEFORE INSERT OR UPDATE ON pain_scores
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('recorded_on');
CREATE TRIGGER screening_findings_not_before_course_start BEFORE INSERT OR UPDATE ON screening_findings
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('recorded_on');
CREATE TRIGGER examination_findings_not_before_course_start BEFORE INSERT OR UPDATE ON examination_findings
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('recorded_on');
CREATE TRIGGER ultrasound_findings_not_before_course_start BEFORE INSERT OR UPDATE ON ultrasound_findings
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('recorded_on');

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

CREATE FUNCTION reject_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION reject_audit_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION reject_audit_change();

-- A POST retried with the same Idempotency-Key returns the stored first response. The row is
-- written in the same transaction as the record, so either both exist or neither does.
CREATE TABLE idempotency_keys (
    key           text PRIMARY KEY CHECK (char_length(key) BETWEEN 1 AND 200),
    request_hash  text NOT NULL,
    status        integer NOT NULL,
    response      bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
