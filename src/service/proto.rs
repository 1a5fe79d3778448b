//! Code generated from `proto/clearance/v1/*.proto` (see `build.rs`): the messages and the
//! service stubs. Here rather than in the server because the audit trail records and replays
//! these messages too, and it must not depend on the server.
#![allow(clippy::all, missing_docs)]

tonic::include_proto!("clearance.v1");

/// Encoded descriptors of the protos, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("clearance_descriptor");
