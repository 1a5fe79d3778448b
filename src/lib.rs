//! clearance: sanctions and entity-list screening.
//!
//! The library answers one question before money moves: *may we transact with this party?*
//!
//! The crate has three layers, each using only the ones below it (ARCHITECTURE.md, "Layers";
//! `.ci/layers.sh` enforces it):
//!
//! - [`engine`]: screening as a library, given its sources and policy as plain values.
//!   [`engine::lists`] loaders turn each publisher's file into [`engine::model::Entity`]
//!   values; [`engine::index`] normalizes every name ([`engine::normalize`]) and builds
//!   immutable FSTs, postings and weights; [`engine::matching`] finds candidates through the
//!   FSTs (symmetric-deletion keys and Levenshtein automata for misspelt words, phonetic
//!   skeletons for transliterations) and scores them by IDF-weighted token alignment;
//!   [`engine::policy`] turns the hits into allow, review or deny; [`engine::screen`] ties it
//!   together behind an `ArcSwap` so a new list version replaces the old one without stopping
//!   readers, once [`engine::validate`] has checked it.
//! - [`service`]: the engine served. [`service::config`] reads `clearance.toml` into the
//!   engine's values and the service's sections; [`service::server`] serves gRPC and HTTP,
//!   with access control ([`service::auth`]), TLS ([`service::tls`]), metrics, the audit
//!   trail ([`service::audit`]) and list downloads ([`service::update`]).
//! - [`cli`]: the `clearance` command line, one module per command.
//!
//! # Example
//! ```
//! use clearance::engine::index::IndexBuilder;
//! use clearance::engine::model::{Entity, EntityKind, LoadedList, Name, NameKind};
//! use clearance::engine::policy::{Decision, Policy};
//! use clearance::engine::screen::{Party, ScreenOptions, Snapshot};
//!
//! let entity = Entity {
//!     id: "us_trade_csl:example".into(),
//!     dataset: "us_trade_csl".into(),
//!     kind: EntityKind::Organization,
//!     names: vec![Name { value: "Huawei Cloud Singapore".into(), kind: NameKind::Primary }],
//!     ..Entity::default()
//! };
//! let mut builder = IndexBuilder::new();
//! builder.add_list(
//!     LoadedList { dataset: "us_trade_csl".into(), entities: vec![entity], ..LoadedList::default() },
//!     None,
//! );
//! let snapshot = Snapshot::new(builder.build().unwrap(), Policy::default());
//! let party = Party { name: "Huawei Cloud Singapore Pte. Ltd.".into(), ..Party::default() };
//! let result = snapshot.screen(&party, &ScreenOptions::default());
//! assert_eq!(result.decision, Decision::Deny);
//! assert_eq!(result.hits[0].entity_id, "us_trade_csl:example");
//! ```

pub mod cli;
pub mod engine;
pub mod service;
#[doc(hidden)]
pub mod testing;
