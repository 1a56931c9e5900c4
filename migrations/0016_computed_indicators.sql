-- The platform's template computes six more of its 18 scored indicators from cedu's own
-- records now that activities and the registry exist: 2.2 funding by channel, 3.2 registered
-- teachers and volunteers, 6.1 delivery of the action plan, 6.2 the lifelong-learning week,
-- 7.1 the elderly and after-school youth, 7.2 rural residents, the left-behind and people with
-- disabilities (11 of 18 with the five before). Frameworks already adopted keep their own
-- choice; the office may set the same metrics on them.
update framework_template t
   set indicators = (
       select jsonb_agg(case i ->> 'code'
                            when '2.2' then jsonb_set(i, '{metric}', '"funding_channels"')
                            when '3.2' then jsonb_set(i, '{metric}', '"educators_registered"')
                            when '6.1' then jsonb_set(i, '{metric}', '"plan_delivery"')
                            when '6.2' then jsonb_set(i, '{metric}', '"learning_week"')
                            when '7.1' then jsonb_set(i, '{metric}', '"elderly_youth"')
                            when '7.2' then jsonb_set(i, '{metric}', '"rural_left_behind"')
                            else i end
                        order by ord)
         from jsonb_array_elements(t.indicators) with ordinality as e(i, ord));

alter table indicator drop constraint indicator_metric;
alter table indicator add constraint indicator_metric check (metric in (
    'lists_on_time', 'village_coverage', 'transformed', 'demonstration', 'satisfaction',
    'plan_delivery', 'learning_week', 'elderly_youth', 'rural_left_behind', 'funding_channels',
    'educators_registered'));
