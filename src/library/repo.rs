//! The library's SQL: resources in a user's scope and as the public sees them (published only),
//! their lessons, their files (metadata apart from content, a slice of content by range), the
//! district's setting, the view counter, and the OAI-PMH feed's records across districts.

use crate::activities::repo::Scope;
use crate::web::list::{ListQuery, Listing, Rows, Select, Sorts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Resource {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub subject: String,
    pub populations: Vec<String>,
    pub duration_minutes: Option<i32>,
    pub provider_unit_id: Option<i64>,
    pub provider_member_unit_id: Option<i64>,
    pub provider_name: String,
    #[serde(skip)]
    pub provider_path: String,
    pub licence: String,
    pub language: String,
    pub description: String,
    pub external_url: String,
    pub status: String,
    pub status_since: NaiveDate,
    pub reason: String,
    #[serde(skip)]
    pub changed_at: DateTime<Utc>,
    pub created_by: String,
    #[serde(skip)]
    pub is_demo: bool,
    pub version: i32,
    #[serde(skip)]
    pub views: i64,
    /// The content file's name and size, if one is uploaded.
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
    #[serde(skip)]
    pub file_type: Option<String>,
    #[serde(skip)]
    pub has_cover: bool,
    #[serde(skip)]
    #[sqlx(default)]
    pub total: i64,
}

impl Resource {
    /// Its provider as a form writes it (`u12`, `m3`).
    pub fn provider_key(&self) -> String {
        match (self.provider_unit_id, self.provider_member_unit_id) {
            (Some(u), _) => format!("u{u}"),
            (None, Some(m)) => format!("m{m}"),
            _ => String::new(),
        }
    }

    pub fn file_mb(&self) -> String {
        self.file_size
            .map(|s| format!("{:.1} MB", s as f64 / 1_048_576.0))
            .unwrap_or_default()
    }

    pub fn is_video(&self) -> bool {
        self.file_type
            .as_deref()
            .is_some_and(|t| t.starts_with("video/"))
    }

    pub fn is_audio(&self) -> bool {
        self.file_type
            .as_deref()
            .is_some_and(|t| t.starts_with("audio/"))
    }
}

const COLUMNS: &str = "r.id, r.title, r.kind, r.subject, r.populations, r.duration_minutes,
        r.provider_unit_id, r.provider_member_unit_id, coalesce(o.name, mu.name, '') as provider_name,
        coalesce(o.path, '') as provider_path, r.licence, r.language, r.description, r.external_url,
        r.status, r.status_since, r.reason, r.changed_at, r.created_by, r.is_demo, r.version,
        coalesce(v.views, 0) as views, f.file_name, f.size as file_size, f.content_type as file_type,
        exists (select 1 from library_file c where c.tenant_id = r.tenant_id and c.resource_id = r.id
                and c.role = 'cover') as has_cover";

macro_rules! resources {
    () => {
        "from library_resource r
    left join org_unit o on o.tenant_id = r.tenant_id and o.id = r.provider_unit_id
    left join member_unit mu on mu.tenant_id = r.tenant_id and mu.id = r.provider_member_unit_id
    left join library_view v on v.tenant_id = r.tenant_id and v.resource_id = r.id
    left join lateral (select x.file_name, x.size, x.content_type from library_file x
                        where x.tenant_id = r.tenant_id and x.resource_id = r.id and x.role = 'content'
                          and x.lesson_id is null order by x.id desc limit 1) f on true"
    };
}

/// In the user's scope: a unit's own subtree, a member unit's own, the district everything.
macro_rules! in_scope {
    () => {
        "(o.path like $1 || '%'
          or (r.provider_member_unit_id is not null and ($1 = '/' or r.provider_member_unit_id = $2)))"
    };
}

/// The filters both lists share: words ($3), kind ($4), subject ($5), population ($6), a
/// provider unit ($7) or member unit ($8); the staff list adds a status ($9).
macro_rules! filtered {
    () => {
        "
    and ($3 = '' or r.title like '%' || $3 || '%' or r.description like '%' || $3 || '%')
    and ($4 = '' or r.kind = $4)
    and ($5 = '' or r.subject = $5)
    and ($6 = '' or $6 = any(r.populations))
    and ($7::bigint is null or r.provider_unit_id = $7)
    and ($8::bigint is null or r.provider_member_unit_id = $8)"
    };
}

const LISTED: &str = concat!(
    resources!(),
    " where ",
    in_scope!(),
    filtered!(),
    " and ($9 = '' or r.status = $9)"
);

/// Published only, whatever the scope ($1, $2 unused but bound alike).
const PUBLISHED: &str = concat!(
    resources!(),
    " where r.status = 'published' and $1::text is not null and $2::bigint is null",
    filtered!(),
    " and $9::text is not null"
);

