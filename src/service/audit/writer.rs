//! Appends audit records to the log file from one writer thread, with group commit.
//!
//! Callers hand a serialized line and get a [`Pending`] to await. The writer takes every
//! line queued while it was busy, writes them with one `write`, fsyncs once (with
//! `fsync = "always"`) and then acknowledges them all: the cost of an fsync (milliseconds
//! on a disk) is shared by every request that arrived during the previous one, so
//! throughput holds under load while each RPC still answers only once its record is down.
//!
//! Lines are whole records: rotation happens between records, and a batch that fails
//! part-way is reported as failed for all its records (some of them may be in the file: a
//! record may exist for an answer the caller never got, never the reverse). After a failure
//! the file is reopened for the next batch, which repairs a torn tail as on startup: if the
//! file does not end in a newline (a crash or a full disk cut the last write), the writer
//! starts a new line and leaves everything before it untouched.
//!
//! Before each batch the writer checks that the path still names the file it holds open. A
//! log deleted or moved away by something else (a careless cleanup, a rotation tool that
//! renames without telling the server) would otherwise swallow every later record into a
//! file nobody can find, or into no file at all once the last handle closes: the writer
//! reopens the path instead, and if the path cannot be opened (its folder was replaced,
//! the disk is gone) the batch fails and `on_error` applies.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::{AuditConfig, AuditError, Context, Fsync, OnError, Record};
use crate::engine::screen::{Screening, Snapshot};
use crate::service::proto;

/// Records queued for the writer at most; beyond this, appends wait (back-pressure rather
/// than unbounded memory when the disk is slower than screening).
const QUEUE: usize = 16 * 1024;
/// One batch holds at most this many records or bytes, so that acknowledgements flow while
/// a long burst is still arriving.
const MAX_BATCH_RECORDS: usize = 4096;
const MAX_BATCH_BYTES: usize = 8 << 20;

/// What the writer reports, for metrics. Every method defaults to doing nothing.
pub trait AuditObserver: Send + Sync {
    /// A batch of `records` lines, `bytes` long, was written (and synced, if the policy says
    /// so).
    fn written(&self, _records: usize, _bytes: usize) {}
    /// A write, fsync, open or rotation failed.
    fn write_failed(&self) {}
    /// A decision was answered without its record (`on_error = "fail_open"`), or a rejected
    /// request's record was dropped.
    fn lost(&self, _records: usize) {}
    /// An fsync took this long.
    fn synced(&self, _seconds: f64) {}
}

/// An observer that ignores everything.
pub struct NoObserver;
impl AuditObserver for NoObserver {}

type Ack = oneshot::Sender<Result<(), String>>;

struct Entry {
    line: Vec<u8>,
    /// `None` for best-effort records nobody waits for.
    ack: Option<Ack>,
}

/// What the handle and its pending appends share.
struct Shared {
    path: PathBuf,
    on_error: OnError,
    observer: Arc<dyn AuditObserver>,
}

/// The open audit log: a queue to its writer thread. Dropping it lets the writer finish
/// the queue, sync and exit, and waits for that.
pub struct AuditLog {
    tx: Option<mpsc::Sender<Entry>>,
    thread: Option<std::thread::JoinHandle<()>>,
    shared: Arc<Shared>,
}

/// An append on its way to the file.
pub struct Pending {
    state: PendingState,
    shared: Arc<Shared>,
}

enum PendingState {
    Waiting(oneshot::Receiver<Result<(), String>>),
    Failed(String),
    Done,
}

impl Pending {
    /// Resolves when the record is written (and synced, under `fsync = "always"`). An error
    /// means the record is not known to be in the log and `on_error = "fail_closed"`; under
    /// `fail_open` the loss is counted and this returns `Ok`. Cancel-safe.
    pub async fn durable(&mut self) -> Result<(), AuditError> {
        let outcome = match &mut self.state {
            PendingState::Done => return Ok(()),
            PendingState::Failed(m) => Err(m.clone()),
            PendingState::Waiting(rx) => match rx.await {
                Ok(r) => r,
                Err(_) => Err("the audit log writer stopped".to_string()),
            },
        };
        self.state = PendingState::Done;
        self.shared.settle(outcome)
    }
}

