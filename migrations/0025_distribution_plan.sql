-- How the schema distributes on Citus, read from the catalogue so that every table counts,
-- including the ones made after this migration:
--
-- * a table with tenant_id is distributed by it, all in one co-location group, so a
--   district's rows of every table sit on one shard and join there;
-- * a platform-wide table (no tenant_id: tenant, platform_user, platform_admin, session,
--   login_attempt, framework_template) is a reference table, copied to every node;
-- * _sqlx_migrations stays on the coordinator, which runs the migrations.
--
-- Each table comes after the tables its foreign keys reference (Citus needs the referenced
-- table distributed first), reference tables before the tenant tables that reference them.
-- `select * from distribution_plan()` lists the steps; `select cedu_distribute()` takes them,
-- on a Citus coordinator, once, after the migrations (README, "Distributing on Citus").
create function distribution_plan()
returns table (step integer, table_name regclass, kind text)
language plpgsql stable
as $$
begin
    return query
    with recursive tbl as (
        select c.oid as rel,
               exists (select 1 from pg_attribute a
                        where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) as tenant
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
           and c.relname <> '_sqlx_migrations'
    ), edge as (
        select distinct con.conrelid as src, con.confrelid as dst
          from pg_constraint con
         where con.contype = 'f' and con.conrelid <> con.confrelid
           and con.conrelid in (select rel from tbl) and con.confrelid in (select rel from tbl)
    ), depth (rel, d) as (
        select rel, 0 from tbl
        union all
        select e.src, depth.d + 1 from edge e join depth on depth.rel = e.dst where depth.d < 64
    )
    select (row_number() over (order by t.tenant, max(depth.d), t.rel::regclass::text))::integer,
           t.rel::regclass,
           case when t.tenant then 'distributed' else 'reference' end
      from tbl t join depth on depth.rel = t.rel
     group by t.rel, t.tenant
     order by 1;
end
$$;

create function cedu_distribute() returns void
language plpgsql
as $$
declare
    s record;
    first_distributed regclass;
begin
    -- One connection per node for the whole transaction: a table's foreign keys to the
    -- reference tables made just before it must be seen on every connection that uses them.
    perform set_config('citus.multi_shard_modify_mode', 'sequential', true);
    -- The row triggers (updated_at, tier rules, item counts) run on the shards.
    perform set_config('citus.enable_unsafe_triggers', 'on', true);
    for s in select * from distribution_plan() order by step loop
        if cedu_citus_distributed(s.table_name) then
            continue;
        elsif s.kind = 'reference' then
            execute format('select create_reference_table(%L)', s.table_name);
        elsif first_distributed is null then
            execute format('select create_distributed_table(%L, ''tenant_id'')', s.table_name);
            first_distributed := s.table_name;
        else
            execute format('select create_distributed_table(%L, ''tenant_id'', colocate_with => %L)',
                           s.table_name, first_distributed);
        end if;
    end loop;
end
$$;

revoke execute on function distribution_plan() from public;
revoke execute on function cedu_distribute() from public;
