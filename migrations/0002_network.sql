-- The network, complete: unit status with dates, staffing, venues, transformation (四(二)),
-- demonstration designations (四(七)), a dated history of every change, policy targets per
-- year, and staged spreadsheet imports.

alter table org_unit
    add column status text not null default 'active'
        constraint org_unit_status check (status in ('planned', 'active', 'suspended', 'closed')),
    add column status_since date not null default current_date,
    add column village text not null default '',
    add column founded_on date,
    add column fulltime_managers integer not null default 0 constraint org_unit_fulltime_managers check (fulltime_managers >= 0),
    add column parttime_managers integer not null default 0 constraint org_unit_parttime_managers check (parttime_managers >= 0),
    add column fulltime_teachers integer not null default 0 constraint org_unit_fulltime_teachers check (fulltime_teachers >= 0),
    add column parttime_teachers integer not null default 0 constraint org_unit_parttime_teachers check (parttime_teachers >= 0),
    add column floor_area integer constraint org_unit_floor_area check (floor_area >= 0),
    add column classrooms integer constraint org_unit_classrooms check (classrooms >= 0),
    add column opening_hours text not null default '',
    -- For a town school: how many administrative villages and communities the town has.
    add column villages_total integer constraint org_unit_villages_total check (villages_total >= 0),
    add column shared_venues text[] not null default '{}'
        constraint org_unit_shared_venues check (shared_venues <@ array[
            'vocational_centre', 'open_university', 'elderly_university', 'adult_culture_school',
            'youth_centre', 'library', 'bookstore', 'cultural_centre', 'sports_venue']),
    add column predecessor text not null default '',
    add column transformed_on date,
    add constraint org_unit_transformation check (transformed_on is null or kind <> 'college');

update org_unit set status = case when active then 'active' else 'closed' end;
alter table org_unit drop column active;
create index org_unit_status on org_unit (tenant_id, status);

-- The unit's own history: what changed, effective when, by whom. Closing never deletes.
create table unit_event (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    unit_id bigint not null,
    effective_on date not null,
    kind text not null constraint unit_event_kind check (kind in ('created', 'updated', 'status', 'designation', 'imported')),
    changes jsonb not null default '{}',
    note text not null default '',
    actor_name text not null,
    at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, unit_id) references org_unit (tenant_id, id)
);
create index unit_event_unit on unit_event (tenant_id, unit_id, effective_on desc, id desc);

create table demonstration (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    unit_id bigint not null,
    level text not null constraint demonstration_level check (level in ('district', 'city', 'provincial')),
    year integer not null constraint demonstration_year check (year between 2000 and 2100),
    status text not null default 'candidate'
        constraint demonstration_status check (status in ('candidate', 'declared', 'approved', 'not_approved')),
    candidate_on date not null,
    declared_on date,
    decided_on date,
    note text not null default '',
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, unit_id) references org_unit (tenant_id, id),
    constraint demonstration_once unique (tenant_id, unit_id, level, year),
    constraint demonstration_dates check (
        (status = 'candidate' and declared_on is null and decided_on is null)
        or (status = 'declared' and declared_on is not null and decided_on is null)
        or (status in ('approved', 'not_approved') and declared_on is not null and decided_on is not null))
);
create index demonstration_unit on demonstration (tenant_id, unit_id);
create trigger demonstration_updated_at before update on demonstration
    for each row execute function set_updated_at();

-- Policy targets as data the bureau edits per year.
create table policy_target (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    year integer not null constraint policy_target_year check (year between 2000 and 2100),
    metric text not null constraint policy_target_metric check (metric in (
        'transformed_share', 'provincial_demo_schools', 'demo_town_schools', 'demo_points')),
    target integer not null constraint policy_target_positive check (target >= 0),
    deadline date not null,
    version integer not null default 1,
    primary key (tenant_id, id),
    constraint policy_target_once unique (tenant_id, year, metric)
);

-- An uploaded spreadsheet, parsed and checked, waiting for the administrator to confirm.
create table import_batch (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    kind text not null,
    file_name text not null,
    rows jsonb not null,
    created_by bigint not null,
    created_at timestamptz not null default now(),
    applied_at timestamptz,
    primary key (tenant_id, id)
);

do $$
declare
    t text;
begin
    foreach t in array array['unit_event', 'demonstration', 'policy_target', 'import_batch'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant()) '
                       'with check (tenant_id = app_tenant())', t);
    end loop;
end
$$;

grant select, insert on unit_event to cedu_app;
grant select, insert, update on demonstration, policy_target, import_batch to cedu_app;

-- Every district starts from the policy's 2022 targets (四(一), 四(二), 四(七)).
create function seed_policy_targets(district bigint) returns void
    language sql
    as $$
    insert into policy_target (tenant_id, year, metric, target, deadline) values
        (district, 2022, 'transformed_share', 100, date '2022-12-31'),
        (district, 2022, 'provincial_demo_schools', 1, date '2022-12-31'),
        (district, 2022, 'demo_town_schools', 2, date '2022-06-30'),
        (district, 2022, 'demo_points', 4, date '2022-06-30')
    on conflict do nothing
$$;
select seed_policy_targets(id) from tenant;
