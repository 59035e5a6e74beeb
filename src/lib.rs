//! opsdeck: a terminal operations console for one highly-available AWS web stack.
//!
//! Everything lives in the library so integration tests reach the same code the binary runs.

pub mod action;
pub mod aws;
pub mod app;
pub mod effects;
pub mod msg;
pub mod state;
pub mod tui;
pub mod update;
pub mod cli;
pub mod commands;
pub mod deploy;
pub mod domain;
pub mod exit;
pub mod keymap;
pub mod fetch;
pub mod logging;
pub mod paths;
pub mod sandbox;
pub mod status;
pub mod template;
pub mod ui;
pub mod zones;

pub use commands::run;