pub const SORTS: Sorts = Sorts(&[
    ("title", "r.title"),
    ("kind", "r.kind"),
    ("provider", "provider_name"),
    ("status", "r.status"),
    ("views", "coalesce(v.views, 0)"),
    ("changed", "r.changed_at"),
]);

pub const STATUSES: [&str; 5] = ["draft", "submitted", "returned", "published", "withdrawn"];

/// The resources a list shows: the staff's in scope, or the public's (published).
pub struct Resources<'a> {
    pub query: &'a ListQuery,
    /// `None`: the public library.
    pub scope: Option<&'a Scope>,
}

impl Listing for Resources<'_> {
    type Row = Resource;

    fn total(row: &Resource) -> i64 {
        row.total
    }

    fn select(&self) -> Select<'_> {
        Select {
            columns: COLUMNS,
            from: if self.scope.is_some() {
                LISTED
            } else {
                PUBLISHED
            },
            order: SORTS.order_by(
                self.query,
                if self.scope.is_some() {
                    "r.changed_at desc"
                } else {
                    "coalesce(v.views, 0) desc"
                },
                "r.id desc",
            ),
        }
    }

    fn bind<'q, T>(&'q self, rows: Rows<'q, T>) -> Rows<'q, T> {
        use super::model::{KINDS, POPULATIONS, SUBJECTS};
        let q = self.query;
        let provider = crate::activities::model::Organiser::parse(q.get("provider"));
        let (path, member) = match self.scope {
            Some(s) => (s.path.as_str(), s.member),
            None => ("", None),
        };
        rows.bind(path)
            .bind(member)
            .bind(crate::db::like_literal(q.get("q")))
            .bind(q.one_of("kind", &KINDS))
            .bind(q.one_of("subject", &SUBJECTS))
            .bind(q.one_of("population", &POPULATIONS))
            .bind(provider.and_then(|p| p.unit()))
            .bind(provider.and_then(|p| p.member()))
            .bind(q.one_of("status", &STATUSES))
    }
}

