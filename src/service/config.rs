//! `clearance.toml`: the sources to load and the policy to apply, parsed once into a typed,
//! validated [`Config`].
//!
//! ```toml
//! [[source]]
//! dataset = "us_ofac_sdn"
//! format = "ofac-csv"            # ofac-csv | trade-csl | un-xml | bis-dpl | native | ftm | edges
//! path = "lists/ofac-sdn"        # relative to this file
//!
//! [[source]]
//! dataset = "us_trade_csl"
//! format = "trade-csl"
//! path = "lists/consolidated.csv"
//! skip_sdn_rows = true           # default: true when an ofac-csv us_ofac_sdn source exists
//!
//! # Instead of `path`, a source may name the publisher's download: `url` for a one-file
//! # format, `urls` (file name in the folder -> URL) for ofac-csv. `clearance update` and
//! # `clearance serve` download it into the cache (see [update]) and load the cached copy.
//! [[source]]
//! dataset = "un_sc_sanctions"
//! format = "un-xml"
//! url = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
//!
//! [[source]]
//! dataset = "us_ofac_cons"
//! format = "ofac-csv"
//! [source.urls]
//! "cons_prim.csv" = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_PRIM.CSV"
//! "cons_add.csv" = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_ADD.CSV"
//!
//! [update]                       # downloads; every key is optional
//! cache_dir = "cache"            # relative to this file; one entry per dataset
//! every_seconds = 21600          # check the publishers this often (0: at startup only)
//! retry_seconds = 300            # sooner, while a source has no usable copy yet
//! connect_timeout_seconds = 30
//! timeout_seconds = 600          # per request, body included
//! retries = 3                    # after a network error or 5xx (never after a 4xx)
//! backoff_ms = 1000              # first retry's wait, doubled for each further one
//! max_bytes = 268435456          # a larger download is refused (256 MiB)
//! min_bytes = 64                 # a smaller one too: an empty or stub answer is not a list
//! # sample_data = "../data/sample-list.jsonl"  # serve this (native) file, loudly marked
//! #                              # as SAMPLE data, while no list has been downloaded yet
//!
//! [policy]
//! review_threshold = 0.85
//! deny_threshold = 0.95
//!
//! [server]                       # `clearance serve` only; every key is optional
//! listen = "127.0.0.1:50051"     # Screening, health, reflection
//! admin_listen = "127.0.0.1:50052"
//! http_listen = "127.0.0.1:8080" # /metrics, /healthz, /readyz
//! poll_seconds = 30              # check source files for changes (0: never)
//! reload_every_seconds = 0       # reload on a schedule whether or not files changed (0: never)
//! min_entity_share = 0.5         # refuse a reload that loses more entities than this, unless forced
//! self_probes = 64               # per dataset: listed names that must find themselves
//! max_connection_age_seconds = 300 # ask clients to reconnect after this long (0: never)
//! # snapshot = "snapshots/current.clr"  # serve a prebuilt snapshot file (clearance build)
//! #                                    # instead of loading the sources; same as --snapshot
//!
//! [[server.probe]]               # a query whose decision a new snapshot must reproduce
//! name = "Huawei Technologies Co., Ltd."
//! expect = "deny"
//!
//! [audit]                        # `clearance serve` only; without it nothing is logged
//! path = "audit/audit.jsonl"     # relative to this file; rotated files are PATH.1 ... PATH.{keep}
//! fsync = "always"               # always | interval | never (see below)
//! fsync_interval_ms = 1000       # with fsync = "interval"
//! max_bytes = 104857600          # rotate before a record would pass this size (0: never)
//! keep = 10                      # rotated files kept; the oldest beyond this is deleted
//! on_error = "fail_closed"       # fail_closed | fail_open
//!
//! [tls]                          # `clearance serve` only; without it every listener is plaintext
//! cert = "tls/server.crt"        # PEM chain, relative to this file; re-read when it changes
//! key = "tls/server.key"         # PEM private key (PKCS#8, PKCS#1 or SEC1)
//! client_ca = "tls/clients-ca.crt"  # optional: ask gRPC clients for certificates from this CA
//! client_auth = "required"       # required (default with client_ca) | optional
//! poll_seconds = 10              # check the three files for new contents (0: never)
//! http = true                    # serve /metrics, /healthz, /readyz over TLS too
//!
//! [[caller]]                     # access control: with no [[caller]] the server is open
//! name = "billing"               # in the audit log (caller.principal) and the metrics
//! token_sha256 = "9f86d0…"       # hex SHA-256 of its bearer token (clearance token hash)
//! cert_subject = "billing.clients.example"  # or its client certificate's CN / DNS or URI SAN
//! roles = ["screen"]             # screen (Screening) | reviewer (Monitoring writes) | admin (Admin)
//! datasets = ["us_ofac_sdn"]     # optional: the only datasets it screens against
//! rate_per_second = 100          # optional: screenings per second (0: unlimited)
//! burst = 200                    # optional: default one second's worth
//!
//! [monitoring]                   # `clearance serve` only: re-screen a book on every change
//! database = "monitor/book.db"   # sqlite://PATH (a bare path: SQLite; relative to this file)
//!                                # or postgres://… (several replicas elect one worker)
//! batch = 1000                   # parties per transaction when importing and re-screening
//! follow_poll_ms = 500           # a following Alerts stream looks for other replicas' alerts
//! lead_retry_seconds = 5         # a replica that is not the worker tries to become it
//! full_pass_above = 0.6          # a change reaching more of the book re-screens all of it
//!
//! [access]                       # optional, the open mode (no [[caller]]) only
//! open_rate_per_second = 0       # screenings per second per peer IP address (0: unlimited)
//! open_burst = 0                 # default one second's worth
//! ```
//!
//! See [`crate::service::tls`] and [`crate::service::auth`] for how `[tls]` and `[[caller]]`
//! are applied.
//!
//! `[audit]` appends one JSON line per screening decision (see [`crate::service::audit`] and the
//! README's "Audit log"). `fsync = "always"` answers an RPC only once its record is on
//! stable storage; concurrent RPCs share one fsync, so it costs latency (one fsync, a few
//! milliseconds on a disk) more than throughput. `"interval"` answers once the record is
//! written to the operating system and syncs at most that often: a crash of the process
//! loses nothing, a power loss up to the interval. `"never"` leaves syncing to the
//! operating system. When a record cannot be written, `fail_closed` answers UNAVAILABLE so
//! that no decision leaves unrecorded; `fail_open` answers and counts the lost record in
//! `clearance_audit_records_lost_total`. Requests refused as invalid are logged as
//! `rejected` records on a best-effort basis, without a decision.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::engine::lists::{Download, ListFormat, RemoteFile, Source};
use crate::engine::policy::{Policy, PolicyError};
use crate::engine::validate::{Checks, Probe};
use crate::service::audit::{AuditConfig, AuditError};
use crate::service::auth::{AccessConfig, CallerConfig};
use crate::service::monitor::MonitoringConfig;
use crate::service::tls::{TlsConfig, TlsError};
use crate::service::update::UpdateConfig;

