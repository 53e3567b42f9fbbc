//! The web console in a real headless Chromium (WebDriver): served with a
//! strict Content-Security-Policy and no inline script; an owner signs in
//! (a wrong password is shown, not thrown), picks their organization and
//! takes an order from draft to fulfilled through the same API a client
//! uses; a user with two-factor on signs in with a code. Screenshots of each page at 1280 and 375 pixels go to
//! `target/console-screenshots/`.

use std::path::PathBuf;

use poem::EndpointExt;

use crate::support::browser::Browser;
use gremlin_identity::model::two_factor::totp_now;
use serde_json::json;

use crate::servers::free_port;
use crate::support::{Backend, PASSWORD, TestApp, http_client, orders, owner, sign_up, two_factor};

/// Where the screenshots go: `<target dir>/console-screenshots`.
fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("console-screenshots")
}

/// Serves `t` on a real port (the browser needs one); its base URL.
async fn serve(t: &mut TestApp, port: u16) -> String {
    let placeholder = poem::endpoint::make_sync(|_| "").map_to_response().boxed();
    let endpoint = std::mem::replace(&mut t.app.endpoint, placeholder);
    let listener = poem::listener::TcpListener::bind(format!("127.0.0.1:{port}"));
    tokio::spawn(async move { poem::Server::new(listener).run(endpoint).await });
    let base = format!("http://127.0.0.1:{port}");
    let http = http_client();
    for _ in 0..100 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    base
}

/// Signs `email` up and turns two-factor on; the TOTP secret.
async fn two_factor_user(t: &TestApp, email: &str) -> String {
    let user = sign_up(t, email, "Tess").await;
    two_factor::turn_on(t, &user.bearer).await.0
}

/// Both sizes of the current page, named `name`.
async fn capture(browser: &Browser, name: &str) {
    for (width, height) in [(1280, 900), (375, 812)] {
        browser.resize(width, height).await;
        browser.screenshot(&screenshots().join(format!("{name}-{width}.png"))).await;
    }
    browser.resize(1280, 900).await;
}

#[tokio::test]
async fn an_owner_signs_in_and_fulfils_an_order_in_the_browser() {
    let port = free_port();
    let mut t =
        TestApp::custom(Backend::Sqlite, |s| s.server.public_url = format!("http://127.0.0.1:{port}"), |b| b).await;
    let (jwt, org) = owner(&t, "olivia@example.com", "acme").await;
    let order = orders::create(&t, &jwt).await;
    let secret = two_factor_user(&t, "tess@example.com").await;
    let base = serve(&mut t, port).await;

    // The page: strict policy, scripts only from files.
    let page = http_client().get(format!("{base}/console/orders?status=draft")).send().await.unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script>") && html.contains(r#"<script type="module" src="/console/assets/app.js">"#));

    let http = http_client();
    let missing = http.get(format!("{base}/console/assets/nope.js")).send().await.unwrap();
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
    let config: serde_json::Value =
        http.get(format!("{base}/console/config.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(config["domains"], json!(["orders", "invoices", "crm", "leave"]));

    let browser = Browser::start(1280, 900).await;
    browser.open(&format!("{base}/console/")).await;
    browser.find("#email").await.type_text("olivia@example.com").await;
    browser.find("#password").await.type_text("not-the-password-1").await;
    capture(&browser, "sign-in").await;
    browser.find("form button[type=submit]").await.click().await;
    browser.wait_for_text("Invalid email or password").await;
    browser.script("document.getElementById('password').value = ''", serde_json::json!([])).await;
    browser.find("#password").await.type_text(PASSWORD).await;
    browser.find("form button[type=submit]").await.click().await;
    browser.wait_for_text("olivia@example.com").await;

    // Picking the organization shows its orders.
    browser
        .script(
            "const s = document.getElementById('org-switcher'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
            serde_json::json!([org]),
        )
        .await;
    browser.wait_for_text("Acme Buyer").await;
    capture(&browser, "orders").await;

    // The order, from draft to fulfilled.
    browser.find(&format!("a[href='/console/orders/{}']", order["id"].as_str().unwrap())).await.click().await;
    browser.wait_for_text("Lines").await;
    capture(&browser, "order").await;
    for (action, status) in [("Place", "placed"), ("Confirm", "confirmed"), ("Fulfil", "fulfilled")] {
        let button = format!("//button[text()='{action}']");
        let found = browser
            .script(
                "const b = document.evaluate(arguments[0], document, null, 9, null).singleNodeValue; if (b) b.click(); return !!b;",
                serde_json::json!([button]),
            )
            .await;
        assert_eq!(found, true, "no {action} button: {}", browser.body_text().await);
        let started = std::time::Instant::now();
        while browser.find("#order-status").await.text().await != status {
            assert!(started.elapsed().as_secs() < 15, "never {status}: {}", browser.body_text().await);
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    let stored = http_client()
        .get(format!("{base}/api/orders/{}", order["id"].as_str().unwrap()))
        .header("authorization", &jwt)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.json::<serde_json::Value>().await.unwrap()["status"], "fulfilled");

    // A user with two-factor on signs in with a code.
    browser.find("#sign-out").await.click().await;
    browser.find("#email").await.type_text("tess@example.com").await;
    browser.find("#password").await.type_text(PASSWORD).await;
    browser.find("form button[type=submit]").await.click().await;
    browser.find("#code").await.type_text(&totp_now(&secret, two_factor::now())).await;
    capture(&browser, "two-factor").await;
    browser.find("form button[type=submit]").await.click().await;
    browser.wait_for_text("tess@example.com").await;
    browser.wait_for_text("Choose an organization").await;
    browser.quit().await;
}
