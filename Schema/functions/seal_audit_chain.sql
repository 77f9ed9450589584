-- Audit rows are sealed into the chain just after they commit instead of while their writer holds
-- the chain's head: holding the head until commit made every write wait for the one before it to
-- reach the disk. Each write's audit row still commits with the write; this function (run every
-- second by each server, and before every verify and backup) links every committed unsealed row,
-- oldest id first, under the head's row lock, and returns how many. Each hash needs the one before
-- it, so they are worked out row by row; the rows are then written in chunks, which also bounds the
-- memory a large backlog (an import) takes.
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
