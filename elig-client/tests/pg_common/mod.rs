//! A throw-away PostgreSQL cluster for the central audit store's tests (issue 15, item 4).
//!
//! Debian's `postgresql` binaries (`/usr/lib/postgresql/NN/bin`, or `ELIG_PG_BIN`); the
//! cluster lives in a temporary directory, listens on a free loopback port only, runs as an
//! unprivileged user (`nobody` when the tests run as root: PostgreSQL refuses to run as
//! root), uses password (SCRAM) authentication, and is stopped by PID when dropped.
// The cluster runs as another Unix user (chown, setuid via CommandExt): Unix only, like the
// test files that use it.
#![cfg(unix)]
// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    dead_code
)]

use std::os::unix::process::CommandExt;

use elig_client::audit::{AuditSink, CheckOutcome, CheckRecord, SqliteAuditStore};
use voucher_model::Outcome;

use crate::common::{T0, eligible, network_error, not_eligible_with_serial};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) const USER: &str = "elig";
pub(crate) const PASSWORD: &str = "desk-secret-7";

/// A running (or stopped) cluster.
pub(crate) struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    ids: Option<(u32, u32)>,
    child: Option<Child>,
    extra: Vec<String>,
}

/// The directory of `postgres`, `initdb`, `pg_isready`, `psql`.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ELIG_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed (/usr/lib/postgresql): apt-get install postgresql, or set ELIG_PG_BIN")
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

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

impl PgCluster {
    /// initdb + start, in a fresh temporary directory.
    pub(crate) fn start() -> PgCluster {
        PgCluster::start_with(None)
    }

    /// initdb + start with TLS on (`ssl=on`) with this certificate and PKCS#8 key (DER).
    pub(crate) fn start_tls(cert_der: &[u8], key_pkcs8_der: &[u8]) -> PgCluster {
        PgCluster::start_with(Some((cert_der, key_pkcs8_der)))
    }

    fn start_with(tls: Option<(&[u8], &[u8])>) -> PgCluster {
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
            extra: Vec::new(),
            dir,
        };
        let out = cluster
            .command("initdb")
            .arg("-D")
            .arg(cluster.data())
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
        if let Some((cert, key)) = tls {
            let cert_path = cluster.dir().join("server.crt");
            let key_path = cluster.dir().join("server.key");
            std::fs::write(&cert_path, pem("CERTIFICATE", cert)).unwrap();
            std::fs::write(&key_path, pem("PRIVATE KEY", key)).unwrap();
            for p in [&cert_path, &key_path] {
                std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                    .unwrap();
                if let Some((uid, gid)) = cluster.ids {
                    std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
                }
            }
            cluster.extra = vec![
                "-c".to_owned(),
                "ssl=on".to_owned(),
                "-c".to_owned(),
                format!("ssl_cert_file={}", cert_path.display()),
                "-c".to_owned(),
                format!("ssl_key_file={}", key_path.display()),
            ];
        }
        cluster.start_again();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.ids {
            c.uid(uid).gid(gid);
        }
        c.env("PGPASSWORD", PASSWORD);
        c
    }

    /// Starts the server on the same directory and port, and waits until it accepts
    /// connections.
    pub(crate) fn start_again(&mut self) {
        assert!(self.child.is_none(), "the server is running");
        let log = std::fs::File::create(self.dir.path().join("server.log")).unwrap();
        let child = self
            .command("postgres")
            .arg("-D")
            .arg(self.data())
            .arg("-k")
            .arg(self.dir.path())
            .args(["-p", &self.port.to_string(), "-h", "127.0.0.1"])
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        self.wait_ready();
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
                "postgres not ready; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Fast shutdown (SIGINT to the postmaster, by PID: open sessions are cut), and waits
    /// for it to exit.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            child.wait().unwrap();
        }
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The URL of the `postgres` database with the right password.
    pub(crate) fn url(&self) -> String {
        self.url_with(PASSWORD)
    }

    pub(crate) fn url_with(&self, password: &str) -> String {
        format!(
            "postgres://{USER}:{password}@127.0.0.1:{}/postgres",
            self.port
        )
    }

    /// Runs SQL through `psql` (an independent client); returns its output (unaligned,
    /// tuples only) or its error text.
    pub(crate) fn psql(&self, sql: &str) -> Result<String, String> {
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
        if out.status.success() {
            Ok(String::from_utf8(out.stdout).unwrap().trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A temporary directory for desks' SQLite stores: on tmpfs when there is one (the tests
/// append thousands of rows with `synchronous=FULL`; what they check is the push, not the
/// desk's disk).
pub(crate) fn desk_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}

/// PEM armour (RFC 7468) of `der`.
pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

pub(crate) const ONE_DAY: i64 = 86_400;

/// Row `i` of desk `desk`: spread over three days, all four outcomes.
pub(crate) fn desk_record(desk: usize, i: usize) -> CheckRecord {
    let t = T0 + (i as i64 % 3) * ONE_DAY + i as i64 * 7 + desk as i64;
    match i % 4 {
        0 => eligible(t),
        1 => network_error(t),
        2 => not_eligible_with_serial(t, &[desk as u8 + 1, i as u8]),
        _ => {
            let mut r = eligible(t);
            r.outcome = CheckOutcome::Verdict(Outcome::NeedsStaffReview);
            r
        }
    }
}

pub(crate) fn desk_store(dir: &tempfile::TempDir, desk: usize, rows: usize) -> SqliteAuditStore {
    let mut store = SqliteAuditStore::open(dir.path().join(format!("desk{desk}.sqlite3"))).unwrap();
    for i in 0..rows {
        store.append(&desk_record(desk, i)).unwrap();
    }
    store
}

pub(crate) fn central_count(cluster: &PgCluster, device: &str) -> u64 {
    cluster
        .psql(&format!(
            "SELECT count(*) FROM elig_audit_checks WHERE device = '{device}'"
        ))
        .unwrap()
        .parse()
        .unwrap()
}

/// Nothing lost, nothing twice: `device` holds exactly rows 1..=n (primary key (device,
/// seq) makes duplicates impossible; this checks for gaps too).
pub(crate) fn assert_exactly(cluster: &PgCluster, device: &str, n: u64) {
    let got = cluster
        .psql(&format!(
            "SELECT count(*), count(DISTINCT seq), coalesce(min(seq), 0), coalesce(max(seq), 0) \
             FROM elig_audit_checks WHERE device = '{device}'"
        ))
        .unwrap();
    let want = if n == 0 {
        "0|0|0|0".to_owned()
    } else {
        format!("{n}|{n}|1|{n}")
    };
    assert_eq!(got, want, "device {device}");
}
