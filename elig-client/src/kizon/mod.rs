//! 既存型: the qualification check through an existing オンライン資格確認 terminal's folders.
//!
//! A 既存型 terminal (資格確認端末) exchanges XML files with the software of the institution
//! through two shared folders (oqs.md, "File names (既存型)"): requests go into `req`, answers
//! come back in `res` "with the request's suffix". This module is the blocking, std-only
//! driver for that exchange (Windows and Linux alike); the files themselves are elig-proto's:
//! [`IndividualRequest`] writes the request (UTF-8 or Shift_JIS), [`FileName`] names it, and
//! [`elig_proto::xmlmsg::read_response_with`] reads the answer into voucher-model's
//! [`QualificationResponse`], from which the caller builds the verdict
//! ([`voucher_model::verify`] with [`voucher_model::OnlineChannel::Existing`]).
//!
//! The rules below are this project's design: the terminal's own behaviour beyond file names
//! and encodings is not public.
//!
//! ## Folders
//! [`Folders`] names the terminal's `req` and `res` folders and a *work* folder of this SDK's
//! own (on the same volume as `req`/`res` is best: tidying is then a rename). The work folder
//! holds `claims/` (suffix claims, below) and `done/` (handled files, see [`Tidy`]).
//!
//! ## Suffixes
//! oqs.md: "`yyyyMMdd` + 4-digit daily sequence (12 characters)". The date is today's date in
//! Japan. The sequence is one more than the highest sequence of that day found among the
//! individual requests and responses in `req`, `res` and `done/`; the driver then *claims*
//! it by creating `claims/<suffix>` with create-new semantics (`O_EXCL` on Unix,
//! `CREATE_NEW` on Windows), which the operating system grants to exactly one process. A
//! process that loses the race tries the next number. So two requests, from two threads or
//! two processes on one PC sharing the work folder, never get the same suffix. Claims of
//! earlier days are removed at the next claim; 9999 requests a day is the limit
//! ([`KizonError::SequencesExhausted`]).
//!
//! ## Writing the request
//! The request is written to `req/.elig-<name>.tmp`, flushed to disk (`fsync`), and renamed to
//! `req/OQSsiquc01req_<suffix>.xml`. The terminal picks up files by their OQS prefix and
//! `.xml` extension; the temporary name has neither (it starts with `.elig-` and ends in
//! `.tmp`), so the terminal never sees a half-written request. A rename within one folder is
//! atomic on NTFS and on POSIX file systems: the request appears whole or not at all.
//!
//! ## Files still being written
//! The terminal writes its answer in place, possibly in several writes. The driver polls
//! `res` every [`KizonClient::with_poll_interval`] (default 100 ms) and parses what it
//! finds; a file is taken only when it *reads* as a complete `XmlMsg` (a prefix of an XmlMsg
//! document never does: its root element is not closed). A file that does not read is read
//! again at the next poll; only when its bytes have stayed the same for the settle time
//! ([`KizonClient::with_settle`], default 1 s) is it final, and the answer is
//! [`KizonError::Unreadable`] with elig-proto's [`ReadError`](elig_proto::xmlmsg::ReadError).
//! Half a file is never parsed into a result. A file the operating system refuses to read
//! (on Windows, a terminal writing with an exclusive share mode) is retried the same way; if
//! it is still refused at the timeout, the answer is [`KizonError::Io`].
//!
//! ## Tidying up
//! After the answer is read (or found unreadable), the request, if the terminal left it in
//! `req`, and the response are moved to `done/` (or deleted, [`Tidy::Remove`]). On a timeout
//! a request still in `req` is withdrawn (deleted), so a terminal started later does not
//! answer a check nobody waits for.
//!
//! ## Pushed results
//! A terminal with a face-recognition reader writes `OQSsiquc01res_face_*` on its own when a
//! card is checked at the reader. [`FaceWatcher::poll`] returns each such file once: it is
//! tidied away after it is returned (so a restarted watcher does not return it again), and
//! the watcher remembers the names it returned in case tidying failed.
//!
//! ## Example
//! ```no_run
//! use std::time::Duration;
//! use elig_client::kizon::{Folders, KizonClient};
//! use elig_proto::xmlmsg::{Encoding, IndividualRequest};
//! # fn demo(request: IndividualRequest) -> Result<(), elig_client::kizon::KizonError> {
//! let client = KizonClient::new(Folders::new(r"C:\OQS\req", r"C:\OQS\res", r"C:\elig\kizon"));
//! let answer = client.check(&request, Encoding::ShiftJis, Duration::from_secs(30))?;
//! println!("{:?}", answer.response.qualification_validity);
//! # Ok(()) }
//! ```

