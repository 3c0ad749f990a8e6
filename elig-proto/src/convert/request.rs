//! The individual-check request (`OQSsiquc01req_…`) and `QualificationConfirmSearchInfo`.

use voucher_model::{
    BranchNumber, CardNumber, CardSymbol, CheckupInstitutionNumber, ConsentFlag, Date,
    InsurerNumber, SearchInfo, UnknownElement,
};

use super::{Builder, Fields};
use crate::xml::tree::{Element, ReadLimits};
use crate::xml::write::XmlOut;
use crate::xml::{self, Encoding, ROOT, ReadError, WriteError};

pub(crate) const SEARCH_INFO: &str = "QualificationConfirmSearchInfo";

pub(crate) const SEARCH_FIELDS: &[&str] = &[
    "InsurerNumber",
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "InsuredBranchNumber",
    "Birthdate",
    "LimitApplicationCertificateRelatedConsFlg",
];

const REQUEST_HEADER_FIELDS: &[&str] = &[
    "QualificationConfirmationDate",
    "MedicalInstitutionCode",
    "ArbitraryFileIdentifier",
];

/// Reads `QualificationConfirmSearchInfo`'s children (leniently: misfits go to the sink).
pub(crate) fn search_from_fields(f: &mut Fields<'_>) -> Result<SearchInfo, ReadError> {
    Ok(SearchInfo {
        insurer_number: f.typed("InsurerNumber", InsurerNumber::parse_lenient)?,
        insured_card_symbol: f.typed("InsuredCardSymbol", CardSymbol::parse_lenient)?,
        insured_identification_number: f
            .typed("InsuredIdentificationNumber", CardNumber::parse_lenient)?,
        insured_branch_number: f.typed("InsuredBranchNumber", BranchNumber::parse_lenient)?,
        birthdate: f.typed("Birthdate", Date::parse_yyyymmdd)?,
        limit_application_certificate_related_cons_flg: f.code(
            "LimitApplicationCertificateRelatedConsFlg",
            ConsentFlag::from_code,
        )?,
    })
}

/// Reads search info strictly: an unknown element or a value that does not parse is an
/// error naming the element (requests and the gateway's JSON are strict).
pub(crate) fn search_strict(children: Vec<Element>) -> Result<SearchInfo, ReadError> {
    let mut unknown: Vec<UnknownElement> = Vec::new();
    let mut f = Fields::split(children, "", SEARCH_FIELDS, None, &mut unknown)?;
    let search = search_from_fields(&mut f)?;
    drop(f);
    match unknown.into_iter().next() {
        None => Ok(search),
        Some(u) => Err(ReadError::InvalidValue {
            element: u.name.chars().take(64).collect(),
            detail: "unknown element, or a value that does not parse".into(),
        }),
    }
}

/// Builds `QualificationConfirmSearchInfo` in oqs.md's order; `insurer` formats the
/// insurer number (padding choice).
pub(crate) fn search_element(
    search: &SearchInfo,
    insurer: impl Fn(&InsurerNumber) -> String,
) -> Element {
    let mut b = Builder::default();
    b.text(
        "InsurerNumber",
        search.insurer_number.as_ref().map(insurer).as_deref(),
    );
    b.text(
        "InsuredCardSymbol",
        search.insured_card_symbol.as_ref().map(|v| v.as_str()),
    );
    b.text(
        "InsuredIdentificationNumber",
        search
            .insured_identification_number
            .as_ref()
            .map(|v| v.as_str()),
    );
    b.text(
        "InsuredBranchNumber",
        search.insured_branch_number.as_ref().map(|v| v.as_str()),
    );
    b.text(
        "Birthdate",
        search.birthdate.map(Date::to_yyyymmdd).as_deref(),
    );
    b.text(
        "LimitApplicationCertificateRelatedConsFlg",
        search
            .limit_application_certificate_related_cons_flg
            .as_ref()
            .map(|c| c.code()),
    );
    Element::parent(SEARCH_INFO, b.children)
}

/// How a 6-digit 国保 insurer number is widened to the 8 characters of `InsurerNumber`
/// (oqs.md: "a 6-digit 国保 number is left-padded, with zeros or spaces"). 8-digit numbers
/// are written as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InsurerPadding {
    /// `"  123455"`: the form the terminal itself answers with (the real fixture has
    /// `<InsurerNumber>  123456</InsurerNumber>`). The default.
    #[default]
    Spaces,
    /// `"00123455"`: voucher-model's canonical form.
    Zeros,
}

impl InsurerPadding {
    fn format(self, number: &InsurerNumber) -> String {
        match self {
            Self::Spaces => number.space_padded(),
            Self::Zeros => number.as_str().to_owned(),
        }
    }
}

/// An individual qualification-check request (`OQSsiquc01req_<suffix>.xml`), typed.
///
/// oqs.md: header `QualificationConfirmationDate` (yyyyMMdd), `MedicalInstitutionCode`
/// (10 digits), `ArbitraryFileIdentifier` (echoed back); body
/// `QualificationConfirmSearchInfo`. `InsurerNumber`, `InsuredIdentificationNumber` and
/// `Birthdate` are required; the rest is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IndividualRequest {
    /// `QualificationConfirmationDate`: the date the qualification is checked for.
    pub qualification_confirmation_date: Date,
    /// `MedicalInstitutionCode` (oqs.md: 10 digits): the institution the terminal is
    /// registered under. A 既存型 terminal belongs to a 保険医療機関, whose
    /// 健診・保健指導機関番号 is its 医療機関コード (vouchers.md), so this is that 10-digit
    /// number (no check digit enforced: fixtures in the wild fail it).
    pub medical_institution_code: CheckupInstitutionNumber,
    /// `ArbitraryFileIdentifier`: free correlation text, echoed in the response.
    pub arbitrary_file_identifier: Option<String>,
    /// `QualificationConfirmSearchInfo`.
    pub search: SearchInfo,
    /// How a 6-digit 国保 number is padded.
    pub insurer_padding: InsurerPadding,
}

