//! A checked read cursor over a byte slice: it only ever splits with bounds checks, so a
//! parser built on it cannot panic or read out of bounds (style.md rule 3).

/// Reads bytes front to back; every read returns `None` instead of panicking when the
/// input is too short, and leaves the cursor where it was.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `buf`.
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The bytes not read yet, without consuming them.
    pub(crate) fn remaining(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Whether every byte was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.remaining().is_empty()
    }

    /// Reads one byte.
    pub(crate) fn take_u8(&mut self) -> Option<u8> {
        let (first, _) = self.remaining().split_first()?;
        self.pos = self.pos.checked_add(1)?;
        Some(*first)
    }

    /// Reads `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let rest = self.remaining();
        let taken = rest.get(..n)?;
        self.pos = self.pos.checked_add(n)?;
        Some(taken)
    }

    /// Reads exactly `N` bytes into an array.
    pub(crate) fn take_array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let bytes = self.take(N)?;
        <[u8; N]>::try_from(bytes).ok()
    }

    /// Reads a big-endian `u16`.
    pub(crate) fn take_u16_be(&mut self) -> Option<u16> {
        self.take_array::<2>().map(u16::from_be_bytes)
    }

    /// Consumes and returns everything left.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let rest = self.remaining();
        self.pos = self.buf.len();
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn reads_are_checked() {
        let mut c = Cursor::new(&[1, 2, 3]);
        assert_eq!(c.take_u8(), Some(1));
        assert_eq!(c.take(3), None);
        assert_eq!(c.position(), 1);
        assert_eq!(c.take_u16_be(), Some(0x0203));
        assert_eq!(c.take_u8(), None);
        assert!(c.is_empty());
        assert_eq!(c.rest(), &[] as &[u8]);
    }
}
