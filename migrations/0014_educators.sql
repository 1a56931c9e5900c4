-- Teachers and volunteers (五(三)): the registry of part-time teachers and volunteers, where
-- they serve, their qualifications, and their service hours countersigned by the unit where
-- the service was given. ID numbers are stored only encrypted (AES-256-GCM, key outside the
-- database) and found by a keyed hash; phone numbers are shown masked but for the few who
-- need them. Nothing here is ever deleted: a person who leaves is marked so, and can be
-- anonymised with the hours kept.

-- The district's list of specialties, which the bureau keeps.
create table specialty (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    name text not null constraint specialty_name_present check (btrim(name) <> '' and length(name) <= 20),
    sort integer not null default 0,
    active boolean not null default true,
    primary key (tenant_id, id),
    constraint specialty_name_once unique (tenant_id, name)
);

create table educator (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    -- Assigned by cedu (division code and a sequence), shown instead of any ID number.
    volunteer_no text not null,
    name text not null constraint educator_name_present check (btrim(name) <> ''),
    gender text not null default '' constraint educator_gender check (gender in ('', 'female', 'male')),
    birth_year integer constraint educator_birth_year check (birth_year between 1920 and 2015),
    phone text not null default '',
    -- nonce ‖ ciphertext of the ID number, its keyed hash for lookups, and the masked form.
    id_cipher bytea,
    id_hash bytea,
    id_masked text not null default '',
    work_unit text not null default '',
    member_unit_id bigint,
    position text not null default '',
    specialties bigint[] not null default '{}',
    specialty_other text not null default '',
    kind text not null constraint educator_kind check (kind in ('manager', 'teacher', 'volunteer', 'teacher_volunteer')),
    availability text[] not null default '{}',
    status text not null default 'applied'
        constraint educator_status check (status in ('applied', 'more_info', 'active', 'paused', 'left', 'declined')),
    status_since date not null default current_date,
    status_note text not null default '',
    -- The town school (or the college) that registered the person or reviews the application.
    home_unit_id bigint not null,
    registered_by text not null constraint educator_registered_by check (registered_by in ('staff', 'self', 'import')),
    consent_at timestamptz,
    applied_from text not null default '',
    anonymised_at timestamptz,
    is_demo boolean not null default false,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint educator_volunteer_no_key unique (tenant_id, volunteer_no),
    foreign key (tenant_id, home_unit_id) references org_unit (tenant_id, id),
    foreign key (tenant_id, member_unit_id) references member_unit (tenant_id, id)
);
-- The same phone or ID number twice in a district is a duplicate (an anonymised record has neither).
create unique index educator_phone_once on educator (tenant_id, phone) where phone <> '';
create unique index educator_id_once on educator (tenant_id, id_hash) where id_hash is not null;
create index educator_home on educator (tenant_id, home_unit_id);
create index educator_name on educator (tenant_id, name);
create trigger educator_updated before update on educator for each row execute function set_updated_at();

-- The towns and teaching points a person serves.
create table educator_unit (
    tenant_id bigint not null references tenant (id),
    educator_id bigint not null,
    unit_id bigint not null,
    primary key (tenant_id, educator_id, unit_id),
    foreign key (tenant_id, educator_id) references educator (tenant_id, id),
    foreign key (tenant_id, unit_id) references org_unit (tenant_id, id)
);
create index educator_unit_unit on educator_unit (tenant_id, unit_id);

-- A person's dated history: registration, reviews, status changes, edits, anonymisation.
create table educator_event (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    educator_id bigint not null,
    at timestamptz not null default now(),
    effective_on date not null default current_date,
    kind text not null,
    from_status text not null default '',
    to_status text not null default '',
    note text not null default '',
    actor_name text not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, educator_id) references educator (tenant_id, id)
);
create index educator_event_of on educator_event (tenant_id, educator_id, id);

create table qualification (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    educator_id bigint not null,
    name text not null constraint qualification_name_present check (btrim(name) <> ''),
    issuer text not null default '',
    number text not null default '',
    valid_until date,
    file_name text not null default '',
    content_type text not null default '',
    size integer not null default 0,
    content bytea,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, educator_id) references educator (tenant_id, id)
);
create index qualification_of on qualification (tenant_id, educator_id);
create index qualification_expiring on qualification (tenant_id, valid_until) where valid_until is not null;

-- Service hours, in minutes (quarter hours), recorded at a unit of the network and
-- countersigned there: pending → approved, or declined with a reason. Never deleted: a
-- mistake is declined and recorded again.
create table service_hours (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    educator_id bigint not null,
    unit_id bigint not null,
    served_on date not null,
    starts_at time,
    ends_at time,
    minutes integer not null constraint service_hours_quarters check (minutes > 0 and minutes <= 720 and minutes % 15 = 0),
    content text not null constraint service_hours_content check (btrim(content) <> ''),
    status text not null default 'pending' constraint service_hours_status check (status in ('pending', 'approved', 'declined')),
    decline_reason text not null default '',
    recorded_by text not null,
    decided_by text not null default '',
    decided_at timestamptz,
    is_demo boolean not null default false,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, educator_id) references educator (tenant_id, id),
    foreign key (tenant_id, unit_id) references org_unit (tenant_id, id),
    constraint service_hours_times check ((starts_at is null) = (ends_at is null) and (starts_at is null or ends_at > starts_at))
);
create index service_hours_of on service_hours (tenant_id, educator_id, served_on);
create index service_hours_at on service_hours (tenant_id, unit_id, status, served_on);

-- Records of service (志愿服务记录证明) issued by the unit that recorded the hours.
create table service_record (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    number text not null,
    educator_id bigint not null,
    unit_id bigint not null,
    period_from date not null,
    period_to date not null,
    minutes integer not null,
    entries integer not null,
    issued_on date not null,
    issued_by text not null,
    primary key (tenant_id, id),
    constraint service_record_number_key unique (tenant_id, number),
    foreign key (tenant_id, educator_id) references educator (tenant_id, id),
    foreign key (tenant_id, unit_id) references org_unit (tenant_id, id)
);

do $$
declare
    t text;
begin
    foreach t in array array['specialty', 'educator', 'educator_unit', 'educator_event', 'qualification',
                             'service_hours', 'service_record'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant())) '
                       'with check (tenant_id = (select app_tenant()))', t);
    end loop;
end
$$;

grant select, insert, update on specialty, educator, qualification, service_hours to cedu_app;
grant select, insert, delete on educator_unit to cedu_app;
grant select, insert on educator_event, service_record to cedu_app;
grant delete on qualification to cedu_app;

-- Every district starts from the policy's own examples of specialties (五(三)).
create function seed_specialties(district bigint) returns void
language plpgsql
as $$
begin
    insert into specialty (tenant_id, name, sort)
    select district, s.name, s.n
      from unnest(array['书法', '太极', '法律', '健康', '电商', '农业技术', '家庭教育', '心理',
                        '信息技术', '舞蹈', '声乐', '摄影', '烹饪', '手工'])
           with ordinality as s(name, n)
    on conflict do nothing;
end
$$;
select seed_specialties(id) from tenant;
