-- Supervision and evaluation (五(四), 三): indicator frameworks, evaluation rounds with self,
-- supervisor and third-party scores, evidence, results and the published notice, rectification,
-- and the resident satisfaction survey.

alter table account drop constraint account_role;
alter table account add constraint account_role check (role in (
    'platform_admin', 'district_admin', 'committee_office', 'supervisor',
    'town_admin', 'point_coordinator', 'unit_officer', 'evaluator', 'viewer'));

-- A platform-wide framework every district may adopt and adapt; no district owns it.
create table framework_template (
    id bigint generated always as identity primary key,
    name text not null,
    indicators jsonb not null
);
grant select on framework_template to cedu_app;

create table framework (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    year integer not null,
    name text not null constraint framework_name check (btrim(name) <> ''),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id)
);

create table indicator (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    framework_id bigint not null,
    parent_id bigint,
    code text not null,
    name text not null constraint indicator_name check (btrim(name) <> ''),
    max_score numeric(6, 2) not null constraint indicator_max check (max_score > 0),
    guidance text not null default '',
    evidence text not null default '',
    metric text constraint indicator_metric check (metric in (
        'lists_on_time', 'village_coverage', 'transformed', 'demonstration', 'satisfaction')),
    sort integer not null default 0,
    primary key (tenant_id, id),
    foreign key (tenant_id, framework_id) references framework (tenant_id, id),
    foreign key (tenant_id, parent_id) references indicator (tenant_id, id),
    constraint indicator_code_once unique (tenant_id, framework_id, code)
);

create table evaluation_round (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    year integer not null,
    name text not null,
    framework_id bigint not null,
    self_due date not null,
    review_due date not null,
    status text not null default 'self_assessment'
        constraint evaluation_round_status check (status in ('self_assessment', 'review', 'published')),
    -- Final score = supervisors' average × (100 − evaluator_weight)% + evaluators' average × evaluator_weight%.
    evaluator_weight integer not null default 0 constraint evaluation_round_weight check (evaluator_weight between 0 and 100),
    excellent numeric(5, 2) not null default 90,
    good numeric(5, 2) not null default 80,
    pass numeric(5, 2) not null default 60,
    published_on date,
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, framework_id) references framework (tenant_id, id),
    constraint evaluation_round_bands check (excellent >= good and good >= pass)
);

create table round_unit (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    round_id bigint not null,
    org_unit_id bigint not null,
    self_submitted_on date,
    strengths text not null default '',
    problems text not null default '',
    primary key (tenant_id, id),
    foreign key (tenant_id, round_id) references evaluation_round (tenant_id, id),
    foreign key (tenant_id, org_unit_id) references org_unit (tenant_id, id),
    constraint round_unit_once unique (tenant_id, round_id, org_unit_id)
);

-- A third-party evaluator sees only the units of the rounds assigned to them.
create table round_evaluator (
    tenant_id bigint not null references tenant (id),
    round_unit_id bigint not null,
    account_id bigint not null references account (id),
    primary key (tenant_id, round_unit_id, account_id),
    foreign key (tenant_id, round_unit_id) references round_unit (tenant_id, id)
);

create table score (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    round_unit_id bigint not null,
    indicator_id bigint not null,
    scorer_kind text not null constraint score_kind check (scorer_kind in ('self', 'supervisor', 'evaluator')),
    scorer_id bigint not null,
    scorer_name text not null,
    value numeric(6, 2) not null constraint score_value check (value >= 0),
    note text not null default '',
    at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, round_unit_id) references round_unit (tenant_id, id),
    foreign key (tenant_id, indicator_id) references indicator (tenant_id, id),
    constraint score_once unique (tenant_id, round_unit_id, indicator_id, scorer_kind, scorer_id)
);

create table evidence (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    round_unit_id bigint not null,
    indicator_id bigint not null,
    file_name text not null,
    content_type text not null,
    size integer not null,
    sha256 text not null,
    content bytea not null,
    uploaded_by text not null,
    at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, round_unit_id) references round_unit (tenant_id, id),
    foreign key (tenant_id, indicator_id) references indicator (tenant_id, id)
);

create table rectification (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    round_unit_id bigint not null,
    problem text not null constraint rectification_problem check (btrim(problem) <> ''),
    due_on date not null,
    status text not null default 'open' constraint rectification_status check (status in ('open', 'reported', 'closed')),
    report text not null default '',
    reported_on date,
    closed_on date,
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, round_unit_id) references round_unit (tenant_id, id)
);

-- The resident satisfaction survey: questions per district and year, answers 1–5 per town.
create table survey (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    year integer not null,
    title text not null,
    questions text[] not null constraint survey_questions check (cardinality(questions) between 1 and 20),
    open boolean not null default true,
    version integer not null default 1,
    primary key (tenant_id, id),
    constraint survey_once unique (tenant_id, year)
);

create table survey_response (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    survey_id bigint not null,
    org_unit_id bigint not null,
    answers smallint[] not null,
    address_hash text not null,
    at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, survey_id) references survey (tenant_id, id),
    foreign key (tenant_id, org_unit_id) references org_unit (tenant_id, id)
);
create index survey_response_address on survey_response (tenant_id, address_hash, at);

do $$
declare
    t text;
begin
    foreach t in array array['framework', 'indicator', 'evaluation_round', 'round_unit', 'round_evaluator', 'score',
                             'evidence', 'rectification', 'survey', 'survey_response'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant()) '
                       'with check (tenant_id = app_tenant())', t);
    end loop;
end
$$;

grant select, insert, update, delete on framework, indicator, round_evaluator, score to cedu_app;
grant select, insert, update on evaluation_round, round_unit, rectification, survey to cedu_app;
grant select, insert on evidence, survey_response to cedu_app;
