//! The config parser (`Config::from_toml` and `validate`): the config file is operator input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) =
        clearance::service::config::Config::from_toml(text, clearance_fuzz::scratch())
    {
        let _ = config.validate();
    }
});
