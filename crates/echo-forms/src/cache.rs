//! Compiled forms kept by a caller-chosen id (such as an option definition GUID).
//!
//! Forms are immutable once defined, so each is compiled once and shared.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use super::compiled_form::CompiledForm;
use super::error::FormError;
use super::imports::FormImports;

/// A thread-safe cache of compiled forms.
#[derive(Debug, Default)]
pub struct FormCache {
    forms: RwLock<HashMap<String, Arc<CompiledForm>>>,
}

impl FormCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The form cached under `id`.
    pub fn get(&self, id: &str) -> Option<Arc<CompiledForm>> {
        self.forms
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// The form cached under `id`, compiling `form_xml` and caching it on a miss.
    pub fn get_or_compile(
        &self,
        id: &str,
        form_xml: &str,
        imports: &dyn FormImports,
    ) -> Result<Arc<CompiledForm>, FormError> {
        if let Some(form) = self.get(id) {
            return Ok(form);
        }
        let compiled = Arc::new(CompiledForm::compile_with_imports(form_xml, imports)?);
        let mut forms = self.forms.write().unwrap_or_else(PoisonError::into_inner);
        Ok(Arc::clone(forms.entry(id.to_owned()).or_insert(compiled)))
    }

    /// Forgets the form cached under `id` (its definition was removed).
    pub fn remove(&self, id: &str) -> Option<Arc<CompiledForm>> {
        self.forms
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id)
    }

    pub fn len(&self) -> usize {
        self.forms
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::super::imports::NoImports;
    use super::super::test_support::form_xml;
    use super::*;

    #[test]
    fn compiles_once_and_shares_across_threads() {
        fn assert_shareable<T: Send + Sync>() {}
        assert_shareable::<FormCache>();
        assert_shareable::<CompiledForm>();
        let cache = FormCache::new();
        let xml = form_xml("<p:a>1</p:a>", r#"<input id="a" ref="p:a" type="xs:int"/>"#);
        let first = cache
            .get_or_compile("guid-1", &xml, &NoImports)
            .expect("compiles");
        let second = cache
            .get_or_compile("guid-1", "not even xml", &NoImports)
            .expect("cached");
        assert!(Arc::ptr_eq(&first, &second));
        let valid = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| first.validate_instance().is_valid()))
                .collect();
            workers.into_iter().all(|w| w.join().unwrap_or(false))
        });
        assert!(valid);
        assert!(cache.remove("guid-1").is_some() && cache.is_empty());
        assert!(cache.get_or_compile("bad", "<form/>", &NoImports).is_err());
    }
}
