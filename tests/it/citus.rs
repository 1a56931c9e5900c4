//! The schema distributes on Citus by tenant: its rules, checked from the catalogue on plain
//! PostgreSQL (Citus itself is not among the packages this project installs). README,
//! "Distributing on Citus", says how; migrations 0020–0025 brought the schema to these rules.

use crate::support::TestApp;

/// The tables of the public schema with a tenant_id column, and those without (platform-wide).
async fn tables(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let rows: Vec<(String, bool)> = sqlx::query_as(
        "select c.relname::text,
                exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> '_sqlx_migrations'
          order by 1",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    let (tenant, platform): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, t)| *t);
    (
        tenant.into_iter().map(|(n, _)| n).collect(),
        platform.into_iter().map(|(n, _)| n).collect(),
    )
}

#[tokio::test]
async fn every_tenant_tables_keys_and_unique_indexes_hold_its_tenant_which_is_never_null() {
    let app = TestApp::spawn().await;
    let (tenant, platform) = tables(&app).await;
    assert!(tenant.len() > 30 && tenant.contains(&"account".to_string()));
    for table in ["tenant", "platform_user", "platform_admin", "session"] {
        assert!(
            platform.contains(&table.to_string()),
            "{table} is platform-wide"
        );
    }
    let nullable: Vec<String> = sqlx::query_scalar(
        "select a.attrelid::regclass::text from pg_attribute a join pg_class c on c.oid = a.attrelid
           join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attname = 'tenant_id' and not a.attnotnull",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(
        nullable,
        Vec::<String>::new(),
        "a distribution column is never null"
    );
    let keys: Vec<String> = sqlx::query_scalar(
        "select i.indrelid::regclass::text || ': ' || pg_get_indexdef(i.indexrelid)
           from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
           join pg_attribute t on t.attrelid = c.oid and t.attname = 'tenant_id' and not t.attisdropped
          where n.nspname = 'public' and i.indisunique and not t.attnum = any (i.indkey)",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(
        keys,
        Vec::<String>::new(),
        "keys and unique indexes without tenant_id"
    );
    let unkeyed: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind = 'r'
            and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary)",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(
        unkeyed,
        Vec::<String>::new(),
        "tables without a primary key"
    );
}

