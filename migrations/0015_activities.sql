-- Activities delivered (四(三), 四(五), 四(六), 五(二)): what each unit did against the action
-- plan it filed in December, in sessions with their attendance, for which key populations, by
-- whom, paid from which channel; the campaigns they belong to (the lifelong-learning week,
-- reading campaigns); and the donations that paid for them, with their public disclosure.

create table campaign (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    kind text not null constraint campaign_kind check (kind in ('learning_week', 'reading', 'other')),
    name text not null constraint campaign_name_present check (btrim(name) <> ''),
    year integer not null constraint campaign_year check (year between 2000 and 2100),
    theme text not null default '',
    starts_on date not null,
    ends_on date not null,
    -- The learning week's national dates that year (全民终身学习活动周), which the district's own
    -- week follows.
    national_starts_on date,
    national_ends_on date,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint campaign_once unique (tenant_id, kind, year, name),
    constraint campaign_window check (ends_on >= starts_on)
);

create table donation (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    donor_kind text not null constraint donation_donor_kind check (donor_kind in ('person', 'company', 'organisation')),
    donor_name text not null constraint donation_donor_present check (btrim(donor_name) <> ''),
    -- A donor who asked not to be named publicly is shown as "a donor" in the disclosure.
    named_publicly boolean not null default true,
    amount bigint not null constraint donation_amount check (amount > 0),
    received_on date not null,
    stated_use text not null default '',
    version integer not null default 1,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id)
);

-- A year's donations and their use, published on the public side (公益事业捐赠法 Art. 22).
create table donation_disclosure (
    tenant_id bigint not null references tenant (id),
    year integer not null,
    published_on date not null,
    published_by text not null,
    primary key (tenant_id, year)
);

create table activity (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    title text not null constraint activity_title_present check (btrim(title) <> ''),
    category text not null constraint activity_category check (category in (
        'elderly', 'youth', 'rural_skills', 'employment', 'modern_life', 'reading', 'science', 'health', 'culture', 'other')),
    -- Organised by a unit of the network or by a member unit of the committee.
    organiser_unit_id bigint,
    organiser_member_unit_id bigint,
    partners text not null default '',
    -- The plan item it delivers (of the organiser's accepted plan for the year), or why it is
    -- not in the plan.
    plan_item_id bigint,
    not_in_plan_reason text not null default '',
    campaign_id bigint,
    -- A venue from the published resource inventory, or an address.
    venue_item_id bigint,
    address text not null default '',
    populations text[] not null default '{}',
    capacity integer constraint activity_capacity check (capacity > 0),
    starts_on date not null,
    ends_on date not null,
    series boolean not null default false,
    status text not null default 'planned'
        constraint activity_status check (status in ('planned', 'held', 'reported', 'cancelled')),
    status_since date not null default current_date,
    cancel_reason text not null default '',
    report text not null default '',
    -- Spending in fen, by funding channel (五(二)).
    spend_government bigint not null default 0 constraint activity_spend_government check (spend_government >= 0),
    spend_donation bigint not null default 0 constraint activity_spend_donation check (spend_donation >= 0),
    spend_learners bigint not null default 0 constraint activity_spend_learners check (spend_learners >= 0),
    spend_other bigint not null default 0 constraint activity_spend_other check (spend_other >= 0),
    donation_id bigint,
    -- Kept by every write of its sessions and counts, so that lists and roll-ups over a
    -- district's year read one row an activity (a province holds 15 million of them).
    sessions_planned integer not null default 0,
    sessions_held integer not null default 0,
    attendance integer not null default 0,
    participants integer not null default 0,
    is_demo boolean not null default false,
    version integer not null default 1,
    created_by text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, organiser_unit_id) references org_unit (tenant_id, id),
    foreign key (tenant_id, organiser_member_unit_id) references member_unit (tenant_id, id),
    foreign key (tenant_id, plan_item_id) references plan_item (tenant_id, id),
    foreign key (tenant_id, campaign_id) references campaign (tenant_id, id),
    foreign key (tenant_id, venue_item_id) references resource_item (tenant_id, id),
    foreign key (tenant_id, donation_id) references donation (tenant_id, id),
    constraint activity_one_organiser check ((organiser_unit_id is null) <> (organiser_member_unit_id is null)),
    constraint activity_dates check (ends_on >= starts_on),
    constraint activity_donation_spend check (spend_donation = 0 or donation_id is not null)
);
create index activity_organiser on activity (tenant_id, organiser_unit_id, starts_on);
create index activity_member_organiser on activity (tenant_id, organiser_member_unit_id, starts_on);
create index activity_plan on activity (tenant_id, plan_item_id);
create index activity_campaign on activity (tenant_id, campaign_id);
create index activity_donation on activity (tenant_id, donation_id);
create index activity_starts on activity (tenant_id, starts_on);
create trigger activity_updated before update on activity for each row execute function set_updated_at();