impl Shared {
    /// Applies `on_error` to a write's outcome.
    fn settle(&self, outcome: Result<(), String>) -> Result<(), AuditError> {
        match (outcome, self.on_error) {
            (Ok(()), _) => Ok(()),
            (Err(message), OnError::FailClosed) => Err(AuditError::NotWritten {
                path: self.path.clone(),
                message,
            }),
            (Err(_), OnError::FailOpen) => {
                self.observer.lost(1);
                Ok(())
            }
        }
    }
}

impl AuditLog {
    /// Opens (or creates) the log and starts its writer. An unwritable path is logged here
    /// and retried on every batch, so a server starts and answers UNAVAILABLE (fail_closed)
    /// or unaudited (fail_open) until the path works.
    pub fn open(config: &AuditConfig, observer: Arc<dyn AuditObserver>) -> AuditLog {
        let shared = Arc::new(Shared {
            path: config.path.clone(),
            on_error: config.on_error,
            observer: observer.clone(),
        });
        let mut sink = Sink::new(config.clone());
        if let Err(e) = sink.ensure_open() {
            observer.write_failed();
            tracing::error!("{e}; {}", consequence(config.on_error));
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || run(sink, rx, observer));
        match thread {
            Ok(thread) => AuditLog {
                tx: Some(tx),
                thread: Some(thread),
                shared,
            },
            Err(e) => {
                tracing::error!("cannot start the audit log writer: {e}");
                AuditLog {
                    tx: None,
                    thread: None,
                    shared,
                }
            }
        }
    }

    /// Queues a line (a whole record, newline included), waiting while the queue is full.
    pub async fn submit(&self, line: Vec<u8>) -> Pending {
        let (ack, rx) = oneshot::channel();
        let state = match &self.tx {
            Some(tx) => match tx
                .send(Entry {
                    line,
                    ack: Some(ack),
                })
                .await
            {
                Ok(()) => PendingState::Waiting(rx),
                Err(_) => PendingState::Failed("the audit log writer stopped".into()),
            },
            None => PendingState::Failed("the audit log writer did not start".into()),
        };
        Pending {
            state,
            shared: self.shared.clone(),
        }
    }

    /// Writes a line and waits until it is durable (see [`Pending::durable`]).
    pub async fn append(&self, line: Vec<u8>) -> Result<(), AuditError> {
        self.submit(line).await.durable().await
    }

    /// [`AuditLog::append`] for threads outside an async runtime.
    pub fn append_blocking(&self, line: Vec<u8>) -> Result<(), AuditError> {
        let stopped = || Err("the audit log writer stopped".to_string());
        let (ack, rx) = oneshot::channel();
        let outcome = match &self.tx {
            Some(tx) => match tx.blocking_send(Entry {
                line,
                ack: Some(ack),
            }) {
                Ok(()) => rx.blocking_recv().unwrap_or_else(|_| stopped()),
                Err(_) => stopped(),
            },
            None => Err("the audit log writer did not start".to_string()),
        };
        self.shared.settle(outcome)
    }

    /// Queues the record of a screening decision: the server's one call per decision.
    pub async fn decision(
        &self,
        ctx: &Context,
        request: &proto::ScreenRequest,
        result: &Screening,
        snapshot: &Snapshot,
    ) -> Pending {
        match Record::decision(ctx, request, result, snapshot).to_line() {
            Ok(line) => self.submit(line).await,
            Err(e) => {
                tracing::error!("{e}");
                Pending {
                    state: PendingState::Failed(e.to_string()),
                    shared: self.shared.clone(),
                }
            }
        }
    }

