//! A form compiled once (references resolved, XPaths and patterns compiled) and used to
//! validate any number of selections.

use sxd_document::dom::Element;

use super::compiled_control::{CompiledControl, ControlCompiler};
use super::control_report::ControlReport;
use super::diagnostics::{ControlPlaces, Diagnostics, Finding, Severity};
use super::document::{DocumentError, parse_document, parse_located, root_element, write_document};
use super::error::FormError;
use super::evaluation::Evaluation;
use super::expression::{ExprId, ExpressionSet, ExpressionSetBuilder};
use super::imports::{FormImports, NoImports};
use super::model::{Form, Import};
use super::outcome::{Rule, ValidationError, ValidationOutcome};
use super::parser::parse_form;
use super::position::ElementPositions;
use super::pruning::prune;
use super::references::{ReferenceSource, ReferenceTargets, resolve_references};
use super::secrets::obscure;
use super::sxd_engine::SxdEngine;
use super::validator::FormValidator;
use super::xpath_engine::EvaluationError;

/// A compiled ECHO form. Immutable, `Send + Sync`: share it behind an `Arc`.
#[derive(Debug)]
pub struct CompiledForm {
    expressions: ExpressionSet,
    controls: Vec<CompiledControl>,
    instance_xml: String,
    extension_refs: Vec<ExprId>,
    warnings: Vec<Finding>,
}

/// Everything learned while compiling a form, usable or not.
pub(super) struct Compilation {
    pub form: Option<CompiledForm>,
    pub model: Form,
    pub findings: Vec<Finding>,
    /// Where the form's controls are, for findings made later (`check`).
    pub places: ControlPlaces,
}

impl CompiledForm {
    /// Compiles a form that imports nothing (imports are reported as unavailable).
    pub fn compile(form_xml: &str) -> Result<CompiledForm, FormError> {
        Self::compile_with_imports(form_xml, &NoImports)
    }

    /// Compiles a form, obtaining the forms it imports from `imports`.
    pub fn compile_with_imports(
        form_xml: &str,
        imports: &dyn FormImports,
    ) -> Result<CompiledForm, FormError> {
        let compilation = compile_form(form_xml, imports)?;
        compilation.form.ok_or_else(|| {
            let errors = compilation
                .findings
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            FormError::Invalid(errors)
        })
    }

    /// Validates the form's own instance as a client would submit it: irrelevant nodes
    /// are pruned, then the pruned selection is validated. The outcome holds the pruned XML.
    pub fn validate_instance(&self) -> ValidationOutcome {
        let pruned = self.with_selection(&self.instance_xml, |root, engine| {
            prune(&self.evaluate(engine, root));
            write_document(&root.document())
        });
        match pruned {
            Ok(xml) => self.validate_selection(&xml),
            Err(error) => failed(error),
        }
    }

    /// Validates a submitted selection as it is: a present but irrelevant node is an error.
    pub fn validate_selection(&self, selection_xml: &str) -> ValidationOutcome {
        let errors = self.with_selection(selection_xml, |root, engine| {
            FormValidator::validate(engine, &self.evaluate(engine, root))
        });
        match errors {
            Ok(errors) => ValidationOutcome {
                errors,
                selection: Some(selection_xml.to_owned()),
            },
            Err(error) => failed(error),
        }
    }

    /// `selection_xml` as people may see it: the value of every node a `secret` control
    /// binds is obscured (`secrets`).
    pub fn obscure_secrets(&self, selection_xml: &str) -> Result<String, ValidationError> {
        self.with_selection(selection_xml, |root, engine| {
            obscure(&self.evaluate(engine, root));
            write_document(&root.document())
        })
    }

    /// The evaluated state of every control over `selection_xml`, in form order.
    pub fn control_reports(
        &self,
        selection_xml: &str,
    ) -> Result<Vec<ControlReport>, ValidationError> {
        self.with_selection(selection_xml, |root, engine| {
            let evaluation = self.evaluate(engine, root);
            evaluation
                .states
                .iter()
                .map(|state| ControlReport::of(engine, state))
                .collect()
        })
    }

    /// The form's instance, as written in the form.
    pub fn instance_xml(&self) -> &str {
        &self.instance_xml
    }

    /// Warnings about quirks tolerated while compiling.
    pub fn warnings(&self) -> &[Finding] {
        &self.warnings
    }

    pub(super) fn controls(&self) -> &[CompiledControl] {
        &self.controls
    }

    pub(super) fn extension_refs(&self) -> &[ExprId] {
        &self.extension_refs
    }

    pub(super) fn engine(&self) -> Result<SxdEngine, EvaluationError> {
        SxdEngine::for_set(&self.expressions)
    }

