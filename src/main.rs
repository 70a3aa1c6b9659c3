//! The `candor` binary: parses the command line and hands over to the library.

/// mimalloc instead of the system allocator: whole-shop work runs on every core, and the
/// system allocator's per-thread arenas kept a third more memory than the shop needs
/// (BENCHMARKS.md, "Live while dragging").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // A reader that stopped reading (`candor … | head`) makes println! panic: as for
        // the errors below, that is not a failure.
        let said = info.to_string();
        if said.contains("failed printing to stdout") && said.contains("Broken pipe") {
            std::process::exit(0);
        }
        eprintln!(
            "error: Candor stopped because of an internal error ({info}). The command did not finish, and nothing half-done was written (every change is one transaction). Please report this."
        );
    }));
    let cli = candor::cli::parse();
    let today = chrono::Local::now().date_naive();
    let result = match cli.command {
        None => candor::paths::ensure_default_shop()
            .and_then(|path| candor::ui::run_window(Some(path), Vec::new())),
        Some(candor::cli::Command::Open { file, import }) => candor::ui::run_window(file, import),
        Some(command) => {
            candor::store::set_password_source(candor::access::shop_password_at_terminal);
            candor::cli::run(command, today)
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // A reader that stopped reading (`candor … | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes, each said once: a cause whose words the message already
/// holds (a library's error quoting its own source) is not repeated.
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|json| json.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}
