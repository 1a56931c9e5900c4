-- The learning library (四(四) 建设社区教育优质公共数字资源库, 对接省终身学习平台): resources that
-- units add (videos, audio, documents, courses of lessons, links to other platforms), reviewed
-- by the bureau for the college before anyone outside sees them; their files in their own table
-- so lists never read them; a view counter per resource with nothing about who looked; and the
-- OAI-PMH feed's one way across districts, a function that returns only what is public.
set local citus.multi_shard_modify_mode to 'sequential';

-- What the bureau sets for its library: the largest file a unit may upload.
create table library_setting (
    tenant_id bigint not null references tenant (id),
    max_file_mb integer not null default 200 constraint library_setting_max check (max_file_mb between 1 and 500),
    version integer not null default 1,
    updated_by text not null default '',
    updated_at timestamptz not null default now(),
    primary key (tenant_id)
);
select cedu_tenant_table('library_setting');

create table library_resource (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    title text not null constraint library_resource_title check (btrim(title) <> ''),
    kind text not null constraint library_resource_kind check (kind in ('video', 'audio', 'document', 'course', 'link')),
    subject text not null,
    populations text[] not null default '{}',
    duration_minutes integer constraint library_resource_duration check (duration_minutes between 1 and 10000),
    -- The provider: a unit of the network or a member unit of the committee.
    provider_unit_id bigint,
    provider_member_unit_id bigint,
    licence text not null,
    language text not null default 'zh',
    description text not null default '',
    -- A link to another platform (a link's whole content; a video's or course's alternative).
    external_url text not null default '',
    status text not null default 'draft' constraint library_resource_status check (status in ('draft', 'submitted', 'returned', 'published', 'withdrawn')),
    status_since date not null default current_date,
    -- Why the review returned it, or why it was withdrawn.
    reason text not null default '',
    -- First published; a resource once published and no longer is a deleted record to harvesters.
    published_at timestamptz,
    -- When what the public sees of it last changed (the OAI-PMH datestamp), to the second.
    changed_at timestamptz not null default date_trunc('second', now()),
    created_by text not null,
    created_at timestamptz not null default now(),
    is_demo boolean not null default false,
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, provider_unit_id) references org_unit (tenant_id, id),
    foreign key (tenant_id, provider_member_unit_id) references member_unit (tenant_id, id),
    constraint library_resource_one_provider check ((provider_unit_id is null) <> (provider_member_unit_id is null))
);
select cedu_tenant_table('library_resource');
create index library_resource_by_status on library_resource (tenant_id, status, id);

-- A course's lessons, in order, each with its own file or link.
create table library_lesson (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    resource_id bigint not null,
    position integer not null,
    title text not null constraint library_lesson_title check (btrim(title) <> ''),
    duration_minutes integer constraint library_lesson_duration check (duration_minutes between 1 and 10000),
    external_url text not null default '',
    primary key (tenant_id, id),
    foreign key (tenant_id, resource_id) references library_resource (tenant_id, id)
);
select cedu_tenant_table('library_lesson');
create index library_lesson_of on library_lesson (tenant_id, resource_id, position);

-- A resource's content file, a lesson's, or its cover image. Kept uncompressed out of line
-- (storage external) so that a range of a video is read without reading the rest.
create table library_file (
    tenant_id bigint not null references tenant (id),
    id bigint generated always as identity,
    resource_id bigint not null,
    lesson_id bigint,
    role text not null constraint library_file_role check (role in ('content', 'cover')),
    file_name text not null,
    content_type text not null,
    size bigint not null,
    content bytea not null,
    uploaded_by text not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, resource_id) references library_resource (tenant_id, id),
    foreign key (tenant_id, lesson_id) references library_lesson (tenant_id, id)
);
select cedu_tenant_table('library_file');
alter table library_file alter column content set storage external;
create index library_file_of on library_file (tenant_id, resource_id, role);

-- How many times each resource's page was opened: a count, nothing about who.
create table library_view (
    tenant_id bigint not null references tenant (id),
    resource_id bigint not null,
    views bigint not null default 0,
    primary key (tenant_id, resource_id),
    foreign key (tenant_id, resource_id) references library_resource (tenant_id, id)
);
select cedu_tenant_table('library_view');

grant select, insert, update on library_setting, library_resource, library_view to cedu_app;
grant select, insert, update, delete on library_lesson to cedu_app;
grant select, insert, delete on library_file to cedu_app;