mod error;
mod face;
mod files;

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use elig_proto::xmlmsg::{
    Encoding, FileKind, FileName, IndividualRequest, ReadInfo, ReadLimits, Suffix,
};
use voucher_model::{Date, QualificationResponse};

pub use error::KizonError;
pub use face::{FaceResult, FaceWatcher};
pub use files::Tidy;

use files::{Polled, Settler};

/// Default polling interval of `res`.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Default settle time of an unreadable file (module docs, "Files still being written").
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(1);

/// The terminal's `req` and `res` folders and this SDK's work folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folders {
    req: PathBuf,
    res: PathBuf,
    work: PathBuf,
}

impl Folders {
    /// The terminal's request folder, its response folder, and a work folder of this SDK's
    /// own (created when needed).
    pub fn new(req: impl Into<PathBuf>, res: impl Into<PathBuf>, work: impl Into<PathBuf>) -> Self {
        Self {
            req: req.into(),
            res: res.into(),
            work: work.into(),
        }
    }

    /// The request folder.
    pub fn req(&self) -> &Path {
        &self.req
    }

    /// The response folder.
    pub fn res(&self) -> &Path {
        &self.res
    }

    /// The work folder (`claims/`, `done/`).
    pub fn work(&self) -> &Path {
        &self.work
    }

    /// Where handled files go with [`Tidy::MoveToDone`].
    pub fn done(&self) -> PathBuf {
        self.work.join(files::DONE)
    }
}

/// A request written into `req`, not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The request's file name (`OQSsiquc01req_<suffix>.xml`).
    pub request: FileName,
    /// The answer's file name (`OQSsiquc01res_<suffix>.xml`).
    pub response: FileName,
}

impl Submitted {
    /// The suffix both files share.
    pub fn suffix(&self) -> &Suffix {
        &self.request.suffix
    }
}

/// The 既存型 terminal's answer to one request (not the gateway's `elig_proto::gateway::Answer`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TerminalAnswer {
    /// The suffix of the request and the answer.
    pub suffix: Suffix,
    /// The answer, read by elig-proto.
    pub response: QualificationResponse,
    /// The encoding it was read as, and whether its `CharacterCodeIdentifier` disagreed.
    pub info: ReadInfo,
    /// False when the files could not be tidied away (they were left in place).
    pub tidied: bool,
}

/// The blocking 既存型 folder driver (module docs).
#[derive(Debug, Clone)]
pub struct KizonClient {
    folders: Folders,
    poll_interval: Duration,
    settle: Duration,
    limits: ReadLimits,
    tidy: Tidy,
}

impl KizonClient {
    /// A driver with the default poll interval, settle time, read limits and tidy rule.
    pub fn new(folders: Folders) -> Self {
        Self {
            folders,
            poll_interval: DEFAULT_POLL_INTERVAL,
            settle: DEFAULT_SETTLE,
            limits: ReadLimits::default(),
            tidy: Tidy::default(),
        }
    }

    /// How often `res` is looked at (at least 1 ms).
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// How long an unreadable answer must stay unchanged before it is final.
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// The limits answers are read with.
    pub fn with_read_limits(mut self, limits: ReadLimits) -> Self {
        self.limits = limits;
        self
    }

    /// What happens to handled files.
    pub fn with_tidy(mut self, tidy: Tidy) -> Self {
        self.tidy = tidy;
        self
    }

