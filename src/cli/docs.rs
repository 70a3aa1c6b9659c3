//! What the command line says about itself: the version line, shell completions and
//! manual pages, all generated from the same clap definitions the commands are parsed with.

use std::path::Path;

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches};

use super::Cli;
use crate::store::schema;

/// The version line: Candor's version and the shop-file schema version it writes.
pub fn version_line() -> String {
    format!(
        "{} (writes shop files of schema version {})",
        env!("CARGO_PKG_VERSION"),
        schema::current_version()
    )
}

/// The whole command line, as clap sees it, with the version line.
pub fn command() -> clap::Command {
    Cli::command().version(version_line())
}

/// Parses the process's arguments; on a mistake (or `--help`, `--version`) prints and exits.
pub fn parse() -> Cli {
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// `candor completions SHELL`: prints the completion script for that shell.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = command();
    clap_complete::generate(shell, &mut cmd, "candor", &mut std::io::stdout().lock());
    Ok(())
}

/// `candor manpages --out DIR`: writes candor.1 and one page per command.
pub fn manpages(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("could not create the folder {}", out.display()))?;
    clap_mangen::generate_to(command(), out)
        .with_context(|| format!("could not write the manual pages into {}", out.display()))?;
    let pages = std::fs::read_dir(out)
        .with_context(|| format!("could not read the folder {}", out.display()))?
        .filter_map(std::result::Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "1"))
        .count();
    println!("Wrote {pages} manual pages to {}.", out.display());
    Ok(())
}