-- The public records every district offers harvesters (OAI-PMH), across districts: published
-- library resources (and the ones withdrawn since, as deleted records without metadata) and the
-- items of published December catalogues. Keys run (tenant, source, id); `p_after_*` continues a
-- list after a key, `p_district`, `p_kind`, `p_id` narrow it, `p_from`/`p_until` bound the
-- datestamp (inclusive, to the second). Runs as its owner, and returns nothing unpublished.
create function oai_records(
    p_district text, p_kind text, p_id bigint, p_from timestamptz, p_until timestamptz,
    p_after_tenant bigint, p_after_source text, p_after_id bigint, p_max integer)
returns table (
    tenant_id bigint, district_code text, district_name text, source text, id bigint,
    kind text, stamp timestamptz, deleted boolean, title text, description text, subject text,
    populations text[], creator text, licence text, language text, duration_minutes integer,
    external_url text, content_type text, year integer
)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
begin
    return query
    select * from (
        select r.tenant_id, t.code, t.name, 'library'::text, r.id, r.kind,
               date_trunc('second', r.changed_at), r.status <> 'published', r.title, r.description,
               r.subject, r.populations, coalesce(u.name, m.name, ''), r.licence, r.language,
               r.duration_minutes, r.external_url,
               (select f.content_type from public.library_file f
                 where f.tenant_id = r.tenant_id and f.resource_id = r.id and f.role = 'content'
                   and f.lesson_id is null order by f.id desc limit 1),
               null::integer
          from public.library_resource r
          join public.tenant t on t.id = r.tenant_id
          left join public.org_unit u on u.tenant_id = r.tenant_id and u.id = r.provider_unit_id
          left join public.member_unit m on m.tenant_id = r.tenant_id and m.id = r.provider_member_unit_id
         where r.published_at is not null
           and (p_kind is null or r.kind = p_kind)
        union all
        select c.tenant_id, t.code, t.name, 'catalogue'::text, c.item_id, 'catalogue'::text,
               date_trunc('second', coalesce(rc.published_on::timestamp at time zone 'UTC', rc.created_at)),
               false, c.name, c.description, c.category, c.populations, c.filer_name, '', 'zh',
               null::integer, '', null::text, c.year
          from public.catalogue_resource c
          join public.tenant t on t.id = c.tenant_id
          join public.reporting_cycle rc on rc.tenant_id = c.tenant_id and rc.id = c.cycle_id
         where rc.status = 'published'
           and (p_kind is null or p_kind = 'catalogue')
    ) rec (tenant_id, district_code, district_name, source, id, kind, stamp, deleted, title,
           description, subject, populations, creator, licence, language, duration_minutes,
           external_url, content_type, year)
     where (p_district is null or rec.district_code = p_district)
       and (p_id is null or rec.id = p_id)
       and (p_from is null or rec.stamp >= p_from)
       and (p_until is null or rec.stamp <= p_until)
       and (p_after_tenant is null or (rec.tenant_id, rec.source, rec.id) > (p_after_tenant, p_after_source, p_after_id))
     order by rec.tenant_id, rec.source, rec.id
     limit p_max;
end
$$;

-- The sets a harvester may ask for: each district with public records, and each kind in it.
create function oai_sets()
returns table (district_code text, district_name text, kind text)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query
    select distinct t.code, t.name, r.kind
      from public.library_resource r join public.tenant t on t.id = r.tenant_id
     where r.status = 'published'
    union
    select distinct t.code, t.name, 'catalogue'::text
      from public.catalogue_resource c join public.tenant t on t.id = c.tenant_id
    order by 1, 3;
end
$$;

-- The earliest datestamp the feed holds (Identify), or none.
create function oai_earliest()
returns timestamptz
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    library_first timestamptz;
    catalogue_first timestamptz;
begin
    select min(date_trunc('second', r.changed_at)) into library_first
      from public.library_resource r where r.published_at is not null;
    select min(coalesce(rc.published_on::timestamp at time zone 'UTC', rc.created_at)) into catalogue_first
      from public.reporting_cycle rc where rc.status = 'published';
    return least(library_first, catalogue_first);
end
$$;

do $$
declare
    f text;
begin
    foreach f in array array[
        'oai_records(text, text, bigint, timestamptz, timestamptz, bigint, text, bigint, integer)',
        'oai_sets()', 'oai_earliest()'] loop
        execute format('revoke execute on function %s from public', f);
        execute format('grant execute on function %s to cedu_app', f);
    end loop;
end
$$;
