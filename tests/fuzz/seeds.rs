//! Seed documents: the recorded ECHO v10 requests (read at run time from
//! `../shared/reference/echo-v10-traffic` or `$ECHO_REFERENCE_DIR`; targets that need them
//! skip with a printed reason when absent), the sample ECHO forms in `forms/samples/`, and
//! the service operation names from `wsdl/`.

use std::path::Path;

use crate::common::traffic_dir;

/// One recorded request: the port it was posted to and its body.
pub struct RecordedRequest {
    pub port: String,
    pub body: String,
}

/// Every recorded request, or why there are none.
pub fn recorded_requests() -> Result<Vec<RecordedRequest>, String> {
    let dir = traffic_dir();
    let index = std::fs::read_to_string(dir.join("index.tsv"))
        .map_err(|e| format!("no recorded traffic at {}: {e}", dir.display()))?;
    let mut requests = Vec::new();
    for line in index.lines().skip(1) {
        let mut fields = line.split('\t');
        let (Some(fixture), Some(endpoint)) = (fields.next(), fields.next()) else {
            continue;
        };
        let file = dir.join(format!("{fixture}.request.xml"));
        let Ok(body) = std::fs::read_to_string(&file) else {
            continue;
        };
        let port = endpoint.rsplit('/').next().unwrap_or_default().to_owned();
        requests.push(RecordedRequest { port, body });
    }
    if requests.is_empty() {
        return Err(format!("no request files under {}", dir.display()));
    }
    Ok(requests)
}

/// The sample forms' texts.
pub fn sample_forms() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("forms/samples");
    let mut forms: Vec<String> = std::fs::read_dir(&dir)
        .expect("forms/samples")
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .collect();
    forms.sort();
    forms
}

/// `(port, operation)` for every operation of every v10 service WSDL.
pub fn wsdl_operations() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("wsdl");
    let mut operations = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("wsdl/").flatten() {
        let path = entry.path();
        let Some(service) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !service.ends_with("Service") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a WSDL");
        for rest in text.split("<wsdl:operation name=\"").skip(1) {
            if let Some(name) = rest.split('"').next() {
                let pair = (format!("{service}PortImpl"), name.to_owned());
                if !operations.contains(&pair) {
                    operations.push(pair);
                }
            }
        }
    }
    operations.sort();
    operations
}
