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