/// A resource in the user's scope.
pub async fn find(
    conn: &mut PgConnection,
    scope: &Scope,
    id: i64,
) -> sqlx::Result<Option<Resource>> {
    sqlx::query_as(&format!(
        concat!(
            "select {} ",
            resources!(),
            " where ",
            in_scope!(),
            " and r.id = $3"
        ),
        COLUMNS
    ))
    .bind(&scope.path)
    .bind(scope.member)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A published resource of the transaction's district.
pub async fn published(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Resource>> {
    sqlx::query_as(&format!(
        concat!(
            "select {} ",
            resources!(),
            " where r.status = 'published' and r.id = $1"
        ),
        COLUMNS
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// What a resource's form saves.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceInput {
    pub title: String,
    pub kind: String,
    pub subject: String,
    pub populations: Vec<String>,
    pub duration_minutes: Option<i32>,
    pub provider_unit_id: Option<i64>,
    pub provider_member_unit_id: Option<i64>,
    pub licence: String,
    pub language: String,
    pub description: String,
    pub external_url: String,
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    r: &ResourceInput,
    by: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into library_resource (tenant_id, title, kind, subject, populations, duration_minutes,
                provider_unit_id, provider_member_unit_id, licence, language, description, external_url, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
    )
    .bind(tenant_id)
    .bind(&r.title)
    .bind(&r.kind)
    .bind(&r.subject)
    .bind(&r.populations)
    .bind(r.duration_minutes)
    .bind(r.provider_unit_id)
    .bind(r.provider_member_unit_id)
    .bind(&r.licence)
    .bind(&r.language)
    .bind(&r.description)
    .bind(&r.external_url)
    .bind(by)
    .fetch_one(conn)
    .await
}

/// Saves an edit if the version is still the one the form showed and the resource may still
/// be edited; false otherwise.
pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    r: &ResourceInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update library_resource set title = $3, kind = $4, subject = $5, populations = $6,
                duration_minutes = $7, provider_unit_id = $8, provider_member_unit_id = $9, licence = $10,
                language = $11, description = $12, external_url = $13, version = version + 1
          where id = $1 and version = $2 and status = any($14)",
    )
    .bind(id)
    .bind(version)
    .bind(&r.title)
    .bind(&r.kind)
    .bind(&r.subject)
    .bind(&r.populations)
    .bind(r.duration_minutes)
    .bind(r.provider_unit_id)
    .bind(r.provider_member_unit_id)
    .bind(&r.licence)
    .bind(&r.language)
    .bind(&r.description)
    .bind(&r.external_url)
    .bind(&super::model::EDITABLE[..])
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Bumps the version of a resource whose files or lessons changed, if it may still be edited
/// and still has `version`; false otherwise.
pub async fn touch(conn: &mut PgConnection, id: i64, version: i32) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update library_resource set version = version + 1
          where id = $1 and version = $2 and status = any($3)",
    )
    .bind(id)
    .bind(version)
    .bind(&super::model::EDITABLE[..])
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Lesson {
    pub id: i64,
    pub position: i32,
    pub title: String,
    pub duration_minutes: Option<i32>,
    pub external_url: String,
    pub file_name: Option<String>,
    #[serde(skip)]
    pub file_type: Option<String>,
}

impl Lesson {
    pub fn is_video(&self) -> bool {
        self.file_type
            .as_deref()
            .is_some_and(|t| t.starts_with("video/"))
    }

    pub fn is_audio(&self) -> bool {
        self.file_type
            .as_deref()
            .is_some_and(|t| t.starts_with("audio/"))
    }
}

pub async fn lessons(conn: &mut PgConnection, resource: i64) -> sqlx::Result<Vec<Lesson>> {
    sqlx::query_as(
        "select l.id, l.position, l.title, l.duration_minutes, l.external_url, f.file_name, f.content_type as file_type
           from library_lesson l
           left join lateral (select x.file_name, x.content_type from library_file x
                               where x.tenant_id = l.tenant_id and x.lesson_id = l.id and x.role = 'content'
                               order by x.id desc limit 1) f on true
          where l.resource_id = $1 order by l.position, l.id",
    )
    .bind(resource)
    .fetch_all(conn)
    .await
}

pub async fn add_lesson(
    conn: &mut PgConnection,
    tenant_id: i64,
    resource: i64,
    title: &str,
    duration_minutes: Option<i32>,
    external_url: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into library_lesson (tenant_id, resource_id, position, title, duration_minutes, external_url)
         values ($1, $2, (select coalesce(max(position), 0) + 1 from library_lesson where resource_id = $2),
                 $3, $4, $5) returning id",
    )
    .bind(tenant_id)
    .bind(resource)
    .bind(title)
    .bind(duration_minutes)
    .bind(external_url)
    .fetch_one(conn)
    .await
}

pub async fn delete_lesson(
    conn: &mut PgConnection,
    resource: i64,
    lesson: i64,
) -> sqlx::Result<bool> {
    sqlx::query("delete from library_file where resource_id = $1 and lesson_id = $2")
        .bind(resource)
        .bind(lesson)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("delete from library_lesson where resource_id = $1 and id = $2")
        .bind(resource)
        .bind(lesson)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A stored file's description, without its content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileMeta {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// Which file of a resource: its content (or a lesson's) or its cover.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    Content,
    Lesson(i64),
    Cover,
}

impl Which {
    fn role(self) -> &'static str {
        match self {
            Which::Cover => "cover",
            _ => "content",
        }
    }

    fn lesson(self) -> Option<i64> {
        match self {
            Which::Lesson(l) => Some(l),
            _ => None,
        }
    }
}

pub async fn file_meta(
    conn: &mut PgConnection,
    resource: i64,
    which: Which,
) -> sqlx::Result<Option<FileMeta>> {
    sqlx::query_as(
        "select id, file_name, content_type, size from library_file
          where resource_id = $1 and role = $2 and lesson_id is not distinct from $3
          order by id desc limit 1",
    )
    .bind(resource)
    .bind(which.role())
    .bind(which.lesson())
    .fetch_optional(conn)
    .await
}

/// `len` bytes of a file from byte `start` (from 0), read from the database as a slice.
pub async fn file_slice(
    conn: &mut PgConnection,
    file: i64,
    start: u64,
    len: u64,
) -> sqlx::Result<Vec<u8>> {
    sqlx::query_scalar(
        "select substring(content from $2::int for $3::int) from library_file where id = $1",
    )
    .bind(file)
    .bind(start as i64 + 1)
    .bind(len as i64)
    .fetch_one(conn)
    .await
}

/// Keeps `content` as the resource's (or lesson's) file or cover, in place of any before.
#[allow(clippy::too_many_arguments)]
pub async fn replace_file(
    conn: &mut PgConnection,
    tenant_id: i64,
    resource: i64,
    which: Which,
    name: &str,
    kind: &str,
    content: &[u8],
    by: &str,
) -> sqlx::Result<i64> {
    sqlx::query(
        "delete from library_file where resource_id = $1 and role = $2 and lesson_id is not distinct from $3",
    )
    .bind(resource)
    .bind(which.role())
    .bind(which.lesson())
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "insert into library_file (tenant_id, resource_id, lesson_id, role, file_name, content_type, size, content, uploaded_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(tenant_id)
    .bind(resource)
    .bind(which.lesson())
    .bind(which.role())
    .bind(name)
    .bind(kind)
    .bind(content.len() as i64)
    .bind(content)
    .bind(by)
    .fetch_one(conn)
    .await
}

