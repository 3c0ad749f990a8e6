//! Results the terminal pushes on its own: `OQSsiquc01res_face_*` (oqs.md, "File names").

use std::collections::HashSet;
use std::fs;
use std::time::Duration;

use elig_proto::xmlmsg::{FileKind, FileName, ReadError, ReadLimits};
use voucher_model::QualificationResponse;

use super::Folders;
use super::error::{KizonError, io};
use super::files::{self, Polled, Settler, Tidy};

/// One pushed result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaceResult {
    /// The file's name as the terminal wrote it.
    pub file: FileName,
    /// The result, or why the (complete) file could not be read: the terminal is at fault,
    /// and the result is not usable as evidence.
    pub response: Result<QualificationResponse, ReadError>,
    /// False when the file could not be tidied away (this watcher still returns it only once).
    pub tidied: bool,
}

/// Watches `res` for pushed face results and returns each one once (module docs of
/// [`super`], "Pushed results").
#[derive(Debug)]
pub struct FaceWatcher {
    folders: Folders,
    settle: Duration,
    limits: ReadLimits,
    tidy: Tidy,
    returned: HashSet<String>,
    settler: Settler,
}

impl FaceWatcher {
    pub(crate) fn new(folders: Folders, settle: Duration, limits: ReadLimits, tidy: Tidy) -> Self {
        Self {
            folders,
            settle,
            limits,
            tidy,
            returned: HashSet::new(),
            settler: Settler::default(),
        }
    }

    /// The pushed results that are complete now and were not returned before, in file-name
    /// order. A file still being written is left for a later call.
    pub fn poll(&mut self) -> Result<Vec<FaceResult>, KizonError> {
        let res = self.folders.res().to_path_buf();
        let mut names: Vec<FileName> = Vec::new();
        for entry in fs::read_dir(&res).map_err(io("list", &res))? {
            let entry = entry.map_err(io("list", &res))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if self.returned.contains(name) {
                continue;
            }
            if let Ok(file) = FileName::parse(name)
                && file.kind == FileKind::FaceResponse
                && !file.zipped
            {
                names.push(file);
            }
        }
        names.sort_by(|a, b| a.suffix.cmp(&b.suffix));
        let mut out = Vec::new();
        for file in names {
            let name = file.to_string();
            let path = res.join(&name);
            let response = match self.settler.poll(&path, self.settle, &self.limits)? {
                Polled::Absent | Polled::Incomplete | Polled::Busy(_) => continue,
                Polled::Ready(read) => Ok(read.0),
                Polled::Unreadable(error) => Err(error),
            };
            self.settler.forget(&path);
            let tidied = files::tidy(&path, self.folders.work(), self.tidy);
            self.returned.insert(name);
            out.push(FaceResult {
                file,
                response,
                tidied,
            });
        }
        Ok(out)
    }
}
