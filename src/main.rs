//! opsdeck binary: parse the command line, install error reporting and logging, hand off.
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = opsdeck::cli::Cli::parse();
    if let Err(report) = color_eyre::install() {
        eprintln!("opsdeck: cannot install error reporting: {report}");
    }
    let _log_guard = match opsdeck::logging::init(&cli.global.log_level) {
        Ok(guard) => guard,
        Err(report) => {
            eprintln!("opsdeck: {report:?}");
            return std::process::ExitCode::from(opsdeck::exit::USAGE);
        }
    };
    opsdeck::run(cli)
}
