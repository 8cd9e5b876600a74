//! Rollcall's engine, with no window in sight: the Genesys Cloud client, CSV import and
//! validation, planning and the bulk run. The desktop app and the `rollcall` CLI are thin faces
//! on this crate; the sandbox org they start is the `rollcall-sandbox` crate, which depends on
//! this one for the wire types it shares with the client.

pub mod connection;
pub mod genesys;
pub mod import;
pub mod logging;
pub mod names;
pub mod paths;
pub mod plan;
pub mod profiles;
pub mod run;
pub mod secrets;
pub mod xlsx;
