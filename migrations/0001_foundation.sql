-- Foundation: tenants (districts), the three-tier network, accounts, sessions, audit.
-- Tenant tables carry tenant_id in their keys and are guarded by row-level security on
-- app.tenant_id; request handlers run as cedu_app, which owns nothing and cannot bypass it.

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'cedu_app') then
        create role cedu_app nologin nosuperuser nobypassrls noinherit;
    end if;
end
$$;
grant cedu_app to current_user;
grant usage on schema public to cedu_app;

create function app_tenant() returns bigint
    language sql stable
    as $$ select nullif(current_setting('app.tenant_id', true), '')::bigint $$;

create function set_updated_at() returns trigger
    language plpgsql
    as $$ begin new.updated_at := now(); return new; end $$;

create table tenant (
    id bigint generated always as identity primary key,
    code text not null constraint tenant_code_key unique
        constraint tenant_code_format check (code ~ '^[a-z][a-z0-9-]{1,30}$'),
    name text not null constraint tenant_name_present check (btrim(name) <> ''),
    division_code text not null default '',
    is_demo boolean not null default false,
    created_at timestamptz not null default now()
);

create table org_unit (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    kind text not null constraint org_unit_kind check (kind in ('college', 'town_school', 'teaching_point')),
    parent_id bigint,
    -- '/college/school/point/': ancestors and self, so a scope is a path prefix.
    path text not null,
    code text not null constraint org_unit_code_format check (code ~ '^[A-Za-z0-9_-]{1,32}$'),
    name text not null constraint org_unit_name_present check (btrim(name) <> ''),
    area text not null default '',
    address text not null default '',
    contact_name text not null default '',
    contact_phone text not null default '',
    active boolean not null default true,
    is_demo boolean not null default false,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint org_unit_code_key unique (tenant_id, code),
    foreign key (tenant_id, parent_id) references org_unit (tenant_id, id),
    constraint org_unit_root check ((kind = 'college') = (parent_id is null))
);
create unique index org_unit_one_college on org_unit (tenant_id) where kind = 'college';
create index org_unit_parent on org_unit (tenant_id, parent_id);
create index org_unit_path on org_unit (tenant_id, path text_pattern_ops);

-- Tier rules: a town school hangs under the college, a teaching point under a town school;
-- kind and parent never change, so the path stays true.
create function org_unit_place() returns trigger
    language plpgsql
    as $$
declare
    parent org_unit;
begin
    if tg_op = 'UPDATE' then
        if new.kind <> old.kind or new.parent_id is distinct from old.parent_id or new.path <> old.path then
            raise exception 'the tier and parent of a unit cannot change'
                using errcode = '23514', constraint = 'org_unit_parent_tier';
        end if;
        return new;
    end if;
    if new.kind = 'college' then
        new.path := '/' || new.id || '/';
        return new;
    end if;
    select * into parent from org_unit where tenant_id = new.tenant_id and id = new.parent_id;
    if not found
       or (new.kind = 'town_school' and parent.kind <> 'college')
       or (new.kind = 'teaching_point' and parent.kind <> 'town_school') then
        raise exception 'a % cannot be placed under that unit', new.kind
            using errcode = '23514', constraint = 'org_unit_parent_tier';
    end if;
    new.path := parent.path || new.id || '/';
    return new;
end
$$;
create trigger org_unit_place before insert or update on org_unit
    for each row execute function org_unit_place();
create trigger org_unit_updated_at before update on org_unit
    for each row execute function set_updated_at();

-- Committee member units; their December work arrives with the cycle.
create table member_unit (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    code text not null,
    name text not null constraint member_unit_name_present check (btrim(name) <> ''),
    active boolean not null default true,
    is_demo boolean not null default false,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint member_unit_code_key unique (tenant_id, code)
);
create trigger member_unit_updated_at before update on member_unit
    for each row execute function set_updated_at();

-- Usernames are unique across the platform; platform admins belong to no district.
create table account (
    tenant_id bigint references tenant (id),
    id bigint generated always as identity primary key,
    username text not null constraint account_username_key unique
        constraint account_username_format check (username ~ '^[a-z0-9][a-z0-9._-]{2,39}$'),
    display_name text not null constraint account_display_name_present check (btrim(display_name) <> ''),
    password_hash text not null,
    role text not null constraint account_role check (role in (
        'platform_admin', 'district_admin', 'committee_office', 'supervisor',
        'town_admin', 'point_coordinator', 'unit_officer', 'viewer')),
    unit_id bigint,
    member_unit_id bigint,
    disabled boolean not null default false,
    is_demo boolean not null default false,
    version integer not null default 1,
    password_changed_at timestamptz not null default now(),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint account_tenant_key unique (tenant_id, id),
    foreign key (tenant_id, unit_id) references org_unit (tenant_id, id),
    foreign key (tenant_id, member_unit_id) references member_unit (tenant_id, id),
    constraint account_platform_has_no_tenant check ((role = 'platform_admin') = (tenant_id is null)),
    constraint account_unit_scope check (role not in ('town_admin', 'point_coordinator') or unit_id is not null),
    constraint account_member_scope check (role <> 'unit_officer' or member_unit_id is not null)
);
create trigger account_updated_at before update on account
    for each row execute function set_updated_at();

-- Server-side sessions; only the token's hash is stored.
create table session (
    id_hash bytea primary key,
    account_id bigint not null references account (id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    address text not null default '',
    user_agent text not null default ''
);
create index session_account on session (account_id);

create table login_attempt (
    id bigint generated always as identity primary key,
    username text not null,
    address text not null,
    succeeded boolean not null,
    at timestamptz not null default now()
);
create index login_attempt_username on login_attempt (username, at);
create index login_attempt_address on login_attempt (address, at);

create table audit_log (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    at timestamptz not null default now(),
    actor_id bigint,
    actor_name text not null,
    action text not null,
    entity text not null,
    entity_id bigint,
    before jsonb,
    after jsonb,
    request_id text not null default '',
    primary key (tenant_id, id)
);
create index audit_log_entity on audit_log (tenant_id, entity, entity_id);

create function audit_log_append_only() returns trigger
    language plpgsql
    as $$ begin raise exception 'audit_log is append-only'; end $$;
create trigger audit_log_append_only before update or delete or truncate on audit_log
    for each statement execute function audit_log_append_only();

-- Row-level security on every tenant table.
alter table tenant enable row level security;
alter table tenant force row level security;
create policy tenant_isolation on tenant using (id = app_tenant());

do $$
declare
    t text;
begin
    foreach t in array array['org_unit', 'member_unit', 'account', 'audit_log'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant()) '
                       'with check (tenant_id = app_tenant())', t);
    end loop;
end
$$;

grant select on tenant to cedu_app;
grant select, insert, update on org_unit, member_unit, account to cedu_app;
grant select, insert on audit_log to cedu_app;