/// Whether a published resource is ready: a file or link for a single item, a lesson with
/// one for a course.
pub async fn has_content(conn: &mut PgConnection, r: &Resource) -> sqlx::Result<bool> {
    if r.kind == "course" {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from library_lesson l where l.resource_id = $1
                and (l.external_url <> '' or exists (select 1 from library_file f
                     where f.tenant_id = l.tenant_id and f.lesson_id = l.id))",
        )
        .bind(r.id)
        .fetch_one(conn)
        .await?;
        return Ok(n > 0);
    }
    Ok(r.file_name.is_some() || !r.external_url.is_empty())
}

/// The largest file the district's library takes, in MB (200 until the bureau says).
pub async fn max_file_mb(conn: &mut PgConnection) -> sqlx::Result<i32> {
    let mb: Option<i32> = sqlx::query_scalar("select max_file_mb from library_setting")
        .fetch_optional(conn)
        .await?;
    Ok(mb.unwrap_or(200))
}

pub async fn set_max_file_mb(
    conn: &mut PgConnection,
    tenant_id: i64,
    mb: i32,
    by: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into library_setting (tenant_id, max_file_mb, updated_by) values ($1, $2, $3)
         on conflict (tenant_id) do update set max_file_mb = $2, updated_by = $3, updated_at = now(),
                version = library_setting.version + 1",
    )
    .bind(tenant_id)
    .bind(mb)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts one view of a resource's page.
pub async fn count_view(
    conn: &mut PgConnection,
    tenant_id: i64,
    resource: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into library_view (tenant_id, resource_id, views) values ($1, $2, 1)
         on conflict (tenant_id, resource_id) do update set views = library_view.views + 1",
    )
    .bind(tenant_id)
    .bind(resource)
    .execute(conn)
    .await?;
    Ok(())
}

/// A provider the public library may be filtered by: those with a published resource.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Provider {
    pub key: String,
    pub name: String,
}

pub async fn public_providers(conn: &mut PgConnection) -> sqlx::Result<Vec<Provider>> {
    sqlx::query_as(
        "select distinct coalesce('u' || o.id, 'm' || mu.id) as key, coalesce(o.name, mu.name) as name
           from library_resource r
           left join org_unit o on o.tenant_id = r.tenant_id and o.id = r.provider_unit_id
           left join member_unit mu on mu.tenant_id = r.tenant_id and mu.id = r.provider_member_unit_id
          where r.status = 'published' order by 2",
    )
    .fetch_all(conn)
    .await
}

/// One record of the OAI-PMH feed (see `oai_records` in migration 0030).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OaiRecord {
    pub tenant_id: i64,
    pub district_code: String,
    pub district_name: String,
    pub source: String,
    pub id: i64,
    pub kind: String,
    pub stamp: DateTime<Utc>,
    pub deleted: bool,
    pub title: String,
    pub description: String,
    pub subject: String,
    pub populations: Vec<String>,
    pub creator: String,
    pub licence: String,
    pub language: String,
    pub duration_minutes: Option<i32>,
    pub external_url: String,
    pub content_type: Option<String>,
    pub year: Option<i32>,
}

/// What an OAI-PMH list or lookup asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OaiQuery {
    pub district: Option<String>,
    pub kind: Option<String>,
    pub id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Continue after this key (tenant, source, id).
    pub after: Option<(i64, String, i64)>,
}

pub async fn oai_records(
    conn: &mut PgConnection,
    q: &OaiQuery,
    limit: i32,
) -> sqlx::Result<Vec<OaiRecord>> {
    sqlx::query_as("select * from oai_records($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(&q.district)
        .bind(&q.kind)
        .bind(q.id)
        .bind(q.from)
        .bind(q.until)
        .bind(q.after.as_ref().map(|a| a.0))
        .bind(q.after.as_ref().map(|a| a.1.clone()))
        .bind(q.after.as_ref().map(|a| a.2))
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The feed's sets: (district code, district name, kind).
pub async fn oai_sets(conn: &mut PgConnection) -> sqlx::Result<Vec<(String, String, String)>> {
    sqlx::query_as("select * from oai_sets()")
        .fetch_all(conn)
        .await
}

pub async fn oai_earliest(conn: &mut PgConnection) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar("select oai_earliest()")
        .fetch_one(conn)
        .await
}
