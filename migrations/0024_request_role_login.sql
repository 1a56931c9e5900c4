-- Rule 5 of distributing on Citus: Citus opens its connections to the workers as the current
-- role, so the request role must be able to log in. It still owns nothing and bypasses
-- nothing; without a password (or a trust or peer line in pg_hba.conf for it) no client can
-- sign in as it. On Citus, give it a password and tell the coordinator (README, "Distributing
-- on Citus"). The tenant is set with SET LOCAL, which Citus passes on to the workers
-- (migration 0013).
alter role cedu_app login;
