//! The query path: a request's fields (see `clearance_fuzz::request_of` for the input format)
//! go through the conversion the gRPC server uses (`service::request::parse_request`) and,
//! when valid, are screened against the sample snapshot, as `Screen` does.
#![no_main]

use clearance::service::request::parse_request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let request = clearance_fuzz::request_of(text);
    if let Ok((party, options)) = parse_request(&request) {
        let screening = clearance_fuzz::sample_snapshot().screen(&party, &options);
        let _ = clearance::service::server::grpc::response(String::new(), screening);
    }
});