#[tokio::test]
async fn foreign_keys_between_tenant_tables_hold_the_tenant_and_none_run_from_a_platform_table_to_a_tenant_table()
 {
    let app = TestApp::spawn().await;
    // Each foreign key with whether its table and the referenced one are tenant tables, and
    // whether tenant_id stands in it on both sides, at the same place.
    let fks: Vec<(String, bool, bool, bool)> = sqlx::query_as(
        "with t as (
            select c.oid, (select a.attnum from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) as tenant
              from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public')
         select con.conrelid::regclass::text || ' ' || pg_get_constraintdef(con.oid),
                src.tenant is not null, dst.tenant is not null,
                exists (select 1 from generate_subscripts(con.conkey, 1) k
                         where con.conkey[k] = src.tenant and con.confkey[k] = dst.tenant)
           from pg_constraint con join t src on src.oid = con.conrelid join t dst on dst.oid = con.confrelid
          where con.contype = 'f'",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert!(fks.len() > 40, "{fks:?}");
    for (fk, from_tenant, to_tenant, tenant_in_both) in fks {
        assert!(
            from_tenant || !to_tenant,
            "a platform-wide (reference) table references a tenant table: {fk}"
        );
        assert!(
            !(from_tenant && to_tenant) || tenant_in_both,
            "a foreign key between tenant tables without tenant_id on both sides: {fk}"
        );
    }
}

#[tokio::test]
async fn no_policy_holds_a_subquery_and_no_trigger_a_transition_table() {
    let app = TestApp::spawn().await;
    let subqueries: Vec<String> = sqlx::query_scalar(
        "select tablename::text || ': ' || coalesce(qual, '') || ' / ' || coalesce(with_check, '')
           from pg_policies
          where schemaname = 'public' and (qual ~* '\\mselect\\M' or with_check ~* '\\mselect\\M')",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(subqueries, Vec::<String>::new(), "policies with a subquery");
    let transition: Vec<String> = sqlx::query_scalar(
        "select tgrelid::regclass::text || '.' || tgname from pg_trigger
          where not tgisinternal and (tgoldtable is not null or tgnewtable is not null)",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(
        transition,
        Vec::<String>::new(),
        "triggers with transition tables"
    );
}

#[tokio::test]
async fn no_sql_language_function_reads_a_tenant_table_and_the_tenant_is_set_with_set_local() {
    let app = TestApp::spawn().await;
    let (tenant, _) = tables(&app).await;
    let functions: Vec<(String, String, String)> = sqlx::query_as(
        "select p.oid::regprocedure::text, l.lanname::text, p.prosrc
           from pg_proc p join pg_language l on l.oid = p.prolang join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public'
            and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert!(functions.iter().any(|(f, _, _)| f == "app_session(bytea)"));
    for (function, language, body) in &functions {
        let body = body.to_lowercase();
        if language == "sql" {
            let is_word = |c: char| c.is_alphanumeric() || c == '_';
            for table in &tenant {
                let reads = body.match_indices(table.as_str()).any(|(at, _)| {
                    let before = body[..at].chars().next_back();
                    let after = body[at + table.len()..].chars().next();
                    !before.is_some_and(is_word) && !after.is_some_and(is_word)
                });
                assert!(
                    !reads,
                    "{function} is LANGUAGE sql and reads the tenant table {table}"
                );
            }
        }
        // Citus passes SET LOCAL on to its workers; set_config() it does not.
        assert!(
            !(body.contains("set_config") && body.contains("app.tenant_id")),
            "{function} sets the tenant with set_config"
        );
    }
    let (login, superuser, bypass): (bool, bool, bool) = sqlx::query_as(
        "select rolcanlogin, rolsuper, rolbypassrls from pg_roles where rolname = 'cedu_app'",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert!(
        login,
        "Citus connects to the workers as the request role: it must be able to log in"
    );
    assert!(!superuser && !bypass);
}

#[tokio::test]
async fn the_distribution_plan_takes_every_table_once_after_the_tables_it_references() {
    let app = TestApp::spawn().await;
    let (tenant, platform) = tables(&app).await;
    let plan: Vec<(i32, String, String)> = sqlx::query_as(
        "select step, table_name::text, kind from distribution_plan() order by step",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    let kind_of = |table: &str| {
        plan.iter()
            .find(|(_, t, _)| t == table)
            .map(|(_, _, k)| k.as_str())
    };
    for table in &tenant {
        assert_eq!(kind_of(table), Some("distributed"), "{table}");
    }
    for table in &platform {
        assert_eq!(kind_of(table), Some("reference"), "{table}");
    }
    assert_eq!(plan.len(), tenant.len() + platform.len(), "{plan:?}");
    let step = |table: &str| plan.iter().find(|(_, t, _)| t == table).unwrap().0;
    let references: Vec<(String, String)> = sqlx::query_as(
        "select conrelid::regclass::text, confrelid::regclass::text from pg_constraint
          where contype = 'f' and conrelid <> confrelid and connamespace = 'public'::regnamespace",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    for (table, referenced) in references {
        assert!(
            step(&referenced) < step(&table),
            "{table} is distributed before {referenced}, which it references"
        );
    }
}

/// Migrations from 0020 on change distributed tables the way Citus takes it: in sequential
/// multi-shard mode, one change per ALTER TABLE.
#[test]
fn later_migrations_alter_one_thing_at_a_time_in_sequential_mode() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let number: u32 = name[..4].parse().unwrap();
        if number < 20 {
            continue;
        }
        let sql = std::fs::read_to_string(&path).unwrap().to_lowercase();
        let code: String = sql
            .lines()
            .map(|l| l.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let alters: Vec<&str> = code
            .split(';')
            .map(str::trim)
            .filter(|s| s.starts_with("alter table"))
            .collect();
        if alters.is_empty() {
            continue;
        }
        checked += 1;
        assert!(
            code.contains("set local citus.multi_shard_modify_mode to 'sequential'"),
            "{name} alters tables outside sequential mode"
        );
        for statement in alters {
            let mut depth = 0i32;
            let top_level_commas = statement
                .chars()
                .filter(|c| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    *c == ',' && depth == 0
                })
                .count();
            assert_eq!(
                top_level_commas, 0,
                "{name}: one change per ALTER TABLE: {statement}"
            );
        }
    }
    assert!(checked >= 1, "migration 0022 alters account");
}
