//! `forms check` and `forms validate`: read the files, run the forms engine, print the
//! findings or errors and choose the exit code (0 clean/valid, 1 problems/invalid,
//! 2 unreadable).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use echo_forms::{CompiledForm, FormError, ValidationError, ValidationOutcome, check_form};

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// Lint an ECHO form before uploading it
    Check {
        form: PathBuf,
        /// Print the findings as JSON
        #[arg(long)]
        json: bool,
    },
    /// Validate the form's own instance (pruned as a client submits it) or a selection
    Validate {
        form: PathBuf,
        /// Option selection to validate as submitted
        selection: Option<PathBuf>,
        /// Write the (pruned) selection to FILE, or to standard output with `-`
        #[arg(long, value_name = "FILE|-")]
        output: Option<PathBuf>,
        /// Print the errors as JSON
        #[arg(long)]
        json: bool,
    },
}

const CLEAN: u8 = 0;
const PROBLEMS: u8 = 1;
const UNREADABLE: u8 = 2;

impl FormsCommand {
    pub fn run(&self) -> ExitCode {
        let code = match self {
            FormsCommand::Check { form, json } => check(form, *json),
            FormsCommand::Validate {
                form,
                selection,
                output,
                json,
            } => validate(form, selection.as_deref(), output.as_deref(), *json),
        };
        ExitCode::from(code.unwrap_or_else(|message| {
            eprintln!("echo-gateway: {message}");
            UNREADABLE
        }))
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn check(path: &Path, json: bool) -> Result<u8, String> {
    let report = check_form(&read(path)?);
    if json {
        println!("{}", to_json(&report)?);
    } else {
        // `file:line:column: finding`, as compilers print, where the finding has a place.
        for finding in &report.findings {
            match finding.position {
                Some(at) => println!("{}:{}:{}: {finding}", path.display(), at.line, at.column),
                None => println!("{}: {finding}", path.display()),
            }
        }
    }
    Ok(match (report.readable, report.has_errors()) {
        (false, _) => UNREADABLE,
        (true, true) => PROBLEMS,
        (true, false) => CLEAN,
    })
}

fn validate(
    form: &Path,
    selection: Option<&Path>,
    output: Option<&Path>,
    json: bool,
) -> Result<u8, String> {
    let compiled = CompiledForm::compile(&read(form)?).map_err(|e| match e {
        FormError::Unreadable(e) => format!("{}: {e}", form.display()),
        FormError::Invalid(_) => format!("{}: {e}; run `echo-gateway forms check`", form.display()),
    })?;
    let outcome = match selection {
        Some(path) => compiled.validate_selection(&read(path)?),
        None => compiled.validate_instance(),
    };
    let to_stdout = output.is_some_and(|o| o == Path::new("-"));
    if let (Some(path), Some(xml)) = (output, &outcome.selection) {
        write_selection(path, xml, to_stdout)?;
    }
    report_errors(&outcome, json, to_stdout)?;
    Ok(match (outcome.is_unreadable(), outcome.is_valid()) {
        (true, _) => UNREADABLE,
        (false, false) => PROBLEMS,
        (false, true) => CLEAN,
    })
}

fn write_selection(path: &Path, xml: &str, to_stdout: bool) -> Result<(), String> {
    if to_stdout {
        println!("{xml}");
        return Ok(());
    }
    std::fs::write(path, xml).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Errors go to standard output, or to standard error when the selection is written there.
fn report_errors(
    outcome: &ValidationOutcome,
    json: bool,
    selection_on_stdout: bool,
) -> Result<(), String> {
    #[derive(Serialize)]
    struct Report<'a> {
        valid: bool,
        errors: &'a [ValidationError],
    }
    let text = if json {
        to_json(&Report {
            valid: outcome.is_valid(),
            errors: &outcome.errors,
        })?
    } else {
        outcome
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    };
    match (text.is_empty(), selection_on_stdout) {
        (true, _) => {}
        (false, true) => eprintln!("{text}"),
        (false, false) => println!("{text}"),
    }
    Ok(())
}

fn to_json(value: &impl Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| e.to_string())
}
