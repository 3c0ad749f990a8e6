//! TLS to the central database: rustls 0.23 with the ring provider (DESIGN.md), through
//! `postgres_rustls`.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;

use crate::audit::AuditError;

/// TLS to the PostgreSQL server.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum PgTls {
    /// No TLS (`sslmode=disable`): a server on loopback or on a network the organisation
    /// trusts. A URL asking for `sslmode=require` is refused with [`AuditError::Config`].
    #[default]
    Disabled,
    /// TLS required (`sslmode=require`), the server's certificate verified against `roots`
    /// and the host name of the URL.
    Required {
        /// The trusted CA certificates (DER).
        roots: Vec<CertificateDer<'static>>,
    },
}

impl PgTls {
    /// TLS required, trusting the CA certificates of a PEM file (`-----BEGIN CERTIFICATE-----`
    /// blocks; other blocks are ignored) — what `elig audit push --ca FILE` reads.
    ///
    /// Errors: [`AuditError::Config`] when the file cannot be read, is malformed, or holds no
    /// certificate.
    pub fn required_from_pem_file(path: &std::path::Path) -> Result<PgTls, AuditError> {
        use rustls_pki_types::pem::PemObject;
        let bad = |what: &str| AuditError::Config {
            detail: format!("the CA file {} {what}", path.display()),
        };
        let bytes = std::fs::read(path).map_err(|_| bad("cannot be read"))?;
        let roots = CertificateDer::pem_slice_iter(&bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| bad("is not valid PEM"))?;
        if roots.is_empty() {
            return Err(bad("holds no certificate"));
        }
        Ok(PgTls::Required { roots })
    }
}

/// The connector for `tls`, or `None` for no TLS.
pub(crate) fn connector(
    tls: &PgTls,
) -> Result<Option<postgres_rustls::MakeTlsConnector>, AuditError> {
    let PgTls::Required { roots } = tls else {
        return Ok(None);
    };
    let bad = |detail: String| AuditError::Config { detail };
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store
            .add(root.clone())
            .map_err(|e| bad(format!("a trusted CA certificate is not usable: {e}")))?;
    }
    if store.is_empty() {
        return Err(bad(
            "TLS to the audit database needs at least one trusted CA certificate".to_owned(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(format!("TLS cannot be configured: {e}")))?
        .with_root_certificates(store)
        .with_no_client_auth();
    postgres_rustls::set_postgresql_alpn(&mut config);
    Ok(Some(postgres_rustls::MakeTlsConnector::new(
        tokio_rustls::TlsConnector::from(Arc::new(config)),
    )))
}
