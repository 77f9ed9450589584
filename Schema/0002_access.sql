-- Accounts, credentials and login throttling.
--
-- Secrets are never stored: passwords as bcrypt hashes, API tokens and session cookies as
-- SHA-256 hashes of random values, so a copy of the database grants no access.

ALTER TABLE users ADD COLUMN password_hash text CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$');
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

CREATE TABLE api_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id),
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    label       text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    last_used_at timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE web_sessions (
    id_hash       text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
    user_id       uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);

-- Every login attempt, for throttling by account and by address.
CREATE TABLE login_attempts (
    id        bigserial PRIMARY KEY,
    username  text NOT NULL,
    address   text NOT NULL,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    success   boolean NOT NULL
);
CREATE INDEX login_attempts_username_idx ON login_attempts (username, at);
CREATE INDEX login_attempts_address_idx ON login_attempts (address, at);

-- Audit rows of corrections name the version they produced.
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);

-- Idempotency keys are now stored per user ("<user id>:<key>").
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_key_check;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_key_check CHECK (char_length(key) BETWEEN 1 AND 300);
