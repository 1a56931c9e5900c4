//! Command-line administration: the first real district and its administrator, with no
//! default account anywhere outside the demo data.

use crate::audit::Actor;
use crate::auth::password;
use crate::db::Db;
use crate::platform::DistrictForm;

pub struct AdminRequest {
    /// The district's code, or `None` for a platform administrator.
    pub district: Option<String>,
    pub username: String,
    pub display_name: String,
    pub password: Option<String>,
}

/// Creates a district with its college (no administrator yet: `admin create` adds one).
pub async fn create_district(db: &Db, form: DistrictForm) -> Result<(), String> {
    let mut tx = db.begin_sys().await.map_err(|e| e.to_string())?;
    let tenant_id: i64 = sqlx::query_scalar(
        "insert into tenant (code, name, division_code) values ($1, $2, $3) returning id",
    )
    .bind(form.code.trim())
    .bind(form.name.trim())
    .bind(form.division_code.trim())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| format!("cannot create district {}: {e}", form.code))?;
    let college: i64 = sqlx::query_scalar("insert into org_unit (tenant_id, kind, path, code, name) values ($1, 'college', '', $2, $3) returning id")
        .bind(tenant_id)
        .bind(form.college_code.trim())
        .bind(form.college_name.trim())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| format!("cannot create the college: {e}"))?;
    sqlx::query("select seed_policy_targets($1)")
        .bind(tenant_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
    let change = crate::audit::Change {
        tenant_id,
        action: "tenant.create",
        entity: "tenant",
        entity_id: Some(tenant_id),
        before: None,
        after: Some(serde_json::json!({ "code": form.code, "college": college })),
    };
    crate::audit::record(&mut tx, &Actor::cli("district create"), change)
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    println!("district {} created with its college", form.code);
    Ok(())
}

pub async fn create_admin(db: &Db, request: AdminRequest) -> Result<(), String> {
    let username = request.username.trim().to_lowercase();
    let (password, generated) = match request.password {
        Some(p) => (p, false),
        None => (crate::auth::session::random_token()[..20].to_string(), true),
    };
    password::check_new(&password, &username)
        .map_err(|key| format!("password refused: {}", crate::web::i18n::Lang::En.t(key)))?;
    let tenant_id: Option<i64> = match &request.district {
        Some(code) => Some(
            sqlx::query_scalar("select id from tenant where code = $1")
                .bind(code)
                .fetch_optional(&db.sys)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| {
                    format!("no district with code {code} (create it with `cedu district create`)")
                })?,
        ),
        None => None,
    };
    let role = if tenant_id.is_some() {
        "district_admin"
    } else {
        "platform_admin"
    };
    let hash = password::hash(password.clone()).await;
    let mut tx = db.begin_sys().await.map_err(|e| e.to_string())?;
    let id: i64 = sqlx::query_scalar("insert into account (tenant_id, username, display_name, password_hash, role) values ($1, $2, $3, $4, $5) returning id")
        .bind(tenant_id)
        .bind(&username)
        .bind(request.display_name.trim())
        .bind(&hash)
        .bind(role)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| format!("cannot create {username}: {e}"))?;
    if let Some(tenant_id) = tenant_id {
        let change = crate::audit::Change {
            tenant_id,
            action: "account.create",
            entity: "account",
            entity_id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "username": username, "role": role })),
        };
        crate::audit::record(&mut tx, &Actor::cli("admin create"), change)
            .await
            .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    println!("{role} {username} created");
    if generated {
        println!("password (shown once, change it after signing in): {password}");
    }
    Ok(())
}
