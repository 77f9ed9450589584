-- The registry's schema as a fresh `registry migrate` leaves it (pg_dump --schema-only, without settings
-- and comments). Generated: MigratorTests fails when it differs from a fresh migrate.

CREATE FUNCTION public.add_pain_scores(p_keys text[], p_request_hashes text[], p_responses bytea[], p_sites uuid[], p_ids uuid[], p_course_ids uuid[], p_recorded_on date[], p_timepoints text[], p_nrs integer[], p_odi integer[], p_pgic integer[], p_sources text[], p_actor_id uuid, p_actor_label text, p_route text) RETURNS TABLE(item integer, outcome text, stored_request_hash text, stored_response bytea, course_start date)
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_key text;
    course record;
    -- The items to create, in order.
    v_created integer[] := '{}';
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
        item := i;
        outcome := 'created';
        stored_request_hash := NULL;
        stored_response := NULL;
        course_start := NULL;
        v_key := nullif(p_keys[i], '');
        IF v_key IS NOT NULL THEN
            SELECT k.request_hash, k.response INTO stored_request_hash, stored_response FROM idempotency_keys k WHERE k.key = v_key;
            IF FOUND THEN
                outcome := 'replayed';
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;
        SELECT c.started_on, c.site_id INTO course FROM treatment_courses c WHERE c.id = p_course_ids[i] AND c.voided_at IS NULL FOR SHARE;
        IF NOT FOUND OR NOT (p_sites IS NULL OR course.site_id = ANY (p_sites)) THEN
            outcome := 'not_found';
        ELSIF p_recorded_on[i] < course.started_on THEN
            outcome := 'before_start';
            course_start := course.started_on;
        ELSIF v_key IS NOT NULL THEN
            -- Taken meanwhile by a request that committed first: answer as it did.
            INSERT INTO idempotency_keys (key, request_hash, status, response) VALUES (v_key, p_request_hashes[i], 1, p_responses[i])
            ON CONFLICT DO NOTHING;
            IF NOT FOUND THEN
                SELECT k.request_hash, k.response INTO stored_request_hash, stored_response FROM idempotency_keys k WHERE k.key = v_key;
                outcome := 'replayed';
            END IF;
        END IF;
        IF outcome = 'created' THEN
            v_created := v_created || i;
        END IF;
        RETURN NEXT;
    END LOOP;
    IF cardinality(v_created) > 0 THEN
        -- Every item was checked against its course's start above, under the course's lock.
        PERFORM set_config('registry.course_dates_checked', 'on', true);
        WITH t AS (
            INSERT INTO pain_scores (id, course_id, recorded_on, timepoint, nrs, odi, pgic, source, created_by)
            SELECT p_ids[n], p_course_ids[n], p_recorded_on[n], p_timepoints[n], p_nrs[n],
                   nullif(p_odi[n], -1), nullif(p_pgic[n], -1), p_sources[n], p_actor_id
            FROM unnest(v_created) WITH ORDINALITY AS c (n, o) ORDER BY o
            RETURNING *)
        INSERT INTO audit_log (actor_id, actor_label, action, route, record_table, record_id, after)
        SELECT p_actor_id, p_actor_label, 'create', p_route, 'pain_scores', t.id, to_jsonb(t) FROM t;
        PERFORM set_config('registry.course_dates_checked', '', true);
    END IF;
END
$$;

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    actor_id uuid,
    actor_label text NOT NULL,
    action text NOT NULL,
    route text NOT NULL,
    record_table text,
    record_id uuid,
    before jsonb,
    after jsonb,
    seq bigint,
    prev_hash bytea,
    hash bytea,
    CONSTRAINT audit_log_action_check CHECK ((action = ANY (ARRAY['create'::text, 'correct'::text, 'void'::text, 'login'::text, 'login_failed'::text, 'report'::text, 'export'::text, 'migrate'::text, 'seed'::text])))
);

CREATE FUNCTION public.audit_row_hash(r public.audit_log) RETURNS bytea
    LANGUAGE sql STABLE
    AS $$
    SELECT sha256(r.prev_hash || convert_to(jsonb_build_object(
        'seq', r.seq, 'id', r.id,
        'at', to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor_id', r.actor_id, 'actor_label', r.actor_label, 'action', r.action, 'route', r.route,
        'record_table', r.record_table, 'record_id', r.record_id, 'before', r.before, 'after', r.after)::text, 'UTF8'))
$$;

CREATE FUNCTION public.copy_patient_facts() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    SELECT date_part('year', age(NEW.started_on, i.date_of_birth))::int, i.sex
      INTO NEW.patient_age_at_start, NEW.patient_sex
      FROM patient_identities i WHERE i.patient_id = NEW.patient_id;
    RETURN NEW;
END
$$;

