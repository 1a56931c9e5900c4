-- Awards (四(五) 表彰“百姓学习之星”“终身学习活动品牌项目”; 五(四) 定期对先进集体和先进个人进行表彰)
-- and the one public-notice mechanism (公示) they use: a period of working days on the public
-- side, objections from anyone, each objection's handling, all audited.

-- The days that are not working days beyond weekends (public holidays), and the weekend days
-- that are (调休), kept by the platform administrator per year for every district.
create table calendar_day (
    day date primary key,
    working boolean not null,
    name text not null default '',
    set_by text not null default '',
    set_at timestamptz not null default now()
);
select cedu_platform_table('calendar_day');
grant select on calendar_day to cedu_app;

-- A public notice: what is published (its entries as they were that day), from when, for how
-- many working days, until when; `subject` says what it is about (an award programme today;
-- a record of service or a donation list can use it the same way).
create table public_notice (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    subject_kind text not null constraint public_notice_subject check (subject_kind in ('award_programme', 'service_record', 'donation_disclosure')),
    subject_id bigint not null,
    title text not null,
    body text not null default '',
    -- [{"name": …, "unit": …, "summary": …}], as published.
    entries jsonb not null default '[]',
    starts_on date not null,
    working_days integer not null constraint public_notice_days check (working_days >= 5),
    ends_on date not null,
    contact text not null default '',
    published_by text not null,
    published_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint public_notice_once unique (tenant_id, subject_kind, subject_id),
    constraint public_notice_window check (ends_on >= starts_on)
);
select cedu_tenant_table('public_notice');

-- An objection to a notice: the text required, who and how to reach them only if they say;
-- the address kept as a keyed hash for the per-address limit, never shown.
create table notice_objection (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    notice_id bigint not null,
    entry text not null default '',
    name text not null default '',
    contact text not null default '',
    text text not null constraint notice_objection_text check (btrim(text) <> ''),
    address_hash text not null,
    lodged_at timestamptz not null default now(),
    handling text not null default '',
    outcome text constraint notice_objection_outcome check (outcome in ('upheld', 'dismissed')),
    handled_by text not null default '',
    handled_at timestamptz,
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, notice_id) references public_notice (tenant_id, id)
);
select cedu_tenant_table('notice_objection');
create index notice_objection_of on notice_objection (tenant_id, notice_id);
create index notice_objection_address on notice_objection (tenant_id, address_hash, lodged_at);

create table award_programme (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    year integer not null constraint award_programme_year check (year between 2000 and 2100),
    kind text not null constraint award_programme_kind check (kind in (
        'learning_star', 'brand_project', 'reading_family', 'volunteer', 'advanced_collective', 'advanced_individual', 'other')),
    name text not null constraint award_programme_name check (btrim(name) <> ''),
    -- Who is nominated: a person, a project (an activity or series), a family, a unit.
    nominee_kind text not null constraint award_programme_nominee check (nominee_kind in ('person', 'project', 'family', 'unit')),
    -- Who may nominate: town schools, the college, member units.
    nominators text[] not null,
    quota integer not null constraint award_programme_quota check (quota between 1 and 100),
    materials text not null default '',
    -- [{"name": …, "weight": …}], weights adding to 100.
    criteria jsonb not null,
    nominations_close date not null,
    review_close date not null,
    notice_days integer not null default 5 constraint award_programme_notice_days check (notice_days >= 5),
    award_on date,
    issuing_body text not null,
    -- 先进集体 / 先进个人 commendations need an approved commendation project (评比达标表彰项目).
    approval_no text not null default '',
    status text not null default 'draft' constraint award_programme_status check (status in ('draft', 'nominating', 'review', 'notice', 'awarded')),
    status_since date not null default current_date,
    notice_id bigint,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, notice_id) references public_notice (tenant_id, id),
    constraint award_programme_once unique (tenant_id, year, kind, name),
    constraint award_programme_dates check (review_close >= nominations_close),
    constraint award_programme_commendation check (
        status = 'draft' or kind not in ('advanced_collective', 'advanced_individual') or btrim(approval_no) <> '')
);
select cedu_tenant_table('award_programme');

create table award_panel (
    tenant_id bigint not null references tenant (id),
    programme_id bigint not null,
    account_id bigint not null,
    primary key (tenant_id, programme_id, account_id),
    foreign key (tenant_id, programme_id) references award_programme (tenant_id, id),
    foreign key (tenant_id, account_id) references account (tenant_id, id)
);
select cedu_tenant_table('award_panel');

create table nomination (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    programme_id bigint not null,
    -- The nominating unit: a town school or the college, or a member unit.
    org_unit_id bigint,
    member_unit_id bigint,
    nominee_name text not null constraint nomination_name check (btrim(nominee_name) <> ''),
    nominee_unit text not null default '',
    educator_id bigint,
    activity_id bigint,
    leading_cadre boolean not null default false,
    story text not null default '',
    summary text not null default '',
    -- What cedu's records said when it was prefilled: hours, activities, sessions, participants…
    record jsonb not null default '{}',
    status text not null default 'draft' constraint nomination_status check (status in (
        'draft', 'submitted', 'returned', 'recommended', 'not_recommended', 'awarded', 'withdrawn')),
    status_since date not null default current_date,
    return_reason text not null default '',
    decision_reason text not null default '',
    certificate_no text,
    created_by text not null,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, programme_id) references award_programme (tenant_id, id),
    foreign key (tenant_id, org_unit_id) references org_unit (tenant_id, id),
    foreign key (tenant_id, member_unit_id) references member_unit (tenant_id, id),
    foreign key (tenant_id, educator_id) references educator (tenant_id, id),
    foreign key (tenant_id, activity_id) references activity (tenant_id, id),
    constraint nomination_one_nominator check ((org_unit_id is null) <> (member_unit_id is null)),
    constraint nomination_certificate_once unique (tenant_id, certificate_no)
);
select cedu_tenant_table('nomination');
create index nomination_of on nomination (tenant_id, programme_id);
create index nomination_educator on nomination (tenant_id, educator_id) where educator_id is not null;

create table nomination_event (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    nomination_id bigint not null,
    at timestamptz not null default now(),
    kind text not null,
    from_status text not null default '',
    to_status text not null default '',
    note text not null default '',
    actor_name text not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, nomination_id) references nomination (tenant_id, id)
);
select cedu_tenant_table('nomination_event');
create index nomination_event_of on nomination_event (tenant_id, nomination_id);

create table nomination_file (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    nomination_id bigint not null,
    file_name text not null,
    content_type text not null,
    size integer not null,
    content bytea not null,
    uploaded_by text not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, nomination_id) references nomination (tenant_id, id)
);
select cedu_tenant_table('nomination_file');
create index nomination_file_of on nomination_file (tenant_id, nomination_id);

-- A panel member's scores of one nomination, by criterion; hidden from the others until theirs
-- is in, and fixed once submitted.
create table panel_score (
    tenant_id bigint not null references tenant (id),
    nomination_id bigint not null,
    account_id bigint not null,
    scores numeric(5, 2)[] not null,
    total numeric(5, 2) not null,
    note text not null default '',
    submitted_at timestamptz not null default now(),
    primary key (tenant_id, nomination_id, account_id),
    foreign key (tenant_id, nomination_id) references nomination (tenant_id, id),
    foreign key (tenant_id, account_id) references account (tenant_id, id)
);
select cedu_tenant_table('panel_score');

grant select, insert on public_notice, nomination_event, panel_score to cedu_app;
grant select, insert, update on notice_objection, award_programme, nomination to cedu_app;
grant select, insert, delete on award_panel, nomination_file to cedu_app;