-- An activity's history: each step and edit, by whom and when.
create table activity_event (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    activity_id bigint not null,
    at timestamptz not null default now(),
    kind text not null,
    from_status text not null default '',
    to_status text not null default '',
    note text not null default '',
    actor_name text not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, activity_id) references activity (tenant_id, id)
);
create index activity_event_of on activity_event (tenant_id, activity_id);

-- A session of an activity (a one-off has one; a weekly 4点半 class has one a week), with its
-- attendance: a head count, and those who came without signing up (past the capacity too).
create table activity_session (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    activity_id bigint not null,
    held_on date not null,
    starts_at time,
    ends_at time,
    status text not null default 'scheduled'
        constraint activity_session_status check (status in ('scheduled', 'held', 'cancelled')),
    attendance integer constraint activity_session_attendance check (attendance >= 0),
    walk_ins integer not null default 0 constraint activity_session_walk_ins check (walk_ins >= 0),
    note text not null default '',
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, activity_id) references activity (tenant_id, id),
    constraint activity_session_times check ((starts_at is null) = (ends_at is null) and (starts_at is null or ends_at > starts_at))
);
create index activity_session_of on activity_session (tenant_id, activity_id, held_on);
create index activity_session_on on activity_session (tenant_id, held_on);

-- Who took part, counted by key population over the whole activity.
create table activity_participation (
    tenant_id bigint not null references tenant (id),
    activity_id bigint not null,
    population text not null constraint activity_participation_population check (population in (
        'elderly', 'youth_after_school', 'rural', 'left_behind_women', 'left_behind_children', 'left_behind_elderly', 'disabled', 'all')),
    count integer not null constraint activity_participation_count check (count >= 0),
    primary key (tenant_id, activity_id, population),
    foreign key (tenant_id, activity_id) references activity (tenant_id, id)
);

-- Teachers and volunteers serving an activity (from the registry).
create table activity_educator (
    tenant_id bigint not null references tenant (id),
    activity_id bigint not null,
    educator_id bigint not null,
    primary key (tenant_id, activity_id, educator_id),
    foreign key (tenant_id, activity_id) references activity (tenant_id, id),
    foreign key (tenant_id, educator_id) references educator (tenant_id, id)
);
create index activity_educator_of on activity_educator (tenant_id, educator_id);

-- Photos and documents of an activity, kept like the supervision's evidence.
create table activity_file (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    activity_id bigint not null,
    file_name text not null,
    content_type text not null,
    size integer not null,
    content bytea not null,
    uploaded_by text not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, activity_id) references activity (tenant_id, id)
);
create index activity_file_of on activity_file (tenant_id, activity_id);

-- What each organiser delivered in a year, per plan item (0: outside the plan), rewritten by
-- every change of its activities, so that the plan-against-delivery pages of a town or a
-- district add up a few rows a unit instead of a year's activities (150,000 in a province's
-- district over ten years).
create table delivery_total (
    tenant_id bigint not null references tenant (id),
    year integer not null,
    organiser_unit_id bigint not null default 0,
    organiser_member_unit_id bigint not null default 0,
    plan_item_id bigint not null default 0,
    activities integer not null,
    held integer not null,
    cancelled integer not null,
    sessions_held integer not null,
    participants integer not null,
    spend_government bigint not null,
    spend_donation bigint not null,
    spend_learners bigint not null,
    spend_other bigint not null,
    primary key (tenant_id, year, organiser_unit_id, organiser_member_unit_id, plan_item_id)
);

-- Hours served at an activity's session are proposed to the registry for countersigning.
alter table service_hours add column activity_id bigint;
alter table service_hours add column session_id bigint;
alter table service_hours add constraint service_hours_activity
    foreign key (tenant_id, activity_id) references activity (tenant_id, id);
alter table service_hours add constraint service_hours_session
    foreign key (tenant_id, session_id) references activity_session (tenant_id, id);
create unique index service_hours_session_once on service_hours (tenant_id, session_id, educator_id)
    where session_id is not null and status <> 'declined';

do $$
declare
    t text;
begin
    foreach t in array array['campaign', 'donation', 'donation_disclosure', 'activity', 'activity_session',
                             'activity_participation', 'activity_educator', 'activity_file', 'activity_event', 'delivery_total'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant())) '
                       'with check (tenant_id = (select app_tenant()))', t);
    end loop;
end
$$;

grant select, insert, update on campaign, donation, activity, activity_session to cedu_app;
grant select, insert, update, delete on activity_participation, activity_educator, delivery_total to cedu_app;
grant select, insert on donation_disclosure, activity_file, activity_event to cedu_app;
grant delete on activity_file to cedu_app;
