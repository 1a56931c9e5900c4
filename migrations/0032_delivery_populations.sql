-- An organiser's year of totals also keeps the participants of each key population its held
-- activities reached, so that the evaluation's computed indicators (7.1, 7.2) read a district's
-- few thousand totals instead of its year of activities and their counts (3.5 s a round at the
-- province-scale generator's size; issue 12).
set local citus.multi_shard_modify_mode to 'sequential';

alter table delivery_total add column elderly integer not null default 0;
alter table delivery_total add column youth integer not null default 0;
alter table delivery_total add column rural integer not null default 0;
alter table delivery_total add column left_behind integer not null default 0;
alter table delivery_total add column disabled integer not null default 0;

update delivery_total t
   set elderly = x.elderly, youth = x.youth, rural = x.rural, left_behind = x.left_behind, disabled = x.disabled
  from (select a.tenant_id, extract(year from a.starts_on)::int as year, coalesce(a.organiser_unit_id, 0) as unit_id,
               coalesce(a.organiser_member_unit_id, 0) as member_id, coalesce(a.plan_item_id, 0) as plan_item_id,
               coalesce(sum(p.count) filter (where p.population = 'elderly'), 0) as elderly,
               coalesce(sum(p.count) filter (where p.population = 'youth_after_school'), 0) as youth,
               coalesce(sum(p.count) filter (where p.population = 'rural'), 0) as rural,
               coalesce(sum(p.count) filter (where p.population in
                   ('left_behind_women', 'left_behind_children', 'left_behind_elderly')), 0) as left_behind,
               coalesce(sum(p.count) filter (where p.population = 'disabled'), 0) as disabled
          from activity a
          join activity_participation p on p.tenant_id = a.tenant_id and p.activity_id = a.id
         where a.status in ('held', 'reported')
         group by 1, 2, 3, 4, 5) x
 where t.tenant_id = x.tenant_id and t.year = x.year and t.organiser_unit_id = x.unit_id
   and t.organiser_member_unit_id = x.member_id and t.plan_item_id = x.plan_item_id;
