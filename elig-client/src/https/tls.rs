//! The device's TLS client set-up: the gateway CA as the only root, the device's client
//! certificate and key, a session cache for resumption; and the mapping of rustls errors to
//! [`TlsFailure`].

use std::path::Path;
use std::sync::Arc;

use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::{AlertDescription, CertificateError, ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::gateway::{GatewayTransportError, TlsFailure};

/// TLS sessions remembered for resumption (one gateway, a few names at most).
const SESSION_CACHE_SIZE: usize = 32;

/// The device's TLS identity and the gateway CA, as DER.
pub struct TlsIdentity {
    /// Gateway CA certificates (the trust anchors; no system or webpki roots).
    pub gateway_ca: Vec<CertificateDer<'static>>,
    /// The device's certificate chain, leaf first.
    pub client_chain: Vec<CertificateDer<'static>>,
    /// The device's private key.
    pub client_key: PrivateKeyDer<'static>,
}

impl Clone for TlsIdentity {
    fn clone(&self) -> Self {
        Self {
            gateway_ca: self.gateway_ca.clone(),
            client_chain: self.client_chain.clone(),
            client_key: self.client_key.clone_key(),
        }
    }
}

impl std::fmt::Debug for TlsIdentity {
    // Never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("gateway_ca", &self.gateway_ca.len())
            .field("client_chain", &self.client_chain.len())
            .finish_non_exhaustive()
    }
}

fn config_error(reason: String) -> GatewayTransportError {
    GatewayTransportError::Config { reason }
}

impl TlsIdentity {
    /// From DER: the gateway CA certificate, the device certificate and its PKCS#8 key.
    pub fn from_der(gateway_ca: &[u8], client_cert: &[u8], client_key_pkcs8: &[u8]) -> Self {
        Self {
            gateway_ca: vec![CertificateDer::from(gateway_ca.to_vec())],
            client_chain: vec![CertificateDer::from(client_cert.to_vec())],
            client_key: PrivateKeyDer::Pkcs8(client_key_pkcs8.to_vec().into()),
        }
    }

    /// From PEM files: the gateway CA file (one or more certificates), the device certificate
    /// file (leaf first, chain after) and its key file (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem_files(
        gateway_ca: &Path,
        client_cert: &Path,
        client_key: &Path,
    ) -> Result<Self, GatewayTransportError> {
        let certs = |path: &Path, what: &str| {
            CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| config_error(format!("{what} ({}): {e}", path.display())))
                .and_then(|v| {
                    if v.is_empty() {
                        Err(config_error(format!("{what}: no certificate in the file")))
                    } else {
                        Ok(v)
                    }
                })
        };
        let key = PrivateKeyDer::from_pem_file(client_key).map_err(|e| {
            // The error names the PEM problem, never key material.
            config_error(format!("device key ({}): {e}", client_key.display()))
        })?;
        Ok(Self {
            gateway_ca: certs(gateway_ca, "gateway CA")?,
            client_chain: certs(client_cert, "device certificate")?,
            client_key: key,
        })
    }

    /// The rustls client configuration (HTTP/1.1 by ALPN, in-memory session cache).
    pub(crate) fn client_config(
        &self,
        provider: Arc<CryptoProvider>,
    ) -> Result<Arc<ClientConfig>, GatewayTransportError> {
        let mut roots = RootCertStore::empty();
        for ca in &self.gateway_ca {
            roots
                .add(ca.clone())
                .map_err(|e| config_error(format!("gateway CA: {e}")))?;
        }
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| config_error(format!("TLS versions: {e}")))?
            .with_root_certificates(roots)
            .with_client_auth_cert(self.client_chain.clone(), self.client_key.clone_key())
            .map_err(|e| config_error(format!("device certificate or key: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config.resumption = Resumption::in_memory_sessions(SESSION_CACHE_SIZE);
        Ok(Arc::new(config))
    }
}

/// The rustls error somewhere in `err`'s source chain, if any.
pub(crate) fn find_rustls<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut current: Option<&'a (dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(r) = inner.downcast_ref::<rustls::Error>()
        {
            return Some(r);
        }
        current = e.source();
    }
    None
}

/// The typed reason of a rustls error.
pub(crate) fn failure_of(err: &rustls::Error) -> TlsFailure {
    use rustls::Error as E;
    match err {
        E::InvalidCertificate(cert) => match cert {
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsFailure::ServerNameMismatch
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => TlsFailure::ServerCertificateExpired,
            _ => TlsFailure::UntrustedServer,
        },
        E::AlertReceived(alert) => match alert {
            AlertDescription::BadCertificate
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnknownCA
            | AlertDescription::AccessDenied
            | AlertDescription::CertificateRequired => TlsFailure::ClientCertificateRefused,
            AlertDescription::HandshakeFailure | AlertDescription::ProtocolVersion => {
                TlsFailure::NoCommonProtocol
            }
            _ => TlsFailure::Other,
        },
        E::NoCertificatesPresented | E::UnsupportedNameType => TlsFailure::UntrustedServer,
        E::PeerIncompatible(_) => TlsFailure::NoCommonProtocol,
        _ => TlsFailure::Other,
    }
}
