-- Sealing costs a third less: the rows of a seal get their place in the chain from one UPDATE per
-- 10,000 rows instead of one per row, and the append-only trigger decides what it allows in its
-- WHEN clause, without calling plpgsql and turning the row into jsonb twice. Every server seals
-- each second what that second's writes left, on the same CPUs as the writes. Sealing 39,688
-- rows of a seeded registry, rolled back, three times alternated: 1.39-1.69 s before, 0.94-1.15 s
-- after (0.89-0.96 s for 36,792 rows with no append-only trigger at all).
--
-- What may change is unchanged (Schema/0008): while sealing (`registry.sealing`), an unsealed row
-- may gain seq, prev_hash and hash; nothing else of it and nothing of a sealed row may change, and
-- no row may be deleted. The columns compared are those `audit_row_hash` covers (Schema/0007):
-- a column added to audit_log belongs in both.
DROP TRIGGER audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION reject_audit_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log FOR EACH ROW
    WHEN (current_setting('registry.sealing', true) IS DISTINCT FROM 'on' OR OLD.seq IS NOT NULL
          OR (NEW.id, NEW.at, NEW.actor_id, NEW.actor_label, NEW.action, NEW.route, NEW.record_table, NEW.record_id, NEW.before, NEW.after)
             IS DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.actor_label, OLD.action, OLD.route, OLD.record_table, OLD.record_id, OLD.before, OLD.after))
    EXECUTE FUNCTION reject_audit_change();

-- Called only for what it refuses: the WHEN clause above, any delete, TRUNCATE.
CREATE OR REPLACE FUNCTION reject_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- As Schema/0008: links every committed unsealed row to the chain, oldest id first, under the
-- head's row lock; returns how many. Each hash still needs the one before it, so they are worked
-- out row by row; the rows are then written in chunks, which also bounds the memory a large
-- backlog (an import) takes.
CREATE OR REPLACE FUNCTION seal_audit_chain() RETURNS integer LANGUAGE plpgsql AS $$
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
