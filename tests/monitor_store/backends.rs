//! The backends every behaviour runs against: a fresh SQLite file, a fresh in-memory
//! SQLite database, and a fresh PostgreSQL database when `CLEARANCE_TEST_POSTGRES` holds a
//! URL (an account allowed to create databases). Each PostgreSQL run creates its own
//! uniquely named database and drops it afterwards, also when the behaviour panics, so runs
//! never see each other's rows. Without the variable the PostgreSQL runs are skipped with a
//! note on stderr, unless `CLEARANCE_REQUIRE_POSTGRES=1` (CI), which makes that a failure.

use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};

use clearance::service::monitor::store::{self, Store};
use sqlx::Connection;

/// One backend as a behaviour gets it.
pub struct Fixture {
    pub store: Arc<dyn Store>,
    /// Opens the same database again (for a second store instance), when `shared`.
    pub url: String,
    /// Whether `url` reaches this database again (false for `sqlite::memory:`).
    pub shared: bool,
}

impl Fixture {
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// Another store over the same database, as another process would open it.
    pub async fn reopen(&self) -> Arc<dyn Store> {
        assert!(self.shared, "{} cannot be opened twice", self.url);
        store::open(&self.url).await.expect("reopen the store")
    }
}

/// Runs `behaviour` once per backend, each time on a fresh database.
pub async fn each_backend<F, Fut>(name: &str, behaviour: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("book.db").display());
    let fixture = Fixture {
        store: store::open(&url).await.expect("open a SQLite file"),
        url,
        shared: true,
    };
    run("sqlite file", name, behaviour(fixture)).await;

    let url = "sqlite::memory:".to_string();
    let fixture = Fixture {
        store: store::open(&url)
            .await
            .expect("open an in-memory SQLite database"),
        url,
        shared: false,
    };
    run("sqlite memory", name, behaviour(fixture)).await;

    if let Some(admin) = postgres_admin_url() {
        let database = TempDatabase::create(&admin, name).await;
        let fixture = Fixture {
            store: store::open(&database.url)
                .await
                .expect("open the PostgreSQL database"),
            url: database.url.clone(),
            shared: true,
        };
        let outcome = tokio::spawn(behaviour(fixture)).await;
        database.drop().await;
        if let Err(e) = outcome {
            eprintln!("{name} failed on postgres");
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

async fn run(backend: &str, name: &str, behaviour: impl Future<Output = ()> + Send + 'static) {
    if let Err(e) = tokio::spawn(behaviour).await {
        eprintln!("{name} failed on {backend}");
        std::panic::resume_unwind(e.into_panic());
    }
}

/// `CLEARANCE_TEST_POSTGRES`, or `None` (with a note) when unset.
///
/// # Panics
/// When unset and `CLEARANCE_REQUIRE_POSTGRES=1`.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("CLEARANCE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CLEARANCE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "CLEARANCE_TEST_POSTGRES is unset but CLEARANCE_REQUIRE_POSTGRES=1: \
                 the PostgreSQL half of tests/monitor_store.rs must run"
            );
            static NOTE: Once = Once::new();
            NOTE.call_once(|| {
                // Straight to stderr: the test harness captures `eprintln!`.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: tests/monitor_store.rs: PostgreSQL runs skipped \
                     (set CLEARANCE_TEST_POSTGRES=postgres://… to run them)"
                );
            });
            None
        }
    }
}

/// A database created for one run and dropped after it.
pub struct TempDatabase {
    admin: String,
    name: String,
    pub url: String,
}

impl TempDatabase {
    pub async fn create(admin: &str, label: &str) -> TempDatabase {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let label: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(30)
            .collect();
        let name = format!(
            "clearance_test_{}_{}_{label}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .expect("connect to CLEARANCE_TEST_POSTGRES");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create a test database (the account needs CREATEDB)");
        let _ = conn.close().await;
        TempDatabase {
            url: with_database(admin, &name),
            admin: admin.to_string(),
            name,
        }
    }

    pub async fn drop(self) {
        let mut conn = sqlx::PgConnection::connect(&self.admin)
            .await
            .expect("connect to CLEARANCE_TEST_POSTGRES");
        // FORCE: the store's pool and any lease may still hold sessions.
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await
        .expect("drop the test database");
        let _ = conn.close().await;
    }
}

/// `url` naming database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    format!("{}/{name}{query}", &base[..host_end])
}

#[test]
fn database_names_replace_the_urls_own() {
    assert_eq!(
        with_database("postgres://u@127.0.0.1:55432/clearance", "t1"),
        "postgres://u@127.0.0.1:55432/t1"
    );
    assert_eq!(
        with_database("postgres://u@localhost/db?host=/tmp/x", "t1"),
        "postgres://u@localhost/t1?host=/tmp/x"
    );
    assert_eq!(with_database("postgres://u@h", "t1"), "postgres://u@h/t1");
}
