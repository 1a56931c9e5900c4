-- The schema distributes on Citus by tenant (README, "Distributing on Citus"). This migration
-- and the ones after it bring today's tables to the rules that takes, and give later
-- migrations the two functions that keep every new table to them:
--
--   select cedu_tenant_table('t');    -- a table of one district: tenant_id bigint not null in
--                                      -- every key, unique index and foreign key to another
--                                      -- tenant table; RLS enabled, forced, and the policy below
--   select cedu_platform_table('t');  -- a platform-wide table (no tenant_id): a reference table
--
-- Both do what the table needs on plain PostgreSQL and, once the database has been
-- distributed, on Citus as well (create_distributed_table / create_reference_table). A
-- migration that changes tables starts with `set local citus.multi_shard_modify_mode to
-- 'sequential'` (a harmless placeholder setting without Citus) and makes one change per
-- ALTER TABLE: Citus runs each on every shard, and in a parallel transaction a later step
-- cannot see what an earlier one did on other connections. No statement triggers with
-- transition tables, no LANGUAGE sql functions over tenant tables, no subqueries in policies,
-- no foreign key from a platform-wide table to a tenant table; tests/it/citus.rs checks all of
-- it from the catalogue.
--
-- Rule 1, here: a policy may not hold a subquery. Migration 0010 read the tenant once per
-- query with `(select app_tenant())`, an InitPlan, which Citus refuses on a distributed table.
-- The policy now compares with the setting itself, in built-in functions only (nothing to
-- propagate to the workers): `nullif(current_setting('app.tenant_id', true), '')::bigint`.
-- Measured on the benchmark's queries (README, Performance): the plans are the same as with
-- the InitPlan, and the expression costs about 0.1 µs per evaluation, a few hundred per page at
-- most. Queries that filter `tenant_id = $1` besides (which also routes them to one shard on
-- Citus) let the planner read the setting once, as a one-time filter.
set local citus.multi_shard_modify_mode to 'sequential';

-- Whether Citus manages table t (a distributed or reference table). Always false without Citus.
create function cedu_citus_distributed(t regclass) returns boolean
language plpgsql stable
as $$
declare
    distributed boolean := false;
begin
    if exists (select 1 from pg_extension where extname = 'citus') then
        execute 'select exists (select 1 from pg_dist_partition where logicalrelid = $1)'
            into distributed using t;
    end if;
    return distributed;
end
$$;

create function cedu_tenant_table(t regclass) returns void
language plpgsql
as $$
declare
    rule constant text := 'tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::bigint';
begin
    execute format('alter table %s enable row level security', t);
    execute format('alter table %s force row level security', t);
    if exists (select 1 from pg_policy where polrelid = t and polname = 'tenant_isolation') then
        execute format('alter policy tenant_isolation on %s using (%s) with check (%2$s)', t, rule);
    else
        execute format('create policy tenant_isolation on %s using (%s) with check (%2$s)', t, rule);
    end if;
    if cedu_citus_distributed('tenant') and not cedu_citus_distributed(t) then
        execute format('select create_distributed_table(%L, ''tenant_id'', colocate_with => ''org_unit'')', t);
    end if;
end
$$;

create function cedu_platform_table(t regclass) returns void
language plpgsql
as $$
begin
    if exists (select 1 from pg_attribute where attrelid = t and attname = 'tenant_id' and not attisdropped) then
        raise exception '% has a tenant_id: a table of one district is a tenant table', t;
    end if;
    if cedu_citus_distributed('tenant') and not cedu_citus_distributed(t) then
        execute format('select create_reference_table(%L)', t);
    end if;
end
$$;

do $$
declare
    f text;
begin
    foreach f in array array['cedu_citus_distributed(regclass)', 'cedu_tenant_table(regclass)',
                             'cedu_platform_table(regclass)'] loop
        execute format('revoke execute on function %s from public', f);
    end loop;
end
$$;

-- Every table with a tenant_id, whichever migration made it (not yet distributed: the
-- database is distributed once, after the migrations, as the README says).
select cedu_tenant_table(c.oid::regclass)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and c.relkind in ('r', 'p')
   and exists (select 1 from pg_attribute a
                where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped);

-- The districts themselves: a request sees its own.
alter policy tenant_isolation on tenant using (id = nullif(current_setting('app.tenant_id', true), '')::bigint);