CREATE FUNCTION public.csv_field(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN (value IS NULL) THEN ''::text WHEN ((value ~ '^[=+@\t\r-]'::text) AND (value !~ '^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$'::text)) THEN (('"'''::text || replace(value, '"'::text, '""'::text)) || '"'::text) WHEN (value ~ '[,"\r\n]'::text) THEN (('"'::text || replace(value, '"'::text, '""'::text)) || '"'::text) ELSE value END;

CREATE FUNCTION public.export_mac(inner_pad bytea, outer_pad bytea, label text, id uuid) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN sha256((outer_pad || sha256(((inner_pad || (label)::bytea) || uuid_send(id)))));

CREATE FUNCTION public.export_pseudonym(kind text, mac bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ((kind || '-'::text) || encode(substr(mac, 2, 8), 'hex'::text));

CREATE FUNCTION public.export_shift(mac bytea) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (((((('x'::text || encode(substr(mac, 1, 4), 'hex'::text)))::bit(32))::bigint % (361)::bigint))::integer - 180);

CREATE FUNCTION public.reject_audit_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION public.reject_before_course_start() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.reject_chain_head_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('registry.sealing', true) = 'on' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_chain_head moves only when audit rows are sealed' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION public.seal_audit_chain() RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    head audit_chain_head;
    r audit_log;
    v_ids bigint[];
    v_seqs bigint[];
    v_prev bytea[];
    v_hashes bytea[];
    v_chunk integer;
    v_after bigint := 0;
    sealed integer := 0;
BEGIN
    -- Nothing pending (an idle registry, every second): no lock taken, nothing written.
    IF NOT EXISTS (SELECT 1 FROM audit_log WHERE seq IS NULL) THEN
        RETURN 0;
    END IF;
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    PERFORM set_config('registry.sealing', 'on', true);
    LOOP
        v_ids := '{}'; v_seqs := '{}'; v_prev := '{}'; v_hashes := '{}';
        v_chunk := 0;
        FOR r IN SELECT * FROM audit_log WHERE seq IS NULL AND id > v_after ORDER BY id LIMIT 10000 LOOP
            v_chunk := v_chunk + 1;
            r.seq := head.seq + 1;
            r.prev_hash := head.hash;
            r.hash := audit_row_hash(r);
            -- One array per column, unnested together by the UPDATE below.
            v_ids[v_chunk] := r.id;
            v_seqs[v_chunk] := r.seq;
            v_prev[v_chunk] := r.prev_hash;
            v_hashes[v_chunk] := r.hash;
            head.seq := r.seq;
            head.hash := r.hash;
            v_after := r.id;
        END LOOP;
        EXIT WHEN v_chunk = 0;
        UPDATE audit_log a SET seq = u.seq, prev_hash = u.prev_hash, hash = u.hash
        FROM unnest(v_ids, v_seqs, v_prev, v_hashes) AS u (id, seq, prev_hash, hash) WHERE a.id = u.id;
        sealed := sealed + v_chunk;
        EXIT WHEN v_chunk < 10000;
    END LOOP;
    IF sealed > 0 THEN
        UPDATE audit_chain_head SET seq = head.seq, hash = head.hash;
    END IF;
    PERFORM set_config('registry.sealing', '', true);
    RETURN sealed;
END
$$;

CREATE TABLE public.api_tokens (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    token_hash text NOT NULL,
    label text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    CONSTRAINT api_tokens_check CHECK ((expires_at > created_at)),
    CONSTRAINT api_tokens_label_check CHECK (((char_length(label) >= 1) AND (char_length(label) <= 100))),
    CONSTRAINT api_tokens_token_hash_check CHECK ((token_hash ~ '^[0-9a-f]{64}$'::text))
);

CREATE TABLE public.audit_chain_head (
    only_row boolean DEFAULT true NOT NULL,
    seq bigint NOT NULL,
    hash bytea NOT NULL,
    CONSTRAINT audit_chain_head_only_row_check CHECK (only_row)
);

CREATE SEQUENCE public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.audit_log_id_seq OWNED BY public.audit_log.id;

CREATE TABLE public.course_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    kind text NOT NULL,
    occurred_on date NOT NULL,
    note text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    version integer DEFAULT 1 NOT NULL,
    voided_at timestamp with time zone,
    void_reason text,
    CONSTRAINT course_events_check CHECK (((voided_at IS NULL) = (void_reason IS NULL))),
    CONSTRAINT course_events_kind_check CHECK ((kind = ANY (ARRAY['recurrence_observed'::text, 'referred_to_surgery'::text, 'discharged'::text, 'lost_to_follow_up'::text, 'other_surgery'::text, 'died'::text]))),
    CONSTRAINT course_events_note_check CHECK ((char_length(note) <= 2000)),
    CONSTRAINT course_events_occurred_on_check CHECK ((occurred_on <= (CURRENT_DATE + 1))),
    CONSTRAINT course_events_version_check CHECK ((version >= 1)),
    CONSTRAINT course_events_void_reason_check CHECK (((char_length(void_reason) >= 1) AND (char_length(void_reason) <= 500)))
);

CREATE TABLE public.diagnostic_blocks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    performed_at timestamp with time zone NOT NULL,
    side text NOT NULL,
    agent text NOT NULL,
    volume_ml numeric(4,1) NOT NULL,
    nrs_before integer NOT NULL,
    nrs_after integer NOT NULL,
    assessed_minutes_after integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    version integer DEFAULT 1 NOT NULL,
    voided_at timestamp with time zone,
    void_reason text,
    CONSTRAINT diagnostic_blocks_agent_check CHECK ((agent = ANY (ARRAY['lidocaine'::text, 'ropivacaine'::text, 'bupivacaine'::text, 'levobupivacaine'::text, 'mepivacaine'::text]))),
    CONSTRAINT diagnostic_blocks_assessed_minutes_after_check CHECK (((assessed_minutes_after >= 0) AND (assessed_minutes_after <= 120))),
    CONSTRAINT diagnostic_blocks_check CHECK (((voided_at IS NULL) = (void_reason IS NULL))),
    CONSTRAINT diagnostic_blocks_nrs_after_check CHECK (((nrs_after >= 0) AND (nrs_after <= 10))),
    CONSTRAINT diagnostic_blocks_nrs_before_check CHECK (((nrs_before >= 1) AND (nrs_before <= 10))),
    CONSTRAINT diagnostic_blocks_performed_at_check CHECK ((performed_at <= (now() + '1 day'::interval))),
    CONSTRAINT diagnostic_blocks_side_check CHECK ((side = ANY (ARRAY['left'::text, 'right'::text, 'bilateral'::text]))),
    CONSTRAINT diagnostic_blocks_version_check CHECK ((version >= 1)),
    CONSTRAINT diagnostic_blocks_void_reason_check CHECK (((char_length(void_reason) >= 1) AND (char_length(void_reason) <= 500))),
    CONSTRAINT diagnostic_blocks_volume_ml_check CHECK (((volume_ml > (0)::numeric) AND (volume_ml <= (20)::numeric)))
);

