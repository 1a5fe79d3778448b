//! One download over HTTP(S): a conditional GET streamed to a file with the size limits
//! enforced as the bytes arrive, hashed on the way, retried with exponential backoff when
//! the failure may heal (network errors, timeouts, cut-off bodies, 5xx) and not when it
//! will not (4xx, a file over the limit).
//!
//! TLS is rustls with the *ring* provider and the platform's root certificates: no OpenSSL,
//! no C crypto library to build.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use super::{UpdateError, UpdateOptions};

/// Longest wait between two attempts, however many retries are configured.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Why one download failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    #[error("{url}: no complete answer within {after:?}")]
    Timeout { url: String, after: Duration },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: StatusCode },
    #[error("{url}: {declared} bytes announced, over the limit of {limit} (not downloaded)")]
    Declared {
        url: String,
        declared: u64,
        limit: u64,
    },
    #[error("{url}: over the limit of {limit} bytes; download stopped")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: {bytes} bytes, under the minimum of {min}: not a list")]
    TooSmall { url: String, bytes: u64, min: u64 },
    #[error("{url}: truncated: {got} of the {expected} bytes announced arrived")]
    Truncated {
        url: String,
        expected: u64,
        got: u64,
    },
    #[error("{url}: 304 Not Modified, but there is no cached copy to keep")]
    UnexpectedNotModified { url: String },
    #[error("{path}: cannot write the download: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl FetchError {
    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Network { .. }
            | FetchError::Timeout { .. }
            | FetchError::Truncated { .. } => true,
            FetchError::Status { status, .. } => status.is_server_error(),
            _ => false,
        }
    }
}

/// The validators of the cached copy, sent so that an unchanged file costs a 304.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A complete body, written and fsynced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub bytes: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 304: the cached copy is current. Carries any refreshed validators.
    NotModified {
        etag: Option<String>,
        last_modified: Option<String>,
    },
    Body(Body),
}

/// The HTTP client for a run of downloads.
pub fn client(options: &UpdateOptions) -> Result<reqwest::Client, UpdateError> {
    // reqwest is built without a provider of its own; installing one twice is harmless
    // (the second call reports the first and changes nothing).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .user_agent(concat!("clearance/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| UpdateError::Client(chain(&e)))
}

/// Downloads `url` into `dest` (created or truncated), retrying as configured. Returns the
/// result and the number of attempts made.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    conditional: Option<&Conditional>,
    dest: &Path,
    options: &UpdateOptions,
) -> (Result<Fetched, FetchError>, u32) {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = fetch_once(client, url, conditional, dest, options).await;
        match result {
            Err(e) if e.is_transient() && attempt <= options.retries => {
                let wait = backoff(options.backoff, attempt);
                tracing::warn!(url, attempt, error = %e, "download failed; retrying in {wait:?}");
                tokio::time::sleep(wait).await;
            }
            other => return (other, attempt),
        }
    }
}

/// The wait after failed attempt `attempt` (1-based): `first`, doubled each time, capped.
fn backoff(first: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    first.saturating_mul(factor).min(MAX_BACKOFF)
}

/// An error and its causes on one line: reqwest's own message ("error sending request")
/// says little without them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}

fn request_error(url: &str, e: reqwest::Error, options: &UpdateOptions) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout {
            url: url.to_string(),
            after: options.timeout,
        }
    } else {
        FetchError::Network {
            url: url.to_string(),
            // The URL leads the message already.
            message: chain(&e.without_url()),
        }
    }
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn fetch_once(
    client: &reqwest::Client,
    url: &str,
    conditional: Option<&Conditional>,
    dest: &Path,
    options: &UpdateOptions,
) -> Result<Fetched, FetchError> {
    let mut request = client.get(url);
    if let Some(c) = conditional {
        if let Some(etag) = &c.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &c.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
    }
    let mut response = request
        .send()
        .await
        .map_err(|e| request_error(url, e, options))?;
    let etag = header(&response, ETAG);
    let last_modified = header(&response, LAST_MODIFIED);
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return match conditional {
            Some(_) => Ok(Fetched::NotModified {
                etag,
                last_modified,
            }),
            None => Err(FetchError::UnexpectedNotModified {
                url: url.to_string(),
            }),
        };
    }
    if status != StatusCode::OK {
        return Err(FetchError::Status {
            url: url.to_string(),
            status,
        });
    }
    let declared = header(&response, CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(declared) = declared.filter(|d| *d > options.max_bytes) {
        return Err(FetchError::Declared {
            url: url.to_string(),
            declared,
            limit: options.max_bytes,
        });
    }
    let write_err = |source| FetchError::Write {
        path: dest.to_path_buf(),
        source,
    };
    let file = std::fs::File::create(dest).map_err(write_err)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let mut hasher = Sha256::new();
    let mut got: u64 = 0;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) if e.is_timeout() => return Err(request_error(url, e, options)),
            Err(e) => {
                // A connection closed early shows as a body error: name it for what it is.
                return Err(match declared {
                    Some(expected) if got < expected => FetchError::Truncated {
                        url: url.to_string(),
                        expected,
                        got,
                    },
                    _ => request_error(url, e, options),
                });
            }
        };
        got += chunk.len() as u64;
        if got > options.max_bytes {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit: options.max_bytes,
            });
        }
        hasher.update(&chunk);
        out.write_all(&chunk).map_err(write_err)?;
    }
    if let Some(expected) = declared.filter(|d| *d != got) {
        return Err(FetchError::Truncated {
            url: url.to_string(),
            expected,
            got,
        });
    }
    if got < options.min_bytes {
        return Err(FetchError::TooSmall {
            url: url.to_string(),
            bytes: got,
            min: options.min_bytes,
        });
    }
    let file = out.into_inner().map_err(|e| write_err(e.into_error()))?;
    file.sync_all().map_err(write_err)?;
    Ok(Fetched::Body(Body {
        bytes: got,
        sha256: format!("{:x}", hasher.finalize()),
        etag,
        last_modified,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let first = Duration::from_millis(100);
        let waits: Vec<u128> = (1..=4).map(|a| backoff(first, a).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800]);
        assert_eq!(backoff(first, 40), MAX_BACKOFF);
    }

    #[test]
    fn only_failures_that_may_heal_are_retried() {
        let url = || "http://127.0.0.1/x".to_string();
        let status = |s: u16| FetchError::Status {
            url: url(),
            status: StatusCode::from_u16(s).unwrap(),
        };
        assert!(status(500).is_transient());
        assert!(status(503).is_transient());
        assert!(!status(404).is_transient());
        assert!(!status(403).is_transient());
        assert!(FetchError::Truncated {
            url: url(),
            expected: 10,
            got: 5
        }
        .is_transient());
        assert!(!FetchError::TooLarge {
            url: url(),
            limit: 10
        }
        .is_transient());
    }
}
