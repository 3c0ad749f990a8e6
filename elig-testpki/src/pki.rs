//! The test PKI of one seed, deriving what it is asked for and keeping it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::authority::Authority;
use crate::card::CardCredentials;
use crate::dates::{card_validity_on, utc_day};
use crate::{AUTH_CA_NAME, DEVICE_CA_NAME, GATEWAY_CA_NAME, PkiError, SIGN_CA_NAME};

/// What a card is derived for: serial, holder name, and the issuing day (seconds since the
/// epoch of its 00:00 UTC).
type CardKey = (u64, String, u64);

/// The test PKI of one seed: four authorities (authentication, signature, device, gateway)
/// and the cards issued from them, each derived on first use and kept by this value (RSA key
/// generation costs a good fraction of a second). There is no process-wide cache: share one
/// `Pki` (it is `Sync`) where many cards are needed, and drop it to forget its keys.
pub struct Pki {
    seed: Vec<u8>,
    auth_ca: OnceLock<Authority>,
    sign_ca: OnceLock<Authority>,
    device_ca: OnceLock<Authority>,
    gateway_ca: OnceLock<Authority>,
    cards: Mutex<HashMap<CardKey, CardCredentials>>,
}

impl fmt::Debug for Pki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cards = self.cards.lock().map_or(0, |c| c.len());
        f.debug_struct("Pki")
            .field("cards", &cards)
            .finish_non_exhaustive()
    }
}

impl Pki {
    /// The PKI of `seed` (nothing is derived yet).
    pub fn new(seed: &[u8]) -> Self {
        Self {
            seed: seed.to_vec(),
            auth_ca: OnceLock::new(),
            sign_ca: OnceLock::new(),
            device_ca: OnceLock::new(),
            gateway_ca: OnceLock::new(),
            cards: Mutex::new(HashMap::new()),
        }
    }

    fn authority<'a>(
        &self,
        cell: &'a OnceLock<Authority>,
        name: &str,
    ) -> Result<&'a Authority, PkiError> {
        if let Some(ca) = cell.get() {
            return Ok(ca);
        }
        let ca = Authority::generate(&self.seed, name)?;
        Ok(cell.get_or_init(|| ca))
    }

    /// The JPKI-like user-authentication CA ([`AUTH_CA_NAME`]).
    ///
    /// # Errors
    /// [`PkiError::Build`] if key generation fails.
    pub fn auth_ca(&self) -> Result<&Authority, PkiError> {
        self.authority(&self.auth_ca, AUTH_CA_NAME)
    }

    /// The digital-signature CA ([`SIGN_CA_NAME`]).
    ///
    /// # Errors
    /// [`PkiError::Build`] if key generation fails.
    pub fn sign_ca(&self) -> Result<&Authority, PkiError> {
        self.authority(&self.sign_ca, SIGN_CA_NAME)
    }

    /// The device registration CA ([`DEVICE_CA_NAME`]).
    ///
    /// # Errors
    /// [`PkiError::Build`] if key generation fails.
    pub fn device_ca(&self) -> Result<&Authority, PkiError> {
        self.authority(&self.device_ca, DEVICE_CA_NAME)
    }

    /// The gateway CA ([`GATEWAY_CA_NAME`]), which issues the server certificate.
    ///
    /// # Errors
    /// [`PkiError::Build`] if key generation fails.
    pub fn gateway_ca(&self) -> Result<&Authority, PkiError> {
        self.authority(&self.gateway_ca, GATEWAY_CA_NAME)
    }

    /// The credentials of card `serial` held by `holder_name`, issued on the day of `today`:
    /// the authentication chain of [`Authority::issue_card`] and the signature chain of
    /// [`Authority::issue_signature`], both valid [`card_validity_on`]`(today)` (so a card
    /// issued on the day a verifier checks it is valid, whatever the year). The keys depend
    /// on the seed and serial only; the same seed, serial, name and UTC day give the same
    /// bytes. This value keeps what it derived.
    ///
    /// # Errors
    /// [`PkiError::Build`] if key generation or certificate building fails.
    pub fn card(
        &self,
        serial: u64,
        holder_name: &str,
        today: SystemTime,
    ) -> Result<CardCredentials, PkiError> {
        let day = utc_day(today)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let key = (serial, holder_name.to_owned(), day);
        if let Some(card) = self.lock_cards().get(&key) {
            return Ok(card.clone());
        }
        let (from, to) = card_validity_on(today)?;
        let sign = self
            .sign_ca()?
            .issue_signature(serial, holder_name, from, to)?;
        let card = self
            .auth_ca()?
            .issue_card(serial, from, to)?
            .with_sign_chain(sign);
        self.lock_cards().insert(key, card.clone());
        Ok(card)
    }

    fn lock_cards(&self) -> std::sync::MutexGuard<'_, HashMap<CardKey, CardCredentials>> {
        // A poisoned lock only means another thread panicked mid-insert; the map is sound.
        self.cards.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
