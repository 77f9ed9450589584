-- The audit trail is append-only. While sealing (`registry.sealing`, seal_audit_chain.sql), an
-- unsealed row may gain seq, prev_hash and hash; nothing else of it and nothing of a sealed row may
-- change, and no row may be deleted or truncated. The trigger's WHEN clause decides what it allows,
-- without calling PL/pgSQL for the updates sealing makes; the function is called only for what is
-- refused. The columns compared are those `audit_row_hash` covers: a column added to audit_log
-- belongs in both.
CREATE OR REPLACE FUNCTION reject_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION reject_audit_change();

CREATE OR REPLACE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION reject_audit_change();

CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log FOR EACH ROW
    WHEN (current_setting('registry.sealing', true) IS DISTINCT FROM 'on' OR OLD.seq IS NOT NULL
          OR (NEW.id, NEW.at, NEW.actor_id, NEW.actor_label, NEW.action, NEW.route, NEW.record_table, NEW.record_id, NEW.before, NEW.after)
             IS DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.actor_label, OLD.action, OLD.route, OLD.record_table, OLD.record_id, OLD.before, OLD.after))
    EXECUTE FUNCTION reject_audit_change();
