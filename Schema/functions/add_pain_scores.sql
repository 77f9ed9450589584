-- Every pain score is written by this function, whoever enters it (`p_sources`: a clinician, or
-- the patient answering a follow-up link). Pain scores that arrive together are written together: one statement and one commit for all
-- the scores one caller (same user, route and sites) sent while the previous batch was being
-- written. A round trip and a commit cost a request more than the insert itself, so a busy clinic
-- or an EHR interface posting in parallel gets several scores per round trip.
--
-- Each item gets its own outcome:
--   created       the score, its audit row and the key's answer (`p_responses[i]`) are written;
--   replayed      the key was used before: its stored request hash and answer are returned;
--   not_found     the course is absent, voided, or at a site outside `p_sites` (when not null);
--   before_start  the score is dated before the course started (`course_start`).
-- Checks come before writes, so a refused item writes nothing and the others go on. Keys are ''
-- for none (arrays carry no per-element null here), `p_odi`/`p_pgic` are -1 for none.
--
-- The course-start rule is checked here once per score, under the course's lock, so the insert
-- tells the row trigger (reject_before_course_start.sql) to skip it, with a transaction-local
-- setting cleared at once (and by a failed insert's rollback); every other write of a pain score
-- still meets the trigger.
CREATE OR REPLACE FUNCTION add_pain_scores(p_keys text[], p_request_hashes text[], p_responses bytea[], p_sites uuid[],
                                           p_ids uuid[], p_course_ids uuid[], p_recorded_on date[], p_timepoints text[],
                                           p_nrs integer[], p_odi integer[], p_pgic integer[], p_sources text[],
                                           p_actor_id uuid, p_actor_label text, p_route text)
RETURNS TABLE (item integer, outcome text, stored_request_hash text, stored_response bytea, course_start date) LANGUAGE plpgsql AS $$
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
