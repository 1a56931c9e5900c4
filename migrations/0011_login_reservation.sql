-- A login attempt is recorded before its password is checked (succeeded is null until it is
-- known), so simultaneous attempts count against the limit instead of racing past it.
alter table login_attempt alter column succeeded drop not null;
