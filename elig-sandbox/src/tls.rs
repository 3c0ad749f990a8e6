//! rustls configuration: the server's certificate, and a client-certificate verifier that
//! proves key possession in the handshake but leaves the registration decision to the
//! gateway.
//!
//! Why defer: a device certificate from another CA must be answered with PROTOCOL.md's
//! machine-readable `unknown_device`, not with a TLS alert the client cannot tell from a
//! network error. So the handshake *requests* a certificate (hinting the device CA), checks
//! the client's handshake signature with the certificate's key (the client holds the key),
//! and accepts any certificate; the gateway then checks the chain to the device CA, the
//! validity dates and the facility once per connection, before it reads any request.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

use crate::pki::{PkiError, TestPki};

/// The ring provider (no aws-lc), shared by server and test clients.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

#[derive(Debug)]
struct DeferredDeviceVerifier {
    hints: Vec<DistinguishedName>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for DeferredDeviceVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        // A missing certificate is answered with `unknown_device` by the gateway.
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // Deferred to the gateway (module docs); key possession is still proven below.
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The gateway's rustls server configuration (TLS 1.3 and 1.2, ALPN `http/1.1`).
pub(crate) fn server_config(pki: &TestPki) -> Result<Arc<ServerConfig>, PkiError> {
    let provider = provider();
    let hint = x509_cert::der::Encode::to_der(pki.device_ca().cert().tbs_certificate().subject())
        .map_err(|e| PkiError::Build(format!("device CA name: {e}")))?;
    let verifier = DeferredDeviceVerifier {
        hints: vec![DistinguishedName::from(hint)],
        algorithms: provider.signature_verification_algorithms,
    };
    let chain = vec![
        CertificateDer::from(pki.server().cert_der.clone()),
        CertificateDer::from(pki.gateway_ca().cert_der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server().key.to_pkcs8_der()?));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PkiError::Build(format!("TLS versions: {e}")))?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(chain, key)
        .map_err(|e| PkiError::Build(format!("TLS server certificate: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
