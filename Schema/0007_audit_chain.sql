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

-- The hash of one audit row: SHA-256 of the previous row's hash followed by the row's content as
-- canonical JSON (jsonb's text form has one spelling per value; the instant is written in UTC so
-- no session time zone changes it).
CREATE FUNCTION audit_row_hash(r audit_log) RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT sha256(r.prev_hash || convert_to(jsonb_build_object(
        'seq', r.seq, 'id', r.id,
        'at', to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor_id', r.actor_id, 'actor_label', r.actor_label, 'action', r.action, 'route', r.route,
        'record_table', r.record_table, 'record_id', r.record_id, 'before', r.before, 'after', r.after)::text, 'UTF8'))
$$;

-- The genesis row's "previous hash" is 32 zero bytes.
INSERT INTO audit_chain_head (seq, hash) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- Chain the rows already written, in id order (no writer runs during a migration's transaction
-- on this table: the head is new).
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
    r audit_log;
    head audit_chain_head;
BEGIN
    SELECT * INTO head FROM audit_chain_head;
    FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        r.seq := head.seq + 1;
        r.prev_hash := head.hash;
        r.hash := audit_row_hash(r);
        UPDATE audit_log SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        head.seq := r.seq;
        head.hash := r.hash;
    END LOOP;
    UPDATE audit_chain_head SET seq = head.seq, hash = head.hash;
END
$$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;

ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL,
    ADD CONSTRAINT audit_log_seq_unique UNIQUE (seq);

-- Every new row is linked under the head's row lock, which its transaction holds until commit.
CREATE FUNCTION chain_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head;
BEGIN
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.prev_hash := head.hash;
    NEW.hash := audit_row_hash(NEW);
    UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION chain_audit_row();

-- The chain's head is moved only by that trigger.
CREATE FUNCTION reject_chain_head_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'audit_chain_head moves only with a new audit row' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER audit_chain_head_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION reject_chain_head_change();
