-- The residents' side of activities (issue 17): an activity the unit publishes appears on the
-- district's public calendar and takes sign-ups; each session has a check-in key for the QR
-- code shown at the venue; a sign-up holds the least the place needs — a name and a phone,
-- the phone sealed, hashed (one place a phone a session) and masked — and is deleted a year
-- after its activity.
set local citus.multi_shard_modify_mode to 'sequential';

alter table activity add column public boolean not null default false;
alter table activity_session add column checkin_key text;
create unique index activity_session_checkin on activity_session (tenant_id, checkin_key);

create table signup (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    activity_id bigint not null,
    session_id bigint not null,
    name text not null constraint signup_name_present check (btrim(name) <> ''),
    phone_cipher bytea not null,
    phone_hash bytea not null,
    phone_masked text not null,
    phone_last4 text not null constraint signup_last4 check (phone_last4 ~ '^[0-9]{4}$'),
    -- Six digits the resident shows or types at check-in.
    code text not null constraint signup_code check (code ~ '^[0-9]{6}$'),
    -- The hash of the token in the resident's link to see or cancel the place.
    token_hash bytea not null,
    status text not null default 'confirmed'
        constraint signup_status check (status in ('confirmed', 'waitlisted', 'cancelled')),
    checked_in_at timestamptz,
    checked_in_by text not null default '',
    address_hash text not null,
    created_at timestamptz not null default now(),
    delete_after date not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, activity_id) references activity (tenant_id, id),
    foreign key (tenant_id, session_id) references activity_session (tenant_id, id),
    constraint signup_token unique (tenant_id, token_hash)
);
select cedu_tenant_table('signup');
-- One place a phone a session (a cancelled one frees it).
create unique index signup_one_place on signup (tenant_id, session_id, phone_hash) where status <> 'cancelled';
create index signup_of on signup (tenant_id, session_id, status, created_at);
create index signup_address on signup (tenant_id, address_hash, created_at);
create index signup_expiry on signup (tenant_id, delete_after);

grant select, insert, update, delete on signup to cedu_app;