CREATE TABLE public.examination_findings (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    recorded_on date NOT NULL,
    trigger_point boolean NOT NULL,
    trigger_point_distance_cm numeric(4,1),
    lateral_bending_positive boolean NOT NULL,
    pelvic_rotation_positive boolean NOT NULL,
    single_leg_stance_positive boolean NOT NULL,
    straight_leg_raise_positive boolean NOT NULL,
    strength_normal boolean NOT NULL,
    reflexes_normal boolean NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    version integer DEFAULT 1 NOT NULL,
    voided_at timestamp with time zone,
    void_reason text,
    CONSTRAINT examination_findings_check CHECK (((voided_at IS NULL) = (void_reason IS NULL))),
    CONSTRAINT examination_findings_check1 CHECK ((trigger_point OR (trigger_point_distance_cm IS NULL))),
    CONSTRAINT examination_findings_recorded_on_check CHECK ((recorded_on <= (CURRENT_DATE + 1))),
    CONSTRAINT examination_findings_trigger_point_distance_cm_check CHECK (((trigger_point_distance_cm > (0)::numeric) AND (trigger_point_distance_cm <= (20)::numeric))),
    CONSTRAINT examination_findings_version_check CHECK ((version >= 1)),
    CONSTRAINT examination_findings_void_reason_check CHECK (((char_length(void_reason) >= 1) AND (char_length(void_reason) <= 500)))
);

