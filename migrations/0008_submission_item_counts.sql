-- Each submission carries how many resources and plans it lists. The completeness board shows
-- both for every filer of a cycle (300 per district) and counting them per row was most of its
-- cost, growing with every list.
--
-- Keeping the counts takes two steps. A statement-level trigger on the items logs each
-- statement's net change per submission (one row per submission however many items a batch
-- inserts). A deferred trigger on that log applies it at commit and removes it. So a batch
-- updates each submission once, and the submission row is locked only while a transaction
-- commits, not across the rest of a filer's request: concurrent saves to one list do not
-- queue behind each other's round trips.
alter table submission
    add column resource_count integer not null default 0,
    add column plan_count integer not null default 0;

update submission s set resource_count = c.n
  from (select tenant_id, submission_id, count(*) as n from resource_item group by 1, 2) c
 where s.tenant_id = c.tenant_id and s.id = c.submission_id;
update submission s set plan_count = c.n
  from (select tenant_id, submission_id, count(*) as n from plan_item group by 1, 2) c
 where s.tenant_id = c.tenant_id and s.id = c.submission_id;

create table submission_count_change (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    submission_id bigint not null,
    resources integer not null default 0,
    plans integer not null default 0,
    primary key (tenant_id, id)
);
alter table submission_count_change enable row level security;
alter table submission_count_change force row level security;
create policy tenant_isolation on submission_count_change using (tenant_id = app_tenant())
    with check (tenant_id = app_tenant());
grant select, insert, delete on submission_count_change to cedu_app;

-- Logs a statement's net change in items per submission, into the column named by the trigger.
create function submission_count_log() returns trigger
language plpgsql as $$
declare
    changes text := case tg_op
        when 'INSERT' then 'select tenant_id, submission_id, 1 as n from new_rows'
        when 'DELETE' then 'select tenant_id, submission_id, -1 as n from old_rows'
        else 'select tenant_id, submission_id, 1 as n from new_rows
              union all select tenant_id, submission_id, -1 from old_rows' end;
begin
    execute format('insert into submission_count_change (tenant_id, submission_id, %1$I)
                    select tenant_id, submission_id, sum(n) from (%2$s) c
                     group by 1, 2 having sum(n) <> 0', tg_argv[0], changes);
    return null;
end $$;

do $$
declare
    pair text[];
begin
    foreach pair slice 1 in array array[['resource_item', 'resources'], ['plan_item', 'plans']] loop
        execute format('create trigger %1$s_count_insert after insert on %1$I referencing new table as new_rows '
                       'for each statement execute function submission_count_log(%2$L)', pair[1], pair[2]);
        execute format('create trigger %1$s_count_delete after delete on %1$I referencing old table as old_rows '
                       'for each statement execute function submission_count_log(%2$L)', pair[1], pair[2]);
        execute format('create trigger %1$s_count_update after update on %1$I referencing old table as old_rows '
                       'new table as new_rows for each statement execute function submission_count_log(%2$L)',
                       pair[1], pair[2]);
    end loop;
end
$$;

-- At commit: applies one logged change to its submission and drops it from the log.
create function submission_count_apply() returns trigger
language plpgsql as $$
begin
    update submission set resource_count = resource_count + new.resources, plan_count = plan_count + new.plans
     where tenant_id = new.tenant_id and id = new.submission_id;
    delete from submission_count_change where tenant_id = new.tenant_id and id = new.id;
    return null;
end $$;

create constraint trigger submission_count_apply after insert on submission_count_change
    deferrable initially deferred for each row execute function submission_count_apply();
