//! Serves a [`VirtualMyNumberCard`] to vsmartcard's `vpcd`, the pcscd driver that exposes
//! virtual readers ("Virtual PCD 00 00" on TCP 35963, "00 01" on 35964) and waits for a
//! virtual card to connect.
//!
//! The vpcd wire protocol (DESIGN.md, public fact from vsmartcard): every message, both
//! ways, is a 2-byte big-endian length followed by the payload. A 1-byte payload from vpcd
//! is a control byte — `00` power off, `01` power on, `02` reset (no reply), `04` get ATR
//! (reply with the ATR); anything longer is a command APDU, answered with the response
//! APDU. Closing the socket means the card was removed. vpcd polls the ATR about every
//! 0.4 s.
//!
//! This module only ever connects to the address it is given; the `vpcd-card` binary uses
//! 127.0.0.1 (vpcd itself listens on all interfaces).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::mock::VirtualMyNumberCard;

/// vpcd control byte: power off.
pub const CTRL_OFF: u8 = 0x00;
/// vpcd control byte: power on.
pub const CTRL_ON: u8 = 0x01;
/// vpcd control byte: reset.
pub const CTRL_RESET: u8 = 0x02;
/// vpcd control byte: get ATR.
pub const CTRL_ATR: u8 = 0x04;

/// How often the serve loop looks at the stop flag while waiting for vpcd.
const POLL: Duration = Duration::from_millis(200);

/// One event on the vpcd link, for the caller's (secret-free) log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VpcdEvent {
    /// vpcd powered the card off (security state cleared).
    PowerOff,
    /// vpcd powered the card on.
    PowerOn,
    /// vpcd reset the card (warm reset).
    Reset,
    /// An APDU was answered: its CLA, INS and the status word sent back. Never the data.
    Apdu {
        /// CLA byte.
        cla: u8,
        /// INS byte.
        ins: u8,
        /// The status word answered.
        sw: u16,
    },
    /// An unknown control byte was ignored.
    UnknownControl(u8),
}

/// Why serving stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum VpcdError {
    /// The socket failed (vpcd went away mid-message, or an I/O error).
    Io(io::Error),
    /// vpcd sent an empty message (protocol violation by the peer).
    EmptyMessage,
}

impl core::fmt::Display for VpcdError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "vpcd link: {e}"),
            Self::EmptyMessage => f.write_str("vpcd peer misbehaved: empty message"),
        }
    }
}

impl core::error::Error for VpcdError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::EmptyMessage => None,
        }
    }
}

impl From<io::Error> for VpcdError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// How serving ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServeEnd {
    /// vpcd closed the connection (pcscd stopped).
    PeerClosed,
    /// The stop flag was raised (e.g. SIGTERM); the socket is closed, which vpcd sees as the
    /// card being removed.
    Stopped,
}

enum Read2 {
    Done,
    Closed,
    Stopped,
}

