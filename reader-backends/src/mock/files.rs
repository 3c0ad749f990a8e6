//! The applications and elementary files the virtual card holds, with their access rules.
//!
//! Quoted from card.md (public fact):
//!
//! ```text
//! 公的個人認証AP (JPKI)   D3 92 F0 00 26 01 00 00 00 01
//! 券面事項入力補助AP      D3 92 10 00 31 00 01 01 04 08
//! 券面AP                  D3 92 10 00 31 00 01 01 04 02   (held, empty here: out of scope)
//! 住基AP                  D3 92 10 00 31 00 01 01 04 01   (held, empty here: out of scope)
//! GP ISD                  A0 00 00 01 51 00 00            selecting it clears every PIN
//!
//! JPKI AP   000A auth cert (free on a card, PIN on phone tokens)  000B its CA (free)
//!           0017 auth key (after auth PIN)                        0018 auth PIN (4 digits, 3 tries)
//!           0001 sign cert (after sign password)                  0002 its CA (free)
//!           001A sign key (after sign password)                   001B sign password (5 tries)
//!           0006 token info (free)                                0008 which certs exist (free)
//! 券面事項入力補助AP
//!           0011 PIN (4 digits, 3 tries, own counter)   0014/0015 照合番号A/B
//!           0001 My Number (PIN or 照合番号A)             0002 基本4情報 (PIN or 照合番号B)
//! ```

use jpki_apdu::ids;

/// An application on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    Jpki,
    Kenmen,
    FaceAp,
    JukiAp,
    Isd,
}

/// The card's applications in the order a partial AID resolves to them (AIDs from
/// `jpki_apdu::ids`, which quotes card.md).
pub(crate) const APPS: [(App, &[u8]); 5] = [
    (App::Jpki, ids::JPKI_AP.as_bytes()),
    (App::Kenmen, ids::ASSIST_AP.as_bytes()),
    (App::FaceAp, ids::FACE_AP.as_bytes()),
    (App::JukiAp, ids::JUKI_AP.as_bytes()),
    (App::Isd, ids::ISD.as_bytes()),
];

/// Finds the application a SELECT by DF name reaches: the full AID or a prefix of it
/// (card.md: "A prefix of an AID also selects").
pub(crate) fn app_by_aid(aid: &[u8]) -> Option<App> {
    if aid.is_empty() {
        return None;
    }
    APPS.iter()
        .find(|(_, full)| full.starts_with(aid))
        .map(|(app, _)| *app)
}

/// A secret the card checks with VERIFY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PinId {
    /// JPKI EF 0018.
    Auth,
    /// JPKI EF 001B.
    Sign,
    /// 券面事項入力補助AP EF 0011.
    Kenmen,
    /// 券面事項入力補助AP EF 0014.
    MatchA,
    /// 券面事項入力補助AP EF 0015.
    MatchB,
}

impl PinId {
    pub(crate) const ALL: [PinId; 5] = [
        PinId::Auth,
        PinId::Sign,
        PinId::Kenmen,
        PinId::MatchA,
        PinId::MatchB,
    ];

    /// Tries before blocking: 3 / 5 / 3 are public fact; the 照合番号 counters are our guess.
    pub(crate) fn max_tries(self) -> u8 {
        match self {
            Self::Auth | Self::Kenmen => 3,
            Self::Sign => 5,
            Self::MatchA | Self::MatchB => 10,
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Auth => 0,
            Self::Sign => 1,
            Self::Kenmen => 2,
            Self::MatchA => 3,
            Self::MatchB => 4,
        }
    }
}

/// Which key a key EF holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyId {
    Auth,
    Sign,
}

/// What reading a file requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Free,
    Pin(PinId),
    /// Either secret opens it (券面事項入力補助AP: PIN or a 照合番号).
    Either(PinId, PinId),
}

/// What an EF is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ef {
    /// A transparent file with content.
    Binary(BinaryEf, Access),
    /// A PIN EF: VERIFY / retry query / CHANGE REFERENCE DATA target.
    Pin(PinId),
    /// A private key: COMPUTE DIGITAL SIGNATURE target after its PIN.
    Key(KeyId, PinId),
}

/// The transparent files, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinaryEf {
    AuthCert,
    AuthCaCert,
    SignCert,
    SignCaCert,
    TokenInfo,
    CertPresence,
    MyNumber,
    Basic4,
}

/// Looks up an EF by FID in an application; `has_sign` says whether the card has a
/// signature certificate (under-15 cards do not); `phone` whether it is a phone token.
pub(crate) fn ef(app: App, fid: u16, has_sign: bool, phone: bool) -> Option<Ef> {
    use BinaryEf as B;
    let auth_cert_access = if phone {
        Access::Pin(PinId::Auth)
    } else {
        Access::Free
    };
    match (app, fid) {
        (App::Jpki, 0x000A) => Some(Ef::Binary(B::AuthCert, auth_cert_access)),
        (App::Jpki, 0x000B) => Some(Ef::Binary(B::AuthCaCert, Access::Free)),
        (App::Jpki, 0x0017) => Some(Ef::Key(KeyId::Auth, PinId::Auth)),
        (App::Jpki, 0x0018) => Some(Ef::Pin(PinId::Auth)),
        (App::Jpki, 0x0006) => Some(Ef::Binary(B::TokenInfo, Access::Free)),
        (App::Jpki, 0x0008) => Some(Ef::Binary(B::CertPresence, Access::Free)),
        (App::Jpki, 0x0001) if has_sign => Some(Ef::Binary(B::SignCert, Access::Pin(PinId::Sign))),
        (App::Jpki, 0x0002) if has_sign => Some(Ef::Binary(B::SignCaCert, Access::Free)),
        (App::Jpki, 0x001A) if has_sign => Some(Ef::Key(KeyId::Sign, PinId::Sign)),
        (App::Jpki, 0x001B) if has_sign => Some(Ef::Pin(PinId::Sign)),
        (App::Kenmen, 0x0011) => Some(Ef::Pin(PinId::Kenmen)),
        (App::Kenmen, 0x0014) => Some(Ef::Pin(PinId::MatchA)),
        (App::Kenmen, 0x0015) => Some(Ef::Pin(PinId::MatchB)),
        (App::Kenmen, 0x0001) => Some(Ef::Binary(
            B::MyNumber,
            Access::Either(PinId::Kenmen, PinId::MatchA),
        )),
        (App::Kenmen, 0x0002) => Some(Ef::Binary(
            B::Basic4,
            Access::Either(PinId::Kenmen, PinId::MatchB),
        )),
        _ => None,
    }
}
