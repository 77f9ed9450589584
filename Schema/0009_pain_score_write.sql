-- A pain score is the registry's busiest write (every clinic visit, every patient's follow-up
-- answer), so it is one statement: these functions run inside PostgreSQL with their plans
-- cached per connection, where the same steps as separate statements cost a round trip and a
-- fresh plan each.

-- Inserts one pain score and its audit row, in the caller's transaction.
CREATE FUNCTION insert_pain_score(p_id uuid, p_course_id uuid, p_recorded_on date, p_timepoint text, p_nrs integer,
                                  p_odi integer, p_pgic integer, p_source text,
                                  p_actor_id uuid, p_actor_label text, p_route text) RETURNS void LANGUAGE sql AS $$
    WITH t AS (
        INSERT INTO pain_scores (id, course_id, recorded_on, timepoint, nrs, odi, pgic, source, created_by)
        VALUES (p_id, p_course_id, p_recorded_on, p_timepoint, p_nrs, p_odi, p_pgic, p_source, p_actor_id)
        RETURNING *)
    INSERT INTO audit_log (actor_id, actor_label, action, route, record_table, record_id, after)
    SELECT p_actor_id, p_actor_label, 'create', p_route, 'pain_scores', t.id, to_jsonb(t) FROM t
$$;

-- A clinician's pain score, at most once per Idempotency-Key (`p_key` null: no key), all or
-- nothing, as `CourseRepository.add` does for the other records: claim the key (taken: answer
-- the stored request hash and response instead), lock the course (absent, voided or at a site
-- outside `p_sites` when that is not null: P0002), refuse a score dated before the course
-- started (RG001, with the start date as the message), insert the score and its audit row and
-- store `p_response` as the key's answer.
CREATE FUNCTION add_pain_score(p_key text, p_request_hash text, p_response bytea, p_sites uuid[],
                               p_id uuid, p_course_id uuid, p_recorded_on date, p_timepoint text, p_nrs integer,
                               p_odi integer, p_pgic integer, p_actor_id uuid, p_actor_label text, p_route text,
                               OUT stored_request_hash text, OUT stored_response bytea) LANGUAGE plpgsql AS $$
DECLARE
    course record;
BEGIN
    IF p_key IS NOT NULL THEN
        INSERT INTO idempotency_keys (key, request_hash, status, response) VALUES (p_key, p_request_hash, 1, p_response)
        ON CONFLICT (key) DO NOTHING;
        IF NOT FOUND THEN
            SELECT k.request_hash, k.response INTO stored_request_hash, stored_response FROM idempotency_keys k WHERE k.key = p_key;
            RETURN;
        END IF;
    END IF;
    SELECT c.started_on, c.site_id INTO course FROM treatment_courses c WHERE c.id = p_course_id AND c.voided_at IS NULL FOR SHARE;
    IF NOT FOUND OR NOT (p_sites IS NULL OR course.site_id = ANY (p_sites)) THEN
        RAISE EXCEPTION 'course % not found', p_course_id USING ERRCODE = 'no_data_found';
    END IF;
    IF p_recorded_on < course.started_on THEN
        RAISE EXCEPTION '%', course.started_on USING ERRCODE = 'RG001';
    END IF;
    PERFORM insert_pain_score(p_id, p_course_id, p_recorded_on, p_timepoint, p_nrs, p_odi, p_pgic, 'clinician',
                              p_actor_id, p_actor_label, p_route);
END
$$;
