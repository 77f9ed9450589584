-- Audit rows are sealed into the chain just after they commit instead of while their writer
-- holds the chain's head: holding the head until commit made every write in the registry wait
-- for the one before it to reach the disk. Each write's audit row still commits with the
-- write; `seal_audit_chain()` (run every second by each server, and before every verify and
-- backup) links the rows committed since, in id order, under the head's row lock.
--
-- Until sealed (about a second) a row has no seq or hash. The append-only trigger still refuses
-- any change to its content, and sealing may only fill in those three columns once.

DROP TRIGGER audit_log_chain ON audit_log;
DROP FUNCTION chain_audit_row();

ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL, ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL;
CREATE INDEX audit_log_unsealed_idx ON audit_log (id) WHERE seq IS NULL;

-- Links every committed unsealed row to the chain, oldest id first; returns how many. Sealers
-- on several servers take turns on the head's lock, and each reads the unsealed rows only once
-- it holds it, so no row is sealed twice.
CREATE FUNCTION seal_audit_chain() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head;
    r audit_log;
    sealed integer := 0;
BEGIN
    -- Nothing pending (an idle registry, every second): no lock taken, nothing written.
    IF NOT EXISTS (SELECT 1 FROM audit_log WHERE seq IS NULL) THEN
        RETURN 0;
    END IF;
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    PERFORM set_config('registry.sealing', 'on', true);
    FOR r IN SELECT * FROM audit_log WHERE seq IS NULL ORDER BY id LOOP
        r.seq := head.seq + 1;
        r.prev_hash := head.hash;
        r.hash := audit_row_hash(r);
        UPDATE audit_log SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        head.seq := r.seq;
        head.hash := r.hash;
        sealed := sealed + 1;
    END LOOP;
    IF sealed > 0 THEN
        UPDATE audit_chain_head SET seq = head.seq, hash = head.hash;
    END IF;
    PERFORM set_config('registry.sealing', '', true);
    RETURN sealed;
END
$$;

-- Append-only, except that sealing fills in an unsealed row's place in the chain.
CREATE OR REPLACE FUNCTION reject_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('registry.sealing', true) = 'on' AND OLD.seq IS NULL
       AND to_jsonb(NEW) - '{seq,prev_hash,hash}'::text[] = to_jsonb(OLD) - '{seq,prev_hash,hash}'::text[] THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- The chain's head is moved only by sealing.
CREATE OR REPLACE FUNCTION reject_chain_head_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('registry.sealing', true) = 'on' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_chain_head moves only when audit rows are sealed' USING ERRCODE = 'insufficient_privilege';
END
$$;
