//! Reading the audit log back: after each change, the rows it wrote are compared with the rows
//! expected (action, record, who, district, before and after), and every mismatch is kept so one
//! run reports them all.

use super::TestApp;
use serde_json::Value;

/// What a row's `before` or `after` must hold.
#[derive(Debug, Clone)]
pub enum Doc {
    /// Nothing: the action records no such side (a password, say).
    Null,
    /// Something, whatever it is.
    Any,
    /// An object holding at least these keys with these values.
    Has(Value),
}

impl Doc {
    fn check(&self, got: &Option<Value>) -> Result<(), String> {
        let got = got.as_ref().filter(|v| !v.is_null());
        match (self, got) {
            (Doc::Null, None) | (Doc::Any, Some(_)) => Ok(()),
            (Doc::Null, Some(v)) => Err(format!("expected nothing, got {v}")),
            (Doc::Any | Doc::Has(_), None) => Err("expected a document, got nothing".into()),
            (Doc::Has(want), Some(v)) => {
                let want = want.as_object().expect("Doc::Has takes an object");
                let wrong: Vec<String> = want
                    .iter()
                    .filter(|(k, w)| v.get(k.as_str()) != Some(w))
                    .map(|(k, w)| {
                        format!(
                            "{k}: expected {w}, got {}",
                            v.get(k.as_str()).unwrap_or(&Value::Null)
                        )
                    })
                    .collect();
                if wrong.is_empty() {
                    Ok(())
                } else {
                    Err(wrong.join("; "))
                }
            }
        }
    }
}

/// One audit row a change must write.
#[derive(Debug, Clone)]
pub struct Row {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<i64>,
    /// The username of who acted, or `cli:...` for the command line.
    pub actor: &'static str,
    /// The district's code.
    pub tenant: &'static str,
    pub before: Doc,
    pub after: Doc,
}

impl Row {
    /// A row in Mengjin with something before and after, until said otherwise.
    pub fn new(
        action: &'static str,
        entity: &'static str,
        entity_id: Option<i64>,
        actor: &'static str,
    ) -> Self {
        Self {
            action,
            entity,
            entity_id,
            actor,
            tenant: "mengjin",
            before: Doc::Any,
            after: Doc::Any,
        }
    }

    pub fn before(mut self, doc: Doc) -> Self {
        self.before = doc;
        self
    }

    pub fn after(mut self, doc: Doc) -> Self {
        self.after = doc;
        self
    }

    pub fn in_tenant(mut self, tenant: &'static str) -> Self {
        self.tenant = tenant;
        self
    }
}

#[derive(sqlx::FromRow, Debug)]
struct Logged {
    id: i64,
    tenant: String,
    actor_id: Option<i64>,
    actor_name: String,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    before: Option<Value>,
    after: Option<Value>,
    request_id: String,
}

/// The audit log read in steps: each step sees only the rows written since the last.
pub struct Trail<'a> {
    app: &'a TestApp,
    last: i64,
    pub covered: Vec<&'static str>,
    pub failures: Vec<String>,
}

impl<'a> Trail<'a> {
    pub async fn start(app: &'a TestApp) -> Trail<'a> {
        let last: Option<i64> = sqlx::query_scalar("select max(id) from audit_log")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
        Trail {
            app,
            last: last.unwrap_or(0),
            covered: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// `what` was just done over HTTP (or the command line): it must have written exactly `rows`
    /// (in any order), and nothing else.
    pub async fn expect(&mut self, what: &str, rows: Vec<Row>) {
        let logged: Vec<Logged> = sqlx::query_as(
            "select a.id, t.code as tenant, a.actor_id, a.actor_name, a.action, a.entity, a.entity_id,
                    a.before, a.after, a.request_id
               from audit_log a join tenant t on t.id = a.tenant_id where a.id > $1 order by a.id",
        )
        .bind(self.last)
        .fetch_all(&self.app.db.sys)
        .await
        .unwrap();
        if let Some(newest) = logged.last() {
            self.last = newest.id;
        }
        let mut unmatched: Vec<&Logged> = logged.iter().collect();
        for want in rows {
            self.covered.push(want.action);
            let Some(at) = unmatched.iter().position(|l| {
                l.action == want.action && l.entity == want.entity && l.entity_id == want.entity_id
            }) else {
                self.failures.push(format!(
                    "{what}: no audit row {} on {} {:?}",
                    want.action, want.entity, want.entity_id
                ));
                continue;
            };
            let got = unmatched.remove(at);
            let mut wrong = Vec::new();
            if got.actor_name != want.actor {
                wrong.push(format!(
                    "actor {} (expected {})",
                    got.actor_name, want.actor
                ));
            }
            let actor_id = if want.actor.starts_with("cli:") {
                None
            } else {
                Some(self.app.account_id(want.actor).await)
            };
            if got.actor_id != actor_id {
                wrong.push(format!(
                    "actor id {:?} (expected {actor_id:?})",
                    got.actor_id
                ));
            }
            if got.tenant != want.tenant {
                wrong.push(format!(
                    "district {} (expected {})",
                    got.tenant, want.tenant
                ));
            }
            if actor_id.is_some() && got.request_id.is_empty() {
                wrong.push("no request id".into());
            }
            if let Err(e) = want.before.check(&got.before) {
                wrong.push(format!("before: {e}"));
            }
            if let Err(e) = want.after.check(&got.after) {
                wrong.push(format!("after: {e}"));
            }
            if !wrong.is_empty() {
                self.failures
                    .push(format!("{what}: {}: {}", want.action, wrong.join(", ")));
            }
        }
        for extra in unmatched {
            self.failures.push(format!(
                "{what}: unexpected audit row {} on {} {:?}",
                extra.action, extra.entity, extra.entity_id
            ));
        }
    }
}