CREATE TABLE public.follow_up_answers (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    link_id uuid NOT NULL,
    course_id uuid NOT NULL,
    due_on date NOT NULL,
    pain_score_id uuid NOT NULL,
    pain_came_back boolean NOT NULL,
    answered_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.follow_up_contacts (
    patient_id uuid NOT NULL,
    channels text[] NOT NULL,
    line_user_id text,
    consented_on date NOT NULL,
    consent_how text NOT NULL,
    opted_out_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT follow_up_contacts_channels_check CHECK (((channels <@ ARRAY['line'::text, 'sms'::text]) AND ((cardinality(channels) >= 1) AND (cardinality(channels) <= 2)))),
    CONSTRAINT follow_up_contacts_check CHECK (((NOT ('line'::text = ANY (channels))) OR (line_user_id IS NOT NULL))),
    CONSTRAINT follow_up_contacts_consent_how_check CHECK ((consent_how = ANY (ARRAY['written'::text, 'verbal'::text, 'online'::text]))),
    CONSTRAINT follow_up_contacts_line_user_id_check CHECK ((line_user_id ~ '^U[0-9a-f]{32}$'::text))
);

CREATE TABLE public.follow_up_links (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    token_hash text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT follow_up_links_check CHECK ((expires_at > created_at)),
    CONSTRAINT follow_up_links_token_hash_check CHECK ((token_hash ~ '^[0-9a-f]{64}$'::text))
);

CREATE TABLE public.follow_up_messages (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    due_on date NOT NULL,
    number smallint NOT NULL,
    channel text NOT NULL,
    state text DEFAULT 'queued'::text NOT NULL,
    attempts smallint DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    last_error text,
    link_id uuid,
    queued_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone,
    CONSTRAINT follow_up_messages_channel_check CHECK ((channel = ANY (ARRAY['line'::text, 'sms'::text]))),
    CONSTRAINT follow_up_messages_last_error_check CHECK ((char_length(last_error) <= 500)),
    CONSTRAINT follow_up_messages_number_check CHECK (((number >= 0) AND (number <= 10))),
    CONSTRAINT follow_up_messages_state_check CHECK ((state = ANY (ARRAY['queued'::text, 'sending'::text, 'sent'::text, 'failed'::text, 'given_up'::text, 'cancelled'::text])))
);

CREATE TABLE public.follow_up_reviews (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    answer_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    resolved_at timestamp with time zone,
    resolved_by uuid
);

CREATE TABLE public.form_drafts (
    id uuid NOT NULL,
    session_hash text NOT NULL,
    action text NOT NULL,
    state jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT form_drafts_action_check CHECK ((char_length(action) <= 300)),
    CONSTRAINT form_drafts_state_check CHECK ((octet_length((state)::text) <= 200000))
);

CREATE TABLE public.idempotency_keys (
    key text NOT NULL,
    request_hash text NOT NULL,
    status integer NOT NULL,
    response bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotency_keys_key_check CHECK (((char_length(key) >= 1) AND (char_length(key) <= 300)))
);

CREATE TABLE public.login_attempts (
    id bigint NOT NULL,
    username text NOT NULL,
    address text NOT NULL,
    at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    success boolean NOT NULL,
    refused boolean DEFAULT false NOT NULL
);

CREATE SEQUENCE public.login_attempts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.login_attempts_id_seq OWNED BY public.login_attempts.id;

CREATE TABLE public.pain_scores (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    recorded_on date NOT NULL,
    timepoint text NOT NULL,
    nrs integer NOT NULL,
    odi integer,
    pgic integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    version integer DEFAULT 1 NOT NULL,
    voided_at timestamp with time zone,
    void_reason text,
    source text DEFAULT 'clinician'::text NOT NULL,
    CONSTRAINT pain_scores_check CHECK (((voided_at IS NULL) = (void_reason IS NULL))),
    CONSTRAINT pain_scores_nrs_check CHECK (((nrs >= 0) AND (nrs <= 10))),
    CONSTRAINT pain_scores_odi_check CHECK (((odi >= 0) AND (odi <= 100))),
    CONSTRAINT pain_scores_pgic_check CHECK (((pgic >= 1) AND (pgic <= 7))),
    CONSTRAINT pain_scores_recorded_on_check CHECK ((recorded_on <= (CURRENT_DATE + 1))),
    CONSTRAINT pain_scores_source_check CHECK ((source = ANY (ARRAY['clinician'::text, 'patient'::text]))),
    CONSTRAINT pain_scores_timepoint_check CHECK ((timepoint = ANY (ARRAY['baseline'::text, 'pre_procedure'::text, 'post_procedure'::text, 'follow_up'::text]))),
    CONSTRAINT pain_scores_version_check CHECK ((version >= 1)),
    CONSTRAINT pain_scores_void_reason_check CHECK (((char_length(void_reason) >= 1) AND (char_length(void_reason) <= 500)))
);

CREATE TABLE public.patient_identities (
    patient_id uuid NOT NULL,
    site_id uuid NOT NULL,
    mrn text NOT NULL,
    family_name text NOT NULL,
    given_name text NOT NULL,
    date_of_birth date NOT NULL,
    sex text NOT NULL,
    phone text,
    email text,
    CONSTRAINT patient_identities_date_of_birth_check CHECK (((date_of_birth >= '1900-01-01'::date) AND (date_of_birth <= (CURRENT_DATE + 1)))),
    CONSTRAINT patient_identities_email_check CHECK ((char_length(email) <= 254)),
    CONSTRAINT patient_identities_family_name_check CHECK (((char_length(family_name) >= 1) AND (char_length(family_name) <= 100))),
    CONSTRAINT patient_identities_given_name_check CHECK (((char_length(given_name) >= 1) AND (char_length(given_name) <= 100))),
    CONSTRAINT patient_identities_mrn_check CHECK ((mrn ~ '^[A-Za-z0-9-]{1,32}$'::text)),
    CONSTRAINT patient_identities_phone_check CHECK ((char_length(phone) <= 40)),
    CONSTRAINT patient_identities_sex_check CHECK ((sex = ANY (ARRAY['female'::text, 'male'::text, 'other'::text, 'unknown'::text])))
);

CREATE TABLE public.patients (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    site_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.procedures (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    session_id uuid NOT NULL,
    "position" integer NOT NULL,
    kind text NOT NULL,
    injectate text,
    volume_ml numeric(4,1),
    leukocytes text,
    dextrose_percent numeric(4,1),
    CONSTRAINT procedures_dextrose_percent_check CHECK (((dextrose_percent > (0)::numeric) AND (dextrose_percent <= (50)::numeric))),
    CONSTRAINT procedures_dextrose_shape CHECK (((kind <> 'dextrose'::text) OR ((injectate IS NULL) AND (volume_ml <= (30)::numeric) AND (leukocytes IS NULL) AND (dextrose_percent IS NOT NULL)))),
    CONSTRAINT procedures_hydrodissection_shape CHECK (((kind <> 'hydrodissection'::text) OR ((injectate IS NOT NULL) AND (volume_ml <= (60)::numeric) AND (leukocytes IS NULL) AND (dextrose_percent IS NULL)))),
    CONSTRAINT procedures_injectate_check CHECK ((injectate = ANY (ARRAY['normal_saline'::text, 'd5w'::text, 'local_anaesthetic'::text, 'prp'::text, 'mixed'::text]))),
    CONSTRAINT procedures_kind_check CHECK ((kind = ANY (ARRAY['hydrodissection'::text, 'prp'::text, 'dextrose'::text, 'surgical_neurolysis'::text]))),
    CONSTRAINT procedures_leukocytes_check CHECK ((leukocytes = ANY (ARRAY['rich'::text, 'poor'::text]))),
    CONSTRAINT procedures_neurolysis_shape CHECK (((kind <> 'surgical_neurolysis'::text) OR ((injectate IS NULL) AND (volume_ml IS NULL) AND (leukocytes IS NULL) AND (dextrose_percent IS NULL)))),
    CONSTRAINT procedures_position_check CHECK ((("position" >= 1) AND ("position" <= 10))),
    CONSTRAINT procedures_prp_shape CHECK (((kind <> 'prp'::text) OR ((injectate IS NULL) AND (volume_ml <= (20)::numeric) AND (leukocytes IS NOT NULL) AND (dextrose_percent IS NULL)))),
    CONSTRAINT procedures_volume_ml_check CHECK ((volume_ml > (0)::numeric))
);

CREATE TABLE public.schema_functions (
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.schema_migrations (
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.screening_findings (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    recorded_on date NOT NULL,
    pain_over_three_months boolean NOT NULL,
    imaging_mild_only boolean NOT NULL,
    pain_at_iliac_crest boolean NOT NULL,
    worse_upright_eased_lying boolean NOT NULL,
    psis_pressure_reproduces boolean NOT NULL,
    physiotherapy_relapse boolean NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    version integer DEFAULT 1 NOT NULL,
    voided_at timestamp with time zone,
    void_reason text,
    CONSTRAINT screening_findings_check CHECK (((voided_at IS NULL) = (void_reason IS NULL))),
    CONSTRAINT screening_findings_recorded_on_check CHECK ((recorded_on <= (CURRENT_DATE + 1))),
    CONSTRAINT screening_findings_version_check CHECK ((version >= 1)),
    CONSTRAINT screening_findings_void_reason_check CHECK (((char_length(void_reason) >= 1) AND (char_length(void_reason) <= 500)))
);

CREATE TABLE public.sites (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sites_code_check CHECK ((code ~ '^[A-Z0-9-]{2,16}$'::text)),
    CONSTRAINT sites_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200)))
);

CREATE TABLE public.treatment_courses (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    patient_id uuid NOT NULL,
    site_id uuid NOT NULL,
    clinician_id uuid NOT NULL,
    side text NOT NULL,
    icd10 text NOT NULL,
    symptom_onset date,
    started_on date NOT NULL,
    notes text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    version integer DEFAULT 1 NOT NULL,
    voided_at timestamp with time zone,
    void_reason text,
    patient_age_at_start integer,
    patient_sex text,
    CONSTRAINT treatment_courses_check CHECK (((voided_at IS NULL) = (void_reason IS NULL))),
    CONSTRAINT treatment_courses_check1 CHECK (((symptom_onset IS NULL) OR (symptom_onset <= started_on))),
    CONSTRAINT treatment_courses_icd10_check CHECK ((icd10 ~ '^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$'::text)),
    CONSTRAINT treatment_courses_notes_check CHECK ((char_length(notes) <= 2000)),
    CONSTRAINT treatment_courses_patient_age_at_start_check CHECK (((patient_age_at_start >= 0) AND (patient_age_at_start <= 130))),
    CONSTRAINT treatment_courses_patient_sex_check CHECK ((patient_sex = ANY (ARRAY['female'::text, 'male'::text, 'other'::text, 'unknown'::text]))),
    CONSTRAINT treatment_courses_side_check CHECK ((side = ANY (ARRAY['left'::text, 'right'::text, 'bilateral'::text]))),
    CONSTRAINT treatment_courses_started_on_check CHECK ((started_on <= (CURRENT_DATE + 1))),
    CONSTRAINT treatment_courses_symptom_onset_check CHECK ((symptom_onset <= (CURRENT_DATE + 1))),
    CONSTRAINT treatment_courses_version_check CHECK ((version >= 1)),
    CONSTRAINT treatment_courses_void_reason_check CHECK (((char_length(void_reason) >= 1) AND (char_length(void_reason) <= 500)))
);

CREATE TABLE public.treatment_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    session_on date NOT NULL,
    clinician_id uuid NOT NULL,
    notes text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    version integer DEFAULT 1 NOT NULL,
    voided_at timestamp with time zone,
    void_reason text,
    CONSTRAINT treatment_sessions_check CHECK (((voided_at IS NULL) = (void_reason IS NULL))),
    CONSTRAINT treatment_sessions_notes_check CHECK ((char_length(notes) <= 2000)),
    CONSTRAINT treatment_sessions_session_on_check CHECK ((session_on <= (CURRENT_DATE + 1))),
    CONSTRAINT treatment_sessions_version_check CHECK ((version >= 1)),
    CONSTRAINT treatment_sessions_void_reason_check CHECK (((char_length(void_reason) >= 1) AND (char_length(void_reason) <= 500)))
);

