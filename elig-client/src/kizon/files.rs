//! File work of the driver: the daily suffix, the atomic request write, the settle rule for
//! files the terminal is still writing, and the tidy-up.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use elig_proto::xmlmsg::{self, FileKind, FileName, ReadError, ReadInfo, ReadLimits, Suffix};
use voucher_model::{Date, QualificationResponse};

use super::error::{KizonError, io};

/// The folder of suffix claims inside the driver's work folder.
pub(crate) const CLAIMS: &str = "claims";
/// The folder handled files are moved to, inside the work folder.
pub(crate) const DONE: &str = "done";

/// The largest daily sequence already used on `date` by an individual request or response
/// in any of `dirs` (0 when none). Missing folders count as empty.
fn highest_used(dirs: &[&Path], date: Date) -> Result<u32, KizonError> {
    let mut highest = 0;
    for dir in dirs {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(io("list", dir)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io("list", dir))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(file) = FileName::parse(name) else {
                continue;
            };
            if !matches!(
                file.kind,
                FileKind::IndividualRequest | FileKind::IndividualResponse
            ) {
                continue;
            }
            if let Some((day, seq)) = file.suffix.date_and_sequence()
                && day == date
            {
                highest = highest.max(seq);
            }
        }
    }
    Ok(highest)
}

/// Claims the next free suffix of `date` (module docs of [`super`], "Suffixes").
pub(crate) fn claim_suffix(
    req: &Path,
    res: &Path,
    work: &Path,
    date: Date,
) -> Result<Suffix, KizonError> {
    let claims = work.join(CLAIMS);
    let done = work.join(DONE);
    fs::create_dir_all(&claims).map_err(io("create", &claims))?;
    // Claims of other days are no longer needed: every suffix starts with its date.
    let today = date.to_yyyymmdd();
    if let Ok(entries) = fs::read_dir(&claims) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_str().is_some_and(|n| !n.starts_with(&today)) {
                // Best effort: a claim that cannot be removed only wastes its own name.
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    let mut sequence = highest_used(&[req, res, &done], date)?;
    loop {
        sequence = sequence
            .checked_add(1)
            .ok_or(KizonError::SequencesExhausted { date })?;
        let suffix =
            Suffix::new(date, sequence).map_err(|_| KizonError::SequencesExhausted { date })?;
        let path = claims.join(suffix.as_str());
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(_) => return Ok(suffix),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io("claim", &path)(e)),
        }
    }
}

/// Syncs a folder's entry list where the platform allows opening a folder as a file (Unix);
/// elsewhere (Windows) the rename is already durable once it returns, and this is skipped.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        // Best effort: some file systems refuse fsync on a directory.
        let _ = handle.sync_all();
    }
}

/// Writes `bytes` to `dir/name` atomically: a temporary file the terminal ignores, fsync,
/// rename into place.
pub(crate) fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), KizonError> {
    let temp = dir.join(temp_name(name));
    let target = dir.join(name);
    let written = (|| -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(io("write the request", &temp)(e));
    }
    if let Err(e) = fs::rename(&temp, &target) {
        let _ = fs::remove_file(&temp);
        return Err(io("rename the request into", &target)(e));
    }
    sync_dir(dir);
    Ok(())
}

/// `.elig-<name>.tmp`: no OQS prefix and not `.xml`, so a terminal that picks up
/// `OQSsiquc01req_*.xml` never sees a half-written request.
pub(crate) fn temp_name(name: &str) -> String {
    format!(".elig-{name}.tmp")
}

/// What happens to handled files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Tidy {
    /// Move the request (if still in `req`) and the response into `<work>/done/`, where
    /// they stay until the caller prunes them. They hold personal data: prune by the
    /// institution's retention rule. The default.
    #[default]
    MoveToDone,
    /// Delete them.
    Remove,
}

/// Tidies `path` away. Returns false when the file could not be moved or removed (it is
/// left where it is).
pub(crate) fn tidy(path: &Path, work: &Path, how: Tidy) -> bool {
    match how {
        Tidy::Remove => fs::remove_file(path).is_ok() || !path.exists(),
        Tidy::MoveToDone => {
            let done = work.join(DONE);
            if fs::create_dir_all(&done).is_err() {
                return false;
            }
            let Some(name) = path.file_name() else {
                return false;
            };
            let target = done.join(name);
            if fs::rename(path, &target).is_ok() {
                return true;
            }
            // Another volume: copy, then remove.
            fs::copy(path, &target).is_ok() && fs::remove_file(path).is_ok()
        }
    }
}

/// One poll of a file the terminal may still be writing.
#[derive(Debug)]
pub(crate) enum Polled {
    /// The file is not there.
    Absent,
    /// There, but not (yet) a readable response and still within the settle time.
    Incomplete,
    /// A readable response: complete.
    Ready(Box<(QualificationResponse, ReadInfo)>),
    /// Unreadable and unchanged for the settle time: final.
    Unreadable(ReadError),
    /// There, but the operating system refused to read it: on Windows, a terminal that
    /// writes with an exclusive share mode makes readers fail until it closes the file.
    /// Retried like an incomplete file; the error is kept for the timeout report.
    Busy(std::io::Error),
}

/// Remembers, per file, the last unreadable content and since when it is unchanged.
#[derive(Debug, Default)]
pub(crate) struct Settler {
    last: HashMap<PathBuf, (Vec<u8>, Instant)>,
}

impl Settler {
    /// Reads `path` and decides (module docs of [`super`], "Files still being written").
    pub(crate) fn poll(
        &mut self,
        path: &Path,
        settle: Duration,
        limits: &ReadLimits,
    ) -> Result<Polled, KizonError> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                self.last.remove(path);
                return Ok(Polled::Absent);
            }
            Err(e) => return Ok(Polled::Busy(e)),
        };
        match xmlmsg::read_response_with(&bytes, limits) {
            Ok(read) => {
                self.last.remove(path);
                Ok(Polled::Ready(Box::new(read)))
            }
            Err(error) => {
                let now = Instant::now();
                match self.last.get(path) {
                    Some((seen, since)) if *seen == bytes => {
                        if now.duration_since(*since) >= settle {
                            self.last.remove(path);
                            Ok(Polled::Unreadable(error))
                        } else {
                            Ok(Polled::Incomplete)
                        }
                    }
                    _ => {
                        self.last.insert(path.to_path_buf(), (bytes, now));
                        Ok(Polled::Incomplete)
                    }
                }
            }
        }
    }

    /// Forgets `path`.
    pub(crate) fn forget(&mut self, path: &Path) {
        self.last.remove(path);
    }

    /// True when `path` has unreadable content being watched.
    pub(crate) fn watching(&self, path: &Path) -> bool {
        self.last.contains_key(path)
    }
}
