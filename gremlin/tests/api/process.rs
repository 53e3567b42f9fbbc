//! Running the `gremlin` binary as a separate process, as deployments do:
//! split-deployment and crash tests start several and kill them.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::servers::free_port;
use crate::support::http_client;

/// The binary that serves `domains`: the one this test run built, unless
/// `GREMLIN_TEST_BIN_<DOMAINS>` (`GREMLIN_TEST_BIN_ORDERS`) names a build
/// with only those domains (`make feature-builds` passes them).
fn binary_for(domains: &str) -> PathBuf {
    let key = format!("GREMLIN_TEST_BIN_{}", domains.to_ascii_uppercase().replace(',', "_"));
    let chosen = std::env::var_os(key).map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_gremlin")), PathBuf::from);
    // The child runs in a temporary directory: a relative path would not resolve there.
    std::path::absolute(&chosen).unwrap_or(chosen)
}

/// The `gremlin` binary for `domains` run in `dir`, with none of the
/// caller's `GREMLIN_*` variables, so only what a test passes configures it.
fn gremlin_command(domains: &str, dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(binary_for(domains));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("GREMLIN_") || key == "BETTER_AUTH_SECRET" {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// A `gremlin serve` process; killed (SIGKILL) when dropped.
pub struct GremlinProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl GremlinProcess {
    /// Starts `gremlin serve --domains <domains>` with `env` (on top of a
    /// clean environment) on a free port, and waits until `/readyz` is 200.
    pub async fn start(domains: &str, env: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let log = dir.path().join("gremlin.log");
        let mut cmd = gremlin_command(domains, dir.path());
        cmd.env("GREMLIN_LOG__FORMAT", "json").env("GREMLIN_RATE_LIMIT__ENABLED", "false");
        for (key, value) in env {
            cmd.env(key, value);
        }
        let file = std::fs::File::create(&log).expect("log file");
        let child = cmd
            .args(["serve", "--domains", domains, "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("gremlin starts");
        let mut process = Self { child, base: format!("http://127.0.0.1:{port}"), log, _dir: dir };
        process.wait_until_ready().await;
        process
    }

    /// Runs `gremlin serve --domains <domains>` with `env`, expecting it to
    /// refuse to start; returns its exit code and what it wrote to stderr.
    pub fn start_refused(domains: &str, env: &[(&str, String)]) -> (i32, String) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = gremlin_command(domains, dir.path());
        for (key, value) in env {
            cmd.env(key, value);
        }
        let port = free_port().to_string();
        let out = cmd
            .args(["serve", "--domains", domains, "--bind", &format!("127.0.0.1:{port}")])
            .output()
            .expect("gremlin runs");
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    /// Waits up to 60 s for `/readyz` to answer 200; fails at once, with
    /// its log, when the process exits instead.
    pub async fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(resp) = http_client().get(format!("{}/readyz", self.base)).send().await
                && resp.status() == 200
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("gremlin exited ({status}) before it was ready:\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "gremlin never became ready:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What the process logged so far (for assertion messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for GremlinProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