CREATE TABLE public.ultrasound_findings (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    course_id uuid NOT NULL,
    recorded_on date NOT NULL,
    nerve_csa_mm2 numeric(5,2),
    flattening boolean NOT NULL,
    restricted_gliding boolean NOT NULL,
    fascia_thickness_mm numeric(4,1),
    fascia_adhesion boolean NOT NULL,
    tunnel_narrowing boolean NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    version integer DEFAULT 1 NOT NULL,
    voided_at timestamp with time zone,
    void_reason text,
    CONSTRAINT ultrasound_findings_check CHECK (((voided_at IS NULL) = (void_reason IS NULL))),
    CONSTRAINT ultrasound_findings_fascia_thickness_mm_check CHECK (((fascia_thickness_mm > (0)::numeric) AND (fascia_thickness_mm <= (30)::numeric))),
    CONSTRAINT ultrasound_findings_nerve_csa_mm2_check CHECK (((nerve_csa_mm2 > (0)::numeric) AND (nerve_csa_mm2 <= (50)::numeric))),
    CONSTRAINT ultrasound_findings_recorded_on_check CHECK ((recorded_on <= (CURRENT_DATE + 1))),
    CONSTRAINT ultrasound_findings_version_check CHECK ((version >= 1)),
    CONSTRAINT ultrasound_findings_void_reason_check CHECK (((char_length(void_reason) >= 1) AND (char_length(void_reason) <= 500)))
);

