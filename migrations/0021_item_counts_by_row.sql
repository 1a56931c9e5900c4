-- Rule 2 of distributing on Citus: no statement-level triggers with transition tables (on a
-- shard they fail with "could not find named tuplestore"); row triggers work. Migration
-- 0008's item counts are kept by row triggers now, with the same two steps and the same
-- behaviour:
--
-- 1. Each item inserted, deleted or moved to another submission adds its +1 / -1 to one log
--    row per (submission, transaction): an upsert keyed by the transaction's id, so concurrent
--    saves to one list each write their own row and never wait on each other, and a batch of
--    a thousand items still leaves one row. An update that keeps the item's submission fires
--    nothing.
-- 2. A deferred trigger on the log applies each row to its submission at commit and removes
--    it: the submission row is locked only while the transaction commits, not across the rest
--    of a filer's request, and a batch updates each submission once.
set local citus.multi_shard_modify_mode to 'sequential';

drop trigger resource_item_count_insert on resource_item;
drop trigger resource_item_count_delete on resource_item;
drop trigger resource_item_count_update on resource_item;
drop trigger plan_item_count_insert on plan_item;
drop trigger plan_item_count_delete on plan_item;
drop trigger plan_item_count_update on plan_item;
drop function submission_count_log();
-- The log is empty outside a transaction: each row is removed at its commit.
drop table submission_count_change;
drop function submission_count_apply();

create table submission_count_change (
    tenant_id bigint not null references tenant (id),
    submission_id bigint not null,
    xact xid8 not null,
    resources integer not null default 0,
    plans integer not null default 0,
    primary key (tenant_id, submission_id, xact)
);
select cedu_tenant_table('submission_count_change');
grant select, insert, update, delete on submission_count_change to cedu_app;

-- Adds one item's change to its submission's row of this transaction; tg_argv[0] names the
-- list ('resources' or 'plans').
create function submission_count_row() returns trigger
language plpgsql
as $$
declare
    resource integer := case when tg_argv[0] = 'resources' then 1 else 0 end;
    plan integer := case when tg_argv[0] = 'plans' then 1 else 0 end;
begin
    if tg_op in ('DELETE', 'UPDATE') then
        insert into submission_count_change as c (tenant_id, submission_id, xact, resources, plans)
        values (old.tenant_id, old.submission_id, pg_current_xact_id(), -resource, -plan)
        on conflict (tenant_id, submission_id, xact)
        do update set resources = c.resources + excluded.resources, plans = c.plans + excluded.plans;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into submission_count_change as c (tenant_id, submission_id, xact, resources, plans)
        values (new.tenant_id, new.submission_id, pg_current_xact_id(), resource, plan)
        on conflict (tenant_id, submission_id, xact)
        do update set resources = c.resources + excluded.resources, plans = c.plans + excluded.plans;
    end if;
    return null;
end
$$;

do $$
declare
    pair text[];
begin
    foreach pair slice 1 in array array[['resource_item', 'resources'], ['plan_item', 'plans']] loop
        execute format('create trigger %1$s_count_insert after insert on %1$I '
                       'for each row execute function submission_count_row(%2$L)', pair[1], pair[2]);
        execute format('create trigger %1$s_count_delete after delete on %1$I '
                       'for each row execute function submission_count_row(%2$L)', pair[1], pair[2]);
        execute format('create trigger %1$s_count_move after update of submission_id on %1$I for each row '
                       'when (old.submission_id is distinct from new.submission_id) '
                       'execute function submission_count_row(%2$L)', pair[1], pair[2]);
    end loop;
end
$$;

-- At commit: one transaction's change to one submission, applied and removed from the log.
-- The row was inserted once (later items updated it), so this runs once per submission.
create function submission_count_apply() returns trigger
language plpgsql
as $$
declare
    added_resources integer;
    added_plans integer;
begin
    delete from submission_count_change
     where tenant_id = new.tenant_id and submission_id = new.submission_id and xact = new.xact
    returning resources, plans into added_resources, added_plans;
    if found and (added_resources <> 0 or added_plans <> 0) then
        update submission
           set resource_count = resource_count + added_resources, plan_count = plan_count + added_plans
         where tenant_id = new.tenant_id and id = new.submission_id;
    end if;
    return null;
end
$$;

create constraint trigger submission_count_apply after insert on submission_count_change
    deferrable initially deferred for each row execute function submission_count_apply();