    /// Queues the record of a reviewer's verdict; the verdict is answered once it is down.
    pub async fn verdict(&self, ctx: &Context, verdict: super::VerdictRecord) -> Pending {
        match Record::verdict(ctx, verdict).to_line() {
            Ok(line) => self.submit(line).await,
            Err(e) => {
                tracing::error!("{e}");
                Pending {
                    state: PendingState::Failed(e.to_string()),
                    shared: self.shared.clone(),
                }
            }
        }
    }

    /// Queues the record of a refused request without waiting for it: the caller gets an
    /// error either way, so a full queue or a failed write only counts the record as lost.
    pub fn rejected(
        &self,
        ctx: &Context,
        request: &proto::ScreenRequest,
        code: tonic::Code,
        message: String,
    ) {
        let queued = match Record::rejected(ctx, request, code, message).to_line() {
            Ok(line) => self
                .tx
                .as_ref()
                .is_some_and(|tx| tx.try_send(Entry { line, ack: None }).is_ok()),
            Err(e) => {
                tracing::error!("{e}");
                false
            }
        };
        if !queued {
            self.shared.observer.lost(1);
        }
    }

    /// The live file's path.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        // Closing the queue lets the writer drain it, sync and return.
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn consequence(on_error: OnError) -> &'static str {
    match on_error {
        OnError::FailClosed => "screening answers UNAVAILABLE until records can be written (on_error = \"fail_closed\")",
        OnError::FailOpen => "decisions are answered without their records (on_error = \"fail_open\")",
    }
}

/// The writer thread: batches, writes, syncs, acknowledges, until the queue closes.
fn run(mut sink: Sink, mut rx: mpsc::Receiver<Entry>, observer: Arc<dyn AuditObserver>) {
    // A small runtime of its own so that waiting for the queue can time out when an
    // interval sync falls due.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("audit log writer: cannot start its timer: {e}");
            return;
        }
    };
    let mut batch: Vec<Entry> = Vec::new();
    loop {
        let first = match sink.sync_due_in() {
            None => rt.block_on(rx.recv()),
            Some(wait) => {
                match rt.block_on(async { tokio::time::timeout(wait, rx.recv()).await }) {
                    Ok(next) => next,
                    Err(_) => {
                        if let Err(e) = sink.sync(&*observer) {
                            observer.write_failed();
                            tracing::error!("{e}");
                        }
                        continue;
                    }
                }
            }
        };
        let Some(first) = first else { break };
        let mut bytes = first.line.len();
        batch.push(first);
        while batch.len() < MAX_BATCH_RECORDS && bytes < MAX_BATCH_BYTES {
            match rx.try_recv() {
                Ok(e) => {
                    bytes += e.line.len();
                    batch.push(e);
                }
                Err(_) => break,
            }
        }
        let result = sink.write_batch(batch.iter().map(|e| e.line.as_slice()), &*observer);
        match &result {
            Ok(()) => observer.written(batch.len(), bytes),
            Err(e) => {
                observer.write_failed();
                tracing::error!(
                    "{e}: {} record(s) not written; {}",
                    batch.len(),
                    consequence(sink.config.on_error)
                );
            }
        }
        let outcome = result.map_err(|e| e.to_string());
        for entry in batch.drain(..) {
            match entry.ack {
                Some(ack) => {
                    let _ = ack.send(outcome.clone());
                }
                None if outcome.is_err() => observer.lost(1),
                None => {}
            }
        }
    }
    if sink.config.fsync != Fsync::Never {
        if let Err(e) = sink.sync(&*observer) {
            tracing::error!("{e}");
        }
    }
}

/// The live file and what the writer knows about it.
struct Sink {
    config: AuditConfig,
    file: Option<File>,
    /// Device and inode of `file`, to notice the path being deleted or replaced under it.
    identity: (u64, u64),
    /// Bytes in the live file.
    len: u64,
    /// Written since the last fsync.
    unsynced: bool,
    last_sync: Instant,
    buf: Vec<u8>,
}

impl Sink {
    fn new(config: AuditConfig) -> Sink {
        Sink {
            config,
            file: None,
            identity: (0, 0),
            len: 0,
            unsynced: false,
            last_sync: Instant::now(),
            buf: Vec::new(),
        }
    }