CREATE TABLE public.user_sites (
    user_id uuid NOT NULL,
    site_id uuid NOT NULL
);

CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    username text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    password_hash text,
    disabled_at timestamp with time zone,
    CONSTRAINT users_display_name_check CHECK (((char_length(display_name) >= 1) AND (char_length(display_name) <= 200))),
    CONSTRAINT users_password_hash_check CHECK ((password_hash ~ '^\$2[aby]\$[0-9]{2}\$'::text)),
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['clinician'::text, 'manager'::text, 'researcher'::text, 'admin'::text]))),
    CONSTRAINT users_username_check CHECK ((username ~ '^[a-z0-9._-]{3,64}$'::text))
);

CREATE TABLE public.web_sessions (
    id_hash text NOT NULL,
    user_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    CONSTRAINT web_sessions_id_hash_check CHECK ((id_hash ~ '^[0-9a-f]{64}$'::text))
);

ALTER TABLE ONLY public.audit_log ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);

ALTER TABLE ONLY public.login_attempts ALTER COLUMN id SET DEFAULT nextval('public.login_attempts_id_seq'::regclass);

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.audit_chain_head
    ADD CONSTRAINT audit_chain_head_pkey PRIMARY KEY (only_row);

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_seq_unique UNIQUE (seq);

ALTER TABLE ONLY public.course_events
    ADD CONSTRAINT course_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.diagnostic_blocks
    ADD CONSTRAINT diagnostic_blocks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.examination_findings
    ADD CONSTRAINT examination_findings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.follow_up_answers
    ADD CONSTRAINT follow_up_answers_course_id_due_on_key UNIQUE (course_id, due_on);

ALTER TABLE ONLY public.follow_up_answers
    ADD CONSTRAINT follow_up_answers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.follow_up_contacts
    ADD CONSTRAINT follow_up_contacts_pkey PRIMARY KEY (patient_id);

ALTER TABLE ONLY public.follow_up_links
    ADD CONSTRAINT follow_up_links_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.follow_up_links
    ADD CONSTRAINT follow_up_links_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.follow_up_messages
    ADD CONSTRAINT follow_up_messages_course_id_due_on_number_key UNIQUE (course_id, due_on, number);

ALTER TABLE ONLY public.follow_up_messages
    ADD CONSTRAINT follow_up_messages_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.follow_up_reviews
    ADD CONSTRAINT follow_up_reviews_answer_id_key UNIQUE (answer_id);

ALTER TABLE ONLY public.follow_up_reviews
    ADD CONSTRAINT follow_up_reviews_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.form_drafts
    ADD CONSTRAINT form_drafts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (key);

ALTER TABLE ONLY public.login_attempts
    ADD CONSTRAINT login_attempts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.pain_scores
    ADD CONSTRAINT pain_scores_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.patient_identities
    ADD CONSTRAINT patient_identities_pkey PRIMARY KEY (patient_id);

ALTER TABLE ONLY public.patient_identities
    ADD CONSTRAINT patient_identities_site_mrn_key UNIQUE (site_id, mrn);

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT patients_id_site_id_key UNIQUE (id, site_id);

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT patients_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.procedures
    ADD CONSTRAINT procedures_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.procedures
    ADD CONSTRAINT procedures_session_id_position_key UNIQUE (session_id, "position");

ALTER TABLE ONLY public.schema_functions
    ADD CONSTRAINT schema_functions_pkey PRIMARY KEY (name);

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (name);

ALTER TABLE ONLY public.screening_findings
    ADD CONSTRAINT screening_findings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sites
    ADD CONSTRAINT sites_code_key UNIQUE (code);

