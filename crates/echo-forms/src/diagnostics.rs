//! Findings about a form: errors that make it unusable and warnings about tolerated quirks.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a form, with the control it concerns and why it matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// The control concerned, e.g. `select 'mediaTypeSelect'`, when there is one.
    pub control: Option<String>,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.control {
            Some(control) => write!(f, "{severity}: {control}: {}", self.message),
            None => write!(f, "{severity}: {}", self.message),
        }
    }
}

/// Collects findings while a form is parsed, resolved, compiled and checked.
#[derive(Debug, Default)]
pub struct Diagnostics {
    findings: Vec<Finding>,
}

impl Diagnostics {
    pub fn error(&mut self, control: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Error, control, message.into());
    }

    pub fn warning(&mut self, control: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Warning, control, message.into());
    }

    fn push(&mut self, severity: Severity, control: Option<&str>, message: String) {
        self.findings.push(Finding {
            severity,
            control: control.map(str::to_owned),
            message,
        });
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
