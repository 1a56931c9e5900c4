-- Rule 3 of distributing on Citus: `account` could not be distributed by tenant. Its id and
-- its username were unique across the platform, and platform administrators had no tenant at
-- all. It is split in two:
--
-- * platform_user (platform-wide, a reference table): who signs in. The id every session and
--   audit row names, the username unique on the platform, the password, and the district the
--   person's account is in (home_tenant_id; null for a platform administrator). The request
--   role cannot read it: login reads it on the system pool, and a request reaches it only
--   through the SECURITY DEFINER functions below, each bound to the request's own session or
--   district.
-- * account (a tenant table, distributed by tenant_id): the person's membership of their
--   district. Role, scope, name, disabled, version, and a copy of the username, held equal to
--   platform_user's by a foreign key (tenant_id, id, username) to it: a tenant table may
--   reference a platform-wide one, never the other way round.
-- * platform_admin (platform-wide): the platform administrators' names and whether they are
--   disabled; they have no account in any district.
--
-- Tables that referenced account (id) now reference platform_user (id) if they are
-- platform-wide (session), or account (tenant_id, id) if they are a district's: looped over
-- the catalogue, so a table made before this migration is carried over too.
set local citus.multi_shard_modify_mode to 'sequential';

-- Who referenced account, to be pointed at the right table once it is split.
create temporary table account_reference on commit drop as
select con.conname::text as name, con.conrelid::regclass as tbl, a.attname::text as col,
       con.confdeltype as on_delete,
       exists (select 1 from pg_attribute t where t.attrelid = con.conrelid and t.attname = 'tenant_id'
                and not t.attisdropped) as tenant
  from pg_constraint con
  join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
 where con.contype = 'f' and con.confrelid = 'account'::regclass and con.conrelid <> 'account'::regclass;

do $$
declare
    r record;
begin
    for r in select * from account_reference loop
        execute format('alter table %s drop constraint %I', r.tbl, r.name);
    end loop;
end
$$;

-- The platform-wide uniqueness of usernames moves to platform_user, under the same name.
alter table account drop constraint account_username_key;

create table platform_user (
    id bigint generated always as identity primary key,
    username text not null constraint account_username_key unique
        constraint platform_user_username_format check (username ~ '^[a-z0-9][a-z0-9._-]{2,39}$'),
    password_hash text not null,
    password_changed_at timestamptz not null default now(),
    -- The district whose account this is; null for a platform administrator. Never changes.
    home_tenant_id bigint references tenant (id),
    created_at timestamptz not null default now(),
    -- What account's foreign key names: its district, id and username are these.
    constraint platform_user_membership_key unique (home_tenant_id, id, username)
);
select cedu_platform_table('platform_user');

create table platform_admin (
    id bigint primary key references platform_user (id),
    display_name text not null constraint platform_admin_display_name_present check (btrim(display_name) <> ''),
    disabled boolean not null default false,
    is_demo boolean not null default false,
    created_at timestamptz not null default now()
);
select cedu_platform_table('platform_admin');

insert into platform_user (id, username, password_hash, password_changed_at, home_tenant_id, created_at)
overriding system value
select id, username, password_hash, password_changed_at, tenant_id, created_at from account;
select setval(pg_get_serial_sequence('platform_user', 'id'), coalesce(max(id), 0) + 1, false) from platform_user;
insert into platform_admin (id, display_name, disabled, is_demo, created_at)
select id, display_name, disabled, is_demo, created_at from account where tenant_id is null;
delete from account where tenant_id is null;

-- account becomes a tenant table: one change per statement.
alter table account alter column tenant_id set not null;
alter table account drop constraint account_pkey;
alter table account drop constraint account_tenant_key;
alter table account add constraint account_pkey primary key (tenant_id, id);
alter table account alter column id drop identity;
alter table account add constraint account_tenant_username_key unique (tenant_id, username);
alter table account drop column password_hash;
alter table account drop column password_changed_at;
alter table account add constraint account_identity_fkey
    foreign key (tenant_id, id, username) references platform_user (home_tenant_id, id, username);
-- Accounts are added through add_account below, which makes the identity with them.
revoke insert on account from cedu_app;

do $$
declare
    r record;
    action text;
begin
    for r in select * from account_reference loop
        action := case r.on_delete when 'c' then ' on delete cascade' when 'r' then ' on delete restrict'
                  when 'n' then format(' on delete set null (%I)', r.col) else '' end;
        if r.tenant then
            execute format('alter table %s add constraint %I foreign key (tenant_id, %I) references account (tenant_id, id)%s',
                           r.tbl, r.name, r.col, action);
        else
            execute format('alter table %s add constraint %I foreign key (%I) references platform_user (id)%s',
                           r.tbl, r.name, r.col, action);
        end if;
    end loop;
end
$$;

