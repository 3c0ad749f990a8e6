//! The check digit of 保険者番号, 後期高齢者 被保険者番号 and 医療機関コード.
//!
//! Public fact (保険者番号設定要領, quoted in vouchers.md): "take the digits before the check
//! digit; starting from the rightmost, multiply by 2, 1, 2, 1, …; where a product has two
//! digits add them; sum everything; check digit = (10 − sum mod 10) mod 10."

/// Computes the check digit for `body` (the digits before the check digit).
///
/// Returns `None` when `body` is empty or holds anything but ASCII digits.
///
/// ```
/// use voucher_model::ids::check_digit;
/// assert_eq!(check_digit("3312001"), Some(5)); // 保険者番号 33120015
/// assert_eq!(check_digit("12345"), Some(5)); // 国保 123455
/// assert_eq!(check_digit("011011371"), Some(9)); // 医療機関コード 0110113719
/// assert_eq!(check_digit("12a"), None);
/// ```
pub fn check_digit(body: &str) -> Option<u8> {
    if body.is_empty() {
        return None;
    }
    let mut sum: u32 = 0;
    for (i, c) in body.chars().rev().enumerate() {
        let d = c.to_digit(10).filter(|_| c.is_ascii_digit())?;
        let weight = if i.is_multiple_of(2) { 2 } else { 1 };
        let product = d.checked_mul(weight)?;
        // A two-digit product (10..=18) contributes the sum of its digits.
        let contribution = product
            .checked_div(10)?
            .checked_add(product.checked_rem(10)?)?;
        sum = sum.checked_add(contribution)?;
    }
    let rem = sum.checked_rem(10)?;
    let digit = 10u32.checked_sub(rem)?.checked_rem(10)?;
    u8::try_from(digit).ok()
}