impl IndividualRequest {
    /// A request with no file identifier and space padding.
    pub fn new(
        qualification_confirmation_date: Date,
        medical_institution_code: CheckupInstitutionNumber,
        search: SearchInfo,
    ) -> Self {
        Self {
            qualification_confirmation_date,
            medical_institution_code,
            arbitrary_file_identifier: None,
            search,
            insurer_padding: InsurerPadding::Spaces,
        }
    }

    /// Sets `ArbitraryFileIdentifier`.
    pub fn with_file_identifier(mut self, id: &str) -> Self {
        self.arbitrary_file_identifier = Some(id.to_owned());
        self
    }

    /// Sets the insurer-number padding.
    pub fn with_insurer_padding(mut self, padding: InsurerPadding) -> Self {
        self.insurer_padding = padding;
        self
    }

    fn to_tree(&self) -> Result<Element, WriteError> {
        let s = &self.search;
        let missing = if s.insurer_number.is_none() {
            Some("InsurerNumber")
        } else if s.insured_identification_number.is_none() {
            Some("InsuredIdentificationNumber")
        } else if s.birthdate.is_none() {
            Some("Birthdate")
        } else {
            None
        };
        if let Some(element) = missing {
            return Err(WriteError::MissingValue { element });
        }
        let mut h = Builder::default();
        h.text(
            "QualificationConfirmationDate",
            Some(&self.qualification_confirmation_date.to_yyyymmdd()),
        );
        h.text(
            "MedicalInstitutionCode",
            Some(self.medical_institution_code.as_str()),
        );
        h.text(
            "ArbitraryFileIdentifier",
            self.arbitrary_file_identifier.as_deref(),
        );
        let padding = self.insurer_padding;
        let body = vec![search_element(s, |n| padding.format(n))];
        Ok(Element::parent(
            ROOT,
            vec![
                Element::parent("MessageHeader", h.children),
                Element::parent("MessageBody", body),
            ],
        ))
    }

    /// Writes the request file: the declaration names `encoding`; elements in oqs.md's
    /// order; two-space indentation; `\n` line ends. Shift_JIS output refuses characters
    /// CP932 cannot encode.
    pub fn to_xml(&self, encoding: Encoding) -> Result<Vec<u8>, WriteError> {
        let tree = self.to_tree()?;
        let mut out = XmlOut::new(encoding);
        out.element(&tree)?;
        out.finish()
    }

    /// Reads a request file (to check what a vendor's software dropped in `req`). Strict:
    /// a missing or unparsable required value is an error. The padding of a 6-digit 国保
    /// number is detected from the text.
    pub fn from_xml(bytes: &[u8]) -> Result<Self, ReadError> {
        let (root, _) = xml::read_tree(bytes, &ReadLimits::default())?;
        let mut unknown = Vec::new();
        let mut top = Fields::split(
            root.children,
            "",
            &["MessageHeader", "MessageBody"],
            None,
            &mut unknown,
        )?;
        let header = top
            .element("MessageHeader")
            .ok_or(ReadError::MissingElement {
                name: "MessageHeader",
            })?;
        let body = top
            .element("MessageBody")
            .ok_or(ReadError::MissingElement {
                name: "MessageBody",
            })?;
        drop(top);
        let mut h = Fields::split(
            header.children,
            "",
            REQUEST_HEADER_FIELDS,
            None,
            &mut unknown,
        )?;
        let date_text = required(
            h.text("QualificationConfirmationDate")?,
            "QualificationConfirmationDate",
        )?;
        let date = Date::parse_yyyymmdd(date_text.trim()).map_err(|e| ReadError::InvalidValue {
            element: "QualificationConfirmationDate".into(),
            detail: e.to_string(),
        })?;
        let code = required(h.text("MedicalInstitutionCode")?, "MedicalInstitutionCode")?;
        let medical_institution_code =
            CheckupInstitutionNumber::parse(&code).map_err(|e| ReadError::InvalidValue {
                element: "MedicalInstitutionCode".into(),
                detail: e.to_string(),
            })?;
        let arbitrary_file_identifier = h.text("ArbitraryFileIdentifier")?;
        drop(h);
        let mut b = Fields::split(body.children, "", &[SEARCH_INFO], None, &mut unknown)?;
        let search_el = b
            .element(SEARCH_INFO)
            .ok_or(ReadError::MissingElement { name: SEARCH_INFO })?;
        drop(b);
        // Only a 6-digit 国保 number has a padding; it was zero-padded when its text does not
        // start with a space (`00123455`), space-padded otherwise (`  123455`).
        let zero_padded = search_el
            .children
            .iter()
            .find(|c| c.name == "InsurerNumber")
            .is_some_and(|c| c.text.starts_with('0'));
        let search = search_strict(search_el.children)?;
        let nhi = search
            .insurer_number
            .as_ref()
            .is_some_and(InsurerNumber::is_national_health_insurance);
        let padding = if nhi && zero_padded {
            InsurerPadding::Zeros
        } else {
            InsurerPadding::Spaces
        };
        Ok(Self {
            qualification_confirmation_date: date,
            medical_institution_code,
            arbitrary_file_identifier,
            search,
            insurer_padding: padding,
        })
    }
}

fn required(value: Option<String>, element: &'static str) -> Result<String, ReadError> {
    value.ok_or(ReadError::MissingElement { name: element })
}
