//! A throw-away PostgreSQL cluster for `elig audit push` (the mechanism of elig-client's
//! `tests/pg_common`, which scripts/postgres-test.sh runs): Debian's binaries
//! (`/usr/lib/postgresql/NN/bin`, or `ELIG_PG_BIN`), `initdb` into a temporary directory,
//! `postgres` on a free 127.0.0.1 port only, as `nobody` when the tests run as root,
//! password (SCRAM) authentication, stopped by PID when dropped.
// The cluster runs as another Unix user (chown, setuid via CommandExt): Unix only.
#![cfg(unix)]
#![allow(
    clippy::arithmetic_side_effects,
    reason = "test helper: a deadline an instant plus a minute"
)]

use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const USER: &str = "elig";
const PASSWORD: &str = "desk-secret-7";

/// A running cluster (stopped when dropped).
pub(crate) struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    ids: Option<(u32, u32)>,
    child: Option<Child>,
}

fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ELIG_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed (/usr/lib/postgresql): run scripts/postgres-test.sh, or set ELIG_PG_BIN")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("postgres").is_file())
        .collect();
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().expect("no /usr/lib/postgresql/NN/bin/postgres")
}

fn id(args: &[&str]) -> u32 {
    let out = Command::new("id").args(args).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// A loopback port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl PgCluster {
    /// `initdb`, then `postgres`, waiting until it accepts connections.
    pub(crate) fn start() -> PgCluster {
        let dir = tempfile::tempdir().unwrap();
        let ids = (id(&["-u"]) == 0).then(|| (id(&["-u", "nobody"]), id(&["-g", "nobody"])));
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).unwrap();
        if let Some((uid, gid)) = ids {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
            std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid)).unwrap();
        }
        let mut cluster = PgCluster {
            bin: bin_dir(),
            port: free_port(),
            ids,
            child: None,
            dir,
        };
        let data = cluster.dir.path().join("data");
        let out = cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                USER,
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .arg("--no-sync")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log = std::fs::File::create(cluster.dir.path().join("server.log")).unwrap();
        let child = cluster
            .command("postgres")
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(cluster.dir.path())
            .args(["-p", &cluster.port.to_string(), "-h", "127.0.0.1"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        cluster.child = Some(child);
        cluster.wait_ready();
        cluster
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.ids {
            c.uid(uid).gid(gid);
        }
        c.env("PGPASSWORD", PASSWORD);
        c
    }

    /// Polls `pg_isready` until the server accepts connections (the readiness event).
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ok = self
                .command("pg_isready")
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .unwrap()
                .success();
            if ok {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("postgres exited: {status}; log:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "postgres not ready:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// The URL of the `postgres` database, with the password.
    pub(crate) fn url(&self) -> String {
        self.url_with(PASSWORD)
    }

    /// The URL with another password.
    pub(crate) fn url_with(&self, password: &str) -> String {
        format!(
            "postgres://{USER}:{password}@127.0.0.1:{}/postgres",
            self.port
        )
    }

    /// Runs SQL through `psql` (an independent client); its unaligned output.
    pub(crate) fn psql(&self, sql: &str) -> String {
        let out = self
            .command("psql")
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                USER,
                "-d",
                "postgres",
                "-c",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

impl Drop for PgCluster {
    /// Fast shutdown: SIGINT to the postmaster, by PID.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}
