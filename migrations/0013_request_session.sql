-- One trip to the database to learn who is asking: a request's own transaction validates its
-- session and sets its tenant, so a request takes one pool connection and revocation (logout,
-- a disabled account, a password change) is seen at once by every server instance.
--
-- These functions run as their owner (the migrating role), with a pinned search_path, and only
-- the request role may call them. The tenant is set with SET LOCAL executed inside the
-- function: a SET clause on the function would be undone when it returns, and Citus passes a
-- SET LOCAL on to its workers where set_config() is not.

-- The user behind a session token's SHA-256, if the session is alive (30 minutes idle, 12 hours
-- in all, account enabled); sets app.tenant_id for the transaction. The idle clock is kept to
-- the minute, so most page views write nothing.
create function app_session(token_hash bytea)
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
begin
    select a.id, a.username, a.display_name, a.role, a.tenant_id, t.code as tenant_code,
           t.name as tenant_name, a.unit_id, u.name as unit_name, u.path as unit_path,
           a.member_unit_id, m.name as member_unit_name, s.csrf_token, s.last_seen_at
      into s_row
      from public.session s
      join public.account a on a.id = s.account_id
      left join public.tenant t on t.id = a.tenant_id
      left join public.org_unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
      left join public.member_unit m on m.tenant_id = a.tenant_id and m.id = a.member_unit_id
     where s.id_hash = token_hash and not a.disabled
       and s.last_seen_at > now() - interval '30 minutes'
       and s.created_at > now() - interval '12 hours';
    if not found then
        return;
    end if;
    if s_row.last_seen_at < now() - interval '1 minute' then
        update public.session set last_seen_at = now() where id_hash = token_hash;
    end if;
    if s_row.tenant_id is not null then
        execute format('set local app.tenant_id = %L', s_row.tenant_id);
    end if;
    return query select s_row.id, s_row.username, s_row.display_name, s_row.role,
        s_row.tenant_id, s_row.tenant_code, s_row.tenant_name, s_row.unit_id, s_row.unit_name,
        s_row.unit_path, s_row.member_unit_id, s_row.member_unit_name, s_row.csrf_token;
end
$$;

-- A district by its code, for the public pages (no session): sets app.tenant_id.
create function enter_district(district_code text)
returns table (id bigint, code text, name text)
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    t_row record;
begin
    select t.id, t.code, t.name into t_row from public.tenant t where t.code = district_code;
    if not found then
        return;
    end if;
    execute format('set local app.tenant_id = %L', t_row.id);
    return query select t_row.id, t_row.code, t_row.name;
end
$$;

-- The districts that have published lists, with their latest published year: the public list
-- of districts (names only, nothing inside them).
create function public_districts()
returns table (code text, name text, latest integer)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query
        select t.code, t.name, max(c.year)
          from public.tenant t
          join public.reporting_cycle c on c.tenant_id = t.id and c.status = 'published'
         group by t.code, t.name order by t.code;
end
$$;

-- Ends one session (logout), by its token's hash.
create function end_session(token_hash bytea)
returns void
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    delete from public.session where id_hash = token_hash;
end
$$;

-- Ends an account's sessions but `keep`: the account must be of the transaction's district
-- (a platform administrator, who has none, only their own kind).
create function end_account_sessions(account bigint, keep bytea)
returns void
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    delete from public.session s
     using public.account a
     where a.id = s.account_id and a.id = account
       and a.tenant_id is not distinct from nullif(current_setting('app.tenant_id', true), '')::bigint
       and s.id_hash is distinct from keep;
end
$$;

do $$
declare
    f text;
begin
    foreach f in array array['app_session(bytea)', 'enter_district(text)', 'public_districts()',
                             'end_session(bytea)', 'end_account_sessions(bigint, bytea)'] loop
        execute format('revoke execute on function %s from public', f);
        execute format('grant execute on function %s to cedu_app', f);
    end loop;
end
$$;
