-- The public catalogue reads a published year from its own two tables, written once when the
-- year is published. Read live, every search joined each item of the year to its submission,
-- cycle, filer, location and (for a teaching point) its town's submission, and matched the
-- words against five columns: ~10 µs an item, three times a page (count, page, gone), so a
-- district's year cost 15 ms of database time per search and a 100,000-item year 0.7 s.
--
-- Once a cycle is published nothing in it changes (lists are edited and reviewed only while
-- it is open, and it never leaves published), so the rows are the lists as published: names of
-- filers and places as they were that day. `search` holds every text a visitor's words may
-- match, in one column. Rows sit in the order a page shows them (the primary key), so a page is
-- one range scan that stops after its rows.
create table catalogue_resource (
    tenant_id bigint not null references tenant (id),
    year integer not null,
    filer_rank integer not null,
    submission_id bigint not null,
    item_id bigint not null,
    cycle_id bigint not null,
    filer_key text not null,
    filer_name text not null,
    area text not null,
    member_unit_id bigint,
    category text not null,
    name text not null,
    description text not null,
    place text not null,
    capacity integer,
    opening_times text not null,
    populations text[] not null,
    sharing text not null,
    contact text not null,
    search text not null,
    primary key (tenant_id, year, filer_rank, submission_id, item_id)
);
-- New and gone: the same filer's item of that name in the other year, by index probe.
create index catalogue_resource_key on catalogue_resource (tenant_id, year, filer_key, lower(name));

create table catalogue_plan (
    tenant_id bigint not null references tenant (id),
    year integer not null,
    period text not null,
    submission_id bigint not null,
    item_id bigint not null,
    cycle_id bigint not null,
    filer_key text not null,
    filer_name text not null,
    area text not null,
    member_unit_id bigint,
    title text not null,
    category text not null,
    populations text[] not null,
    place text not null,
    participants integer,
    budget bigint not null,
    responsible text not null,
    search text not null,
    primary key (tenant_id, year, period, submission_id, item_id)
);

do $$
declare
    t text;
begin
    foreach t in array array['catalogue_resource', 'catalogue_plan'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant()) '
                       'with check (tenant_id = app_tenant())', t);
        execute format('grant select, insert, delete on %I to cedu_app', t);
    end loop;
end
$$;

-- Writes (or rewrites) the catalogue of one published cycle: its accepted lists, a teaching
-- point's only once its town's consolidated list is accepted too. A cycle not published has none.
create function publish_catalogue(cycle bigint) returns void
language sql as $$
    delete from catalogue_resource where cycle_id = cycle;
    delete from catalogue_plan where cycle_id = cycle;
    with filer as (
        select s.tenant_id, s.id, c.year, c.id as cycle_id, s.member_unit_id,
               coalesce('m' || s.member_unit_id, 'u' || s.org_unit_id) as filer_key,
               coalesce(m.name, u.name) as filer_name, coalesce(u.area, '') as area,
               array_position(array['member_unit','college','town_school','teaching_point'],
                              coalesce(u.kind, 'member_unit')) as filer_rank
          from reporting_cycle c
          join submission s on s.tenant_id = c.tenant_id and s.cycle_id = c.id
          left join member_unit m on m.tenant_id = s.tenant_id and m.id = s.member_unit_id
          left join org_unit u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
         where c.id = cycle and c.status = 'published' and s.status = 'accepted'
           and (u.kind is distinct from 'teaching_point' or exists (
                select 1 from submission t where t.tenant_id = s.tenant_id and t.cycle_id = s.cycle_id
                   and t.org_unit_id = u.parent_id and t.status = 'accepted'))
    ), resources as (
        insert into catalogue_resource (tenant_id, year, filer_rank, submission_id, item_id, cycle_id,
               filer_key, filer_name, area, member_unit_id, category, name, description, place,
               capacity, opening_times, populations, sharing, contact, search)
        select f.tenant_id, f.year, f.filer_rank, f.id, i.id, f.cycle_id, f.filer_key, f.filer_name,
               f.area, f.member_unit_id, i.category, i.name, i.description,
               concat_ws(' · ', l.name, nullif(i.address, '')), i.capacity, i.opening_times,
               i.populations, i.sharing, i.contact,
               concat_ws(chr(31), i.name, f.filer_name, i.description, i.address, l.name)
          from filer f
          join resource_item i on i.tenant_id = f.tenant_id and i.submission_id = f.id
          left join org_unit l on l.tenant_id = i.tenant_id and l.id = i.location_unit_id
        returning 1
    )
    insert into catalogue_plan (tenant_id, year, period, submission_id, item_id, cycle_id,
           filer_key, filer_name, area, member_unit_id, title, category, populations, place,
           participants, budget, responsible, search)
    select f.tenant_id, f.year, i.period, f.id, i.id, f.cycle_id, f.filer_key, f.filer_name,
           f.area, f.member_unit_id, i.title, i.category, i.populations, i.place, i.participants,
           i.budget_government + i.budget_donation + i.budget_learners + i.budget_other,
           i.responsible, concat_ws(chr(31), i.title, f.filer_name, i.place)
      from filer f
      join plan_item i on i.tenant_id = f.tenant_id and i.submission_id = f.id;
$$;

select publish_catalogue(id) from reporting_cycle where status = 'published';