    fn io(&self, action: &'static str) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
        move |source| AuditError::Io {
            path: self.config.path.clone(),
            action,
            source,
        }
    }

    /// Opens the live file for appending, creating it, and starts a new line if the last
    /// one is torn.
    fn ensure_open(&mut self) -> Result<(), AuditError> {
        if let Some(file) = &self.file {
            let here = std::fs::metadata(&self.config.path).map(|m| (m.dev(), m.ino()));
            if here.as_ref().is_ok_and(|id| *id == self.identity) {
                return Ok(());
            }
            tracing::warn!(
                "audit log {}: the path no longer names the open file (deleted, moved or \
                 replaced by something else); reopening it so that records stay findable",
                self.config.path.display()
            );
            // Records already acknowledged went to the old file: make them durable there.
            if self.unsynced && self.config.fsync != Fsync::Never {
                if let Err(e) = file.sync_data() {
                    tracing::error!(
                        "audit log {}: cannot fsync the file that was replaced: {e}",
                        self.config.path.display()
                    );
                }
            }
            self.file = None;
            self.unsynced = false;
        }
        let path = &self.config.path;
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(self.io("cannot open for appending"))?;
        let meta = file.metadata().map_err(self.io("cannot stat"))?;
        let mut len = meta.len();
        self.identity = (meta.dev(), meta.ino());
        if len > 0 {
            let mut last = [0u8];
            file.read_exact_at(&mut last, len - 1)
                .map_err(self.io("cannot read the last byte"))?;
            if last[0] != b'\n' {
                tracing::warn!(
                    "audit log {}: the last line is torn (no newline at the end, e.g. after a \
                     crash); starting a new line after it, earlier records untouched",
                    path.display()
                );
                file.write_all(b"\n")
                    .map_err(self.io("cannot end the torn line"))?;
                len += 1;
                self.unsynced = true;
            }
        }
        self.file = Some(file);
        self.len = len;
        Ok(())
    }

