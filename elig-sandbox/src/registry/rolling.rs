//! Vouchers that follow the calendar: the embedded demo's vouchers are re-dated into the
//! fiscal year of the day they are asked for, so the demo never turns "not eligible" because
//! its vouchers ran out.
//!
//! Public facts: a 受診券 / 利用券 is issued for a fiscal year (April to March), and the first
//! two digits of its 整理番号 are the fiscal year's last two digits (vouchers.md, weakly
//! sourced). Our own design: re-dating moves 交付日 and 有効期限 by the same whole number of
//! years (29 February becomes 28 February in a common year) and, when the number starts
//! with the old fiscal year's digits, replaces them with the new ones. Everything else
//! (person, insurer, card numbers, copayments) stays as written.

use voucher_model::{Date, Voucher, VoucherNumber};

/// The Japanese fiscal year (年度) `date` falls in: April to March, named by its April.
pub(super) fn fiscal_year(date: Date) -> i64 {
    let year = i64::from(date.year());
    if date.month() >= 4 {
        year
    } else {
        year.saturating_sub(1)
    }
}

/// `date` moved by `years` whole years; 29 February lands on 28 February in a common year.
/// `None` outside the years 1..=9999.
pub(super) fn add_years(date: Date, years: i64) -> Option<Date> {
    let year = u16::try_from(i64::from(date.year()).checked_add(years)?).ok()?;
    Date::new(year, date.month(), date.day())
        .or_else(|_| Date::new(year, date.month(), date.day().saturating_sub(1)))
        .ok()
}

/// `voucher` re-dated into the fiscal year of `today` (module docs). `None` when the result
/// would leave the calendar or fail the voucher's own validation (a birth date after the new
/// 交付日).
pub(super) fn redated(voucher: &Voucher, today: Date) -> Option<Voucher> {
    let old_year = fiscal_year(voucher.issued_on());
    let years = fiscal_year(today).checked_sub(old_year)?;
    if years == 0 {
        return Some(voucher.clone());
    }
    let mut fields = voucher.fields().clone();
    fields.issued_on = add_years(fields.issued_on, years)?;
    fields.expires_on = add_years(fields.expires_on, years)?;
    let old_digits = format!("{:02}", old_year.rem_euclid(100));
    if fields.number.fiscal_year_digits() == old_digits {
        let new_digits = format!("{:02}", fiscal_year(today).rem_euclid(100));
        let rest = fields.number.as_str().get(2..)?;
        fields.number = VoucherNumber::parse(&format!("{new_digits}{rest}")).ok()?;
    }
    Voucher::new(fields).ok()
}
