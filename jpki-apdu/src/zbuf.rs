//! Growing a zeroizing buffer without leaving copies behind.
//!
//! `Zeroizing<Vec<u8>>` zeroizes its allocation when dropped, but when the `Vec` grows it
//! moves the bytes and frees the old allocation as it is: a PIN or personal data would stay
//! in freed memory. These helpers grow by moving into a fresh zeroizing buffer and dropping
//! the old one, which zeroizes it.

use alloc::vec::Vec;
use zeroize::Zeroizing;

/// Appends `data` to `buf`, growing it (at least doubling) as [`reserve_total`] does.
pub(crate) fn extend(buf: &mut Zeroizing<Vec<u8>>, data: &[u8]) {
    let needed = buf.len().saturating_add(data.len());
    if needed > buf.capacity() {
        reserve_total(buf, needed.max(buf.capacity().saturating_mul(2)));
    }
    buf.extend_from_slice(data);
}

/// Makes room for `total` bytes in all. Callers bound `total` (it is an allocation size).
pub(crate) fn reserve_total(buf: &mut Zeroizing<Vec<u8>>, total: usize) {
    if total <= buf.capacity() {
        return;
    }
    let mut grown = Zeroizing::new(Vec::with_capacity(total));
    grown.extend_from_slice(buf);
    // The old allocation is zeroized as it is dropped here.
    *buf = grown;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_keeps_the_bytes_and_never_reallocates_in_place() {
        let mut buf = Zeroizing::new(Vec::new());
        let mut expected = Vec::new();
        for chunk in 0u8..40 {
            let data = [chunk; 7];
            let before = buf.capacity();
            extend(&mut buf, &data);
            expected.extend_from_slice(&data);
            assert_eq!(buf.as_slice(), expected.as_slice());
            // Growth goes through reserve_total: capacity at least doubles or fits exactly.
            if buf.capacity() != before {
                assert!(buf.capacity() >= before * 2 || buf.capacity() == buf.len());
            }
        }
        reserve_total(&mut buf, 1000);
        assert!(buf.capacity() >= 1000);
        assert_eq!(buf.as_slice(), expected.as_slice());
        let cap = buf.capacity();
        reserve_total(&mut buf, 10);
        assert_eq!(buf.capacity(), cap);
    }
}
