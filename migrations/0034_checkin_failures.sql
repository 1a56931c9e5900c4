-- Check-in at the venue takes a six-digit code or a phone's last four digits, so the failed
-- tries are counted, per session and per address, to stop guessing (10,000 last-four numbers)
-- at a session's check-in page: an address (hashed, as a sign-up's is) at most ten a session
-- an hour, a session at most a hundred an hour from everyone. Kept a day.
create table checkin_failure (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    session_id bigint not null,
    address_hash text not null,
    at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, session_id) references activity_session (tenant_id, id)
);
select cedu_tenant_table('checkin_failure');
create index checkin_failure_of on checkin_failure (tenant_id, session_id, at);

grant select, insert on checkin_failure to cedu_app;
