//! Errors of the 既存型 folder driver.

use core::fmt;
use std::path::PathBuf;
use std::time::Duration;

use elig_proto::xmlmsg::{ReadError, WriteError};
use voucher_model::Date;
use voucher_model::jst::UnixTimeError;

/// Why a 既存型 check through the folders did not produce an answer.
///
/// None of these is ever an eligible result: the caller has no `QualificationResponse` to
/// build a verdict from, and shows the operator the message and its next step instead.
/// File names in the messages carry only the `yyyyMMdd` + sequence suffix, never personal data.
#[derive(Debug)]
#[non_exhaustive]
pub enum KizonError {
    /// Reading or writing a folder failed: this PC is at fault (the folder does not exist or
    /// is not shared with this user, the disk is full, …).
    Io {
        /// What the driver was doing.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The request could not be written (the caller's input: a required value is missing,
    /// or a character Shift_JIS cannot carry). Nothing was written.
    Request(WriteError),
    /// All 9999 daily sequence numbers of `date` are taken (oqs.md's suffix has 4 digits).
    SequencesExhausted {
        /// The day.
        date: Date,
    },
    /// The system clock is outside the range a date can be built from (this PC is at fault).
    Clock(UnixTimeError),
    /// The terminal did not answer within the caller's timeout. The request was withdrawn
    /// from `req` when the terminal had not taken it yet.
    Timeout {
        /// How long the driver waited.
        waited: Duration,
        /// The request's file name.
        request: String,
        /// False when the request was still in `req` at the timeout (nobody picked it up:
        /// check that the terminal software runs and watches this folder); true when it had
        /// been taken (the terminal is working on it or lost it: check the terminal's screen
        /// and its network connection).
        request_taken: bool,
        /// True when an answer had started to appear but was still incomplete.
        answer_incomplete: bool,
    },
    /// The terminal's answer is complete (unchanged for the settle time) but is not a
    /// readable XmlMsg response: the terminal, or whatever wrote the file, is at fault.
    Unreadable {
        /// The response's file name.
        file: String,
        /// elig-proto's reason.
        error: ReadError,
    },
}

impl KizonError {
    /// Japanese message for the operator, with what to do next.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Io { action, .. } => format!(
                "資格確認端末の連携フォルダを操作できません（{action}）。フォルダの設定と権限、ディスクの空きを確認してください。"
            ),
            Self::Request(_) => "照会ファイルを作成できません。入力内容（保険者番号・番号・生年月日、使用できない文字）を確認してください。".to_owned(),
            Self::SequencesExhausted { .. } => "本日の照会番号（9999件）を使い切りました。翌日に照会するか、他の確認方法を使ってください。".to_owned(),
            Self::Clock(_) => "この端末の時計が正しくありません。日時を確認してください。".to_owned(),
            Self::Timeout { request_taken: false, .. } => "資格確認端末が照会ファイルを受け取りませんでした。端末のソフトウェアが起動していて、このフォルダを監視しているか確認してください。".to_owned(),
            Self::Timeout { .. } => "資格確認端末から時間内に回答がありませんでした。端末の画面と回線を確認して、もう一度照会してください。".to_owned(),
            Self::Unreadable { .. } => "資格確認端末の回答ファイルを読めません。もう一度照会し、続く場合は端末の業者に連絡してください。".to_owned(),
        }
    }
}

impl fmt::Display for KizonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io {
                action,
                path,
                source,
            } => write!(
                f,
                "既存型 folders: could not {action} {} ({source}); check the folder settings, permissions and free space on this PC",
                path.display()
            ),
            Self::Request(e) => write!(f, "既存型 request not written (caller input): {e}"),
            Self::SequencesExhausted { date } => write!(
                f,
                "all 9999 request sequence numbers of {date} are taken; check again tomorrow or use other evidence"
            ),
            Self::Clock(e) => write!(f, "this PC's clock is unusable: {e}"),
            Self::Timeout {
                waited,
                request,
                request_taken,
                answer_incomplete,
            } => {
                write!(
                    f,
                    "the qualification-check terminal did not answer {request} within {} ms",
                    waited.as_millis()
                )?;
                if *answer_incomplete {
                    f.write_str("; its answer was still being written")
                } else if *request_taken {
                    f.write_str(
                        "; it took the request: check the terminal's screen and network, then retry",
                    )
                } else {
                    f.write_str(
                        "; nobody took the request (withdrawn): check that the terminal software runs and watches this req folder",
                    )
                }
            }
            Self::Unreadable { file, error } => write!(
                f,
                "the terminal's answer {file} is not a readable XmlMsg (terminal at fault): {error}"
            ),
        }
    }
}

impl std::error::Error for KizonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Request(e) => Some(e),
            Self::Clock(e) => Some(e),
            Self::Unreadable { error, .. } => Some(error),
            _ => None,
        }
    }
}

pub(crate) fn io(
    action: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> KizonError {
    let path = path.to_path_buf();
    move |source| KizonError::Io {
        action,
        path,
        source,
    }
}
