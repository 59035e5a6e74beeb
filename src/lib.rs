//! opsdeck: a terminal operations console for one highly-available AWS web stack.
//!
//! Everything lives in the library so integration tests reach the same code the binary runs.

pub mod action;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod deploy;
pub mod domain;
pub mod exit;
pub mod logging;
pub mod paths;
pub mod sandbox;
pub mod status;
pub mod template;

pub use commands::run;
