//! A from/to filter on the JST day of the records.

use voucher_model::Date;

/// Which days (in Japan) a query or export covers; both ends inclusive, either open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayRange {
    /// The first day included; `None`: from the first record.
    pub from: Option<Date>,
    /// The last day included; `None`: to the last record.
    pub to: Option<Date>,
}

impl DayRange {
    /// Every record.
    pub fn all() -> DayRange {
        DayRange::default()
    }

    /// One day.
    pub fn day(day: Date) -> DayRange {
        DayRange {
            from: Some(day),
            to: Some(day),
        }
    }

    /// `from` to `to`, both included.
    pub fn between(from: Date, to: Date) -> DayRange {
        DayRange {
            from: Some(from),
            to: Some(to),
        }
    }

    /// The bounds as the stored `YYYY-MM-DD` text, which sorts as the dates do.
    pub(crate) fn bounds(self) -> (String, String) {
        (
            self.from.unwrap_or(Date::MIN).to_iso(),
            self.to.unwrap_or(Date::MAX).to_iso(),
        )
    }
}
