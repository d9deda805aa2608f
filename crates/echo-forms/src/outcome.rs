//! The result of validating a selection: the errors found and the pruned selection.

use std::fmt;

use serde::Serialize;

/// The rule a selection broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The selection is not a readable XML document.
    UnreadableSelection,
    /// Appendix 9.1: an element is present for a control that is not relevant.
    NotRelevant,
    /// Appendix 9.1: a required, relevant control has no element.
    RequiredMissing,
    /// Appendix 9.1: a required, relevant control's element has no value.
    RequiredEmpty,
    /// The value is not in the lexical space of the control's type.
    Type,
    /// An XPath constraint evaluated to false.
    Constraint,
    /// A pattern constraint did not match the whole value.
    Pattern,
    /// A range value is outside start..end or off the step.
    Range,
    /// A value is not among the select's (or tree's) items.
    NotAnItem,
    /// A single select holds more than one value.
    MultipleValues,
    /// A repeat holds fewer than minItems or more than maxItems items.
    RepeatCount,
    /// An expression of the form failed at run time.
    Evaluation,
}

/// One reason a selection is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationError {
    pub control_id: Option<String>,
    pub label: Option<String>,
    pub rule: Rule,
    /// What is wrong, in words.
    pub message: String,
    /// The alert text of the failed constraint, when the form gives one.
    pub alert: Option<String>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let control =
            super::model::describe("control", self.control_id.as_deref(), self.label.as_deref());
        write!(f, "{control}: {}", self.message)?;
        match &self.alert {
            Some(alert) => write!(f, " ({alert})"),
            None => Ok(()),
        }
    }
}

/// Errors found in a selection, and the selection as it would be submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationOutcome {
    pub errors: Vec<ValidationError>,
    /// The option selection XML: the pruned instance for `validate_instance`, the
    /// submitted document for `validate_selection`; absent when it could not be read.
    pub selection: Option<String>,
}

impl ValidationOutcome {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Whether the selection could not be read at all.
    pub fn is_unreadable(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.rule == Rule::UnreadableSelection)
    }
}
