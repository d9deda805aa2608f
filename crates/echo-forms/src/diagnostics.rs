//! Findings about a form: errors that make it unusable and warnings about tolerated quirks,
//! each with where in the document it is when it concerns one element.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use super::position::Position;

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
    /// Where the element concerned starts in the form document; none for findings about the
    /// whole form (or about a control of an imported form).
    pub position: Option<Position>,
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
    places: ControlPlaces,
}

/// Where each control of the form document starts, by the name findings give it
/// (`select 'mediaTypeSelect'`); a name two controls share has no place.
#[derive(Debug, Default, Clone)]
pub struct ControlPlaces {
    by_name: HashMap<String, Option<Position>>,
}

impl ControlPlaces {
    fn note(&mut self, control: &str, position: Position) {
        self.by_name
            .entry(control.to_owned())
            .and_modify(|place| *place = None)
            .or_insert(Some(position));
    }

    fn of(&self, control: &str) -> Option<Position> {
        self.by_name.get(control).copied().flatten()
    }
}

impl Diagnostics {
    /// Diagnostics that place findings about the controls `places` knows.
    pub fn with_places(places: ControlPlaces) -> Diagnostics {
        Diagnostics {
            findings: Vec::new(),
            places,
        }
    }

    /// Records where the control named `control` starts in the form document.
    pub fn locate(&mut self, control: &str, position: Position) {
        self.places.note(control, position);
    }

    pub fn places(&self) -> &ControlPlaces {
        &self.places
    }

    pub fn error(&mut self, control: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Error, control, message.into());
    }

    pub fn warning(&mut self, control: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Warning, control, message.into());
    }

    /// A warning about an element that is not a control, at `position`.
    pub fn warning_at(&mut self, position: Option<Position>, message: impl Into<String>) {
        self.push(Severity::Warning, None, message.into());
        if let Some(finding) = self.findings.last_mut() {
            finding.position = position;
        }
    }

    fn push(&mut self, severity: Severity, control: Option<&str>, message: String) {
        self.findings.push(Finding {
            severity,
            control: control.map(str::to_owned),
            message,
            position: None,
        });
    }

    /// The findings, each about a control placed where that control starts. Places are given
    /// at the end because a control's findings may come before the parser reaches it (a
    /// constraint's warning) or long after (compiling, checking).
    pub fn into_findings(self) -> Vec<Finding> {
        let places = self.places;
        self.findings
            .into_iter()
            .map(|finding| Finding {
                position: finding
                    .position
                    .or_else(|| finding.control.as_deref().and_then(|c| places.of(c))),
                ..finding
            })
            .collect()
    }
}
