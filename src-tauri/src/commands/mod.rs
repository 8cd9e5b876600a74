//! The commands the window calls. Each one converts types, calls the core, and returns; the
//! core does the work.

pub mod about;
pub mod app;
pub mod corrected;
pub mod edit;
pub mod import;
pub mod invite;
pub mod plan;
pub mod profiles;
pub mod roster;
pub mod run;
pub mod updates;
