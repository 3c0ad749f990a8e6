//! The desk's safety rules over plain HTTP (always run): the access token and its cookie,
//! CSRF on every post, the security headers, the PIN never echoed, one check per reader
//! across tabs, the idle lock, loopback only; and the day's list and records.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::{Browser, demo_desk, demo_desk_with};
use elig_desk::{CONTENT_SECURITY_POLICY, DemoOptions, Desk};
use http::{Method, StatusCode, header};

async fn signed_in(desk: &common::TestDesk) -> (Browser, String) {
    let mut b = Browser::new(&desk.base);
    b.sign_in(desk.desk.url()).await;
    (b, format!("csrf={}", desk.desk.csrf_for_tests()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_token_nothing_is_served_and_the_token_becomes_a_strict_cookie() {
    let desk = demo_desk().await;
    let mut stranger = Browser::new(&desk.base);
    let refused = stranger.get("/").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("id=\"refused\""));
    assert!(
        !refused.body.contains("visitor-1"),
        "no list without the token"
    );
    let wrong = stranger.get("/?token=00").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(stranger.cookies.is_empty(), "no session for a wrong token");

    let mut b = Browser::new(&desk.base);
    let opened = b.sign_in(desk.desk.url()).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location(), "/", "the token leaves the address bar");
    let cookie = opened.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains(desk.desk.url().split("token=").nth(1).unwrap()),
        "the cookie is a session, not the token"
    );
    let list = b.get("/").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("id=\"visitor-1\""));
    desk.desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_strict_headers() {
    let desk = demo_desk().await;
    let (mut b, _) = signed_in(&desk).await;
    for path in ["/", "/records", "/assets/desk.js", "/nothing-here"] {
        let a = b.get(path).await;
        assert_eq!(
            a.headers[header::CONTENT_SECURITY_POLICY],
            CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(a.headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
    }
    assert!(CONTENT_SECURITY_POLICY.contains("script-src 'self'"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
    let page = b.get("/").await.body;
    assert!(!page.contains("<script>"), "no inline script");
    assert!(!page.contains("style=\""), "no inline style");
    desk.desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_without_or_with_a_bad_csrf_token_or_from_another_site_is_refused() {
    let desk = demo_desk().await;
    let (mut b, csrf) = signed_in(&desk).await;
    let fields = [("action", "insert"), ("person", "P01")];
    let none = b.post("/demo/card", &fields).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let bad = b.post("/demo/card?csrf=0123", &fields).await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    let list = b.get("/").await.body;
    assert!(
        list.contains("id=\"reader-state\">カードは置かれていません"),
        "nothing happened"
    );
    let cross = b
        .send(
            Method::POST,
            &format!("/demo/card?{csrf}"),
            Some("application/x-www-form-urlencoded"),
            "action=insert&person=P01",
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let good = b.post(&format!("/demo/card?{csrf}"), &fields).await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert!(b.get("/").await.body.contains("P01"));
    desk.desk.shutdown().await;
}

/// Removes this start's secrets from a page before searching it for a PIN.
fn without_secrets(body: &str, csrf: &str) -> String {
    body.replace(csrf.trim_start_matches("csrf="), "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pin_is_never_echoed_and_a_wrong_one_shows_the_tries_left() {
    let desk = demo_desk().await;
    let (mut b, csrf) = signed_in(&desk).await;
    b.post(
        &format!("/demo/card?{csrf}"),
        &[("action", "insert"), ("person", "P01")],
    )
    .await;
    let started = b
        .post(
            &format!("/checks?{csrf}"),
            &[("visitor", "1"), ("mode", "pin")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let check = started.location().to_owned();
    let pad = b.get(&check).await;
    assert!(pad.body.contains("id=\"tries-left\""), "{}", pad.body);
    let wrong = "9731";
    let posted = b
        .post(&format!("{check}/pin?{csrf}"), &[("pin", wrong)])
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert!(!posted.body.contains(wrong));
    assert!(
        posted
            .headers
            .values()
            .all(|v| !v.to_str().unwrap_or("").contains(wrong))
    );
    let verdict = b.get(&check).await;
    let shown = without_secrets(&verdict.body, &csrf);
    assert!(!shown.contains(wrong), "the PIN is not echoed");
    assert!(
        shown.contains("暗証番号が違います。残り 2 回です。"),
        "{shown}"
    );
    assert!(shown.contains("data-outcome=\"failed\""));
    assert!(!shown.contains("data-outcome=\"eligible\""));
    // A malformed PIN is refused without being sent or shown.
    let again = b
        .post(
            &format!("/checks?{csrf}"),
            &[("visitor", "1"), ("mode", "pin")],
        )
        .await;
    let check2 = again.location().to_owned();
    let short = b
        .post(&format!("{check2}/pin?{csrf}"), &[("pin", "97x")])
        .await;
    assert!(short.location().ends_with("?e=pin-format"));
    let page = b.get(short.location()).await.body;
    assert!(!without_secrets(&page, &csrf).contains("97x"));
    assert!(page.contains("id=\"tries-left\" class=\"tries\">残り 2 回"));
    desk.desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_tab_cannot_start_a_check_while_one_runs() {
    let desk = demo_desk().await;
    let (mut tab1, csrf) = signed_in(&desk).await;
    let (mut tab2, _) = signed_in(&desk).await;
    tab1.post(
        &format!("/demo/card?{csrf}"),
        &[("action", "insert"), ("person", "P01")],
    )
    .await;
    let first = tab1
        .post(
            &format!("/checks?{csrf}"),
            &[("visitor", "1"), ("mode", "pin")],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = tab2
        .post(
            &format!("/checks?{csrf}"),
            &[("visitor", "2"), ("mode", "pin")],
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(second.body.contains("id=\"busy\""));
    // The first tab finishes; then a new check may start.
    let check = first.location().to_owned();
    tab1.post(&format!("{check}/cancel?{csrf}"), &[]).await;
    let verdict = tab1.get(&check).await.body;
    assert!(verdict.contains("確認を中止しました。"), "{verdict}");
    let third = tab2
        .post(
            &format!("/checks?{csrf}"),
            &[("visitor", "2"), ("mode", "pin")],
        )
        .await;
    assert_eq!(third.status, StatusCode::SEE_OTHER);
    desk.desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_is_locked() {
    let desk = demo_desk_with(|o| o.with_idle_lock(Duration::ZERO)).await;
    let mut b = Browser::new(&desk.base);
    let opened = b.sign_in(desk.desk.url()).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let locked = b.get("/").await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(locked.body.contains("ロックしました"), "{}", locked.body);
    desk.desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_refuses_a_non_loopback_address() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::demo(DemoOptions::default().with_audit_db(dir.path().join("a.sqlite3")))
        .await
        .unwrap();
    let err = desk.serve("0.0.0.0:0".parse().unwrap()).await.unwrap_err();
    assert!(
        matches!(err, elig_desk::DeskError::NotLoopback { .. }),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_and_csv_vouchers_are_validated_and_added() {
    let desk = demo_desk().await;
    let (mut b, csrf) = signed_in(&desk).await;
    let msg = b.get("/validate?field=insurer_number&value=01130013").await;
    assert!(
        !msg.body.is_empty(),
        "a bad check digit is flagged as typed"
    );
    let ok = b.get("/validate?field=insurer_number&value=01130012").await;
    assert!(ok.body.is_empty());
    let mut fields = vec![
        ("kind", "checkup"),
        ("number", "26000000001"),
        ("issued_on", "2026-04-01"),
        ("expires_on", "2027-03-31"),
        ("insurer_number", "01130013"),
        ("card_number", "1234567"),
        ("name", "試験 花子"),
        ("sex", "2"),
        ("birth_date", "1980-04-01"),
    ];
    let refused = b.post(&format!("/visitors?{csrf}"), &fields).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    fields[4].1 = "01130012";
    let added = b.post(&format!("/visitors?{csrf}"), &fields).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let list = b.get("/").await.body;
    assert!(list.contains("試験 花子"));

    let boundary = "XdeskX";
    let csv = "kind,number,issued_on,expires_on,insurer_number,card_number,name,sex,birth_date\r\n\
               checkup,26000000002,2026-04-01,2027-03-31,01130012,\"7654321\",\"試験, 次郎\",1,1970-01-02\r\n";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"day.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let imported = b
        .send(
            Method::POST,
            &format!("/visitors/import?{csrf}"),
            Some(&format!("multipart/form-data; boundary={boundary}")),
            &body,
            &[],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    assert!(b.get("/").await.body.contains("試験, 次郎"));
    desk.desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eligible_check_lands_in_the_records_and_the_csv_export() {
    let desk = demo_desk().await;
    let (mut b, csrf) = signed_in(&desk).await;
    b.post(
        &format!("/demo/card?{csrf}"),
        &[("action", "insert"), ("person", "P01")],
    )
    .await;
    let started = b
        .post(
            &format!("/checks?{csrf}"),
            &[("visitor", "1"), ("mode", "pin")],
        )
        .await;
    let check = started.location().to_owned();
    b.post(
        &format!("{check}/pin?{csrf}"),
        &[("pin", elig_desk::DEMO_PIN)],
    )
    .await;
    let verdict = b.get(&check).await.body;
    assert!(verdict.contains("data-outcome=\"eligible\""), "{verdict}");
    assert!(verdict.contains("id=\"recorded\""));
    let records = b.get("/records").await.body;
    assert!(records.contains("data-chain=\"ok\""), "{records}");
    assert!(records.contains("資格を確認できました"));
    let csv = b.get("/records.csv").await;
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let mut lines = csv.body.lines();
    assert!(lines.next().unwrap().starts_with("seq,time_jst,"));
    let row = lines.next().unwrap();
    assert!(
        row.contains(",online_pin,") && row.contains(",eligible,"),
        "{row}"
    );
    desk.desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_card_says_where_to_unblock_it() {
    let desk = demo_desk().await;
    let (mut b, csrf) = signed_in(&desk).await;
    b.post(
        &format!("/demo/card?{csrf}"),
        &[("action", "insert"), ("person", "P02")],
    )
    .await;
    for expected in ["残り 2 回", "残り 1 回", "ロックされています"] {
        let started = b
            .post(
                &format!("/checks?{csrf}"),
                &[("visitor", "2"), ("mode", "pin")],
            )
            .await;
        let check = started.location().to_owned();
        // The last try is only spent with the confirmation ticked.
        b.post(
            &format!("{check}/pin?{csrf}"),
            &[("pin", "0000"), ("consent", "yes")],
        )
        .await;
        let page = b.get(&check).await.body;
        assert!(page.contains(expected), "{expected}: {page}");
        assert!(!page.contains("data-outcome=\"eligible\""));
    }
    // Blocked now: no PIN is asked for; the page names the municipal office.
    let started = b
        .post(
            &format!("/checks?{csrf}"),
            &[("visitor", "2"), ("mode", "pin")],
        )
        .await;
    let page = b.get(started.location()).await.body;
    assert!(page.contains("市区町村の窓口"), "{page}");
    assert!(page.contains("id=\"retry-visual\""), "目視確認 is offered");
    assert!(!page.contains("id=\"pin-form\""));
    desk.desk.shutdown().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_current_thread_runtime_is_refused() {
    let err = Desk::demo(DemoOptions::default()).await.unwrap_err();
    assert!(matches!(err, elig_desk::DeskError::Runtime), "{err}");
}
