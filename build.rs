//! Compiles the gRPC protos with `protox`, a pure-Rust protobuf compiler, so a build needs no
//! `protoc` on the machine. The descriptor set is written beside the generated code for
//! server reflection.

use std::path::PathBuf;

use prost::Message;

const PROTOS: [&str; 3] = [
    "proto/clearance/v1/screening.proto",
    "proto/clearance/v1/admin.proto",
    "proto/clearance/v1/monitoring.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let fds = protox::compile(PROTOS, ["proto"])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("clearance_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