-- The session check in two steps, each by its keys: the session and its person (platform-wide
-- tables), then the account in its district (one district's rows: one shard on Citus).
create or replace function app_session(token_hash bytea)
returns table (
    id bigint, username text, display_name text, role text, tenant_id bigint,
    tenant_code text, tenant_name text, unit_id bigint, unit_name text, unit_path text,
    member_unit_id bigint, member_unit_name text, csrf_token text
)
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    s_row record;
    a_row record;
begin
    select s.account_id, s.csrf_token, s.last_seen_at, u.username, u.home_tenant_id
      into s_row
      from public.session s
      join public.platform_user u on u.id = s.account_id
     where s.id_hash = token_hash
       and s.last_seen_at > now() - interval '30 minutes'
       and s.created_at > now() - interval '12 hours';
    if not found then
        return;
    end if;
    if s_row.home_tenant_id is null then
        select p.display_name, 'platform_admin'::text as role, null::bigint as tenant_id,
               null::text as tenant_code, null::text as tenant_name, null::bigint as unit_id,
               null::text as unit_name, null::text as unit_path, null::bigint as member_unit_id,
               null::text as member_unit_name
          into a_row
          from public.platform_admin p
         where p.id = s_row.account_id and not p.disabled;
    else
        select a.display_name, a.role, a.tenant_id, t.code as tenant_code, t.name as tenant_name,
               a.unit_id, u.name as unit_name, u.path as unit_path, a.member_unit_id,
               m.name as member_unit_name
          into a_row
          from public.account a
          join public.tenant t on t.id = a.tenant_id
          left join public.org_unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
          left join public.member_unit m on m.tenant_id = a.tenant_id and m.id = a.member_unit_id
         where a.tenant_id = s_row.home_tenant_id and a.id = s_row.account_id and not a.disabled;
    end if;
    if not found then
        return;
    end if;
    if s_row.last_seen_at < now() - interval '1 minute' then
        update public.session set last_seen_at = now() where id_hash = token_hash;
    end if;
    if a_row.tenant_id is not null then
        execute format('set local app.tenant_id = %L', a_row.tenant_id);
    end if;
    return query select s_row.account_id, s_row.username, a_row.display_name, a_row.role,
        a_row.tenant_id, a_row.tenant_code, a_row.tenant_name, a_row.unit_id, a_row.unit_name,
        a_row.unit_path, a_row.member_unit_id, a_row.member_unit_name, s_row.csrf_token;
end
$$;

-- Ends an account's sessions but `keep`: the account must be of the transaction's district
-- (a platform administrator, who has none, only their own kind).
create or replace function end_account_sessions(account bigint, keep bytea)
returns void
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    delete from public.session s
     using public.platform_user u
     where u.id = s.account_id and u.id = account
       and u.home_tenant_id is not distinct from nullif(current_setting('app.tenant_id', true), '')::bigint
       and s.id_hash is distinct from keep;
end
$$;

-- A new account in the transaction's district with its identity; null when the username is
-- taken anywhere on the platform (DO NOTHING keeps the transaction usable for the form).
create function add_account(new_username text, new_display_name text, new_password_hash text,
                            new_role text, new_unit_id bigint, new_member_unit_id bigint,
                            demo boolean default false)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    district bigint := nullif(current_setting('app.tenant_id', true), '')::bigint;
    new_id bigint;
begin
    if district is null then
        raise exception 'an account is added to the transaction''s district, and none is set'
            using errcode = '42501';
    end if;
    insert into public.platform_user (username, password_hash, home_tenant_id)
    values (new_username, new_password_hash, district)
    on conflict (username) do nothing
    returning id into new_id;
    if new_id is null then
        return null;
    end if;
    insert into public.account (tenant_id, id, username, display_name, role, unit_id, member_unit_id, is_demo)
    values (district, new_id, new_username, new_display_name, new_role, new_unit_id, new_member_unit_id, demo);
    return new_id;
end
$$;

-- A platform administrator (the command line and the demo only; the request role may not).
create function add_platform_admin(new_username text, new_display_name text, new_password_hash text,
                                   demo boolean default false)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    new_id bigint;
begin
    insert into public.platform_user (username, password_hash) values (new_username, new_password_hash)
    returning id into new_id;
    insert into public.platform_admin (id, display_name, is_demo) values (new_id, new_display_name, demo);
    return new_id;
end
$$;

-- The signed-in person's own password hash, found by their session (to check the current
-- password before a change).
create function own_password_hash(session_hash bytea)
returns text
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    found_hash text;
begin
    select u.password_hash into found_hash
      from public.session s join public.platform_user u on u.id = s.account_id
     where s.id_hash = session_hash;
    return found_hash;
end
$$;

-- One's own new password; the account's version moves on, so an open edit of it is stale.
create function set_own_password(session_hash bytea, new_hash text)
returns void
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    person record;
begin
    select u.id, u.home_tenant_id into person
      from public.session s join public.platform_user u on u.id = s.account_id
     where s.id_hash = session_hash;
    if not found then
        return;
    end if;
    update public.platform_user set password_hash = new_hash, password_changed_at = now() where id = person.id;
    if person.home_tenant_id is not null then
        update public.account set version = version + 1
         where tenant_id = person.home_tenant_id and id = person.id;
    end if;
end
$$;

-- A district administrator's reset of an account of the transaction's district.
create function reset_account_password(account bigint, new_hash text)
returns boolean
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    update public.platform_user set password_hash = new_hash, password_changed_at = now()
     where id = account and home_tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint;
    return found;
end
$$;

do $$
declare
    f text;
begin
    foreach f in array array['add_account(text, text, text, text, bigint, bigint, boolean)',
                             'own_password_hash(bytea)', 'set_own_password(bytea, text)',
                             'reset_account_password(bigint, text)'] loop
        execute format('revoke execute on function %s from public', f);
        execute format('grant execute on function %s to cedu_app', f);
    end loop;
end
$$;
revoke execute on function add_platform_admin(text, text, text, boolean) from public;
