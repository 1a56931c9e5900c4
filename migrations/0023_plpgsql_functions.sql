-- Rule 4 of distributing on Citus: no LANGUAGE sql functions with parameters over distributed
-- tables (Citus refuses them: "parameters in SQL functions"); PL/pgSQL works. The two of
-- migrations 0002 and 0009 are written again in PL/pgSQL, doing the same. publish_catalogue now
-- names its district in every statement, so on Citus each one runs on that district's shard.

create or replace function seed_policy_targets(district bigint) returns void
language plpgsql
as $$
begin
    insert into policy_target (tenant_id, year, metric, target, deadline) values
        (district, 2022, 'transformed_share', 100, date '2022-12-31'),
        (district, 2022, 'provincial_demo_schools', 1, date '2022-12-31'),
        (district, 2022, 'demo_town_schools', 2, date '2022-06-30'),
        (district, 2022, 'demo_points', 4, date '2022-06-30')
    on conflict do nothing;
end
$$;

-- Writes (or rewrites) the catalogue of one published cycle: its accepted lists, a teaching
-- point's only once its town's consolidated list is accepted too. A cycle not published has none.
create or replace function publish_catalogue(cycle bigint) returns void
language plpgsql
as $$
declare
    district bigint;
    published boolean;
begin
    select c.tenant_id, c.status = 'published' into district, published
      from reporting_cycle c where c.id = cycle;
    if district is null then
        return;
    end if;
    delete from catalogue_resource where tenant_id = district and cycle_id = cycle;
    delete from catalogue_plan where tenant_id = district and cycle_id = cycle;
    if not published then
        return;
    end if;
    insert into catalogue_resource (tenant_id, year, filer_rank, submission_id, item_id, cycle_id,
           filer_key, filer_name, area, member_unit_id, category, name, description, place,
           capacity, opening_times, populations, sharing, contact, search)
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
         where c.tenant_id = district and c.id = cycle and s.status = 'accepted'
           and (u.kind is distinct from 'teaching_point' or exists (
                select 1 from submission t where t.tenant_id = s.tenant_id and t.cycle_id = s.cycle_id
                   and t.org_unit_id = u.parent_id and t.status = 'accepted'))
    )
    select f.tenant_id, f.year, f.filer_rank, f.id, i.id, f.cycle_id, f.filer_key, f.filer_name,
           f.area, f.member_unit_id, i.category, i.name, i.description,
           concat_ws(' · ', l.name, nullif(i.address, '')), i.capacity, i.opening_times,
           i.populations, i.sharing, i.contact,
           concat_ws(chr(31), i.name, f.filer_name, i.description, i.address, l.name)
      from filer f
      join resource_item i on i.tenant_id = f.tenant_id and i.submission_id = f.id
      left join org_unit l on l.tenant_id = i.tenant_id and l.id = i.location_unit_id;
    insert into catalogue_plan (tenant_id, year, period, submission_id, item_id, cycle_id,
           filer_key, filer_name, area, member_unit_id, title, category, populations, place,
           participants, budget, responsible, search)
    with filer as (
        select s.tenant_id, s.id, c.year, c.id as cycle_id, s.member_unit_id,
               coalesce('m' || s.member_unit_id, 'u' || s.org_unit_id) as filer_key,
               coalesce(m.name, u.name) as filer_name, coalesce(u.area, '') as area
          from reporting_cycle c
          join submission s on s.tenant_id = c.tenant_id and s.cycle_id = c.id
          left join member_unit m on m.tenant_id = s.tenant_id and m.id = s.member_unit_id
          left join org_unit u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
         where c.tenant_id = district and c.id = cycle and s.status = 'accepted'
           and (u.kind is distinct from 'teaching_point' or exists (
                select 1 from submission t where t.tenant_id = s.tenant_id and t.cycle_id = s.cycle_id
                   and t.org_unit_id = u.parent_id and t.status = 'accepted'))
    )
    select f.tenant_id, f.year, i.period, f.id, i.id, f.cycle_id, f.filer_key, f.filer_name,
           f.area, f.member_unit_id, i.title, i.category, i.populations, i.place, i.participants,
           i.budget_government + i.budget_donation + i.budget_learners + i.budget_other,
           i.responsible, concat_ws(chr(31), i.title, f.filer_name, i.place)
      from filer f
      join plan_item i on i.tenant_id = f.tenant_id and i.submission_id = f.id;
end
$$;
