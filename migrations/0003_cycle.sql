-- The committee and the December cycle (四(二), 五(一), annexes 1–2): member units with their
-- duties, the committee roster, a reporting cycle per year, one submission per filer holding its
-- resource inventory and next year's action plan, reviews up the tree, notices and publication.

alter table member_unit
    add column duties text not null default '',
    add column contact_name text not null default '',
    add column contact_phone text not null default '',
    add column sort integer not null default 0;

create table committee (
    tenant_id bigint primary key references tenant (id),
    name text not null,
    office_host text not null default '',
    office_duties text not null default '',
    version integer not null default 1
);

create table committee_member (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    name text not null constraint committee_member_name check (btrim(name) <> ''),
    committee_role text not null constraint committee_member_role
        check (committee_role in ('chair', 'vice_chair', 'member', 'office_director')),
    position text not null default '',
    member_unit_id bigint,
    term_start date,
    term_end date,
    sort integer not null default 0,
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, member_unit_id) references member_unit (tenant_id, id),
    constraint committee_member_term check (term_end is null or term_start is null or term_end >= term_start)
);

create table reporting_cycle (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    year integer not null constraint reporting_cycle_year check (year between 2000 and 2100),
    opens_on date not null,
    due_on date not null,
    status text not null default 'open' constraint reporting_cycle_status check (status in ('open', 'closed', 'published')),
    published_on date,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint reporting_cycle_once unique (tenant_id, year),
    constraint reporting_cycle_window check (due_on >= opens_on)
);

-- One filer's lists for one cycle. Teaching points are reviewed by their town school; the rest
-- by the bureau.
create table submission (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    cycle_id bigint not null,
    member_unit_id bigint,
    org_unit_id bigint,
    status text not null default 'draft' constraint submission_status check (status in ('draft', 'submitted', 'returned', 'accepted')),
    submitted_on date,
    decided_on date,
    return_reason text not null default '',
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, cycle_id) references reporting_cycle (tenant_id, id),
    foreign key (tenant_id, member_unit_id) references member_unit (tenant_id, id),
    foreign key (tenant_id, org_unit_id) references org_unit (tenant_id, id),
    constraint submission_one_filer check ((member_unit_id is null) <> (org_unit_id is null)),
    constraint submission_member_once unique (tenant_id, cycle_id, member_unit_id),
    constraint submission_unit_once unique (tenant_id, cycle_id, org_unit_id)
);

create table resource_item (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    submission_id bigint not null,
    category text not null constraint resource_item_category check (category in (
        'venue', 'facility', 'course', 'teacher_team', 'volunteer_team', 'digital', 'funding', 'brand', 'other')),
    name text not null constraint resource_item_name check (btrim(name) <> ''),
    description text not null default '',
    location_unit_id bigint,
    address text not null default '',
    capacity integer constraint resource_item_capacity check (capacity >= 0),
    opening_times text not null default '',
    populations text[] not null default '{}',
    sharing text not null constraint resource_item_sharing check (sharing in ('free', 'booking', 'fee')),
    contact text not null default '',
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, submission_id) references submission (tenant_id, id),
    foreign key (tenant_id, location_unit_id) references org_unit (tenant_id, id)
);
create index resource_item_submission on resource_item (tenant_id, submission_id);

create table plan_item (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    submission_id bigint not null,
    title text not null constraint plan_item_title check (btrim(title) <> ''),
    category text not null constraint plan_item_category check (category in (
        'elderly', 'youth', 'rural_skills', 'employment', 'modern_life', 'reading', 'science', 'health', 'culture', 'other')),
    populations text[] not null default '{}',
    period text not null constraint plan_item_period check (period ~ '^(M(0[1-9]|1[0-2])|Q[1-4]|Y)$'),
    place text not null default '',
    participants integer constraint plan_item_participants check (participants >= 0),
    -- Budget in fen, by funding channel (五(二)).
    budget_government bigint not null default 0 constraint plan_item_budget_government check (budget_government >= 0),
    budget_donation bigint not null default 0 constraint plan_item_budget_donation check (budget_donation >= 0),
    budget_learners bigint not null default 0 constraint plan_item_budget_learners check (budget_learners >= 0),
    budget_other bigint not null default 0 constraint plan_item_budget_other check (budget_other >= 0),
    responsible text not null default '',
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, submission_id) references submission (tenant_id, id)
);
create index plan_item_submission on plan_item (tenant_id, submission_id);

create table submission_event (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    submission_id bigint not null,
    action text not null,
    note text not null default '',
    actor_name text not null,
    at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, submission_id) references submission (tenant_id, id)
);
create index submission_event_submission on submission_event (tenant_id, submission_id);

-- In-app notices (reminders) to a filer.
create table notice (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    submission_id bigint not null,
    message text not null,
    sent_by text not null,
    at timestamptz not null default now(),
    read_at timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, submission_id) references submission (tenant_id, id)
);
create index notice_submission on notice (tenant_id, submission_id);

do $$
declare
    t text;
begin
    foreach t in array array['committee', 'committee_member', 'reporting_cycle', 'submission', 'resource_item',
                             'plan_item', 'submission_event', 'notice'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant()) '
                       'with check (tenant_id = app_tenant())', t);
    end loop;
end
$$;

grant select, insert, update on committee, committee_member, reporting_cycle, submission, notice to cedu_app;
grant select, insert, update, delete on resource_item, plan_item, committee_member to cedu_app;
grant select, insert on submission_event to cedu_app;
