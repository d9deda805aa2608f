//! The `echo-gateway` binary: parses the command line and runs the server or an
//! administration command.

use std::process::ExitCode;

use clap::Parser;
use echo_gateway::cli::{CatalogCommand, Cli, Command};
use echo_gateway::config::{self, FileConfig, LogFormat};
use echo_gateway::partner::forbidden_addresses;
use echo_gateway::{admin, server, storage};

/// mimalloc rather than glibc's allocator: in the relay bench at c64 glibc's malloc and free
/// took about a fifth of the gateway's CPU (per-thread arenas, frees from other threads,
/// consolidation of freed page buffers); mimalloc cut the CPU per request by about a fifth
/// (see the README's relay bench). Transparent huge pages are off (see `main`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    disable_transparent_huge_pages();
    let cli = Cli::parse();
    if let Command::Forms(forms) = &cli.command {
        return forms.run();
    }
    let file = match FileConfig::load(cli.config.as_deref()) {
        Ok(file) => file,
        Err(error) => return fail(&error.to_string()),
    };
    let data_dir = file.data_dir(cli.data_dir.as_deref());
    match cli.command {
        Command::Serve(args) => {
            let (settings, log_format) = match config::resolve(&args, &file, data_dir) {
                Ok(resolved) => resolved,
                Err(error) => return fail(&error.to_string()),
            };
            match config::forbidden_ranges(&args, &file) {
                Ok(ranges) => forbidden_addresses::install(ranges),
                Err(error) => return fail(&error.to_string()),
            }
            init_logging(log_format);
            let runtime = match server_runtime() {
                Ok(runtime) => runtime,
                Err(error) => return fail(&error.to_string()),
            };
            match runtime.block_on(server::run(settings)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => fail(&error.to_string()),
            }
        }
        Command::Catalog(CatalogCommand::Import { file }) => {
            match echo_gateway::catalog_import::run(&data_dir, &file) {
                Ok(count) => {
                    println!("imported {count} catalog items");
                    ExitCode::SUCCESS
                }
                Err(error) => fail(&error),
            }
        }
        Command::PartnerSim(args) => args.run(&data_dir),
        Command::Restore { file } => match storage::backup::restore(&file, &data_dir) {
            Ok(copied) => {
                println!(
                    "restored {} records of {} tables into {}",
                    copied.records,
                    copied.tables,
                    data_dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(error) => fail(&error.to_string()),
        },
        command => {
            let outcome = command
                .admin_command()
                .and_then(|admin| admin.ok_or_else(|| "not an administration command".to_owned()))
                .and_then(|admin| admin::Session::open(&data_dir)?.run(admin));
            match outcome {
                Ok(output) => {
                    println!("{output}");
                    ExitCode::SUCCESS
                }
                Err(error) => fail(&error),
            }
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ECHO_GATEWAY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A log line that cannot be written (stderr on a full disk) is dropped: reporting it
    // would panic the request that logged it.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .log_internal_errors(false);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("echo-gateway: {message}");
    ExitCode::FAILURE
}

/// mimalloc asks for transparent huge pages where the system leaves them to the process
/// (`madvise`): each 2 MiB page then counts whole in the resident set, which took the relay
/// bench's peak RSS from 55 to 69 MiB, over the gateway's 64 MiB budget, for no measured gain.
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process; no memory is passed.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Blocking threads the server may run at once. Most storage operations run on them and wait
/// there for their group commit (the relay and the delivery worker do not, see
/// `storage::commit`). Measured in the relay bench at c64 when every write waited there: 16
/// threads 2,015 req/s, 32 threads 2,613 req/s (peak RSS 62 MiB), 64 threads 2,673 req/s
/// (66 MiB, over the memory budget); tokio's default is 512. With the committer thread, the
/// orders bench at c64 ran no faster with 64 or 128 threads than with 32.
const BLOCKING_THREADS: usize = 32;

fn server_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
}
