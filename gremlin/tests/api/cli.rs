//! The `gremlin` binary end to end: help, version, configuration errors,
//! `config check`, `openapi`, and `serve` answering over HTTP then stopping
//! cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{Backend, TestDb};

fn gremlin(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gremlin"));
    cmd.current_dir(dir);
    // Start from a clean environment so the caller's GREMLIN_* cannot leak in.
    for (key, _) in std::env::vars() {
        if key.starts_with("GREMLIN_") || key == "BETTER_AUTH_SECRET" {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("gremlin runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn version_and_help_are_available_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = output(gremlin(dir.path()).arg("--version"));
    assert_eq!(code, 0);
    assert!(out.starts_with("gremlin "), "{out}");
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["migrate", "up", "--help"],
        &["openapi", "--help"],
        &["config", "check", "--help"],
    ] {
        let (code, out, err) = output(gremlin(dir.path()).args(args));
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
    let (_, out, _) = output(gremlin(dir.path()).args(["serve", "--help"]));
    assert!(out.contains("--bind") && out.contains("--domains"), "{out}");
}

#[test]
fn invalid_configuration_fails_fast_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) =
        output(gremlin(dir.path()).args(["config", "check"]).env("GREMLIN_DATABASE__MAX_CONNECTIONS", "lots"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("database.max_connections"), "{err}");

    std::fs::write(dir.path().join("gremlin.toml"), "[server]\nbnd = \"x\"\n").unwrap();
    let (code, _, err) = output(gremlin(dir.path()).args(["serve"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("server.bnd") && err.contains("gremlin.toml"), "{err}");

    let (code, _, err) = output(gremlin(dir.path()).args(["--config", "missing.toml", "config", "check"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing.toml"), "{err}");
}

#[test]
fn postgres_without_a_secret_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = output(
        gremlin(dir.path()).args(["config", "check"]).env("GREMLIN_DATABASE__URL", "postgres://x@127.0.0.1:1/db"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("auth.secret"), "{err}");
}

#[test]
fn unknown_domain_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) =
        output(gremlin(dir.path()).args(["config", "check"]).env("GREMLIN_SERVER__DOMAINS", "[\"payroll\"]"));
    assert_ne!(code, 0);
    assert!(err.contains("payroll") && err.contains("available"), "{err}");
}

#[test]
fn config_check_prints_effective_settings_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = output(
        gremlin(dir.path())
            .args(["config", "check"])
            .env("GREMLIN_AUTH_SECRET", "a-very-secret-value-0123456789abcdefgh")
            .env("GREMLIN_DATABASE__URL", "postgres://app:hunter2@127.0.0.1/gremlin")
            .env("GREMLIN_SERVER__BIND", "0.0.0.0:9999"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("bind = \"0.0.0.0:9999\""), "{out}");
    assert!(out.contains("postgres://app:***@127.0.0.1/gremlin"), "{out}");
    assert!(!out.contains("hunter2") && !out.contains("a-very-secret"), "{out}");
    assert!(out.contains("configuration is valid"), "{out}");
}

#[test]
fn openapi_command_writes_the_committed_spec() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = output(gremlin(dir.path()).arg("openapi"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, gremlin::openapi::spec_json());
    let (code, _, err) = output(gremlin(dir.path()).args(["openapi", "--output", "spec.json"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("spec.json")).unwrap(), gremlin::openapi::spec_json());
}

#[tokio::test]
async fn migrate_command_on_postgres() {
    let db = TestDb::new(Backend::Postgres).await;
    let url = db.url.clone();
    let (code, out, err) = output(gremlin(db.dir.path()).args(["migrate", "up"]).env("GREMLIN_DATABASE__URL", &url));
    let total = gremlin_migrations::count(&gremlin::domains::all_migration_sets());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("applied {total}")), "{out}");
    let (code, out, _) = output(gremlin(db.dir.path()).args(["migrate", "status"]).env("GREMLIN_DATABASE__URL", &url));
    assert_eq!(code, 0);
    assert_eq!(out.lines().filter(|l| l.starts_with("applied")).count(), total, "{out}");
}

/// Starts `gremlin serve` on port 0 in `dir` with only `env` configured and
/// returns the child, its address and its log lines.
#[allow(clippy::zombie_processes, reason = "the caller waits for the child")]
fn spawn_serve(
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (std::process::Child, String, std::sync::mpsc::Receiver<String>) {
    let mut child = gremlin(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .expect("server announces its address");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':').collect();
            return (child, addr, rx);
        }
    }
}

#[tokio::test]
async fn serve_with_zero_configuration_then_stop_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr, logs) = spawn_serve(dir.path(), &[]);
    let client = crate::support::http_client();
    let health = client.get(format!("http://{addr}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = client.get(format!("http://{addr}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert!(dir.path().join("gremlin.db").exists(), "embedded SQLite lives in the working directory");
    let secret = dir.path().join("gremlin-auth.secret");
    assert!(secret.exists(), "a generated secret is kept for restarts");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
        let mut child = child;
        child.wait()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(exit.success(), "graceful exit, got {exit:?}");
    let all: Vec<String> = logs.try_iter().collect();
    assert!(all.iter().any(|l| l.contains("SIGTERM received")), "{all:#?}");
    assert!(all.iter().any(|l| l.contains("outbox relay flushed")), "{all:#?}");
}

fn stop(child: std::process::Child) -> std::process::ExitStatus {
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let mut child = child;
    child.wait().unwrap()
}

#[tokio::test]
async fn json_logs_carry_the_request_id_on_every_request_line() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr, logs) = spawn_serve(dir.path(), &[("GREMLIN_LOG__FORMAT", "json")]);
    let resp = crate::support::http_client()
        .get(format!("http://{addr}/healthz"))
        .header("x-request-id", "e2e-trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "e2e-trace-42");
    let exit = tokio::task::spawn_blocking(move || stop(child)).await.unwrap();
    assert!(exit.success());
    let lines: Vec<serde_json::Value> = logs.try_iter().filter_map(|l| serde_json::from_str(&l).ok()).collect();
    let finished = lines
        .iter()
        .find(|l| l["message"] == "request finished")
        .unwrap_or_else(|| panic!("no JSON access log line: {lines:#?}"));
    assert_eq!(finished["span"]["request_id"], "e2e-trace-42", "{finished}");
    assert_eq!(finished["route"], "ops.health");
}