    /// The folders.
    pub fn folders(&self) -> &Folders {
        &self.folders
    }

    /// Writes the request with today's date in Japan (this PC's clock) in its suffix, waits
    /// up to `timeout` for the answer, reads it and tidies up.
    pub fn check(
        &self,
        request: &IndividualRequest,
        encoding: Encoding,
        timeout: Duration,
    ) -> Result<TerminalAnswer, KizonError> {
        let today = voucher_model::jst::date_from_system_time(SystemTime::now())
            .map_err(KizonError::Clock)?;
        let submitted = self.submit(today, request, encoding)?;
        self.wait(&submitted, timeout)
    }

    /// Writes the request atomically into `req` under the next free suffix of `today`
    /// (module docs, "Suffixes" and "Writing the request").
    pub fn submit(
        &self,
        today: Date,
        request: &IndividualRequest,
        encoding: Encoding,
    ) -> Result<Submitted, KizonError> {
        let bytes = request.to_xml(encoding).map_err(KizonError::Request)?;
        let suffix = files::claim_suffix(
            &self.folders.req,
            &self.folders.res,
            &self.folders.work,
            today,
        )?;
        let request = FileName::new(FileKind::IndividualRequest, suffix.clone());
        let response = FileName::new(FileKind::IndividualResponse, suffix);
        files::write_atomically(&self.folders.req, &request.to_string(), &bytes)?;
        Ok(Submitted { request, response })
    }

    /// Waits up to `timeout` for the answer to `submitted`, reads it and tidies up (module
    /// docs, "Files still being written" and "Tidying up").
    pub fn wait(
        &self,
        submitted: &Submitted,
        timeout: Duration,
    ) -> Result<TerminalAnswer, KizonError> {
        let start = Instant::now();
        let request_path = self.folders.req.join(submitted.request.to_string());
        let response_path = self.folders.res.join(submitted.response.to_string());
        let mut settler = Settler::default();
        loop {
            let mut busy = None;
            match settler.poll(&response_path, self.settle, &self.limits)? {
                Polled::Ready(read) => {
                    let (response, info) = *read;
                    let tidied = self.tidy_pair(&request_path, &response_path);
                    return Ok(TerminalAnswer {
                        suffix: submitted.suffix().clone(),
                        response,
                        info,
                        tidied,
                    });
                }
                Polled::Unreadable(error) => {
                    self.tidy_pair(&request_path, &response_path);
                    return Err(KizonError::Unreadable {
                        file: submitted.response.to_string(),
                        error,
                    });
                }
                Polled::Busy(e) => busy = Some(e),
                Polled::Absent | Polled::Incomplete => {}
            }
            let waited = start.elapsed();
            let Some(left) = timeout.checked_sub(waited).filter(|d| !d.is_zero()) else {
                if let Some(source) = busy {
                    return Err(KizonError::Io {
                        action: "read the answer",
                        path: response_path,
                        source,
                    });
                }
                // Withdraw the request if nobody took it.
                let request_taken = !request_path.exists();
                if !request_taken {
                    let _ = std::fs::remove_file(&request_path);
                }
                return Err(KizonError::Timeout {
                    waited,
                    request: submitted.request.to_string(),
                    request_taken,
                    answer_incomplete: settler.watching(&response_path),
                });
            };
            thread::sleep(self.poll_interval.min(left));
        }
    }

    /// A watcher of results the terminal pushes on its own (`OQSsiquc01res_face_*`).
    pub fn face_watcher(&self) -> FaceWatcher {
        FaceWatcher::new(self.folders.clone(), self.settle, self.limits, self.tidy)
    }

    fn tidy_pair(&self, request: &Path, response: &Path) -> bool {
        let request_ok = !request.exists() || files::tidy(request, &self.folders.work, self.tidy);
        let response_ok = files::tidy(response, &self.folders.work, self.tidy);
        request_ok && response_ok
    }
}

#[cfg(test)]
mod tests;
