//! A stream wrapper that tells the driver how far a request got: whether any byte of it was
//! handed to the connection (then an inquiry must not be repeated) and when it was flushed
//! (the end of the request-write step).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::watch;

/// What the connection's writer did so far.
#[derive(Debug)]
pub(crate) struct Progress {
    /// Bytes the driver *tried* to write (counted before the write, so that a write that
    /// failed half way counts as written: the conservative side for the retry rule).
    attempted: AtomicU64,
    /// `attempted` as of the last successful flush.
    flushed: watch::Sender<u64>,
}

impl Progress {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            attempted: AtomicU64::new(0),
            flushed: watch::channel(0).0,
        })
    }

    /// Bytes attempted so far.
    pub(crate) fn attempted(&self) -> u64 {
        self.attempted.load(Ordering::SeqCst)
    }

    /// Waits until a flush covered more than `mark` attempted bytes.
    pub(crate) async fn flushed_past(&self, mark: u64) {
        let mut rx = self.flushed.subscribe();
        // An error means the sender is gone, which cannot happen while `self` lives.
        let _ = rx.wait_for(|flushed| *flushed > mark).await;
    }
}

/// `S` with its writes counted into a [`Progress`].
#[derive(Debug)]
pub(crate) struct Tracked<S> {
    inner: S,
    progress: Arc<Progress>,
}

impl<S> Tracked<S> {
    pub(crate) fn new(inner: S, progress: Arc<Progress>) -> Self {
        Self { inner, progress }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        // Counted once per accepted (or failed) write, never per pending poll.
        match &result {
            Poll::Ready(Ok(n)) => self.count(*n),
            Poll::Ready(Err(_)) => self.count(buf.len().max(1)),
            Poll::Pending => {}
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        match &result {
            Poll::Ready(Ok(n)) => self.count(*n),
            Poll::Ready(Err(_)) => self.count(1),
            Poll::Pending => {}
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.inner).poll_flush(cx);
        if let Poll::Ready(Ok(())) = result {
            let attempted = self.progress.attempted();
            self.progress.flushed.send_replace(attempted);
        }
        result
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S> Tracked<S> {
    fn count(&mut self, n: usize) {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        self.progress.attempted.fetch_add(n, Ordering::SeqCst);
    }
}
