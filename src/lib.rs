//! clearance: sanctions and entity-list screening.
//!
//! The library answers one question before money moves: *may we transact with this party?*
//!
//! Data flow: [`lists`] loaders turn each publisher's file into [`model::Entity`] values;
//! [`index`] normalizes every name ([`normalize`]) and builds immutable FSTs, postings and
//! weights; [`matching`] finds candidates through the FSTs (symmetric-deletion keys and
//! Levenshtein automata for misspelt words, phonetic skeletons for transliterations) and scores
//! them by IDF-weighted token alignment; [`policy`] turns the hits into allow, review or deny;
//! [`screen`] ties it together behind an `ArcSwap` so a new list version replaces the old one
//! without stopping readers, once [`validate`] has checked it; [`server`] serves it over gRPC.
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