    fn evaluate<'d>(&self, engine: &SxdEngine, root: Element<'d>) -> Evaluation<'_, 'd> {
        Evaluation::run(engine, self.expressions.fast(), &self.controls, root)
    }

    fn with_selection<T>(
        &self,
        selection_xml: &str,
        work: impl FnOnce(Element<'_>, &SxdEngine) -> T,
    ) -> Result<T, ValidationError> {
        let unreadable =
            |e: DocumentError| selection_error(Rule::UnreadableSelection, e.to_string());
        let package = parse_document(selection_xml).map_err(unreadable)?;
        let root = root_element(package.as_document())
            .ok_or(DocumentError::NoRootElement)
            .map_err(unreadable)?;
        let engine = self
            .engine()
            .map_err(|e| selection_error(Rule::Evaluation, e.to_string()))?;
        Ok(work(root, &engine))
    }
}

fn selection_error(rule: Rule, message: String) -> ValidationError {
    ValidationError {
        control_id: None,
        label: None,
        rule,
        message,
        alert: None,
    }
}

fn failed(error: ValidationError) -> ValidationOutcome {
    ValidationOutcome {
        errors: vec![error],
        selection: None,
    }
}

/// Parses, resolves and compiles `form_xml`, collecting every finding.
pub(super) fn compile_form(
    form_xml: &str,
    imports: &dyn FormImports,
) -> Result<Compilation, DocumentError> {
    let (package, offsets) = parse_located(form_xml)?;
    let document = package.as_document();
    let positions = ElementPositions::new(document, form_xml, &offsets);
    let mut diagnostics = Diagnostics::default();
    let model = parse_form(document, Some(&positions), &mut diagnostics);
    let (imported, unavailable) = read_imports(&model.imports, imports);
    let targets = ReferenceTargets {
        own: ReferenceSource {
            target_namespace: model.target_namespace.as_deref(),
            controls: &model.controls,
            importer_scope: None,
        },
        imported: imported
            .iter()
            .map(|form| ReferenceSource {
                target_namespace: form.target_namespace.as_deref(),
                controls: &form.controls,
                importer_scope: Some(&model.instance.scope),
            })
            .collect(),
        unavailable_imports: unavailable,
    };
    let resolved = resolve_references(&model.controls, &targets, &mut diagnostics);
    let mut expressions = ExpressionSetBuilder::default();
    let controls = ControlCompiler {
        expressions: &mut expressions,
        diagnostics: &mut diagnostics,
    }
    .compile_all(&resolved);
    let extension_refs = compile_extension_refs(&model, &mut expressions, &mut diagnostics);
    let places = diagnostics.places().clone();
    let findings = diagnostics.into_findings();
    let usable = !findings.iter().any(|f| f.severity == Severity::Error);
    let form = usable.then(|| CompiledForm {
        expressions: expressions.build(),
        controls,
        instance_xml: model.instance.xml.clone(),
        extension_refs,
        warnings: findings.clone(),
    });
    Ok(Compilation {
        form,
        model,
        findings,
        places,
    })
}

fn read_imports(imports: &[Import], source: &dyn FormImports) -> (Vec<Form>, Vec<String>) {
    let mut forms = Vec::new();
    let mut unavailable = Vec::new();
    for import in imports {
        let parsed = source
            .form_xml(import)
            .and_then(|xml| parse_document(&xml).ok())
            .map(|package| parse_form(package.as_document(), None, &mut Diagnostics::default()));
        match parsed {
            Some(form) => forms.push(form),
            None => unavailable.push(import.name.clone()),
        }
    }
    (forms, unavailable)
}

fn compile_extension_refs(
    model: &Form,
    expressions: &mut ExpressionSetBuilder,
    diagnostics: &mut Diagnostics,
) -> Vec<ExprId> {
    model
        .extensions
        .iter()
        .filter_map(|extension| {
            let scope = model.instance.scope.then(&extension.scope);
            if let Some(metadata) = &extension.metadata {
                let mut metadata_only = ExpressionSetBuilder::default();
                if let Err(e) = metadata_only.add::<SxdEngine>(metadata, &extension.scope) {
                    diagnostics.error(
                        None,
                        format!("autopopulate metadata `{metadata}`: {e} (8.4)"),
                    );
                }
            }
            match expressions.add::<SxdEngine>(&extension.reference, &scope) {
                Ok(id) => Some(id),
                Err(e) => {
                    diagnostics.error(
                        None,
                        format!(
                            "{} ref `{}`: {e}",
                            extension.extension.name(),
                            extension.reference
                        ),
                    );
                    None
                }
            }
        })
        .collect()
}
