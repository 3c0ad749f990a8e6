//! The settings file of `elig verify --config FILE` and `elig desk --config FILE`:
//! one TOML file per reception terminal. Every key is optional; a flag given on the command
//! line wins over the file. The layout is this project's own design.
//!
//! ```toml
//! reader = "Virtual PCD 00 00"      # PC/SC reader name (default: the first with a card)
//! audit = "/var/lib/elig/audit.sqlite3"
//! staff = "staff-07"                # default staff ID for 目視確認
//! purpose = "checkup"               # checkup | guidance | dock-insurer
//!
//! [gateway]
//! url = "https://127.0.0.1:8443"
//! ca = "sandbox/gateway-ca.pem"     # relative paths are relative to the file's folder
//! device_cert = "sandbox/device-clinic.pem"
//! device_key = "sandbox/device-clinic.key.pem"
//!
//! [desk]                            # elig desk only
//! bind = "127.0.0.1:8470"           # loopback only (the default)
//! idle_lock_minutes = 10            # the page locks after this long unused (the default)
//! ```
//!
//! The facility (健診機関番号 or オンライン資格確認用コード) is not a key: it is the one the
//! device certificate names, which the gateway compares the inquiry's with.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::CliError;

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Settings {
    /// The gateway and this terminal's TLS identity.
    #[serde(default)]
    pub(crate) gateway: GatewaySettings,
    /// The PC/SC reader's name.
    pub(crate) reader: Option<String>,
    /// The audit store (SQLite file).
    pub(crate) audit: Option<PathBuf>,
    /// The default staff ID for 目視確認.
    pub(crate) staff: Option<String>,
    /// The default purpose (`checkup`, `guidance`, `dock-insurer`).
    pub(crate) purpose: Option<String>,
    /// `[desk]`: what only `elig desk` reads.
    #[serde(default)]
    pub(crate) desk: DeskSettings,
}

/// `[desk]`: the reception page's own settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeskSettings {
    /// The loopback address and port to listen on.
    pub(crate) bind: Option<String>,
    /// Minutes without a request before the page locks.
    pub(crate) idle_lock_minutes: Option<u64>,
}

/// `[gateway]`: where to connect and as whom.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GatewaySettings {
    /// `https://host:port`.
    pub(crate) url: Option<String>,
    /// The gateway CA (PEM).
    pub(crate) ca: Option<PathBuf>,
    /// This terminal's device certificate (PEM).
    pub(crate) device_cert: Option<PathBuf>,
    /// Its private key (PEM).
    pub(crate) device_key: Option<PathBuf>,
}

impl Settings {
    /// Reads `path`; relative paths inside are taken relative to the file's folder.
    pub(crate) fn load(path: &Path) -> Result<Settings, CliError> {
        let text = std::fs::read_to_string(path).map_err(|e| CliError::file("read", path, &e))?;
        Settings::parse(&text, path.parent().unwrap_or(Path::new(".")), path)
    }

    /// Parses the file's text; `base` is the folder relative paths are resolved against.
    pub(crate) fn parse(text: &str, base: &Path, path: &Path) -> Result<Settings, CliError> {
        let mut settings: Settings = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| {
                text.get(..span.start)
                    .map_or(1, |t| t.lines().count().max(1))
            });
            CliError::usage(
                "config",
                format!(
                    "The settings file {} is not valid{}.",
                    path.display(),
                    line.map(|l| format!(" (near line {l})"))
                        .unwrap_or_default()
                ),
                "Fix the file (see `elig verify --help` for its keys), then run the command again.",
            )
        })?;
        let resolve = |p: &mut Option<PathBuf>| {
            if let Some(p) = p.as_mut()
                && p.is_relative()
            {
                *p = base.join(&*p);
            }
        };
        resolve(&mut settings.gateway.ca);
        resolve(&mut settings.gateway.device_cert);
        resolve(&mut settings.gateway.device_key);
        resolve(&mut settings.audit);
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_file_parses_and_paths_follow_the_file() {
        let text = r#"
reader = "Virtual PCD 00 00"
audit = "/var/lib/elig/audit.sqlite3"
purpose = "checkup"
[gateway]
url = "https://127.0.0.1:8443"
ca = "sandbox/gateway-ca.pem"
device_cert = "/etc/elig/device.pem"
[desk]
bind = "127.0.0.1:9000"
idle_lock_minutes = 5
"#;
        let s = Settings::parse(text, Path::new("/etc/elig"), Path::new("x.toml")).unwrap();
        assert_eq!(s.reader.as_deref(), Some("Virtual PCD 00 00"));
        assert_eq!(
            s.gateway.ca,
            Some(PathBuf::from("/etc/elig/sandbox/gateway-ca.pem"))
        );
        assert_eq!(
            s.gateway.device_cert,
            Some(PathBuf::from("/etc/elig/device.pem"))
        );
        assert_eq!(s.gateway.device_key, None);
        assert_eq!(s.desk.bind.as_deref(), Some("127.0.0.1:9000"));
        assert_eq!(s.desk.idle_lock_minutes, Some(5));
    }

    #[test]
    fn an_unknown_key_is_a_usage_error_naming_the_file() {
        let error = Settings::parse(
            "reader = \"x\"\nreaderz = 1\n",
            Path::new("."),
            Path::new("c.toml"),
        )
        .unwrap_err();
        assert_eq!(error.exit, crate::exit::Exit::Usage);
        assert!(error.message.contains("c.toml"), "{}", error.message);
    }
}
