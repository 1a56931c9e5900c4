//! Command-line administration: the first real district and its administrator, with no
//! default account anywhere outside the demo data.

use crate::audit::Actor;
use crate::auth::password;
use crate::db::Db;
use crate::platform::{DistrictForm, repo};

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
    let (tenant_id, college) = repo::insert_district(
        &mut tx,
        form.code.trim(),
        form.name.trim(),
        form.division_code.trim(),
        form.college_code.trim(),
        form.college_name.trim(),
    )
    .await
    .map_err(|e| format!("cannot create district {}: {e}", form.code))?;
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
    let mut tx = db.begin_sys().await.map_err(|e| e.to_string())?;
    let tenant_id: Option<i64> = match &request.district {
        Some(code) => Some(
            repo::district_id(&mut tx, code)
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
    let id = repo::insert_admin(
        &mut tx,
        tenant_id,
        &username,
        request.display_name.trim(),
        &hash,
    )
    .await
    .map_err(|e| format!("cannot create {username}: {e}"))?
    .ok_or_else(|| format!("cannot create {username}: the username is taken"))?;
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
