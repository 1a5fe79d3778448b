//! Test and benchmark support for the whole crate: the engine's helpers
//! ([`crate::engine::testing`]: the shared real-list data, a synthetic index) and the shipped
//! configuration pointed at the shared data, which needs the service's config parser and so
//! cannot live in the engine.

pub use crate::engine::testing::{
    eval_book_name_parts, sdn_2021_without_newest, sdn_source, shared_data, synthetic_snapshot,
};
use crate::service::config::Config;

/// `config/shared-data.toml` pointed at [`shared_data`]'s folder, or `None` when the data is
/// absent (and not required).
///
/// # Panics
/// When the shipped config cannot be read or parsed.
pub fn shared_config() -> Option<Config> {
    let dir = shared_data()?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("config/shared-data.toml"))
        .expect("config/shared-data.toml is readable");
    let text = text.replace("../../shared/data", &dir.display().to_string());
    Some(Config::from_toml(&text, &root.join("config")).expect("config/shared-data.toml parses"))
}
