//! The December cycle: filing, the state machine with its window rules, review up the tree,
//! consolidation, completeness, reminders, carry-forward and publication.

use crate::support::{Client, Page, TestApp};
use reqwest::StatusCode;

/// The submission of a filer (org unit or member unit code) in a year's cycle.
pub async fn submission_of(app: &TestApp, year: i32, code: &str) -> i64 {
    sqlx::query_scalar(
        "select s.id from submission s join reporting_cycle c on c.id = s.cycle_id
           left join org_unit u on u.id = s.org_unit_id left join member_unit m on m.id = s.member_unit_id
          where c.year = $1 and coalesce(u.code, m.code) = $2 and c.tenant_id = 1",
    )
    .bind(year)
    .bind(code)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

pub async fn version(app: &TestApp, submission: i64) -> String {
    let v: i32 = sqlx::query_scalar("select version from submission where id = $1")
        .bind(submission)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    v.to_string()
}

pub async fn add_resource(client: &Client, submission: i64, name: &str) -> crate::support::Page {
    client
        .post(
            &format!("/submissions/{submission}/resources"),
            &[
                ("category", "venue"),
                ("name", name),
                ("address", "城关镇人民路1号"),
                ("sharing", "free"),
                ("populations", "elderly"),
                ("contact", "王老师 0379-67910001"),
            ],
        )
        .await
}

pub async fn add_plan(client: &Client, submission: i64, title: &str) -> crate::support::Page {
    client
        .post(
            &format!("/submissions/{submission}/plans"),
            &[
                ("title", title),
                ("category", "elderly"),
                ("period", "Q2"),
                ("budget_government", "1,500.50"),
                ("responsible", "王老师"),
            ],
        )
        .await
}

pub async fn status(app: &TestApp, submission: i64) -> String {
    sqlx::query_scalar("select status from submission where id = $1")
        .bind(submission)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_town_files_the_bureau_returns_it_the_town_fixes_and_the_bureau_accepts() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MJ-CG").await;
    let town = app.login("mengjin-town").await;
    let bureau = app.login("mengjin-bureau").await;

    let empty = town
        .post(
            &format!("/submissions/{s}/submit"),
            &[("version", &version(&app, s).await)],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("清单还不完整");
    assert_eq!(
        add_resource(&town, s, "城关镇老年活动中心").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        add_plan(&town, s, "老年智能手机培训").await.status,
        StatusCode::SEE_OTHER
    );
    let budget: i64 =
        sqlx::query_scalar("select budget_government from plan_item where submission_id = $1")
            .bind(s)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(budget, 150050, "yuan kept as fen");

    assert_eq!(
        town.post(
            &format!("/submissions/{s}/submit"),
            &[("version", &version(&app, s).await)]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(status(&app, s).await, "submitted");
    let locked = town.get(&format!("/submissions/{s}")).await;
    locked.assert_contains("已提交，正在等待审核");
    assert_eq!(
        town.get(&format!("/submissions/{s}/resources/new"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        add_resource(&town, s, "偷偷加的").await.status,
        StatusCode::NOT_FOUND
    );

    let no_reason = bureau
        .post(
            &format!("/submissions/{s}/return"),
            &[("reason", " "), ("version", &version(&app, s).await)],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("id=\"e-reason\">此项必填");
    let returned = bureau
        .post(
            &format!("/submissions/{s}/return"),
            &[
                ("reason", "请补充开放时间"),
                ("version", &version(&app, s).await),
            ],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    let page = town.get(&format!("/submissions/{s}")).await;
    page.assert_contains("退回原因：请补充开放时间");
    let item: i64 = sqlx::query_scalar("select id from resource_item where submission_id = $1")
        .bind(s)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let form = town
        .get(&format!("/submissions/{s}/resources/{item}"))
        .await;
    let fields = crate::support::with(
        form.form_fields(&format!("/submissions/{s}/resources/{item}")),
        &[("opening_times", "每天 8:00-20:00")],
    );
    assert_eq!(
        town.submit(&format!("/submissions/{s}/resources/{item}"), &fields)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        town.post(
            &format!("/submissions/{s}/submit"),
            &[("version", &version(&app, s).await)]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );

    // Nobody else may decide it: the supervisor reads it, another town does not even see it.
    let supervisor = app.login("mengjin-supervisor").await;
    assert_eq!(
        supervisor.get(&format!("/submissions/{s}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        supervisor
            .post(
                &format!("/submissions/{s}/accept"),
                &[("confirm", "yes"), ("version", &version(&app, s).await)]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let other = app.login("mengjin-huimeng").await;
    assert_eq!(
        other.get(&format!("/submissions/{s}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        town.post(
            &format!("/submissions/{s}/accept"),
            &[("confirm", "yes"), ("version", &version(&app, s).await)]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        status(&app, s).await,
        "submitted",
        "a filer cannot accept its own lists"
    );

    assert_eq!(
        bureau
            .post(
                &format!("/submissions/{s}/accept"),
                &[("confirm", "yes"), ("version", &version(&app, s).await)]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(status(&app, s).await, "accepted");
    let again = bureau
        .post(
            &format!("/submissions/{s}/return"),
            &[("reason", "再改"), ("version", &version(&app, s).await)],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, s).await, "accepted", "accepted is final");
    town.get(&format!("/submissions/{s}"))
        .await
        .assert_contains("已审核通过，不能再修改");
    let steps: Vec<String> = sqlx::query_scalar(
        "select action from submission_event where submission_id = $1 order by id",
    )
    .bind(s)
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(
        steps,
        [
            "resource.create",
            "plan.create",
            "submit",
            "return",
            "resource.update",
            "submit",
            "accept"
        ]
    );
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where entity = 'submission' and entity_id = $1",
    )
    .bind(s)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(audited, 7);
}

#[tokio::test]
async fn a_stale_click_never_applies_a_step_twice() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    add_resource(&unit, s, "巾帼课堂").await;
    add_plan(&unit, s, "家风讲座").await;
    let submit = |v: String| {
        let unit = &unit;
        async move {
            unit.post(&format!("/submissions/{s}/submit"), &[("version", &v)])
                .await
                .status
        }
    };
    assert_eq!(submit(version(&app, s).await).await, StatusCode::SEE_OTHER);
    // The bureau opens the list to accept it; meanwhile the office returns it and the
    // federation fixes and resubmits it, so it is waiting for review again.
    let bureau = app.login("mengjin-bureau").await;
    let page = bureau.get(&format!("/submissions/{s}")).await;
    // Ticked on its confirmation page, so only the version stands in its way.
    let stale = crate::support::with(
        page.form_fields(&format!("/submissions/{s}/accept")),
        &[("confirm", "yes")],
    );
    let office = app.login("mengjin-office").await;
    let returned = office
        .post(
            &format!("/submissions/{s}/return"),
            &[("reason", "补充"), ("version", &version(&app, s).await)],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    assert_eq!(submit(version(&app, s).await).await, StatusCode::SEE_OTHER);
    let current = version(&app, s).await;
    // The bureau's click is on a list it has not seen: refused by its version alone.
    let click = bureau
        .submit(&format!("/submissions/{s}/accept"), &stale)
        .await;
    assert_eq!(click.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, s).await, "submitted");
    assert_eq!(version(&app, s).await, current);
    bureau
        .get(click.location())
        .await
        .assert_contains("该记录在您编辑期间已被他人修改");
    let accepted: i64 = sqlx::query_scalar(
        "select count(*) from submission_event where submission_id = $1 and action = 'accept'",
    )
    .bind(s)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(accepted, 0);
}

#[tokio::test]
async fn an_accept_racing_the_publication_waits_and_never_leaves_a_list_out() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    add_resource(&unit, s, "巾帼课堂").await;
    add_plan(&unit, s, "家风讲座").await;
    unit.post(
        &format!("/submissions/{s}/submit"),
        &[("version", &version(&app, s).await)],
    )
    .await;
    let bureau = app.login("mengjin-bureau").await;
    let v = version(&app, s).await;
    // The publication has changed the cycle, and not yet committed, when the bureau accepts.
    let mut publishing = app.db.sys.begin().await.unwrap();
    sqlx::query("update reporting_cycle set status = 'published', published_on = current_date where year = 2026 and tenant_id = 1")
        .execute(&mut *publishing)
        .await
        .unwrap();
    let accept = tokio::spawn(async move {
        bureau
            .post(
                &format!("/submissions/{s}/accept"),
                &[("confirm", "yes"), ("version", &v)],
            )
            .await
            .status
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    sqlx::query(
        "select publish_catalogue(id) from reporting_cycle where year = 2026 and tenant_id = 1",
    )
    .execute(&mut *publishing)
    .await
    .unwrap();
    publishing.commit().await.unwrap();
    assert_eq!(accept.await.unwrap(), StatusCode::SEE_OTHER);
    // The step waited for the publication, then found the cycle no longer open: the list is
    // not accepted into a year whose catalogue was written without it.
    assert_eq!(status(&app, s).await, "submitted");
}

#[tokio::test]
async fn teaching_points_file_to_their_town_which_consolidates_them() {
    let app = TestApp::spawn().await;
    let point = submission_of(&app, 2026, "MJ-CG-01").await;
    let town_s = submission_of(&app, 2026, "MJ-CG").await;
    let coordinator = app.login("mengjin-point").await;
    add_resource(&coordinator, point, "东关社区书屋").await;
    add_plan(&coordinator, point, "社区读书会").await;
    coordinator
        .post(
            &format!("/submissions/{point}/submit"),
            &[("version", &version(&app, point).await)],
        )
        .await;
    // The bureau does not review points; their town does.
    let bureau = app.login("mengjin-bureau").await;
    assert_eq!(
        bureau
            .post(
                &format!("/submissions/{point}/accept"),
                &[("confirm", "yes"), ("version", &version(&app, point).await)]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let town = app.login("mengjin-town").await;
    town.get("/inbox")
        .await
        .assert_contains("城关镇东关社区教学点");
    assert_eq!(
        town.post(
            &format!("/submissions/{point}/accept"),
            &[("confirm", "yes"), ("version", &version(&app, point).await)]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(status(&app, point).await, "accepted");
    let page = town.get(&format!("/submissions/{town_s}")).await;
    let consolidated = &page.body[page.body.find("id=\"consolidated\"").unwrap()..];
    assert!(consolidated.contains("东关社区书屋") && consolidated.contains("社区读书会"));
}

#[tokio::test]
async fn the_window_and_the_cycle_say_when_and_why_editing_stops() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let bad = bureau
        .post(
            "/cycles",
            &[
                ("year", "2027"),
                ("opens_on", "2027-12-31"),
                ("due_on", "2027-12-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("截止日期不能早于开始日期");
    bad.assert_contains("请至少选择一类填报单位");
    let opened = bureau
        .post(
            "/cycles",
            &[
                ("year", "2027"),
                ("opens_on", "2027-12-01"),
                ("due_on", "2027-12-31"),
                ("filers", "member_unit"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let dup = bureau
        .post(
            "/cycles",
            &[
                ("year", "2027"),
                ("opens_on", "2027-12-01"),
                ("due_on", "2027-12-31"),
                ("filers", "member_unit"),
            ],
        )
        .await;
    dup.assert_contains("该年度已开启填报");
    let s = submission_of(&app, 2027, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    unit.get(&format!("/submissions/{s}"))
        .await
        .assert_contains("填报尚未开始");
    assert_eq!(
        add_resource(&unit, s, "太早了").await.status,
        StatusCode::NOT_FOUND
    );

    // 2026 is open but already past due by the window set below: filing is allowed, marked late.
    let cycle: i64 =
        sqlx::query_scalar("select id from reporting_cycle where year = 2026 and tenant_id = 1")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let window = bureau
        .post(
            &format!("/cycles/{cycle}/window"),
            &[
                ("opens_on", "2026-11-01"),
                ("due_on", "2026-11-10"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(window.status, StatusCode::SEE_OTHER);
    let late = submission_of(&app, 2026, "MU-WF").await;
    add_resource(&unit, late, "巾帼课堂").await;
    add_plan(&unit, late, "家风讲座").await;
    unit.post(
        &format!("/submissions/{late}/submit"),
        &[("version", &version(&app, late).await)],
    )
    .await;
    unit.get(&format!("/submissions/{late}"))
        .await
        .assert_contains("逾期提交");
    let board = bureau.get(&format!("/cycles/{cycle}?status=late")).await;
    board.assert_contains("id=\"board-count\">1<");

    assert_eq!(
        bureau
            .post(&format!("/cycles/{cycle}/close"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let town = app.login("mengjin-town").await;
    let town_s = submission_of(&app, 2026, "MJ-CG").await;
    town.get(&format!("/submissions/{town_s}"))
        .await
        .assert_contains("本年度填报已截止");
    assert_eq!(
        add_resource(&town, town_s, "截止后").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bureau
            .post(&format!("/cycles/{cycle}/reopen"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        add_resource(&town, town_s, "重新开放后").await.status,
        StatusCode::SEE_OTHER
    );
}

/// The bureau opens a 2027 cycle for `filers` and the women's federation submits its lists:
/// the bureau, the federation's officer and the cycle.
async fn cycle_2027_with_one_submitted(app: &TestApp, filers: &[&str]) -> (Client, Client, i64) {
    let bureau = app.login("mengjin-bureau").await;
    let mut form = vec![
        ("year", "2027"),
        ("opens_on", "2026-11-01"),
        ("due_on", "2027-12-31"),
    ];
    form.extend(filers.iter().map(|f| ("filers", *f)));
    bureau.post("/cycles", &form).await;
    let cycle: i64 = sqlx::query_scalar("select id from reporting_cycle where year = 2027")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let unit = app.login("mengjin-unit").await;
    let s = submission_of(app, 2027, "MU-WF").await;
    add_resource(&unit, s, "巾帼课堂").await;
    add_plan(&unit, s, "家风讲座").await;
    unit.post(
        &format!("/submissions/{s}/submit"),
        &[("version", &version(app, s).await)],
    )
    .await;
    (bureau, unit, cycle)
}

#[tokio::test]
async fn the_board_counts_reminds_and_exports() {
    let app = TestApp::spawn().await;
    let (bureau, unit, cycle) =
        cycle_2027_with_one_submitted(&app, &["member_unit", "college"]).await;
    let board = bureau.get(&format!("/cycles/{cycle}")).await;
    let all = &board.body[board.body.find("id=\"completion-all\"").unwrap()..];
    assert!(
        all.contains(">6%<") && all.contains("1/15"),
        "1 of 14 member units and the college"
    );
    let members = &board.body[board.body.find("id=\"completion-member_unit\"").unwrap()..];
    assert!(members.contains("1/14"));

    assert_eq!(
        bureau
            .post(&format!("/cycles/{cycle}/remind"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let reminded: i64 = sqlx::query_scalar("select count(*) from notice n join submission s on s.id = n.submission_id where s.cycle_id = $1").bind(cycle).fetch_one(&app.db.sys).await.unwrap();
    assert_eq!(reminded, 14, "everyone but the one who submitted");
    let finance = submission_of(&app, 2027, "MU-FIN").await;
    bureau
        .post(
            &format!("/cycles/{cycle}/remind"),
            &[("submission", &finance.to_string())],
        )
        .await;
    let twice: i64 = sqlx::query_scalar("select count(*) from notice where submission_id = $1")
        .bind(finance)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(twice, 2);
    // The college's filer is the bureau: its reminder waits in its own inbox.
    bureau
        .get("/inbox")
        .await
        .assert_contains("前提交本单位社区教育资源清单");

    let rows = bureau
        .sheet(&format!("/cycles/{cycle}/board.xlsx?kind=member_unit"))
        .await;
    assert_eq!(rows.len() - 2, 14);
    let wf = rows.iter().find(|r| r[0] == "区妇联").unwrap();
    assert_eq!(
        (wf[2].as_str(), wf[5].as_str(), wf[6].as_str()),
        ("已提交待审核", "1", "1")
    );
    // Filers do not see the board.
    assert_eq!(
        unit.get(&format!("/cycles/{cycle}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_long_board_pages_under_figures_of_the_whole_cycle() {
    let app = TestApp::spawn().await;
    // 60 more member units: 74 filers with the demo's 14.
    sqlx::query(
        "insert into member_unit (tenant_id, code, name)
         select t.id, 'MU-X' || lpad(n::text, 2, '0'), '成员单位' || lpad(n::text, 2, '0')
           from tenant t, generate_series(1, 60) n where t.code = 'mengjin'",
    )
    .execute(&app.db.sys)
    .await
    .unwrap();
    let (bureau, _, cycle) = cycle_2027_with_one_submitted(&app, &["member_unit"]).await;

    let rows = |page: &Page| page.body.matches("href=\"/submissions/").count();
    let first = bureau.get(&format!("/cycles/{cycle}")).await;
    first.assert_contains("id=\"board-count\">74<");
    first.assert_contains("1/74");
    first.assert_contains("1 / 2");
    assert_eq!(rows(&first), 50);
    let second = bureau
        .get(&format!("/cycles/{cycle}?kind=member_unit&status=&page=2"))
        .await;
    assert_eq!(rows(&second), 24);
    second.assert_contains("2 / 2");
    second.assert_contains("1/74");
    // A filter counts and pages only what matches; the figures stay those of the whole cycle.
    let drafts = bureau.get(&format!("/cycles/{cycle}?status=draft")).await;
    drafts.assert_contains("id=\"board-count\">73<");
    drafts.assert_contains("page=2");
    let submitted = bureau
        .get(&format!("/cycles/{cycle}?status=submitted&page=9"))
        .await;
    submitted.assert_contains("id=\"board-count\">1<");
    assert_eq!(rows(&submitted), 1, "a page past the end shows the last");
    assert!(!submitted.body.contains("id=\"board-pages\""));
    // The export has every filer that matches, not a page.
    let sheet = bureau
        .sheet(&format!("/cycles/{cycle}/board.xlsx?status=draft"))
        .await;
    assert_eq!(sheet.len() - 2, 73);
}

/// The filers a board page lists, in its order.
fn filers_on(page: &Page) -> Vec<String> {
    let table = &page.body[page.body.find("id=\"board\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    table
        .split("href=\"/submissions/")
        .skip(1)
        .map(|cell| {
            let name = &cell[cell.find('>').unwrap() + 1..];
            name[..name.find("</a>").unwrap()].to_string()
        })
        .collect()
}

#[tokio::test]
async fn the_board_sorts_keeps_its_filters_and_prints_what_it_shows() {
    let app = TestApp::spawn().await;
    let (bureau, _, cycle) = cycle_2027_with_one_submitted(&app, &["member_unit", "college"]).await;
    let by_name = bureau
        .get(&format!("/cycles/{cycle}?kind=member_unit&sort=filer"))
        .await;
    let names = filers_on(&by_name);
    assert_eq!(names.len(), 14, "the member units only");
    // The heading turns the order round and keeps the filter.
    by_name.assert_contains("?kind=member_unit&#38;sort=filer&#38;dir=desc");
    let reversed = bureau
        .get(&format!(
            "/cycles/{cycle}?kind=member_unit&sort=filer&dir=desc"
        ))
        .await;
    let mut expected = names.clone();
    expected.reverse();
    assert_eq!(filers_on(&reversed), expected);
    let by_status = bureau
        .get(&format!("/cycles/{cycle}?sort=status&dir=desc"))
        .await;
    assert_eq!(
        filers_on(&by_status)[0],
        "区妇联",
        "submitted before drafts"
    );
    // A column that is not the board's own changes nothing.
    let hostile = bureau
        .get(&format!("/cycles/{cycle}?sort=s.id%3Bdrop"))
        .await;
    assert_eq!(filers_on(&hostile).len(), 15);
    // The export and print links carry the filters; print lays out what matches, figures first.
    let submitted = bureau
        .get(&format!("/cycles/{cycle}?status=submitted"))
        .await;
    submitted.assert_contains(&format!("/cycles/{cycle}/board.xlsx?status=submitted"));
    submitted.assert_contains(&format!("/cycles/{cycle}/print?status=submitted"));
    let print = bureau
        .get(&format!("/cycles/{cycle}/print?status=submitted"))
        .await;
    assert_eq!(print.status, StatusCode::OK);
    print.assert_contains("1/15");
    print.assert_contains("区妇联");
    print.assert_lacks("区财政局");
    print.assert_lacks("id=\"print-truncated\"");
    let drafts = bureau
        .get(&format!("/cycles/{cycle}/print?status=draft"))
        .await;
    drafts.assert_contains("区财政局");
    drafts.assert_lacks("区妇联");
}

#[tokio::test]
async fn the_register_of_years_filters_counts_exports_and_prints() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let all = bureau.get("/cycles").await;
    all.assert_contains("id=\"cycle-count\">2<");
    let open = bureau.get("/cycles?status=open").await;
    open.assert_contains("id=\"cycle-count\">1<");
    open.assert_contains(">2026</a>");
    open.assert_lacks(">2025</a>");
    open.assert_contains("/cycles/export.xlsx?status=open");
    let by_year = bureau.get("/cycles?sort=year").await;
    let (y2025, y2026) = (
        by_year.body.find(">2025</a>").unwrap(),
        by_year.body.find(">2026</a>").unwrap(),
    );
    assert!(y2025 < y2026, "oldest first when sorted by year");
    let sheet = bureau.sheet("/cycles/export.xlsx?status=published").await;
    assert_eq!(sheet.len() - 2, 1);
    assert_eq!(sheet[2][0], "2025");
    let print = bureau.get("/cycles/print").await;
    print.assert_contains("<td>2025</td>");
    print.assert_contains("<td>2026</td>");
    // Filers do not see the register.
    let unit = app.login("mengjin-unit").await;
    assert_eq!(
        unit.get("/cycles/print").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn last_years_lists_carry_forward_into_a_draft_once() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    unit.get(&format!("/submissions/{s}"))
        .await
        .assert_contains("沿用上年清单");
    assert_eq!(
        unit.post(&format!("/submissions/{s}/carry-forward"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    unit.post(&format!("/submissions/{s}/carry-forward"), &[])
        .await;
    let (resources, plans): (i64, i64) = sqlx::query_as(
        "select (select count(*) from resource_item where submission_id = $1), (select count(*) from plan_item where submission_id = $1)",
    )
    .bind(s)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!((resources, plans), (2, 1), "copied once, not twice");
}

#[tokio::test]
async fn bad_item_input_is_kept_and_explained() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MJ-CG").await;
    let town = app.login("mengjin-town").await;
    let page = town
        .post(
            &format!("/submissions/{s}/resources"),
            &[
                ("category", "casino"),
                ("name", "城关镇好地方"),
                ("capacity", "很多"),
                ("sharing", "free"),
                ("populations", "aliens"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("value=\"城关镇好地方\"");
    page.assert_contains("id=\"e-capacity\">请输入0或正整数");
    page.assert_contains("id=\"e-address\">请选择所在单位或填写地址");
    page.assert_contains("id=\"e-contact\">此项必填");
    let plan = town
        .post(
            &format!("/submissions/{s}/plans"),
            &[
                ("title", ""),
                ("category", "elderly"),
                ("period", "M13"),
                ("budget_donation", "12.345"),
                ("responsible", ""),
            ],
        )
        .await;
    assert_eq!(plan.status, StatusCode::UNPROCESSABLE_ENTITY);
    plan.assert_contains("id=\"e-budget_donation\">请输入金额");
    plan.assert_contains("id=\"e-title\">此项必填");
    let count: i64 =
        sqlx::query_scalar("select count(*) from resource_item where submission_id = $1")
            .bind(s)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn the_public_catalogue_shows_only_published_accepted_items_of_its_district() {
    let app = TestApp::spawn().await;
    let anyone = app.client();
    let index = anyone.get("/public").await;
    index.assert_contains("href=\"/public/mengjin/2025\"");
    assert!(
        !index.body.contains("偃师区"),
        "only districts that published"
    );
    anyone
        .get("/login")
        .await
        .assert_contains("href=\"/public\"");
    let page = anyone.get("/public/mengjin/2025").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("巾帼家长学校");
    page.assert_contains("联系人（演示） 0379-0000000");
    assert_eq!(
        anyone.get("/public/mengjin/2026").await.status,
        StatusCode::NOT_FOUND,
        "not published"
    );
    assert_eq!(
        anyone.get("/public/yanshi").await.status,
        StatusCode::NOT_FOUND,
        "Yanshi has published nothing"
    );
    let elderly = anyone.get("/public/mengjin/2025?population=elderly").await;
    elderly.assert_contains("东关社区老年活动室");
    assert!(!elderly.body.contains("巾帼家长学校"));
    let search = anyone
        .get("/public/mengjin/2025?q=%E4%B9%A6%E6%88%BF")
        .await;
    search.assert_contains("河阳城市书房");
    assert!(!search.body.contains("巾帼家长学校"));

    // This year: the women's federation carries last year forward, drops one, adds one; accepted and published.
    let s = submission_of(&app, 2026, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    unit.post(&format!("/submissions/{s}/carry-forward"), &[])
        .await;
    let dropped: i64 = sqlx::query_scalar(
        "select id from resource_item where submission_id = $1 and name = '巾帼志愿服务队'",
    )
    .bind(s)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    unit.post(
        &format!("/submissions/{s}/resources/{dropped}/delete"),
        &[("confirm", "yes")],
    )
    .await;
    add_resource(&unit, s, "妇女儿童之家").await;
    unit.post(
        &format!("/submissions/{s}/submit"),
        &[("version", &version(&app, s).await)],
    )
    .await;
    let draft = submission_of(&app, 2026, "MJ-CG").await;
    let town = app.login("mengjin-town").await;
    add_resource(&town, draft, "未审核的草稿资源").await;
    let bureau = app.login("mengjin-bureau").await;
    bureau
        .post(
            &format!("/submissions/{s}/accept"),
            &[("confirm", "yes"), ("version", &version(&app, s).await)],
        )
        .await;
    let cycle: i64 =
        sqlx::query_scalar("select id from reporting_cycle where year = 2026 and tenant_id = 1")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(
        bureau
            .post(&format!("/cycles/{cycle}/publish"), &[("confirm", "yes"),])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = anyone.get("/public/mengjin/2026").await;
    page.assert_contains("妇女儿童之家</strong> <span class=\"badge ok\">新增</span>");
    assert!(
        !page
            .body
            .contains("巾帼家长学校</strong> <span class=\"badge ok\">"),
        "carried forward, not new"
    );
    let gone = &page.body[page.body.find("id=\"gone\"").unwrap()..];
    assert!(gone.contains("巾帼志愿服务队"));
    assert!(!page.body.contains("未审核的草稿资源"));
    let rows = anyone.sheet("/public/mengjin/2026/resources.xlsx").await;
    let names: Vec<&str> = rows[2..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, ["巾帼家长学校", "妇女儿童之家"]);
    // Exports stream from the database; a year that was never published has none.
    let plans = anyone.sheet("/public/mengjin/2026/plans.xlsx").await;
    assert!(plans[0][0].contains("2027"), "titled with the plan year");
    assert_eq!(
        anyone
            .get("/public/mengjin/1999/resources.xlsx")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anyone.get("/public/mengjin/2026/print").await.status,
        StatusCode::OK
    );
}

/// Adds `n` resources named `prefix` and a number (zero-padded to `n`'s width) to the women's
/// federation's list of `year`, straight into the database; a published year's catalogue is
/// written again, as lists are frozen once published. Returns the submission.
async fn many_resources(app: &TestApp, year: i32, prefix: &str, n: i32) -> i64 {
    let s = submission_of(app, year, "MU-WF").await;
    let mut tx = app.db.begin_for(1).await.unwrap();
    sqlx::query(
        "insert into resource_item (tenant_id, submission_id, category, name, sharing)
         select 1, $1, 'venue', $2 || lpad(g::text, length($3::text), '0'), 'free' from generate_series(1, $3) g",
    )
    .bind(s)
    .bind(prefix)
    .bind(n)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("select publish_catalogue(id) from reporting_cycle where year = $1 and status = 'published'")
        .bind(year)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    s
}

#[tokio::test]
async fn the_public_catalogue_pages_each_list_and_counts_what_matches() {
    let app = TestApp::spawn().await;
    many_resources(&app, 2025, "翻页资源", 60).await;
    let anyone = app.client();
    let rows = |page: &Page, table: &str| {
        let body = &page.body[page.body.find(&format!("id=\"{table}\"")).unwrap()..];
        body[..body.find("</table>").unwrap()]
            .matches("<tr>")
            .count()
            - 1
    };
    let first = anyone
        .get("/public/mengjin/2025?q=%E7%BF%BB%E9%A1%B5")
        .await;
    first.assert_contains("id=\"resource-total\">60<");
    first.assert_contains("1 / 2");
    assert_eq!(rows(&first, "catalogue"), 50);
    first.assert_contains("翻页资源01");
    assert!(!first.body.contains("翻页资源51"));
    first.assert_contains("?q=%E7%BF%BB%E9%A1%B5&#38;tab=resources&#38;page=2");
    let second = anyone
        .get("/public/mengjin/2025?q=%E7%BF%BB%E9%A1%B5&tab=resources&page=2")
        .await;
    assert_eq!(rows(&second, "catalogue"), 10);
    second.assert_contains("翻页资源60");

    // A typed % or _ is a character, not a wildcard: no item has one.
    for wildcard in ["%25", "_", "%E7%BF%BB%25%E6%BA%90"] {
        anyone
            .get(&format!("/public/mengjin/2025?q={wildcard}"))
            .await
            .assert_contains("id=\"resource-total\">0<");
    }

    // The plans are the other tab, counted on both.
    let plans: i64 = sqlx::query_scalar(
        "select count(*) from plan_item i join submission s on s.id = i.submission_id
           join reporting_cycle c on c.id = s.cycle_id
          where s.tenant_id = 1 and c.year = 2025 and s.status = 'accepted'",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert!(plans > 0);
    let all = anyone.get("/public/mengjin/2025").await;
    all.assert_contains(&format!("id=\"plan-total\">{plans}<"));
    assert!(!all.body.contains("id=\"plans\""));
    let tab = anyone.get("/public/mengjin/2025?tab=plans").await;
    assert_eq!(rows(&tab, "plans"), plans as usize);
    assert!(!tab.body.contains("id=\"catalogue\""));
    tab.assert_contains("name=\"tab\" value=\"plans\"");

    // Exports and print have every match, not a page.
    let sheet = anyone
        .sheet("/public/mengjin/2025/resources.xlsx?q=%E7%BF%BB%E9%A1%B5")
        .await;
    assert_eq!(sheet.len() - 2, 60);
    let print = anyone
        .get("/public/mengjin/2025/print?q=%E7%BF%BB%E9%A1%B5")
        .await;
    print.assert_contains("翻页资源60");

    // The catalogue shows the lists as published: renaming a filer later does not rewrite them.
    sqlx::query("update member_unit set name = '改名后的妇联' where code = 'MU-WF'")
        .execute(&app.db.sys)
        .await
        .unwrap();
    let later = anyone
        .get("/public/mengjin/2025?q=%E7%BF%BB%E9%A1%B5")
        .await;
    let table = &later.body[later.body.find("id=\"catalogue\"").unwrap()..];
    assert!(table.contains("区妇联") && !table.contains("改名后的妇联"));
}

#[tokio::test]
async fn the_print_view_of_a_very_long_year_prints_its_first_rows_and_says_so() {
    let app = TestApp::spawn().await;
    many_resources(&app, 2025, "打印", 5001).await;
    let anyone = app.client();
    let print = anyone
        .get("/public/mengjin/2025/print?q=%E6%89%93%E5%8D%B0")
        .await;
    assert_eq!(print.status, StatusCode::OK);
    let note = &print.body[print.body.find("id=\"resources-print-truncated\"").unwrap()..];
    assert!(note.contains("5000 / 5001"));
    assert!(note.contains("resources.xlsx?q=%E6%89%93%E5%8D%B0"));
    assert_eq!(print.body.matches("<td>打印").count(), 5000);
    // A list that fits is printed whole, without the note.
    let short = anyone.get("/public/mengjin/2025/print").await;
    short.assert_lacks("id=\"plans-print-truncated\"");
    // The export has every row.
    let sheet = anyone
        .sheet("/public/mengjin/2025/resources.xlsx?q=%E6%89%93%E5%8D%B0")
        .await;
    assert_eq!(sheet.len() - 2, 5001);
}

#[tokio::test]
async fn the_committee_office_keeps_the_roster_and_officers_read_it() {
    let app = TestApp::spawn().await;
    let office = app.login("mengjin-office").await;
    let page = office.get("/committee").await;
    page.assert_contains("鲁俊生");
    page.assert_contains("负责指导、督促、检查、协调全区社区教育工作");
    let bad = office
        .post(
            "/committee/members",
            &[
                ("name", ""),
                ("committee_role", "king"),
                ("term_start", "2026-01-01"),
                ("term_end", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"e-term_end\">任期结束不能早于开始");
    let ok = office
        .post(
            "/committee/members",
            &[
                ("name", "赵委员"),
                ("committee_role", "member"),
                ("position", "区科协副主席"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    office.get("/committee").await.assert_contains("赵委员");
    let unit = app.login("mengjin-unit").await;
    assert_eq!(unit.get("/committee").await.status, StatusCode::OK);
    assert_eq!(
        unit.get("/committee/members/new").await.status,
        StatusCode::NOT_FOUND
    );
    let town = app.login("mengjin-town").await;
    assert_eq!(town.get("/committee").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.audit_actions(
            "committee_member",
            sqlx::query_scalar("select id from committee_member where name = '赵委员'")
                .fetch_one(&app.db.sys)
                .await
                .unwrap()
        )
        .await,
        ["committee_member.create"]
    );
}

/// A two-sheet workbook: resources then plans, each with a header row.
pub fn lists_workbook(resources: &[&[&str]], plans: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheets: [(&[&str], &[&[&str]]); 2] = [
        (
            &[
                "类别",
                "名称",
                "简介",
                "所在单位",
                "地址",
                "容纳人数",
                "开放时间",
                "服务重点人群",
                "共享方式",
                "联系人及电话",
            ],
            resources,
        ),
        (
            &[
                "活动项目",
                "类别",
                "服务重点人群",
                "时间",
                "地点",
                "预计参与人数",
                "政府投入",
                "社会捐赠",
                "学习者分担",
                "其他",
                "负责人",
            ],
            plans,
        ),
    ];
    for (headers, rows) in sheets {
        let ws = book.add_worksheet();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

pub async fn upload_lists(
    client: &Client,
    submission: i64,
    bytes: Vec<u8>,
) -> crate::support::Page {
    let token = client.csrf_token().await;
    let form = reqwest::multipart::Form::new().text("csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("lists.xlsx"),
    );
    let res = client
        .http
        .post(format!("{}/submissions/{submission}/import", client.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Client::page(res).await
}

#[tokio::test]
async fn lists_export_and_import_round_trip_through_a_dry_run() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    unit.post(&format!("/submissions/{s}/carry-forward"), &[])
        .await;
    let exported = unit.sheet(&format!("/submissions/{s}/lists.xlsx")).await;
    assert_eq!(exported[1][0], "类别");
    assert!(
        exported
            .iter()
            .any(|r| r.get(1).is_some_and(|n| n == "巾帼家长学校"))
    );

    let file = lists_workbook(
        &[&[
            "课程",
            "巾帼家长学校",
            "每月一期",
            "",
            "区妇联三楼",
            "60",
            "每月第一个周六",
            "留守妇女、留守儿童",
            "免费开放",
            "马老师 0379-67910002",
        ]],
        &[&[
            "留守儿童暑期托管",
            "青少年校外教育",
            "留守儿童",
            "7月",
            "各村教学点",
            "300",
            "20,000",
            "5000",
            "",
            "",
            "马老师",
        ]],
    );
    let uploaded = upload_lists(&unit, s, file).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let review = unit.get(uploaded.location()).await;
    review.assert_contains("id=\"error-count\">0<");
    assert_eq!(
        unit.post(uploaded.location(), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let names: Vec<String> =
        sqlx::query_scalar("select name from resource_item where submission_id = $1")
            .bind(s)
            .fetch_all(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(
        names,
        ["巾帼家长学校"],
        "the file replaced the draft's lists"
    );
    let (period, category, government, populations): (String, String, i64, Vec<String>) =
        sqlx::query_as("select period, category, budget_government, populations from plan_item where submission_id = $1").bind(s).fetch_one(&app.db.sys).await.unwrap();
    assert_eq!(
        (period.as_str(), category.as_str(), government, populations),
        (
            "M07",
            "youth",
            2_000_000,
            vec!["left_behind_children".to_string()]
        )
    );
}

#[tokio::test]
async fn a_lists_file_with_errors_names_sheet_row_and_column_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    add_resource(&unit, s, "原有资源").await;
    let file = lists_workbook(
        &[&[
            "赌场",
            "不明资源",
            "",
            "月球基地",
            "",
            "许多",
            "",
            "外星人",
            "免费开放",
            "",
        ]],
        &[&[
            "没有时间的活动",
            "老年教育",
            "",
            "第五季度",
            "",
            "",
            "12.345",
            "",
            "",
            "",
            "",
        ]],
    );
    let uploaded = upload_lists(&unit, s, file).await;
    let review = unit.get(uploaded.location()).await;
    let rows = &review.body[review.body.find("id=\"import-rows\"").unwrap()..];
    for expected in [
        "类别：请从列表中选择",
        "所在单位：请从列表中选择",
        "容纳人数：请输入0或正整数",
        "服务重点人群：请从列表中选择",
        "联系人及电话：此项必填",
        "时间：请从列表中选择",
        "政府投入：请输入金额",
        "负责人：此项必填",
    ] {
        assert!(rows.contains(expected), "missing {expected:?} in {rows}");
    }
    assert!(
        rows.contains("<td class=\"n\">2</td>"),
        "rows are numbered as in the sheet"
    );
    assert!(!review.body.contains("id=\"confirm-import\""));
    assert_eq!(
        unit.post(uploaded.location(), &[]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let names: Vec<String> =
        sqlx::query_scalar("select name from resource_item where submission_id = $1")
            .bind(s)
            .fetch_all(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(names, ["原有资源"], "nothing changed");
    // Another filer cannot import into this submission.
    let town = app.login("mengjin-town").await;
    assert_eq!(
        upload_lists(&town, s, lists_workbook(&[], &[]))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn each_submission_keeps_its_item_counts_through_batches_moves_and_deletes() {
    let app = TestApp::spawn().await;
    let mut tx = app.db.begin_for(1).await.unwrap();
    let subs: Vec<i64> = sqlx::query_scalar("select id from submission order by id limit 2")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    let counts = |id: i64| {
        sqlx::query_as::<_, (i32, i32, i64, i64)>(
            "select resource_count, plan_count,
                    (select count(*) from resource_item where submission_id = s.id),
                    (select count(*) from plan_item where submission_id = s.id)
               from submission s where id = $1",
        )
        .bind(id)
        .fetch_one(&app.db.sys)
    };
    // Counted as the board reads them, in the request role, under row-level security.
    let run = async |tx: &mut cedu::db::Tx, sql: &str| {
        sqlx::query(sql)
            .bind(subs[0])
            .bind(subs[1])
            .execute(&mut **tx)
            .await
            .unwrap();
    };
    run(&mut tx, "insert into resource_item (tenant_id, submission_id, category, name, sharing)
                  select 1, $1, 'venue', '计数' || g, 'free' from generate_series(1, 5) g where $2 > 0").await;
    run(&mut tx, "insert into plan_item (tenant_id, submission_id, title, category, period)
                  select 1, $1, '计数' || g, 'reading', 'Y' from generate_series(1, 3) g where $2 > 0").await;
    run(&mut tx, "update resource_item set submission_id = $2 where submission_id = $1 and name in ('计数1', '计数2')").await;
    run(
        &mut tx,
        "update resource_item set description = '只改内容' where submission_id in ($1, $2)",
    )
    .await;
    run(
        &mut tx,
        "delete from plan_item where submission_id = $1 and title = '计数3' and $2 > 0",
    )
    .await;
    tx.commit().await.unwrap();
    for id in &subs {
        let (resources, plans, real_resources, real_plans) = counts(*id).await.unwrap();
        assert_eq!(i64::from(resources), real_resources, "submission {id}");
        assert_eq!(i64::from(plans), real_plans, "submission {id}");
    }
    let (resources, plans, _, _) = counts(subs[0]).await.unwrap();
    assert!(resources >= 3 && plans >= 2);
}

#[tokio::test]
async fn a_long_list_shows_its_first_items_counts_them_all_and_exports_them_all() {
    let app = TestApp::spawn().await;
    let s = many_resources(&app, 2026, "长清单", 620).await;
    let total: i64 =
        sqlx::query_scalar("select count(*) from resource_item where submission_id = $1")
            .bind(s)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let unit = app.login("mengjin-unit").await;
    let page = unit.get(&format!("/submissions/{s}")).await;
    page.assert_contains(&format!("社区教育资源清单 ({total})"));
    page.assert_contains("id=\"resources-truncated\"");
    let edit_link = format!("<td class=\"row-actions\"><a href=\"/submissions/{s}/resources/");
    assert_eq!(
        page.body.matches(&edit_link).count(),
        500,
        "the first 500 shown"
    );
    let rows = unit.sheet(&format!("/submissions/{s}/lists.xlsx")).await;
    assert_eq!(rows.len() as i64, total + 2, "title, headers, every item");
    assert!(rows.iter().any(|r| r[1] == "长清单620"));
}
