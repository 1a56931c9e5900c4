-- Town-level supervision (五(四) "镇（街道）人民政府（办事处）要建立社区教育督导评估制度"): a town
-- school runs its own evaluation rounds over its teaching points with its own framework. A
-- round and a framework get an owner: none for the district's own (the supervision office's),
-- or one town school. A town's round evaluates that town's teaching points; the district reads
-- it, other towns never see it.
--
-- The district's rounds gain a computed indicator, `town_supervision`: the share of a town's
-- active teaching points it scored in its own rounds of the year. The platform's template
-- computes 1.2 with it (target responsibility and the town's own supervision system, which
-- the policy puts side by side); frameworks already adopted keep their own choice.
set local citus.multi_shard_modify_mode to 'sequential';

alter table evaluation_round add column owner_unit_id bigint;
alter table evaluation_round add constraint evaluation_round_owner
    foreign key (tenant_id, owner_unit_id) references org_unit (tenant_id, id);
create index evaluation_round_by_owner on evaluation_round (tenant_id, owner_unit_id, year);

alter table framework add column owner_unit_id bigint;
alter table framework add constraint framework_owner
    foreign key (tenant_id, owner_unit_id) references org_unit (tenant_id, id);
create index framework_by_owner on framework (tenant_id, owner_unit_id);

alter table indicator drop constraint indicator_metric;
alter table indicator add constraint indicator_metric check (metric in (
    'lists_on_time', 'village_coverage', 'transformed', 'demonstration', 'satisfaction',
    'plan_delivery', 'learning_week', 'elderly_youth', 'rural_left_behind', 'funding_channels',
    'educators_registered', 'town_supervision'));

update framework_template t
   set indicators = (
       select jsonb_agg(case i ->> 'code'
                            when '1.2' then i || jsonb_build_object(
                                'name', '落实目标责任制，建立本镇（街道）社区教育督导评估制度',
                                'guidance', '本年度对所辖教学点开展督导评估并评分，按已评分教学点占比计算',
                                'evidence', '督导评估方案、评分表',
                                'metric', 'town_supervision')
                            else i end
                        order by ord)
         from jsonb_array_elements(t.indicators) with ordinality as e(i, ord));