    /// Writes the lines, rotating between records as the size limit requires, then syncs
    /// as the policy says. On error the file is closed, to be reopened (and its tail
    /// repaired) by the next batch.
    fn write_batch<'a>(
        &mut self,
        lines: impl Iterator<Item = &'a [u8]>,
        observer: &dyn AuditObserver,
    ) -> Result<(), AuditError> {
        let result = self.write_lines(lines, observer);
        if result.is_err() {
            self.file = None;
        }
        result
    }

    fn write_lines<'a>(
        &mut self,
        lines: impl Iterator<Item = &'a [u8]>,
        observer: &dyn AuditObserver,
    ) -> Result<(), AuditError> {
        self.ensure_open()?;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let max = self.config.max_bytes;
        let mut result = Ok(());
        for line in lines {
            let pending = self.len + buf.len() as u64;
            // An empty file takes any record, however long: a record is never split.
            if max > 0 && pending > 0 && pending + line.len() as u64 > max {
                result = self.flush(&mut buf).and_then(|()| self.rotate(observer));
                if result.is_err() {
                    break;
                }
            }
            buf.extend_from_slice(line);
        }
        if result.is_ok() {
            result = self.flush(&mut buf);
        }
        self.buf = buf;
        result?;
        match self.config.fsync {
            Fsync::Always => self.sync(observer),
            Fsync::Interval if self.sync_due_in() == Some(Duration::ZERO) => self.sync(observer),
            Fsync::Interval | Fsync::Never => Ok(()),
        }
    }

    /// One `write` of whole lines.
    fn flush(&mut self, buf: &mut Vec<u8>) -> Result<(), AuditError> {
        if buf.is_empty() {
            return Ok(());
        }
        let Some(file) = self.file.as_mut() else {
            return Err(AuditError::WriterGone);
        };
        let written = file.write_all(buf);
        written.map_err(self.io("cannot write"))?;
        self.len += buf.len() as u64;
        self.unsynced = true;
        buf.clear();
        Ok(())
    }

    /// With `fsync = "interval"` and unsynced data: how long until the sync is due.
    fn sync_due_in(&self) -> Option<Duration> {
        if self.config.fsync != Fsync::Interval || !self.unsynced || self.file.is_none() {
            return None;
        }
        let interval = Duration::from_millis(self.config.fsync_interval_ms);
        Some(interval.saturating_sub(self.last_sync.elapsed()))
    }

    fn sync(&mut self, observer: &dyn AuditObserver) -> Result<(), AuditError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        if !self.unsynced {
            return Ok(());
        }
        let started = Instant::now();
        if let Err(source) = file.sync_data() {
            // After a failed fsync the kernel may have dropped the dirty pages: reopen.
            self.file = None;
            return Err(AuditError::Io {
                path: self.config.path.clone(),
                action: "cannot fsync",
                source,
            });
        }
        observer.synced(started.elapsed().as_secs_f64());
        self.unsynced = false;
        self.last_sync = Instant::now();
        Ok(())
    }

    /// `PATH.n`.
    fn rotated(&self, n: usize) -> PathBuf {
        let mut name = self.config.path.clone().into_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    /// Moves the full live file to `PATH.1` (shifting older ones up, dropping the one past
    /// `keep`) and starts an empty live file. Each step is a rename, so a crash part-way
    /// leaves every record in some file.
    fn rotate(&mut self, observer: &dyn AuditObserver) -> Result<(), AuditError> {
        if self.config.fsync != Fsync::Never {
            self.sync(observer)?;
        }
        self.file = None;
        let keep = self.config.keep.max(1);
        let oldest = self.rotated(keep);
        match std::fs::remove_file(&oldest) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(AuditError::Io {
                    path: oldest,
                    action: "cannot delete the oldest rotated file",
                    source: e,
                })
            }
            _ => {}
        }
        for n in (1..keep).rev() {
            let (from, to) = (self.rotated(n), self.rotated(n + 1));
            match std::fs::rename(&from, &to) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(AuditError::Io {
                        path: from,
                        action: "cannot rename a rotated file",
                        source: e,
                    })
                }
                _ => {}
            }
        }
        std::fs::rename(&self.config.path, self.rotated(1)).map_err(self.io("cannot rotate"))?;
        self.ensure_open()?;
        if self.config.fsync != Fsync::Never {
            // Make the renames and the new file durable too.
            let dir = match self.config.path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|source| AuditError::Io {
                    path: dir.to_path_buf(),
                    action: "cannot fsync the folder after rotating",
                    source,
                })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path) -> AuditConfig {
        AuditConfig::new(dir.join("audit.jsonl"))
    }

    #[test]
    fn a_torn_tail_gets_a_newline_and_earlier_lines_stay() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path());
        std::fs::write(&c.path, b"{\"a\":1}\n{\"b\":").unwrap();
        let log = AuditLog::open(&c, Arc::new(NoObserver));
        log.append_blocking(b"{\"c\":3}\n".to_vec()).unwrap();
        drop(log);
        let text = std::fs::read_to_string(&c.path).unwrap();
        assert_eq!(text, "{\"a\":1}\n{\"b\":\n{\"c\":3}\n");
    }

    #[test]
    fn rotation_keeps_whole_records_and_drops_the_oldest_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(dir.path());
        c.max_bytes = 100;
        c.keep = 2;
        let log = AuditLog::open(&c, Arc::new(NoObserver));
        // 32-byte lines: three fit in 100 bytes, the fourth rotates.
        let line = |i: usize| format!("{{\"n\":{i:04},\"pad\":\"xxxxxxxxxxxx\"}}\n");
        assert_eq!(line(0).len(), 32);
        for i in 0..10 {
            log.append_blocking(line(i).into_bytes()).unwrap();
        }
        // One record larger than the limit goes alone into a fresh file.
        let big = format!("{{\"big\":\"{}\"}}\n", "y".repeat(200));
        log.append_blocking(big.clone().into_bytes()).unwrap();
        drop(log);
        let read = |p: PathBuf| std::fs::read_to_string(p).unwrap_or_default();
        let live = read(c.path.clone());
        let one = read(dir.path().join("audit.jsonl.1"));
        let two = read(dir.path().join("audit.jsonl.2"));
        assert!(!dir.path().join("audit.jsonl.3").exists());
        assert_eq!(live, big);
        assert_eq!(one, format!("{}", line(9)));
        assert_eq!(two, format!("{}{}{}", line(6), line(7), line(8)));
        for text in [&live, &one, &two] {
            assert!(text.len() as u64 <= 100 || text.lines().count() == 1);
        }
    }

    #[test]
    fn an_unwritable_path_fails_each_append_and_recovers_when_it_works() {
        let dir = tempfile::tempdir().unwrap();
        // A regular file where a folder should be: ENOTDIR, whoever runs the test.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, b"").unwrap();
        let c = AuditConfig::new(blocker.join("audit.jsonl"));
        let log = AuditLog::open(&c, Arc::new(NoObserver));
        let e = log
            .append_blocking(b"{}\n".to_vec())
            .unwrap_err()
            .to_string();
        assert!(e.contains("blocker/audit.jsonl"), "{e}");
        std::fs::remove_file(&blocker).unwrap();
        std::fs::create_dir(&blocker).unwrap();
        log.append_blocking(b"{}\n".to_vec()).unwrap();
        drop(log);
        assert_eq!(std::fs::read(&c.path).unwrap(), b"{}\n");
    }

    #[test]
    fn a_log_deleted_or_moved_under_the_writer_is_reopened_at_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path());
        let log = AuditLog::open(&c, Arc::new(NoObserver));
        log.append_blocking(b"{\"a\":1}\n".to_vec()).unwrap();
        std::fs::remove_file(&c.path).unwrap();
        log.append_blocking(b"{\"b\":2}\n".to_vec()).unwrap();
        let moved = dir.path().join("moved.jsonl");
        std::fs::rename(&c.path, &moved).unwrap();
        log.append_blocking(b"{\"c\":3}\n".to_vec()).unwrap();
        drop(log);
        assert_eq!(std::fs::read(&moved).unwrap(), b"{\"b\":2}\n");
        assert_eq!(std::fs::read(&c.path).unwrap(), b"{\"c\":3}\n");
    }

    #[test]
    fn fail_open_counts_the_loss_and_answers() {
        #[derive(Default)]
        struct Count(
            std::sync::atomic::AtomicUsize,
            std::sync::atomic::AtomicUsize,
        );
        impl AuditObserver for Count {
            fn lost(&self, n: usize) {
                self.0.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            }
            fn write_failed(&self) {
                self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, b"").unwrap();
        let mut c = AuditConfig::new(blocker.join("audit.jsonl"));
        c.on_error = OnError::FailOpen;
        let count = Arc::new(Count::default());
        let log = AuditLog::open(&c, count.clone());
        log.append_blocking(b"{}\n".to_vec()).unwrap();
        log.append_blocking(b"{}\n".to_vec()).unwrap();
        assert_eq!(count.0.load(std::sync::atomic::Ordering::Relaxed), 2);
        // The failed open at start plus one per failed batch.
        assert_eq!(count.1.load(std::sync::atomic::Ordering::Relaxed), 3);
    }

    #[test]
    fn interval_sync_happens_while_idle() {
        #[derive(Default)]
        struct Syncs(std::sync::atomic::AtomicUsize);
        impl AuditObserver for Syncs {
            fn synced(&self, _: f64) {
                self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(dir.path());
        c.fsync = Fsync::Interval;
        c.fsync_interval_ms = 50;
        let syncs = Arc::new(Syncs::default());
        let log = AuditLog::open(&c, syncs.clone());
        log.append_blocking(b"{}\n".to_vec()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while syncs.0.load(std::sync::atomic::Ordering::Relaxed) == 0 {
            assert!(Instant::now() < deadline, "no sync within 5 s while idle");
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(log);
    }
}