ALTER TABLE ONLY public.sites
    ADD CONSTRAINT sites_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.treatment_courses
    ADD CONSTRAINT treatment_courses_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.treatment_sessions
    ADD CONSTRAINT treatment_sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.ultrasound_findings
    ADD CONSTRAINT ultrasound_findings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.user_sites
    ADD CONSTRAINT user_sites_pkey PRIMARY KEY (user_id, site_id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_username_key UNIQUE (username);

ALTER TABLE ONLY public.web_sessions
    ADD CONSTRAINT web_sessions_pkey PRIMARY KEY (id_hash);

CREATE INDEX api_tokens_user_idx ON public.api_tokens USING btree (user_id);

CREATE INDEX audit_log_actor_idx ON public.audit_log USING btree (actor_id, at);

CREATE INDEX audit_log_at_idx ON public.audit_log USING btree (at);

CREATE INDEX audit_log_record_idx ON public.audit_log USING btree (record_table, record_id);

CREATE INDEX audit_log_unsealed_idx ON public.audit_log USING btree (id) WHERE (seq IS NULL);

CREATE INDEX course_events_course_idx ON public.course_events USING btree (course_id);

CREATE INDEX diagnostic_blocks_course_idx ON public.diagnostic_blocks USING btree (course_id);

CREATE INDEX examination_findings_course_idx ON public.examination_findings USING btree (course_id);

CREATE INDEX follow_up_links_course_idx ON public.follow_up_links USING btree (course_id);

CREATE INDEX follow_up_messages_waiting_idx ON public.follow_up_messages USING btree (next_attempt_at) WHERE (state = ANY (ARRAY['queued'::text, 'sending'::text, 'failed'::text]));

CREATE INDEX follow_up_reviews_open_idx ON public.follow_up_reviews USING btree (course_id) WHERE (resolved_at IS NULL);

CREATE INDEX form_drafts_created_idx ON public.form_drafts USING btree (created_at);

CREATE INDEX login_attempts_address_idx ON public.login_attempts USING btree (address, at);

CREATE INDEX login_attempts_username_idx ON public.login_attempts USING btree (username, at);

CREATE INDEX pain_scores_course_idx ON public.pain_scores USING btree (course_id, recorded_on);

CREATE INDEX patient_identities_family_prefix_idx ON public.patient_identities USING btree (lower(family_name) text_pattern_ops);

CREATE INDEX patient_identities_full_name_prefix_idx ON public.patient_identities USING btree (lower((family_name || given_name)) text_pattern_ops);

CREATE INDEX patient_identities_given_prefix_idx ON public.patient_identities USING btree (lower(given_name) text_pattern_ops);

CREATE INDEX patient_identities_mrn_prefix_idx ON public.patient_identities USING btree (lower(mrn) text_pattern_ops);

CREATE INDEX procedures_session_idx ON public.procedures USING btree (session_id);

CREATE INDEX screening_findings_course_idx ON public.screening_findings USING btree (course_id);

CREATE INDEX treatment_courses_patient_idx ON public.treatment_courses USING btree (patient_id);

CREATE INDEX treatment_courses_site_idx ON public.treatment_courses USING btree (site_id, created_at DESC, id DESC);

CREATE INDEX treatment_sessions_course_idx ON public.treatment_sessions USING btree (course_id, session_on);

CREATE INDEX ultrasound_findings_course_idx ON public.ultrasound_findings USING btree (course_id);

CREATE INDEX web_sessions_user_idx ON public.web_sessions USING btree (user_id);

CREATE TRIGGER audit_chain_head_guard BEFORE INSERT OR DELETE OR UPDATE ON public.audit_chain_head FOR EACH ROW EXECUTE FUNCTION public.reject_chain_head_change();

CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON public.audit_log FOR EACH ROW WHEN (((current_setting('registry.sealing'::text, true) IS DISTINCT FROM 'on'::text) OR (old.seq IS NOT NULL) OR ((((((((((new.id IS DISTINCT FROM old.id) OR (new.at IS DISTINCT FROM old.at)) OR (new.actor_id IS DISTINCT FROM old.actor_id)) OR (new.actor_label IS DISTINCT FROM old.actor_label)) OR (new.action IS DISTINCT FROM old.action)) OR (new.route IS DISTINCT FROM old.route)) OR (new.record_table IS DISTINCT FROM old.record_table)) OR (new.record_id IS DISTINCT FROM old.record_id)) OR (new.before IS DISTINCT FROM old.before)) OR (new.after IS DISTINCT FROM old.after)))) EXECUTE FUNCTION public.reject_audit_change();

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.reject_audit_change();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON public.audit_log FOR EACH STATEMENT EXECUTE FUNCTION public.reject_audit_change();

CREATE TRIGGER course_events_not_before_course_start BEFORE INSERT OR UPDATE ON public.course_events FOR EACH ROW EXECUTE FUNCTION public.reject_before_course_start('occurred_on');

CREATE TRIGGER diagnostic_blocks_not_before_course_start BEFORE INSERT OR UPDATE ON public.diagnostic_blocks FOR EACH ROW EXECUTE FUNCTION public.reject_before_course_start('performed_at');

CREATE TRIGGER examination_findings_not_before_course_start BEFORE INSERT OR UPDATE ON public.examination_findings FOR EACH ROW EXECUTE FUNCTION public.reject_before_course_start('recorded_on');

CREATE TRIGGER pain_scores_not_before_course_start BEFORE INSERT OR UPDATE ON public.pain_scores FOR EACH ROW WHEN ((current_setting('registry.course_dates_checked'::text, true) IS DISTINCT FROM 'on'::text)) EXECUTE FUNCTION public.reject_before_course_start('recorded_on');

CREATE TRIGGER screening_findings_not_before_course_start BEFORE INSERT OR UPDATE ON public.screening_findings FOR EACH ROW EXECUTE FUNCTION public.reject_before_course_start('recorded_on');

CREATE TRIGGER treatment_courses_copy_patient_facts BEFORE INSERT OR UPDATE OF patient_id, started_on ON public.treatment_courses FOR EACH ROW EXECUTE FUNCTION public.copy_patient_facts();

CREATE TRIGGER treatment_sessions_not_before_course_start BEFORE INSERT OR UPDATE ON public.treatment_sessions FOR EACH ROW EXECUTE FUNCTION public.reject_before_course_start('session_on');

CREATE TRIGGER ultrasound_findings_not_before_course_start BEFORE INSERT OR UPDATE ON public.ultrasound_findings FOR EACH ROW EXECUTE FUNCTION public.reject_before_course_start('recorded_on');

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.course_events
    ADD CONSTRAINT course_events_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.course_events
    ADD CONSTRAINT course_events_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.diagnostic_blocks
    ADD CONSTRAINT diagnostic_blocks_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.diagnostic_blocks
    ADD CONSTRAINT diagnostic_blocks_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.examination_findings
    ADD CONSTRAINT examination_findings_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.examination_findings
    ADD CONSTRAINT examination_findings_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.follow_up_answers
    ADD CONSTRAINT follow_up_answers_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.follow_up_answers
    ADD CONSTRAINT follow_up_answers_link_id_fkey FOREIGN KEY (link_id) REFERENCES public.follow_up_links(id);

ALTER TABLE ONLY public.follow_up_answers
    ADD CONSTRAINT follow_up_answers_pain_score_id_fkey FOREIGN KEY (pain_score_id) REFERENCES public.pain_scores(id);

ALTER TABLE ONLY public.follow_up_contacts
    ADD CONSTRAINT follow_up_contacts_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES public.patients(id);

ALTER TABLE ONLY public.follow_up_links
    ADD CONSTRAINT follow_up_links_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.follow_up_links
    ADD CONSTRAINT follow_up_links_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.follow_up_messages
    ADD CONSTRAINT follow_up_messages_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.follow_up_messages
    ADD CONSTRAINT follow_up_messages_link_id_fkey FOREIGN KEY (link_id) REFERENCES public.follow_up_links(id);

ALTER TABLE ONLY public.follow_up_reviews
    ADD CONSTRAINT follow_up_reviews_answer_id_fkey FOREIGN KEY (answer_id) REFERENCES public.follow_up_answers(id);

ALTER TABLE ONLY public.follow_up_reviews
    ADD CONSTRAINT follow_up_reviews_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.follow_up_reviews
    ADD CONSTRAINT follow_up_reviews_resolved_by_fkey FOREIGN KEY (resolved_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.form_drafts
    ADD CONSTRAINT form_drafts_session_hash_fkey FOREIGN KEY (session_hash) REFERENCES public.web_sessions(id_hash) ON DELETE CASCADE;

ALTER TABLE ONLY public.pain_scores
    ADD CONSTRAINT pain_scores_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.pain_scores
    ADD CONSTRAINT pain_scores_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.patient_identities
    ADD CONSTRAINT patient_identities_patient_id_site_id_fkey FOREIGN KEY (patient_id, site_id) REFERENCES public.patients(id, site_id);

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT patients_site_id_fkey FOREIGN KEY (site_id) REFERENCES public.sites(id);

ALTER TABLE ONLY public.procedures
    ADD CONSTRAINT procedures_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.treatment_sessions(id);

ALTER TABLE ONLY public.screening_findings
    ADD CONSTRAINT screening_findings_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.screening_findings
    ADD CONSTRAINT screening_findings_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.treatment_courses
    ADD CONSTRAINT treatment_courses_clinician_id_fkey FOREIGN KEY (clinician_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.treatment_courses
    ADD CONSTRAINT treatment_courses_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.treatment_courses
    ADD CONSTRAINT treatment_courses_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES public.patients(id);

ALTER TABLE ONLY public.treatment_courses
    ADD CONSTRAINT treatment_courses_patient_site_fkey FOREIGN KEY (patient_id, site_id) REFERENCES public.patients(id, site_id) NOT VALID;

ALTER TABLE ONLY public.treatment_courses
    ADD CONSTRAINT treatment_courses_site_id_fkey FOREIGN KEY (site_id) REFERENCES public.sites(id);

ALTER TABLE ONLY public.treatment_sessions
    ADD CONSTRAINT treatment_sessions_clinician_id_fkey FOREIGN KEY (clinician_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.treatment_sessions
    ADD CONSTRAINT treatment_sessions_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.treatment_sessions
    ADD CONSTRAINT treatment_sessions_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.ultrasound_findings
    ADD CONSTRAINT ultrasound_findings_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.treatment_courses(id);

ALTER TABLE ONLY public.ultrasound_findings
    ADD CONSTRAINT ultrasound_findings_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.user_sites
    ADD CONSTRAINT user_sites_site_id_fkey FOREIGN KEY (site_id) REFERENCES public.sites(id);

ALTER TABLE ONLY public.user_sites
    ADD CONSTRAINT user_sites_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.web_sessions
    ADD CONSTRAINT web_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