/// The whole validated configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    pub sources: Vec<Source>,
    pub policy: Policy,
    pub server: ServerConfig,
    /// The audit log; `None`: no audit log.
    pub audit: Option<AuditConfig>,
    pub update: UpdateConfig,
    /// TLS on the listeners; `None`: plaintext.
    pub tls: Option<TlsConfig>,
    /// Who may call; empty: anyone (the open mode).
    pub callers: Vec<CallerConfig>,
    pub access: AccessConfig,
    /// Ongoing monitoring of a book of parties; `None`: off.
    pub monitoring: Option<MonitoringConfig>,
}

/// `[server]`: how `clearance serve` listens and when it reloads. Command-line flags
/// override the addresses and the poll interval. The one section defined here rather than in
/// its subsystem: the server reads the whole [`Config`], so its section sits below it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Screening, health and reflection.
    pub listen: String,
    /// The Admin service; keep it private.
    pub admin_listen: String,
    /// `/metrics`, `/healthz` and `/readyz`.
    pub http_listen: String,
    /// Check the source files' sizes and modification times this often (0: never).
    pub poll_seconds: u64,
    /// Reload unconditionally this often (0: never).
    pub reload_every_seconds: u64,
    /// A reload that would leave fewer entities than this share of the live snapshot is
    /// refused unless forced: a truncated file must not empty the lists.
    pub min_entity_share: f64,
    /// Listed names per dataset, spread over the list, that a new snapshot must match to
    /// themselves at the deny threshold before it may serve (0: none).
    pub self_probes: usize,
    /// Queries whose decision a new snapshot must reproduce.
    #[serde(rename = "probe")]
    pub probes: Vec<Probe>,
    /// Close connections (with HTTP/2 GOAWAY, letting calls in flight finish) after this
    /// many seconds (0: never), so that clients balancing over a headless service's
    /// addresses reconnect and find replicas added since.
    pub max_connection_age_seconds: u64,
    /// Serve this snapshot file (written by `clearance build`) instead of loading the
    /// sources, and reload when it is replaced. Relative to the config file.
    pub snapshot: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        let checks = Checks::default();
        ServerConfig {
            listen: "127.0.0.1:50051".into(),
            admin_listen: "127.0.0.1:50052".into(),
            http_listen: "127.0.0.1:8080".into(),
            poll_seconds: 30,
            reload_every_seconds: 0,
            min_entity_share: checks.min_entity_share,
            self_probes: checks.self_probes,
            probes: Vec::new(),
            max_connection_age_seconds: 300,
            snapshot: None,
        }
    }
}

