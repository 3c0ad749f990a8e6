//! A simulated 既存型 terminal (資格確認端末): answers the individual-check requests dropped
//! in its `req` folder from the registry, and pushes face results on demand.
//!
//! It plays the terminal for tests of elig-client's folder driver; the `kizon-terminal`
//! binary runs it as a separate process. What it does (file names and encodings from
//! oqs.md, "File names (既存型)"; everything else is this project's design, the real
//! terminal's behaviour is not public):
//!
//! - **Requests.** Every `OQSsiquc01req_<suffix>.xml` in `req` (other names, such as a
//!   driver's `.elig-….tmp`, are ignored) is read with elig-proto, deleted (consumed), and
//!   answered in `res` as `OQSsiquc01res_<suffix>.xml`, in the request's encoding, with
//!   `CharacterCodeIdentifier` to match.
//! - **Lookup.** The person is the one with a qualification record whose 保険者番号 and 番号
//!   equal the request's, whose 記号 and 枝番 equal the request's where both sides have them,
//!   and whose 生年月日 equals the request's `Birthdate`. The answer is then the registry's
//!   own decision for that person's card on the request's `QualificationConfirmationDate`
//!   with the request as search keys ([`Registry::lookup`]); nobody found → 4 該当資格なし.
//!   `ReferenceClassification` is 2 (insurance-card information).
//! - **Writing like a terminal.** The answer is written in place, not atomically: the first
//!   half, a pause, then the rest, so a reader that parses half a file is caught.
//! - **Test hooks** (by the request's `ArbitraryFileIdentifier`): `sim:silent` — the request
//!   is consumed and never answered; `sim:malformed` — the answer is a complete file that is
//!   not well-formed XML.
//! - **An unreadable request** is answered with `SegmentOfResult` 9 (異常終了) and
//!   `ErrorCode` `SIM-REQ`, in UTF-8, when its suffix can be known from its name.
//! - **Face push.** A file named `<handle>` (e.g. `P01`) dropped in the `push` folder makes
//!   the terminal write `OQSsiquc01res_face_<today><sequence>.xml` for that person's card
//!   (`ReferenceClassification` 1, My Number Card), in UTF-8, or Shift_JIS when the trigger
//!   file's content is `sjis`. The trigger is deleted.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, SystemTime};

use elig_proto::xmlmsg::{Encoding, FileKind, FileName, IndividualRequest, Suffix, write_response};
use voucher_model::{
    CharacterCodeIdentifier, Date, ProcessingResultStatus, QualificationRecord,
    QualificationResponse, QualificationValidity, ReferenceClassification, SearchInfo,
    SegmentOfResult,
};

use crate::registry::{Person, Registry};

/// `ArbitraryFileIdentifier` that makes the terminal consume a request without answering.
pub const SILENT: &str = "sim:silent";
/// `ArbitraryFileIdentifier` that makes the terminal answer with a malformed file.
pub const MALFORMED: &str = "sim:malformed";

/// What the simulated terminal does (module docs).
#[derive(Debug)]
pub struct Terminal {
    req: PathBuf,
    res: PathBuf,
    push: PathBuf,
    pause: Duration,
    registry: Registry,
    /// The last face-result sequence used: names are never reused within a run, even when
    /// a reader has moved earlier results away.
    face_sequence: u32,
}

/// Why a step of the terminal failed (this PC's folders are at fault).
#[derive(Debug)]
#[non_exhaustive]
pub struct TerminalError {
    /// What the terminal was doing.
    pub action: &'static str,
    /// The file or folder.
    pub path: PathBuf,
    /// The operating system's error.
    pub source: std::io::Error,
}

impl core::fmt::Display for TerminalError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "simulated terminal: could not {} {}: {}",
            self.action,
            self.path.display(),
            self.source
        )
    }
}

impl core::error::Error for TerminalError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> TerminalError {
    let path = path.to_path_buf();
    move |source| TerminalError {
        action,
        path,
        source,
    }
}

