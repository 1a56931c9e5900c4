-- The session's idle clock is written after the request's transaction, not inside it.
-- Written inside, the row stayed locked until the request committed, so a slow request (a
-- large export) made every other request of the same session wait for it. `app_session` now
-- only says when the clock is a minute old (`touch`), and the request's connection calls
-- `touch_session` once its transaction has ended: a statement of its own, whose row lock
-- lasts as long as that update. On Citus `session` is a reference table, where a
-- `FOR UPDATE SKIP LOCKED` would lock the whole table's shard instead of the row.

drop function app_session(bytea);

create function app_session(token_hash bytea)
returns table (
    id bigint, username text, display_name text, role text, tenant_id bigint,
    tenant_code text, tenant_name text, unit_id bigint, unit_name text, unit_path text,
    member_unit_id bigint, member_unit_name text, csrf_token text, touch boolean
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
    if a_row.tenant_id is not null then
        execute format('set local app.tenant_id = %L', a_row.tenant_id);
    end if;
    return query select s_row.account_id, s_row.username, a_row.display_name, a_row.role,
        a_row.tenant_id, a_row.tenant_code, a_row.tenant_name, a_row.unit_id, a_row.unit_name,
        a_row.unit_path, a_row.member_unit_id, a_row.member_unit_name, s_row.csrf_token,
        s_row.last_seen_at < now() - interval '1 minute';
end
$$;

create function touch_session(token_hash bytea)
returns void
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    update public.session set last_seen_at = now()
     where id_hash = token_hash and last_seen_at < now() - interval '1 minute';
$$;

do $$
declare
    f text;
begin
    foreach f in array array['app_session(bytea)', 'touch_session(bytea)'] loop
        execute format('revoke execute on function %s from public', f);
        execute format('grant execute on function %s to cedu_app', f);
    end loop;
end
$$;
