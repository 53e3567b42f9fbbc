//! Private copies of the machine's Redis and NATS on spare ports, so fault
//! tests can stop and restart them without touching the shared servers.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A server process of this test's own; killed on drop.
pub struct PrivateServer {
    /// The port it listens on (kept across restarts).
    pub port: u16,
    program: &'static str,
    args: Vec<String>,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl PrivateServer {
    /// `redis-server` on a spare port, keeping nothing on disk.
    pub async fn redis() -> Self {
        let port = free_port();
        let args = ["--port", &port.to_string(), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"];
        Self::start("redis-server", args.iter().map(|s| (*s).to_owned()).collect(), port, None).await
    }

    /// `nats-server` with JetStream on a spare port, storing streams in a
    /// temporary directory so they survive a restart.
    #[cfg_attr(not(feature = "orders"), allow(dead_code, reason = "used by the orders fault tests"))]
    pub async fn nats() -> Self {
        let port = free_port();
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().display().to_string();
        let args = ["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd", &store];
        Self::start("nats-server", args.iter().map(|s| (*s).to_owned()).collect(), port, Some(dir)).await
    }

    async fn start(program: &'static str, args: Vec<String>, port: u16, dir: Option<tempfile::TempDir>) -> Self {
        let mut server = Self { port, program, args, child: None, _dir: dir };
        server.restart().await;
        server
    }

    /// `redis://127.0.0.1:PORT` or `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        let scheme = if self.program == "redis-server" { "redis" } else { "nats" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Starts it (again) on the same port and waits until it accepts connections.
    pub async fn restart(&mut self) {
        let child = Command::new(self.program)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} on PATH (make services installs it): {e}", self.program));
        self.child = Some(child);
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} did not start on port {}", self.program, self.port);
    }

    /// Stops it at once.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        self.stop();
    }
}