impl ServerConfig {
    /// What a new snapshot must pass before it serves (see [`crate::engine::validate`]).
    pub fn checks(&self) -> Checks<'_> {
        Checks {
            min_entity_share: self.min_entity_share,
            self_probes: self.self_probes,
            probes: &self.probes,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("source {index} (dataset {dataset:?}): {message}")]
    Source {
        index: usize,
        dataset: String,
        message: String,
    },
    #[error("--source {spec:?}: {message}; expected FORMAT:DATASET=PATH, e.g. ofac-csv:us_ofac_sdn=lists/sdn")]
    SourceFlag { spec: String, message: String },
    #[error("dataset {0:?} is configured twice")]
    DuplicateDataset(String),
    #[error("no sources configured: pass --config FILE or --source FORMAT:DATASET=PATH")]
    NoSources,
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("[server]: {0}")]
    Server(String),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("[update]: {0}")]
    Update(String),
    #[error("[monitoring]: {0}")]
    Monitoring(String),
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// A `[[caller]]` or `[access]` problem; the message names the caller and the field.
    #[error("{0}")]
    Access(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    source: Vec<RawSource>,
    #[serde(default)]
    policy: Policy,
    #[serde(default)]
    server: ServerConfig,
    #[serde(default)]
    audit: Option<AuditConfig>,
    #[serde(default)]
    update: UpdateConfig,
    #[serde(default)]
    tls: Option<TlsConfig>,
    #[serde(default)]
    caller: Vec<CallerConfig>,
    #[serde(default)]
    access: AccessConfig,
    #[serde(default)]
    monitoring: Option<MonitoringConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    dataset: String,
    format: ListFormat,
    #[serde(default)]
    path: Option<PathBuf>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    urls: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    skip_sdn_rows: Option<bool>,
}

