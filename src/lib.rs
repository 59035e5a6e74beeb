//! opsdeck: a terminal operations console for one highly-available AWS web stack.
//!
//! Everything lives in the library so integration tests reach the same code the binary runs.

pub mod action;
pub mod app;
pub mod audit;
pub mod aws;
pub mod child;
pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod deploy;
pub mod domain;
pub mod effects;
pub mod exit;
pub mod fetch;
pub mod keymap;
pub mod logging;
pub mod msg;
pub mod ops;
pub mod paths;
pub mod sandbox;
pub mod session_verbs;
pub mod ssm;
pub mod state;
pub mod status;
pub mod template;
pub mod tui;
pub mod ui;
pub mod update;
pub mod verbs;
pub mod zones;

pub use commands::run;
