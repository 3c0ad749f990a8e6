//! Why a finding has its status, with messages for reception staff (Japanese) and
//! developers (English), and the next step each reason suggests.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::ids::IdKind;
use crate::next_step::NextStep;
use crate::voucher::VoucherKind;

/// The reason behind one finding of a verdict.
///
/// JSON: `{"reason": "voucher_expired", "expires_on": "2025-03-31"}` and so on (snake_case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    // --- comparisons ---
    /// The values are identical.
    Equal,
    /// The values are equal after normalization (width, hyphens, spaces).
    EqualAfterNormalization,
    /// The values differ.
    Different,
    /// The voucher has the value, the evidence does not.
    MissingInEvidence,
    /// The evidence has the value, the voucher does not.
    MissingOnVoucher,
    /// Neither side has the value.
    AbsentOnBoth,
    // --- purpose and voucher ---
    /// An identifier received from the evidence has a wrong check digit (read leniently,
    /// vouchers.md: a warning, so staff look at it).
    BadCheckDigit {
        /// Which identifier.
        identifier: IdKind,
    },
    // --- purpose and voucher ---
    /// The voucher is the kind the purpose needs.
    VoucherFitsPurpose,
    /// The purpose needs another kind of voucher.
    VoucherDoesNotFitPurpose {
        /// The kind needed.
        expected: VoucherKind,
        /// The kind given.
        found: VoucherKind,
    },
    /// The voucher is not expired on the checkup date.
    VoucherUnexpired {
        /// 有効期限.
        expires_on: Date,
    },
    /// The voucher expired before the checkup date.
    VoucherExpired {
        /// 有効期限.
        expires_on: Date,
    },
    /// The checkup date is before the voucher's 交付日.
    CheckupBeforeIssue {
        /// 交付日.
        issued_on: Date,
    },
    // --- evidence ---
    /// PIN mode, signature verified by the gateway.
    PinSignatureVerified,
    /// PIN mode, but the gateway did not confirm the signature.
    PinSignatureNotVerified,
    /// 目視確認: staff attested they compared the photo with the face.
    VisualConfirmationAttested,
    /// The 既存型 terminal did the check.
    ExistingTerminalCheck,
    /// Staff read the Mynaportal 資格情報 screen.
    MynaportalScreenRead,
    /// マイナ保険証 and 資格情報のお知らせ were both shown.
    CardAndNoticeShown,
    /// Only the 資格情報のお知らせ was shown: refused.
    NoticeWithoutCard,
    /// Only the マイナ保険証 was shown, without the notice: nothing to read without an
    /// online check.
    CardWithoutNotice,
    /// Neither the マイナ保険証 nor the 資格情報のお知らせ was shown: nothing to rest on.
    NeitherCardNorNotice,
    /// The 資格確認書 is within its validity.
    CertificateUnexpired {
        /// Its 有効期限.
        valid_until: Date,
    },
    /// The 資格確認書 has expired.
    CertificateExpired {
        /// Its 有効期限.
        valid_until: Date,
    },
    /// An old insurance card, for a checkup date up to 2025-12-01.
    OldCardAccepted,
    /// An old insurance card after 2025-12-01: no longer valid.
    OldCardAbolished,
    /// An old insurance card past its own 有効期限.
    OldCardExpired {
        /// The card's 有効期限.
        valid_until: Date,
    },
    /// The staff attestation was made on another day than the checkup.
    AttestedOnAnotherDay {
        /// The day of the attestation.
        attested_on: Date,
    },
    // --- the online result ---
    /// The check was made for the checkup date.
    ConfirmationDateMatches,
    /// The check was made for another date.
    ConfirmationDateDiffers {
        /// The date the check was for.
        confirmed_for: Date,
    },
    /// 処理結果区分 正常終了.
    ResultCompleted,
    /// 処理結果区分 処理中: the result is not ready.
    ResultStillProcessing,
    /// 処理結果区分 異常終了.
    ResultAbnormalEnd {
        /// The segment code as sent (`9` or `3`).
        segment: String,
        /// `ErrorCode`, as sent.
        error_code: Option<String>,
        /// `ErrorMessage`, as sent.
        error_message: Option<String>,
    },
    /// 処理結果区分 with a code not in the table.
    ResultSegmentUnknown {
        /// The code.
        segment: String,
    },
    /// 処理結果状況 正常終了.
    ProcessingCompleted,
    /// 処理結果状況 エラー.
    ProcessingError {
        /// `ProcessingResultCode`, as sent.
        code: Option<String>,
        /// `ProcessingResultMessage`, as sent.
        message: Option<String>,
    },
    /// 処理結果状況 with a code not in the table.
    ProcessingStatusUnknown {
        /// The code.
        status: String,
    },
    /// 資格有効性 1 有効.
    QualificationValid,
    /// 資格有効性 2 無効.
    QualificationInvalid,
    /// 資格有効性 3 無効（新しい資格あり）.
    NewerQualificationExists,
    /// 資格有効性 4 該当資格なし.
    NoQualificationFound,
    /// 資格有効性 5 複数該当.
    MultipleQualifications,
    /// 資格有効性 6 有効（未登録）: 医療扶助 only, not an insurer's qualification.
    MedicalAssistanceOnly,
    /// 資格有効性 with a code not in the table.
    ValidityUnknown {
        /// The code.
        validity: String,
    },
    /// No 資格有効性 in the result.
    ValidityMissing,
    /// The qualification is shown on a current document read by staff.
    ShownOnDocument,
    /// The check was keyed on the insurance-card numbers (照会区分 2), not on the card: it
    /// shows the numbers are valid, not that the visitor holds them.
    KeyedOnCardNumbers,
    /// The result lists no qualification.
    NoResultRecord,
    /// Several results; exactly one matches the voucher and was compared.
    SeveralRecordsOneMatches {
        /// How many results.
        count: usize,
    },
    /// Several results match the voucher; the first was compared.
    SeveralRecordsAmbiguous {
        /// How many results.
        count: usize,
        /// How many match.
        matching: usize,
    },
    /// Several results and none matches the voucher; the first was compared.
    NoRecordMatchesVoucher {
        /// How many results.
        count: usize,
    },
    /// The checkup date is inside [資格取得日, 資格喪失日).
    PeriodCovers,
    /// The checkup date is outside [資格取得日, 資格喪失日).
    PeriodDoesNotCover {
        /// 資格取得年月日.
        from: Option<Date>,
        /// 資格喪失年月日.
        until: Option<Date>,
    },
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