impl Config {
    /// Reads and validates a config file. Relative source paths are resolved against the
    /// file's folder, so a config works from any working directory.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::from_toml(&text, base).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.to_path_buf(),
                message,
            },
            other => other,
        })
    }

    /// Parses config text; `base` is the folder relative paths start from.
    pub fn from_toml(text: &str, base: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from("<config>"),
            message: e.to_string(),
        })?;
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let mut update = raw.update;
        update.cache_dir = resolve(update.cache_dir);
        update.sample_data = update.sample_data.map(resolve);
        let mut config = Config {
            sources: Vec::new(),
            policy: raw.policy,
            server: raw.server,
            audit: raw.audit.map(|mut audit| {
                if audit.path.is_relative() {
                    audit.path = base.join(&audit.path);
                }
                audit
            }),
            update,
            tls: raw.tls.map(|mut tls| {
                tls.resolve(base);
                tls
            }),
            callers: raw.caller,
            access: raw.access,
            monitoring: match raw.monitoring {
                Some(mut m) => {
                    if !(0.0..=1.0).contains(&m.full_pass_above) {
                        return Err(ConfigError::Monitoring(format!(
                            "full_pass_above = {}: a share of the book, from 0 to 1",
                            m.full_pass_above
                        )));
                    }
                    m.resolve(base);
                    Some(m)
                }
                None => None,
            },
        };
        if let Some(p) = config.server.snapshot.take() {
            config.server.snapshot = Some(resolve(p));
        }
        for (index, s) in raw.source.into_iter().enumerate() {
            let (path, download) = match (s.path, s.url, s.urls) {
                (Some(path), None, None) => (resolve(path), None),
                (None, url, urls) if url.is_some() != urls.is_some() => {
                    let files = remote_files(s.format, url, urls).map_err(|message| {
                        ConfigError::Source {
                            index,
                            dataset: s.dataset.clone(),
                            message,
                        }
                    })?;
                    let download = Download {
                        cache_dir: config.update.cache_dir.clone(),
                        files,
                    };
                    (
                        crate::service::update::cached_path(&s.dataset, s.format, &download),
                        Some(download),
                    )
                }
                _ => {
                    return Err(ConfigError::Source {
                        index,
                        dataset: s.dataset,
                        message: "give exactly one of `path` (a local file), `url` (the \
                                  publisher's download) or `urls` (ofac-csv: file name -> URL)"
                            .into(),
                    })
                }
            };
            config.sources.push(Source {
                dataset: s.dataset,
                format: s.format,
                path,
                skip_sdn_rows: s.skip_sdn_rows,
                download,
            });
        }
        config.validate()?;
        Ok(config)
    }

    /// Adds a `--source FORMAT:DATASET=PATH` flag's source.
    pub fn add_source_flag(&mut self, spec: &str) -> Result<(), ConfigError> {
        let err = |message: &str| ConfigError::SourceFlag {
            spec: spec.to_string(),
            message: message.to_string(),
        };
        let (format, rest) = spec.split_once(':').ok_or_else(|| err("missing ':'"))?;
        let (dataset, path) = rest.split_once('=').ok_or_else(|| err("missing '='"))?;
        let format: ListFormat = format.parse().map_err(|e: String| err(&e))?;
        if path.is_empty() {
            return Err(err("empty path"));
        }
        self.sources.push(Source {
            dataset: dataset.to_string(),
            format,
            path: PathBuf::from(path),
            skip_sdn_rows: None,
            download: None,
        });
        self.validate()
    }

    /// Whether any source is downloaded from its publisher.
    pub fn has_downloads(&self) -> bool {
        self.sources.iter().any(|s| s.download.is_some())
    }

    /// Checks what serde cannot: dataset names, duplicates, policy ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (index, s) in self.sources.iter().enumerate() {
            let valid = !s.dataset.is_empty()
                && s.dataset
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(ConfigError::Source {
                    index,
                    dataset: s.dataset.clone(),
                    message: "dataset names use lower-case letters, digits and '_' only".into(),
                });
            }
            if self.sources[..index].iter().any(|p| p.dataset == s.dataset) {
                return Err(ConfigError::DuplicateDataset(s.dataset.clone()));
            }
        }
        self.policy.validate()?;
        let share = self.server.min_entity_share;
        if !(0.0..=1.0).contains(&share) {
            return Err(ConfigError::Server(format!(
                "min_entity_share must be between 0 and 1, not {share}"
            )));
        }
        for (i, p) in self.server.probes.iter().enumerate() {
            if p.name.trim().is_empty() {
                return Err(ConfigError::Server(format!("probe {i}: empty name")));
            }
        }
        if let Some(audit) = &self.audit {
            audit.validate()?;
        }
        let u = &self.update;
        if u.max_bytes == 0 || u.min_bytes > u.max_bytes {
            return Err(ConfigError::Update(format!(
                "need 0 < max_bytes and min_bytes <= max_bytes, not min_bytes = {} and \
                 max_bytes = {}",
                u.min_bytes, u.max_bytes
            )));
        }
        if u.timeout_seconds == 0 || u.connect_timeout_seconds == 0 {
            return Err(ConfigError::Update(
                "timeout_seconds and connect_timeout_seconds must be at least 1".into(),
            ));
        }
        if let Some(tls) = &self.tls {
            tls.validate()?;
        }
        let client_certs = self.tls.as_ref().is_some_and(|t| t.client_ca.is_some());
        crate::service::auth::validate(&self.callers, &self.access, client_certs)
            .map_err(ConfigError::Access)?;
        Ok(())
    }
}

