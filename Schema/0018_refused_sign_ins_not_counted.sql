-- A sign-in refused without checking its password (the account or address was locked out) is
-- recorded but does not count as a failure: otherwise anyone who keeps trying would keep the
-- lock on for ever.
ALTER TABLE login_attempts ADD COLUMN refused boolean NOT NULL DEFAULT false;
