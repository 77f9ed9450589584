-- The hash of one audit row: SHA-256 of the previous row's hash followed by the row's content as
-- canonical JSON (jsonb's text form has one spelling per value; the instant is written in UTC so
-- no session time zone changes it).
CREATE OR REPLACE FUNCTION audit_row_hash(r audit_log) RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT sha256(r.prev_hash || convert_to(jsonb_build_object(
        'seq', r.seq, 'id', r.id,
        'at', to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor_id', r.actor_id, 'actor_label', r.actor_label, 'action', r.action, 'route', r.route,
        'record_table', r.record_table, 'record_id', r.record_id, 'before', r.before, 'after', r.after)::text, 'UTF8'))
$$;