/// The files of a `url` or `urls` source, checked against its format: ofac-csv reads a
/// folder and so needs `urls` naming each file; every other format reads one file.
fn remote_files(
    format: ListFormat,
    url: Option<String>,
    urls: Option<std::collections::BTreeMap<String, String>>,
) -> Result<Vec<RemoteFile>, String> {
    let files = match (format, url, urls) {
        (ListFormat::OfacCsv, Some(_), _) => {
            return Err(
                "ofac-csv reads a folder of files: give `urls`, a table mapping each \
                        file name (e.g. \"sdn.csv\") to its URL"
                    .into(),
            )
        }
        (ListFormat::OfacCsv, None, Some(urls)) => urls
            .into_iter()
            .map(|(name, url)| RemoteFile { name, url })
            .collect(),
        (_, Some(url), None) => vec![RemoteFile {
            name: crate::service::update::file_name_for(format, &url),
            url,
        }],
        (_, _, _) => {
            return Err(format!(
                "{format} reads one file: give `url`, not `urls` (only ofac-csv reads a folder)"
            ))
        }
    };
    if files.is_empty() {
        return Err("`urls` is empty".into());
    }
    for f in &files {
        let plain = !f.name.is_empty()
            && f.name != "."
            && f.name != ".."
            && !f.name.starts_with('.')
            && !f.name.contains(['/', '\\']);
        if !plain {
            return Err(format!(
                "{:?} is not a plain file name (no folders, not hidden)",
                f.name
            ));
        }
        if !(f.url.starts_with("https://") || f.url.starts_with("http://")) {
            return Err(format!(
                "{:?} for {:?}: only http:// and https:// URLs are downloaded",
                f.url, f.name
            ));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lists::load_options;
    use crate::engine::policy::Decision;

    #[test]
    fn parses_sources_policy_and_auto_options() {
        let text = r#"
            [[source]]
            dataset = "us_ofac_sdn"
            format = "ofac-csv"
            path = "sdn"
            [[source]]
            dataset = "us_trade_csl"
            format = "trade-csl"
            path = "/abs/consolidated.csv"
            [policy]
            review_threshold = 0.8
        "#;
        let c = Config::from_toml(text, Path::new("/etc/clearance")).unwrap();
        assert_eq!(c.sources[0].path, PathBuf::from("/etc/clearance/sdn"));
        assert_eq!(c.sources[1].path, PathBuf::from("/abs/consolidated.csv"));
        assert!(load_options(&c.sources, &c.sources[1]).skip_sdn_rows);
        assert_eq!(c.policy.review_threshold, 0.8);
        assert_eq!(c.policy.deny_threshold, Policy::default().deny_threshold);
    }

    #[test]
    fn server_section_defaults_and_overrides() {
        let c = Config::from_toml("", Path::new(".")).unwrap();
        assert_eq!(c.server, ServerConfig::default());
        let text = r#"
            [server]
            http_listen = "0.0.0.0:9000"
            reload_every_seconds = 3600
            [[server.probe]]
            name = "Banco Nacional de Cuba"
            expect = "deny"
        "#;
        let c = Config::from_toml(text, Path::new(".")).unwrap();
        assert_eq!(c.server.http_listen, "0.0.0.0:9000");
        assert_eq!(c.server.listen, ServerConfig::default().listen);
        assert_eq!(c.server.reload_every_seconds, 3600);
        assert_eq!(c.server.probes[0].expect, Decision::Deny);
        let e = Config::from_toml("[server]\nmin_entity_share = 2.0\n", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("min_entity_share"), "{e}");
        let e = Config::from_toml(
            "[[server.probe]]\nname = 'x'\nexpect = 'block'\n",
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("block"), "{e}");
    }

    #[test]
    fn ownership_rules_and_jurisdictions_as_the_readme_writes_them() {
        let text = r#"
            [policy]
            declared_parent_percent = 50
            [policy.jurisdictions]
            deny = ["CU", "IR", "KP", "SY", "crimea", "dnr", "lnr"]
            review = ["CN", "HK", "MO", "RU", "VE"]
            [[policy.ownership]]
            name = "bis_affiliates"
            citation = "BIS Affiliates Rule (90 FR 47201, effective 29 September 2025)"
            owners = [{ dataset = "*", program_contains = "Entity List" },
                      { dataset = "*", program_contains = "Military End User" }]
            threshold = 50
            effective = 2025-09-29
            suspended = [{ from = 2025-11-10, through = 2026-11-09 }]
            decision = "deny"
        "#;
        let c = Config::from_toml(text, Path::new(".")).unwrap();
        let rule = &c.policy.ownership_rules[0];
        assert_eq!(c.policy.ownership_rules.len(), 1);
        assert_eq!(rule, &crate::engine::policy::default_rules()[1]);
        assert_eq!(c.policy.jurisdictions.review.len(), 5);
        // Dates may be strings as well; a date with a time is refused.
        let quoted = text
            .replace("2025-09-29", "\"2025-09-29\"")
            .replace("2025-11-10", "\"2025-11-10\"");
        let q = Config::from_toml(&quoted, Path::new(".")).unwrap();
        assert_eq!(q.policy.ownership_rules, c.policy.ownership_rules);
        let timed = text.replace("2025-09-29", "2025-09-29T10:00:00");
        let e = Config::from_toml(&timed, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("without a time"), "{e}");
        let bad = "[policy.jurisdictions]\ndeny = [\"XX\"]\n";
        let e = Config::from_toml(bad, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"XX\""), "{e}");
        let bad = "[[policy.ownership]]\nname = \"x\"\ncitation = \"c\"\nowners = []\n";
        let e = Config::from_toml(bad, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no owners"), "{e}");
    }

    #[test]
    fn explicit_skip_option_wins() {
        let text = r#"
            [[source]]
            dataset = "us_ofac_sdn"
            format = "ofac-csv"
            path = "sdn"
            [[source]]
            dataset = "us_trade_csl"
            format = "trade-csl"
            path = "csl.csv"
            skip_sdn_rows = false
        "#;
        let c = Config::from_toml(text, Path::new(".")).unwrap();
        assert!(!load_options(&c.sources, &c.sources[1]).skip_sdn_rows);
    }

    #[test]
    fn errors_name_the_problem() {
        let unknown = "[[source]]\ndataset='x'\nformat='pdf'\npath='a'\n";
        let e = Config::from_toml(unknown, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("pdf"), "{e}");
        let typo = "[policy]\nreview_treshold = 0.5\n";
        let e = Config::from_toml(typo, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("review_treshold"), "{e}");
        let bad_name = "[[source]]\ndataset='US SDN'\nformat='native'\npath='a'\n";
        let e = Config::from_toml(bad_name, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("US SDN"), "{e}");
    }

    #[test]
    fn monitoring_full_pass_share_is_a_share() {
        let c = Config::from_toml("[monitoring]\ndatabase = 'b.db'\n", Path::new("/srv")).unwrap();
        let m = c.monitoring.unwrap();
        assert_eq!(m.full_pass_above, 0.6);
        assert_eq!(m.database, "sqlite:///srv/b.db");
        let c = Config::from_toml(
            "[monitoring]\ndatabase = 'b.db'\nfull_pass_above = 1.0\n",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(c.monitoring.unwrap().full_pass_above, 1.0);
        for bad in ["1.5", "-0.1", "nan"] {
            let text = format!("[monitoring]\ndatabase = 'b.db'\nfull_pass_above = {bad}\n");
            let e = Config::from_toml(&text, Path::new("."))
                .unwrap_err()
                .to_string();
            assert!(e.contains("[monitoring]: full_pass_above"), "{bad}: {e}");
        }
    }

    #[test]
    fn audit_section_resolves_its_path_and_checks_its_keys() {
        let c = Config::from_toml("", Path::new("/etc/clearance")).unwrap();
        assert_eq!(c.audit, None);
        let text =
            "[audit]\npath = 'log/audit.jsonl'\nfsync = 'interval'\non_error = 'fail_open'\n";
        let c = Config::from_toml(text, Path::new("/etc/clearance")).unwrap();
        let audit = c.audit.unwrap();
        assert_eq!(audit.path, PathBuf::from("/etc/clearance/log/audit.jsonl"));
        assert_eq!(audit.fsync, crate::service::audit::Fsync::Interval);
        assert_eq!(audit.on_error, crate::service::audit::OnError::FailOpen);
        assert_eq!(
            audit.keep,
            crate::service::audit::AuditConfig::new("x").keep
        );
        for (bad, word) in [
            ("[audit]\npath = 'a'\nfsync = 'sometimes'\n", "sometimes"),
            ("[audit]\npath = 'a'\nkeep = 0\n", "keep"),
            ("[audit]\npath = 'a'\nrotate = true\n", "rotate"),
            ("[audit]\nfsync = 'never'\n", "path"),
        ] {
            let e = Config::from_toml(bad, Path::new("."))
                .unwrap_err()
                .to_string();
            assert!(e.contains(word), "{bad}: {e}");
        }
    }

    #[test]
    fn the_shipped_official_config_downloads_every_list_into_the_cache() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let c = Config::from_file(&root.join("config/official.toml")).unwrap();
        let names: Vec<&str> = c.sources.iter().map(|s| s.dataset.as_str()).collect();
        assert_eq!(
            names,
            [
                "us_ofac_sdn",
                "us_ofac_cons",
                "us_trade_csl",
                "un_sc_sanctions"
            ]
        );
        assert!(c.sources.iter().all(|s| s.download.is_some()));
        let cache = root.join("config/../cache");
        assert_eq!(c.update.cache_dir, cache);
        assert_eq!(c.sources[0].path, cache.join("us_ofac_sdn"));
        let sdn: Vec<&str> = c.sources[0]
            .download
            .as_ref()
            .unwrap()
            .files
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(sdn, ["add.csv", "alt.csv", "sdn.csv", "sdn_comments.csv"]);
        assert_eq!(
            c.sources[3].path,
            cache.join("un_sc_sanctions").join("consolidated.xml")
        );
        assert!(load_options(&c.sources, &c.sources[2]).skip_sdn_rows);
        assert_eq!(c.update.sample_data, None);
        assert_eq!(c.server.probes.len(), 3);
    }

    #[test]
    fn url_sources_need_exactly_one_origin_that_fits_the_format() {
        let err = |text: &str| {
            Config::from_toml(text, Path::new("."))
                .unwrap_err()
                .to_string()
        };
        let both =
            "[[source]]\ndataset='un'\nformat='un-xml'\npath='a.xml'\nurl='https://x.org/a.xml'\n";
        let e = err(both);
        assert!(
            e.contains("dataset \"un\"") && e.contains("exactly one of"),
            "{e}"
        );
        let neither = "[[source]]\ndataset='un'\nformat='un-xml'\n";
        assert!(err(neither).contains("exactly one of"));
        let folder_url =
            "[[source]]\ndataset='sdn'\nformat='ofac-csv'\nurl='https://x.org/SDN.CSV'\n";
        assert!(err(folder_url).contains("give `urls`"));
        let file_urls =
            "[[source]]\ndataset='un'\nformat='un-xml'\nurls={ 'a.xml' = 'https://x.org/a.xml' }\n";
        assert!(err(file_urls).contains("give `url`"));
        let sneaky = "[[source]]\ndataset='sdn'\nformat='ofac-csv'\nurls={ '../sdn.csv' = 'https://x.org/SDN.CSV' }\n";
        assert!(err(sneaky).contains("not a plain file name"));
        let ftp = "[[source]]\ndataset='un'\nformat='un-xml'\nurl='ftp://x.org/a.xml'\n";
        assert!(err(ftp).contains("only http:// and https://"));
        let limits = "[update]\nmin_bytes = 10\nmax_bytes = 5\n";
        assert!(err(limits).contains("[update]"));
        let c = Config::from_toml(
            "[update]\nsample_data = 'sample.jsonl'\n",
            Path::new("/etc/clearance"),
        )
        .unwrap();
        assert_eq!(
            c.update.sample_data,
            Some(PathBuf::from("/etc/clearance/sample.jsonl"))
        );
        assert_eq!(c.update.cache_dir, PathBuf::from("/etc/clearance/cache"));
    }

    #[test]
    fn the_secure_example_parses_and_tls_and_caller_errors_name_the_field() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let c = Config::from_file(&root.join("config/secure.example.toml")).unwrap();
        let tls = c.tls.as_ref().unwrap();
        assert_eq!(tls.cert, root.join("config/tls/server.crt"));
        assert_eq!(
            tls.client_auth(),
            Some(crate::service::tls::ClientAuth::Optional)
        );
        let names: Vec<&str> = c.callers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["billing", "procurement", "operator"]);
        assert_eq!(
            c.callers[1].token_sha256.as_deref(),
            Some(crate::service::auth::hash_token("example-procurement-token").as_str())
        );
        let err = |text: &str| {
            Config::from_toml(text, Path::new("."))
                .unwrap_err()
                .to_string()
        };
        let e = err("[tls]\nkey = 'k.pem'\n");
        assert!(e.contains("cert"), "{e}");
        let e = err("[tls]\ncert = 'c'\nkey = 'k'\nclient_auth = 'optional'\n");
        assert!(e.contains("[tls]: client_auth needs client_ca"), "{e}");
        let e = err("[[caller]]\nname = 'x'\ncert_subject = 'x'\nroles = ['screen']\n");
        assert!(
            e.contains("caller 0 (\"x\"): cert_subject needs [tls] client_ca"),
            "{e}"
        );
        let e = err("[[caller]]\nname = 'x'\ntoken_sha256 = 'abc'\nroles = ['root']\n");
        assert!(e.contains("root"), "{e}");
        let e = err("[access]\nopen_rate_per_second = -2\n");
        assert!(e.contains("[access]"), "{e}");
    }

    #[test]
    fn source_flags() {
        let mut c = Config::default();
        c.add_source_flag("ofac-csv:us_ofac_sdn=/data/sdn").unwrap();
        c.add_source_flag("trade-csl:us_trade_csl=/data/csl.csv")
            .unwrap();
        assert!(load_options(&c.sources, &c.sources[1]).skip_sdn_rows);
        let e = c.add_source_flag("ofac-csv/us=x").unwrap_err().to_string();
        assert!(e.contains("FORMAT:DATASET=PATH"), "{e}");
        let e = c.add_source_flag("xml:foo=x").unwrap_err().to_string();
        assert!(e.contains("unknown list format"), "{e}");
    }
}