/// Fills `buf`, tolerating read timeouts (used to poll `stop`) at any point.
fn read_full(stream: &mut TcpStream, buf: &mut [u8], stop: &AtomicBool) -> io::Result<Read2> {
    let mut filled = 0usize;
    while filled < buf.len() {
        if stop.load(Ordering::Relaxed) {
            return Ok(Read2::Stopped);
        }
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        match stream.read(rest) {
            Ok(0) if filled == 0 => return Ok(Read2::Closed),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled = filled.saturating_add(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Read2::Done)
}

/// Writes one length-prefixed message.
fn send(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len()).map_err(|_| {
        io::Error::new(io::ErrorKind::InvalidInput, "vpcd message over 65535 bytes")
    })?;
    let mut msg = Vec::with_capacity(payload.len().saturating_add(2));
    msg.extend_from_slice(&len.to_be_bytes());
    msg.extend_from_slice(payload);
    stream.write_all(&msg)?;
    stream.flush()
}

/// Answers vpcd on `stream` until vpcd closes the link or `stop` is raised.
/// `on_event` sees every power event and every APDU's CLA/INS/SW (never data).
///
/// # Errors
/// [`VpcdError`] if the link fails mid-message or vpcd misbehaves.
pub fn serve(
    stream: &mut TcpStream,
    card: &mut VirtualMyNumberCard,
    stop: &AtomicBool,
    mut on_event: impl FnMut(VpcdEvent),
) -> Result<ServeEnd, VpcdError> {
    stream.set_read_timeout(Some(POLL))?;
    stream.set_nodelay(true)?;
    loop {
        let mut header = [0u8; 2];
        match read_full(stream, &mut header, stop)? {
            Read2::Done => {}
            Read2::Closed => return Ok(ServeEnd::PeerClosed),
            Read2::Stopped => return Ok(ServeEnd::Stopped),
        }
        let len = usize::from(u16::from_be_bytes(header));
        // May carry a PIN (VERIFY): zeroized when dropped.
        let mut payload = zeroize::Zeroizing::new(vec![0u8; len]);
        match read_full(stream, &mut payload, stop)? {
            Read2::Done => {}
            Read2::Closed => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            Read2::Stopped => return Ok(ServeEnd::Stopped),
        }
        match payload.as_slice() {
            [] => return Err(VpcdError::EmptyMessage),
            [CTRL_OFF] => {
                card.power_off();
                on_event(VpcdEvent::PowerOff);
            }
            [CTRL_ON] => on_event(VpcdEvent::PowerOn),
            [CTRL_RESET] => {
                card.reset();
                on_event(VpcdEvent::Reset);
            }
            [CTRL_ATR] => send(stream, card.atr())?,
            [other] => on_event(VpcdEvent::UnknownControl(*other)),
            apdu => {
                let response = card.process(apdu);
                send(stream, &response)?;
                let sw = match response.as_slice() {
                    [.., a, b] => u16::from_be_bytes([*a, *b]),
                    _ => 0,
                };
                let (cla, ins) = (apdu.first().copied(), apdu.get(1).copied());
                on_event(VpcdEvent::Apdu {
                    cla: cla.unwrap_or(0),
                    ins: ins.unwrap_or(0),
                    sw,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::Arc;

    fn msg(payload: &[u8]) -> Vec<u8> {
        let mut m = u16::try_from(payload.len()).unwrap().to_be_bytes().to_vec();
        m.extend_from_slice(payload);
        m
    }

    fn recv(s: &mut TcpStream) -> Vec<u8> {
        let mut h = [0u8; 2];
        s.read_exact(&mut h).unwrap();
        let mut p = vec![0u8; usize::from(u16::from_be_bytes(h))];
        s.read_exact(&mut p).unwrap();
        p
    }

    /// Plays vpcd's side over loopback: ATR poll, power on, an APDU split across writes,
    /// power off, then closing the socket.
    #[test]
    fn speaks_the_vpcd_protocol() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let server_stop = Arc::clone(&stop);
        let server = std::thread::spawn(move || {
            let mut card = VirtualMyNumberCard::new(7, "1234").unwrap();
            let mut stream = TcpStream::connect(addr).unwrap();
            let mut events = Vec::new();
            let end = serve(&mut stream, &mut card, &server_stop, |e| events.push(e)).unwrap();
            (end, events)
        });
        let (mut vpcd, _) = listener.accept().unwrap();
        vpcd.write_all(&msg(&[CTRL_ATR])).unwrap();
        assert_eq!(recv(&mut vpcd), crate::mock::MY_NUMBER_CARD_ATR);
        vpcd.write_all(&msg(&[CTRL_ON])).unwrap();
        let select = msg(&[
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00,
        ]);
        vpcd.write_all(&select[..5]).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        vpcd.write_all(&select[5..]).unwrap();
        assert_eq!(recv(&mut vpcd), [0x90, 0x00]);
        vpcd.write_all(&msg(&[CTRL_OFF])).unwrap();
        drop(vpcd);
        let (end, events) = server.join().unwrap();
        assert_eq!(end, ServeEnd::PeerClosed);
        assert_eq!(
            events,
            vec![
                VpcdEvent::PowerOn,
                VpcdEvent::Apdu {
                    cla: 0,
                    ins: 0xA4,
                    sw: 0x9000
                },
                VpcdEvent::PowerOff
            ]
        );
        assert!(!stop.load(Ordering::Relaxed));
    }

    #[test]
    fn stops_when_asked() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let server_stop = Arc::clone(&stop);
        let server = std::thread::spawn(move || {
            let mut card = VirtualMyNumberCard::new(7, "1234").unwrap();
            let mut stream = TcpStream::connect(addr).unwrap();
            serve(&mut stream, &mut card, &server_stop, |_| {}).unwrap()
        });
        let (_vpcd, _) = listener.accept().unwrap();
        stop.store(true, Ordering::Relaxed);
        assert_eq!(server.join().unwrap(), ServeEnd::Stopped);
    }
}
