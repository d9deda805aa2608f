//! `echo-gateway catalog import <FILE>`: streams a catalog file into the gateway in batches,
//! showing progress when standard error is a terminal.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::Path;

use crate::admin::{AdminCommand, Session};
use crate::soap::catalog::decode_item;
use crate::soap::catalog_file::CatalogItems;

/// Items stored per transaction (and per admin-socket request).
const BATCH: usize = 1000;

/// Imports every item of `file`; returns how many were stored.
pub fn run(data_dir: &Path, file: &Path) -> Result<usize, String> {
    let opened = File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let total_bytes = opened.metadata().map(|m| m.len()).unwrap_or(0);
    let session = Session::open(data_dir)?;
    let mut items = CatalogItems::new(BufReader::with_capacity(1 << 20, opened));
    let progress = std::io::stderr().is_terminal();
    let mut batch = Vec::with_capacity(BATCH);
    let mut stored = 0;
    loop {
        let next = items.next().transpose().map_err(|e| e.to_string())?;
        if let Some(element) = &next {
            batch.push(
                decode_item(element)
                    .map_err(|e| format!("item {}: {e}", stored + batch.len() + 1))?,
            );
        }
        if batch.len() == BATCH || (next.is_none() && !batch.is_empty()) {
            stored += batch.len();
            session.run(AdminCommand::AddCatalogItems {
                items: std::mem::take(&mut batch),
            })?;
            if progress {
                show_progress(stored, items.position(), total_bytes);
            }
        }
        if next.is_none() {
            break;
        }
    }
    if progress {
        eprintln!();
    }
    Ok(stored)
}

fn show_progress(stored: usize, position: u64, total: u64) {
    let percent = (position * 100).checked_div(total).unwrap_or(100).min(100);
    let filled = usize::try_from(percent / 4).unwrap_or(25);
    let bar = format!("{}{}", "#".repeat(filled), " ".repeat(25 - filled));
    eprint!("\r[{bar}] {percent:>3}%  {stored} items");
    let _ = std::io::stderr().flush();
}
