-- Indexes for the activity pages at province scale (issue 15), each led by tenant_id so that a
-- district's rows are one range of the index (and, distributed on Citus, one shard). Measured
-- with EXPLAIN (ANALYZE, BUFFERS) on a generated district of 148,500 activities (README,
-- Performance): the town's activity list needs none (it reads activity_organiser, made for it
-- in 0015, once its query gives the index its organisers and year); the two below are for the
-- pages that did read more than they show.
set local citus.multi_shard_modify_mode to 'sequential';

-- What one plan item delivered in a year (a unit's delivery page, last year's figures beside
-- an item being carried forward): the primary key, led by the year, walked every organiser's
-- totals of the year to find the item's (35 buffers an item on a generated district, growing
-- with the district); this reads the item's own rows (22 for a town school's item, which its
-- 20 points deliver too).
create index delivery_total_item on delivery_total (tenant_id, plan_item_id, year);

-- A campaign's live counts (its page, the list of campaigns) add up its activities' state,
-- organiser, sessions and participants: from the index alone, instead of a heap page an
-- activity (a generated district's learning week, 117 activities: 122 buffers a count, 2 now,
-- once vacuum has marked the pages all-visible).
drop index activity_campaign;
create index activity_campaign on activity (tenant_id, campaign_id)
    include (id, status, organiser_unit_id, organiser_member_unit_id, sessions_held, participants);