/// The encoding an XML declaration names (`encoding="…"` in the first line); UTF-8 without.
fn declared_encoding(bytes: &[u8]) -> Encoding {
    let head = bytes.get(..bytes.len().min(200)).unwrap_or_default();
    let head = String::from_utf8_lossy(head);
    head.split_once("encoding=")
        .and_then(|(_, rest)| {
            let quote = rest.chars().next()?;
            let rest = rest.get(quote.len_utf8()..)?;
            let (label, _) = rest.split_once(quote)?;
            Encoding::from_label(label)
        })
        .unwrap_or(Encoding::Utf8)
}

fn same<T: PartialEq>(record: Option<&T>, search: Option<&T>) -> bool {
    match (record, search) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn matches(record: &QualificationRecord, search: &SearchInfo) -> bool {
    record.insurer_number.is_some()
        && record.insurer_number == search.insurer_number
        && record.insured_identification_number.is_some()
        && record.insured_identification_number == search.insured_identification_number
        && record.birthdate.is_some()
        && record.birthdate == search.birthdate
        && same(
            record.insured_card_symbol.as_ref(),
            search.insured_card_symbol.as_ref(),
        )
        && same(
            record.insured_branch_number.as_ref(),
            search.insured_branch_number.as_ref(),
        )
}

fn code_of(encoding: Encoding) -> CharacterCodeIdentifier {
    match encoding {
        Encoding::Utf8 => CharacterCodeIdentifier::Utf8,
        Encoding::ShiftJis => CharacterCodeIdentifier::ShiftJis,
    }
}

/// The registry's answer for `search` on `date` (module docs, "Lookup").
fn lookup(registry: &Registry, search: &SearchInfo, date: Date) -> crate::registry::Lookup {
    let person: Option<&Person> = registry
        .people()
        .iter()
        .find(|p| p.qualifications.iter().any(|r| matches(r, search)));
    match person {
        Some(p) => registry.lookup(p.card.serial, date, Some(search)),
        None => crate::registry::Lookup {
            validity: QualificationValidity::NoQualification,
            records: Vec::new(),
        },
    }
}

/// The answer file to a request file's bytes; `None` for [`SILENT`]. The encoding is the
/// request's.
pub fn answer(registry: &Registry, request: &[u8]) -> Option<Vec<u8>> {
    let encoding = declared_encoding(request);
    let request = match IndividualRequest::from_xml(request) {
        Ok(request) => request,
        Err(e) => return Some(error_answer(&e.to_string())),
    };
    match request.arbitrary_file_identifier.as_deref() {
        Some(SILENT) => return None,
        Some(MALFORMED) => {
            return Some(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader></XmlMsg>\n"
                    .to_vec(),
            );
        }
        _ => {}
    }
    let date = request.qualification_confirmation_date;
    let found = lookup(registry, &request.search, date);
    let response = QualificationResponse {
        process_execution_time: voucher_model::jst::date_time_from_system_time(SystemTime::now())
            .ok(),
        qualification_confirmation_date: Some(date),
        medical_institution_code: request
            .medical_institution_code
            .as_medical_institution_code(),
        arbitrary_file_identifier: request.arbitrary_file_identifier.clone(),
        reference_classification: Some(ReferenceClassification::InsuranceCardInfo),
        segment_of_result: Some(SegmentOfResult::Normal),
        character_code_identifier: Some(code_of(encoding)),
        search_info: Some(request.search.clone()),
        processing_result_status: Some(ProcessingResultStatus::Normal),
        qualification_validity: Some(found.validity),
        results: found.records,
        ..QualificationResponse::default()
    };
    // A record Shift_JIS cannot carry is answered as an error rather than not at all.
    Some(write_response(&response, encoding).unwrap_or_else(|e| error_answer(&e.to_string())))
}

/// An 異常終了 answer (UTF-8) carrying `detail` as its message.
fn error_answer(detail: &str) -> Vec<u8> {
    let response = QualificationResponse {
        segment_of_result: Some(SegmentOfResult::AbnormalEnd),
        error_code: Some("SIM-REQ".to_owned()),
        error_message: Some(detail.chars().take(200).collect()),
        character_code_identifier: Some(CharacterCodeIdentifier::Utf8),
        ..QualificationResponse::default()
    };
    write_response(&response, Encoding::Utf8).unwrap_or_default()
}

/// A pushed face result for the card of `handle` on `today`; `None` for an unknown handle.
pub fn face_answer(
    registry: &Registry,
    handle: &str,
    today: Date,
    encoding: Encoding,
) -> Option<Vec<u8>> {
    let person = registry.person(handle)?;
    let found = registry.lookup(person.card.serial, today, None);
    let response = QualificationResponse {
        process_execution_time: voucher_model::jst::date_time_from_system_time(SystemTime::now())
            .ok(),
        qualification_confirmation_date: Some(today),
        reference_classification: Some(ReferenceClassification::MyNumberCard),
        segment_of_result: Some(SegmentOfResult::Normal),
        character_code_identifier: Some(code_of(encoding)),
        processing_result_status: Some(ProcessingResultStatus::Normal),
        qualification_validity: Some(found.validity),
        results: found.records,
        ..QualificationResponse::default()
    };
    write_response(&response, encoding).ok()
}

impl Terminal {
    /// A terminal over the three folders (created when missing) answering from `registry`,
    /// pausing `pause` between the two halves of every file it writes.
    pub fn new(
        req: impl Into<PathBuf>,
        res: impl Into<PathBuf>,
        push: impl Into<PathBuf>,
        pause: Duration,
        registry: Registry,
    ) -> Result<Self, TerminalError> {
        let t = Self {
            req: req.into(),
            res: res.into(),
            push: push.into(),
            pause,
            registry,
            face_sequence: 0,
        };
        for dir in [&t.req, &t.res, &t.push] {
            fs::create_dir_all(dir).map_err(io("create", dir))?;
        }
        Ok(t)
    }

    /// Writes `bytes` to `res/name` in two halves with the pause between them.
    fn write_slowly(&self, name: &str, bytes: &[u8]) -> Result<(), TerminalError> {
        let path = self.res.join(name);
        let (head, tail) = bytes.split_at(bytes.len() / 2);
        let mut file = File::create(&path).map_err(io("create", &path))?;
        file.write_all(head).map_err(io("write", &path))?;
        file.flush().map_err(io("write", &path))?;
        thread::sleep(self.pause);
        file.write_all(tail).map_err(io("write", &path))?;
        file.sync_all().map_err(io("write", &path))
    }

    fn list(dir: &Path) -> Result<Vec<String>, TerminalError> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).map_err(io("list", dir))? {
            let entry = entry.map_err(io("list", dir))?;
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Answers every request now in `req` and every trigger now in `push`; returns how many
    /// files it handled. `today` dates the face results.
    pub fn step(&mut self, today: Date) -> Result<usize, TerminalError> {
        let mut handled = 0usize;
        for name in Self::list(&self.req)? {
            let Ok(file) = FileName::parse(&name) else {
                continue;
            };
            if file.kind != FileKind::IndividualRequest || file.zipped {
                continue;
            }
            let path = self.req.join(&name);
            let bytes = fs::read(&path).map_err(io("read", &path))?;
            fs::remove_file(&path).map_err(io("consume", &path))?;
            handled = handled.saturating_add(1);
            let Some(response) = file.response() else {
                continue;
            };
            if let Some(answer) = answer(&self.registry, &bytes) {
                self.write_slowly(&response.to_string(), &answer)?;
            }
        }
        for handle in Self::list(&self.push)? {
            let path = self.push.join(&handle);
            let content = fs::read(&path).map_err(io("read", &path))?;
            fs::remove_file(&path).map_err(io("consume", &path))?;
            handled = handled.saturating_add(1);
            let encoding = if content.trim_ascii() == b"sjis" {
                Encoding::ShiftJis
            } else {
                Encoding::Utf8
            };
            let Some(answer) = face_answer(&self.registry, &handle, today, encoding) else {
                continue;
            };
            let name = self.next_face_name(today)?;
            self.write_slowly(&name.to_string(), &answer)?;
        }
        Ok(handled)
    }

    /// The next free `OQSsiquc01res_face_<today><sequence>.xml` in `res`.
    fn next_face_name(&mut self, today: Date) -> Result<FileName, TerminalError> {
        let taken = Self::list(&self.res)?;
        let first = self.face_sequence.saturating_add(1);
        let name = (first..=9999u32)
            .filter_map(|seq| Some((seq, Suffix::new(today, seq).ok()?)))
            .map(|(seq, s)| (seq, FileName::new(FileKind::FaceResponse, s)))
            .find(|(_, f)| !taken.contains(&f.to_string()));
        if let Some((seq, name)) = name {
            self.face_sequence = seq;
            return Ok(name);
        }
        Err(TerminalError {
            action: "name a face result in",
            path: self.res.clone(),
            source: std::io::Error::other("all 9999 sequences of the day are taken"),
        })
    }
}

#[cfg(test)]
mod tests {
    use elig_proto::xmlmsg::{InsurerPadding, read_response_with};
    use voucher_model::CheckupInstitutionNumber;

    use super::*;

    fn request_for(handle: &str, padding: InsurerPadding) -> IndividualRequest {
        let registry = Registry::default_registry().unwrap();
        let record = &registry.person(handle).unwrap().qualifications[0];
        let search = SearchInfo {
            insurer_number: record.insurer_number.clone(),
            insured_identification_number: record.insured_identification_number.clone(),
            birthdate: record.birthdate,
            ..SearchInfo::default()
        };
        IndividualRequest::new(
            Date::new(2026, 11, 24).unwrap(),
            CheckupInstitutionNumber::parse("1312345679").unwrap(),
            search,
        )
        .with_insurer_padding(padding)
    }

    #[test]
    fn a_6_digit_nhi_number_is_found_with_either_padding_and_answered_in_kind() {
        let registry = Registry::default_registry().unwrap();
        for padding in [InsurerPadding::Spaces, InsurerPadding::Zeros] {
            for encoding in [Encoding::Utf8, Encoding::ShiftJis] {
                let bytes = request_for("P03", padding).to_xml(encoding).unwrap();
                assert_eq!(declared_encoding(&bytes), encoding);
                let answer = answer(&registry, &bytes).unwrap();
                let (response, info) = read_response_with(&answer, &Default::default()).unwrap();
                assert_eq!(info.encoding, encoding);
                assert!(!info.character_code_identifier_mismatch);
                assert_eq!(
                    response.qualification_validity,
                    Some(QualificationValidity::Valid)
                );
                assert_eq!(
                    response.reference_classification,
                    Some(ReferenceClassification::InsuranceCardInfo)
                );
            }
        }
    }

    #[test]
    fn a_wrong_birth_date_finds_nobody_and_a_broken_request_is_an_error_answer() {
        let registry = Registry::default_registry().unwrap();
        let mut request = request_for("P01", InsurerPadding::Spaces);
        request.search.birthdate = Some(Date::new(2001, 1, 1).unwrap());
        let answer_bytes = answer(&registry, &request.to_xml(Encoding::Utf8).unwrap()).unwrap();
        let (response, _) = read_response_with(&answer_bytes, &Default::default()).unwrap();
        assert_eq!(
            response.qualification_validity,
            Some(QualificationValidity::NoQualification)
        );
        assert!(response.results.is_empty());
        let broken = answer(&registry, b"<XmlMsg><MessageHeader/></XmlMsg>").unwrap();
        let (response, _) = read_response_with(&broken, &Default::default()).unwrap();
        assert_eq!(response.error_code.as_deref(), Some("SIM-REQ"));
        assert_eq!(response.qualification_validity, None);
        let silent = request_for("P01", InsurerPadding::Spaces).with_file_identifier(SILENT);
        assert_eq!(
            answer(&registry, &silent.to_xml(Encoding::Utf8).unwrap()),
            None
        );
    }
}
