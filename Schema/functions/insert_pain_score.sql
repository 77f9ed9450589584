-- Inserts one pain score and its audit row, in the caller's transaction. PL/pgSQL rather than
-- LANGUAGE sql: PostgreSQL plans a PL/pgSQL statement once per connection, while a SQL function
-- called from PL/pgSQL is parsed and planned on every call.
CREATE OR REPLACE FUNCTION insert_pain_score(p_id uuid, p_course_id uuid, p_recorded_on date, p_timepoint text, p_nrs integer,
                                             p_odi integer, p_pgic integer, p_source text,
                                             p_actor_id uuid, p_actor_label text, p_route text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH t AS (
        INSERT INTO pain_scores (id, course_id, recorded_on, timepoint, nrs, odi, pgic, source, created_by)
        VALUES (p_id, p_course_id, p_recorded_on, p_timepoint, p_nrs, p_odi, p_pgic, p_source, p_actor_id)
        RETURNING *)
    INSERT INTO audit_log (actor_id, actor_label, action, route, record_table, record_id, after)
    SELECT p_actor_id, p_actor_label, 'create', p_route, 'pain_scores', t.id, to_jsonb(t) FROM t;
END
$$;