fn opt_date(d: &Option<Date>) -> String {
    d.map_or_else(|| "-".to_owned(), |d| d.to_string())
}

impl Reason {
    /// The message for reception staff, in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            Reason::Equal => "一致しています。".into(),
            Reason::EqualAfterNormalization => {
                "表記（全角・半角、ハイフン、空白）の違いを除いて一致しています。".into()
            }
            Reason::Different => "一致しません。".into(),
            Reason::MissingInEvidence => "確認した資格情報に記載がありません。".into(),
            Reason::MissingOnVoucher => "受診券・利用券に記載がありません。".into(),
            Reason::AbsentOnBoth => "どちらにも記載がないため照合していません。".into(),
            Reason::VoucherFitsPurpose => "目的に合った券です。".into(),
            Reason::VoucherDoesNotFitPurpose { expected, found } => format!(
                "この目的には{}が必要ですが、{}が提示されています。",
                expected.name_ja(),
                found.name_ja()
            ),
            Reason::VoucherUnexpired { expires_on } => format!("有効期限（{expires_on}）内です。"),
            Reason::VoucherExpired { expires_on } => format!(
                "有効期限（{expires_on}）が切れています。保険者に新しい券の発行をご確認ください。"
            ),
            Reason::CheckupBeforeIssue { issued_on } => {
                format!("受診日が交付日（{issued_on}）より前です。券の内容をご確認ください。")
            }
            Reason::PinSignatureVerified => "暗証番号による電子署名が確認されました。".into(),
            Reason::PinSignatureNotVerified => {
                "電子署名が確認されていません。もう一度確認を行ってください。".into()
            }
            Reason::VisualConfirmationAttested => {
                "職員が顔写真と本人を目視で確認したことが記録されています。".into()
            }
            Reason::ExistingTerminalCheck => "資格確認端末で確認しました。".into(),
            Reason::MynaportalScreenRead => {
                "マイナポータルの資格情報画面を職員が確認しました。".into()
            }
            Reason::CardAndNoticeShown => {
                "マイナ保険証と資格情報のお知らせの両方を確認しました。".into()
            }
            Reason::NoticeWithoutCard => "資格情報のお知らせだけでは確認できません。\
                 マイナ保険証（マイナンバーカード）もあわせて提示してもらってください。"
                .into(),
            Reason::NeitherCardNorNotice => {
                "マイナ保険証も資格情報のお知らせも提示されていません。\
                 両方を提示してもらうか、別の方法で確認してください。"
                    .into()
            }
            Reason::CardWithoutNotice => "マイナ保険証だけでは資格情報を読み取れません。\
                 資格情報のお知らせをあわせて提示してもらうか、オンライン資格確認を行ってください。"
                .into(),
            Reason::CertificateUnexpired { valid_until } => {
                format!("資格確認書は有効期限（{valid_until}）内です。")
            }
            Reason::CertificateExpired { valid_until } => format!(
                "資格確認書の有効期限（{valid_until}）が切れています。別の方法で確認してください。"
            ),
            Reason::OldCardAccepted => "健康保険証（2025年12月1日まで有効）で確認しました。".into(),
            Reason::OldCardAbolished => "健康保険証は2025年12月1日を過ぎると使えません。\
                 マイナ保険証、資格確認書などで確認してください。"
                .into(),
            Reason::OldCardExpired { valid_until } => format!(
                "健康保険証の有効期限（{valid_until}）が切れています。別の方法で確認してください。"
            ),
            Reason::AttestedOnAnotherDay { attested_on } => {
                format!("職員の確認（{attested_on}）が受診日と異なる日に行われています。")
            }
            Reason::BadCheckDigit { identifier } => format!(
                "受け取った{}の検証番号（末尾の数字）が正しくありません。記載内容を確認してください。",
                identifier.name_ja()
            ),
            Reason::ConfirmationDateMatches => "受診日の資格を照会しました。".into(),
            Reason::ConfirmationDateDiffers { confirmed_for } => {
                format!("照会は{confirmed_for}の資格についてのもので、受診日と異なります。")
            }
            Reason::ResultCompleted => "照会は正常に終了しました。".into(),
            Reason::ResultStillProcessing => {
                "照会がまだ処理中です。しばらくしてから結果を取得し直してください。".into()
            }
            Reason::ResultAbnormalEnd {
                error_code,
                error_message,
                ..
            } => format!(
                "照会が異常終了しました（エラーコード {}：{}）。再度照会するか、別の方法で確認してください。",
                opt(error_code),
                opt(error_message)
            ),
            Reason::ResultSegmentUnknown { segment } => {
                format!("照会結果の処理結果区分「{segment}」が不明です。")
            }
            Reason::ProcessingCompleted => "処理は正常に終了しました。".into(),
            Reason::ProcessingError { code, message } => format!(
                "照会処理でエラーが返されました（{}：{}）。",
                opt(code),
                opt(message)
            ),
            Reason::ProcessingStatusUnknown { status } => {
                format!("照会結果の処理結果状況「{status}」が不明です。")
            }
            Reason::QualificationValid => "資格は有効です。".into(),
            Reason::QualificationInvalid => {
                "資格が無効です。受診者または保険者にご確認ください。".into()
            }
            Reason::NewerQualificationExists => "この資格は無効で、新しい資格があります。\
                 加入している保険者が変わっていないか受診者にご確認ください。"
                .into(),
            Reason::NoQualificationFound => {
                "該当する資格がありません。券の記載内容を確認し、保険者にご確認ください。".into()
            }
            Reason::MultipleQualifications => {
                "複数の資格が該当しました。職員が内容を確認してください。".into()
            }
            Reason::MedicalAssistanceOnly => {
                "医療扶助の資格であり、保険者の資格ではありません。".into()
            }
            Reason::ValidityUnknown { validity } => {
                format!("資格有効性「{validity}」が不明です。保険者にご確認ください。")
            }
            Reason::ValidityMissing => "照会結果に資格有効性がありません。".into(),
            Reason::ShownOnDocument => "提示された書類・画面の資格情報によります。".into(),
            Reason::KeyedOnCardNumbers => "被保険者証の記号・番号による照会であり、\
                 本人のカードによる確認ではありません。"
                .into(),
            Reason::NoResultRecord => "照会結果に資格情報がありません。".into(),
            Reason::SeveralRecordsOneMatches { count } => {
                format!("資格情報が{count}件返され、券と一致する1件を照合しました。")
            }
            Reason::SeveralRecordsAmbiguous { count, matching } => format!(
                "資格情報が{count}件返され、券と一致するものが{matching}件あります。職員が確認してください。"
            ),
            Reason::NoRecordMatchesVoucher { count } => {
                format!("資格情報が{count}件返されましたが、券と一致するものがありません。")
            }
            Reason::PeriodCovers => "受診日に資格があります。".into(),
            Reason::PeriodDoesNotCover { from, until } => format!(
                "受診日に資格がありません（資格取得日 {}、資格喪失日 {}）。",
                opt_date(from),
                opt_date(until)
            ),
        }
    }

    /// The message for developers, in English.
    pub fn message_en(&self) -> String {
        match self {
            Reason::Equal => "equal".into(),
            Reason::EqualAfterNormalization => {
                "equal after normalization (width, hyphens, spaces)".into()
            }
            Reason::Different => "different".into(),
            Reason::MissingInEvidence => "present on the voucher, missing in the evidence".into(),
            Reason::MissingOnVoucher => "present in the evidence, missing on the voucher".into(),
            Reason::AbsentOnBoth => "absent on both sides; not compared".into(),
            Reason::VoucherFitsPurpose => "the voucher fits the purpose".into(),
            Reason::VoucherDoesNotFitPurpose { expected, found } => format!(
                "the purpose needs a {}, got a {}",
                expected.name_en(),
                found.name_en()
            ),
            Reason::VoucherUnexpired { expires_on } => format!("valid until {expires_on}"),
            Reason::VoucherExpired { expires_on } => format!("expired on {expires_on}"),
            Reason::CheckupBeforeIssue { issued_on } => {
                format!("the checkup date is before the issue date {issued_on}")
            }
            Reason::PinSignatureVerified => "PIN signature verified by the gateway".into(),
            Reason::PinSignatureNotVerified => {
                "PIN mode, but the gateway did not confirm the signature".into()
            }
            Reason::VisualConfirmationAttested => "visual confirmation attested by staff".into(),
            Reason::ExistingTerminalCheck => "checked on the existing (既存型) terminal".into(),
            Reason::MynaportalScreenRead => "staff read the Mynaportal screen".into(),
            Reason::CardAndNoticeShown => "My Number insurance card and notice both shown".into(),
            Reason::NoticeWithoutCard => {
                "the qualification notice alone is not accepted: the My Number Card must be shown too"
                    .into()
            }
            Reason::NeitherCardNorNotice => {
                "neither the My Number Card nor the qualification notice was shown".into()
            }
            Reason::CardWithoutNotice => {
                "the card alone carries nothing to read: show the notice or do an online check"
                    .into()
            }
            Reason::CertificateUnexpired { valid_until } => {
                format!("qualification certificate valid until {valid_until}")
            }
            Reason::CertificateExpired { valid_until } => {
                format!("qualification certificate expired on {valid_until}")
            }
            Reason::OldCardAccepted => "old insurance card, accepted up to 2025-12-01".into(),
            Reason::OldCardAbolished => "old insurance cards are not accepted after 2025-12-01".into(),
            Reason::OldCardExpired { valid_until } => {
                format!("old insurance card expired on {valid_until}")
            }
            Reason::AttestedOnAnotherDay { attested_on } => {
                format!("attested on {attested_on}, not on the checkup date")
            }
            Reason::BadCheckDigit { identifier } => {
                format!("the received {} has a wrong check digit", identifier.name_en())
            }
            Reason::ConfirmationDateMatches => "checked for the checkup date".into(),
            Reason::ConfirmationDateDiffers { confirmed_for } => {
                format!("checked for {confirmed_for}, not the checkup date")
            }
            Reason::ResultCompleted => "SegmentOfResult 1 (completed)".into(),
            Reason::ResultStillProcessing => "SegmentOfResult 2 (still processing)".into(),
            Reason::ResultAbnormalEnd {
                segment,
                error_code,
                error_message,
            } => format!(
                "SegmentOfResult {segment} (abnormal end), ErrorCode {}, ErrorMessage {}",
                opt(error_code),
                opt(error_message)
            ),
            Reason::ResultSegmentUnknown { segment } => {
                format!("unknown SegmentOfResult {segment:?}")
            }
            Reason::ProcessingCompleted => "ProcessingResultStatus 1 (completed)".into(),
            Reason::ProcessingError { code, message } => format!(
                "ProcessingResultStatus 2 (error), ProcessingResultCode {}, message {}",
                opt(code),
                opt(message)
            ),
            Reason::ProcessingStatusUnknown { status } => {
                format!("unknown ProcessingResultStatus {status:?}")
            }
            Reason::QualificationValid => "QualificationValidity 1 (valid)".into(),
            Reason::QualificationInvalid => "QualificationValidity 2 (invalid)".into(),
            Reason::NewerQualificationExists => {
                "QualificationValidity 3 (invalid, a newer qualification exists)".into()
            }
            Reason::NoQualificationFound => "QualificationValidity 4 (no qualification)".into(),
            Reason::MultipleQualifications => "QualificationValidity 5 (several match)".into(),
            Reason::MedicalAssistanceOnly => {
                "QualificationValidity 6 (medical assistance only, not an insurer)".into()
            }
            Reason::ValidityUnknown { validity } => {
                format!("unknown QualificationValidity {validity:?}")
            }
            Reason::ValidityMissing => "no QualificationValidity in the result".into(),
            Reason::ShownOnDocument => "qualification shown on a document read by staff".into(),
            Reason::KeyedOnCardNumbers => {
                "ReferenceClassification 2: looked up by card numbers, not by the person's card"
                    .into()
            }
            Reason::NoResultRecord => "no ResultOfQualificationConfirmation".into(),
            Reason::SeveralRecordsOneMatches { count } => {
                format!("{count} results, exactly one matches the voucher")
            }
            Reason::SeveralRecordsAmbiguous { count, matching } => {
                format!("{count} results, {matching} match the voucher; compared the first")
            }
            Reason::NoRecordMatchesVoucher { count } => {
                format!("{count} results, none matches the voucher; compared the first")
            }
            Reason::PeriodCovers => "the checkup date is within the qualification period".into(),
            Reason::PeriodDoesNotCover { from, until } => format!(
                "the checkup date is outside [{}, {})",
                opt_date(from),
                opt_date(until)
            ),
        }
    }

    /// What the operator should do about this reason when it blocks or warns.
    pub fn next_step(&self) -> NextStep {
        match self {
            Reason::ResultStillProcessing
            | Reason::ResultAbnormalEnd { .. }
            | Reason::PinSignatureNotVerified
            | Reason::ProcessingError { .. } => NextStep::RetryOrOtherEvidence,
            Reason::NoticeWithoutCard
            | Reason::CardWithoutNotice
            | Reason::NeitherCardNorNotice
            | Reason::CertificateExpired { .. }
            | Reason::OldCardAbolished
            | Reason::OldCardExpired { .. } => NextStep::UseOtherEvidence,
            Reason::VoucherExpired { .. }
            | Reason::QualificationInvalid
            | Reason::NewerQualificationExists
            | Reason::NoQualificationFound
            | Reason::MedicalAssistanceOnly
            | Reason::ValidityUnknown { .. }
            | Reason::ValidityMissing
            | Reason::PeriodDoesNotCover { .. }
            | Reason::NoResultRecord => NextStep::ContactInsurer,
            Reason::VoucherDoesNotFitPurpose { .. }
            | Reason::Different
            | Reason::MissingInEvidence
            | Reason::MissingOnVoucher
            | Reason::NoRecordMatchesVoucher { .. }
            | Reason::BadCheckDigit { .. }
            | Reason::CheckupBeforeIssue { .. } => NextStep::CheckVoucherAndEvidence,
            _ => NextStep::ReviewWarnings,
        }
    }
}
