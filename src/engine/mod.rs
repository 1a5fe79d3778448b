//! The engine: list loaders, normalization, the index, matching, the policy and the
//! snapshot that ties them together. It is given its sources and policy as plain values and
//! depends on nothing above it (see ARCHITECTURE.md, "Layers"), so a batch job, a notebook
//! binding or another front end can use it without the server.

pub mod batch;
pub mod book;
pub mod changes;
pub mod countries;
pub mod eval;
pub mod exposure;
pub mod index;
pub mod lexicon;
pub mod lists;
pub mod matching;
pub mod model;
pub mod normalize;
pub mod ownership;
pub mod policy;
pub mod screen;
pub mod snapfile;
#[doc(hidden)]
pub mod testing;
pub mod validate;
