//! SQL of the platform: the districts (tenants), each created with its college, its policy
//! targets and, from the platform's page, its first administrator. These run as the
//! connecting role, across districts (the platform administrator's transaction, or the CLI's).

use sqlx::PgConnection;

#[derive(sqlx::FromRow)]
pub struct DistrictRow {
    pub code: String,
    pub name: String,
    pub division_code: String,
    pub units: i64,
    pub accounts: i64,
}

pub async fn districts(conn: &mut PgConnection) -> sqlx::Result<Vec<DistrictRow>> {
    sqlx::query_as(
        "select t.code, t.name, t.division_code,
                (select count(*) from org_unit u where u.tenant_id = t.id and u.status = 'active') as units,
                (select count(*) from account a where a.tenant_id = t.id and not a.disabled) as accounts
           from tenant t order by t.code",
    )
    .fetch_all(conn)
    .await
}

pub async fn district_id(conn: &mut PgConnection, code: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("select id from tenant where code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// A new district with its college and the policy's targets; its id and the college's.
pub async fn insert_district(
    conn: &mut PgConnection,
    code: &str,
    name: &str,
    division_code: &str,
    college_code: &str,
    college_name: &str,
) -> sqlx::Result<(i64, i64)> {
    let tenant_id: i64 = sqlx::query_scalar(
        "insert into tenant (code, name, division_code) values ($1, $2, $3) returning id",
    )
    .bind(code)
    .bind(name)
    .bind(division_code)
    .fetch_one(&mut *conn)
    .await?;
    let college: i64 = sqlx::query_scalar(
        "insert into org_unit (tenant_id, kind, path, code, name) values ($1, 'college', '', $2, $3) returning id",
    )
    .bind(tenant_id)
    .bind(college_code)
    .bind(college_name)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("select seed_policy_targets($1), seed_specialties($1)")
        .bind(tenant_id)
        .execute(conn)
        .await?;
    Ok((tenant_id, college))
}

/// A district administrator (`tenant_id`) or a platform administrator (`None`), with the
/// platform-wide identity (migration 0022); `None` when the username is taken.
pub async fn insert_admin(
    conn: &mut PgConnection,
    tenant_id: Option<i64>,
    username: &str,
    display_name: &str,
    password_hash: &str,
) -> sqlx::Result<Option<i64>> {
    match tenant_id {
        Some(tenant_id) => {
            // add_account adds to the transaction's district.
            crate::db::set_tenant(&mut *conn, tenant_id).await?;
            sqlx::query_scalar("select add_account($1, $2, $3, 'district_admin', null, null)")
                .bind(username)
                .bind(display_name)
                .bind(password_hash)
                .fetch_one(conn)
                .await
        }
        None => {
            let taken: bool = sqlx::query_scalar(
                "select exists (select 1 from platform_user where username = $1)",
            )
            .bind(username)
            .fetch_one(&mut *conn)
            .await?;
            if taken {
                return Ok(None);
            }
            sqlx::query_scalar("select add_platform_admin($1, $2, $3)")
                .bind(username)
                .bind(display_name)
                .bind(password_hash)
                .fetch_one(conn)
                .await
                .map(Some)
        }
    }
}
