//! The versioned schema of each backend: the SQL files under `migrations/sqlite/` and
//! `migrations/postgres/`, embedded in the binary and applied by sqlx's migrator (built at
//! run time, so no database is needed at build time).
//!
//! The migrator records each applied version with a checksum of its SQL in
//! `_sqlx_migrations` and applies the missing ones in order, each in its own transaction;
//! opening an up-to-date database applies nothing. A released file must never change (the
//! checksum would no longer match and [`super::open`] fails with
//! `MigrateError::VersionMismatch`): a change to the schema is a new numbered file, added to
//! both backends under the same version.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};

/// One migration as it is embedded.
#[derive(Debug)]
pub(super) struct Step {
    pub version: i64,
    pub description: &'static str,
    pub sql: &'static str,
}

pub(super) const SQLITE: &[Step] = &[
    Step {
        version: 1,
        description: "book",
        sql: include_str!("migrations/sqlite/0001_book.sql"),
    },
    Step {
        version: 2,
        description: "drop parties_by_version",
        sql: include_str!("migrations/sqlite/0002_drop_parties_by_version.sql"),
    },
    Step {
        version: 3,
        description: "base words",
        sql: include_str!("migrations/sqlite/0003_base_words.sql"),
    },
];

pub(super) const POSTGRES: &[Step] = &[
    Step {
        version: 1,
        description: "book",
        sql: include_str!("migrations/postgres/0001_book.sql"),
    },
    Step {
        version: 2,
        description: "drop parties_by_version",
        sql: include_str!("migrations/postgres/0002_drop_parties_by_version.sql"),
    },
    Step {
        version: 3,
        description: "base words",
        sql: include_str!("migrations/postgres/0003_base_words.sql"),
    },
];

/// The steps of one backend as a migration source.
#[derive(Debug)]
struct Embedded(&'static [Step]);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        let migrations = self
            .0
            .iter()
            .map(|step| {
                Migration::new(
                    step.version,
                    Cow::Borrowed(step.description),
                    MigrationType::Simple,
                    Cow::Borrowed(step.sql),
                    false,
                )
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}

/// The migrator over one backend's steps.
pub(super) async fn migrator(steps: &'static [Step]) -> Result<Migrator, MigrateError> {
    Migrator::new(Embedded(steps)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_versions_in_order() {
        let versions = |steps: &[Step]| steps.iter().map(|s| s.version).collect::<Vec<_>>();
        assert_eq!(versions(SQLITE), versions(POSTGRES));
        let expected: Vec<i64> = (1..=SQLITE.len() as i64).collect();
        assert_eq!(
            versions(SQLITE),
            expected,
            "versions are 1, 2, 3, … with no gap"
        );
    }
}
