//! Before ordering: `order_information.json` (which of these catalog items can be ordered,
//! with the option definitions that apply to each) and `option_definitions/<id>.json` (a
//! definition with its ECHO Form).

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::body::{form_values, path_id};
use super::{RawBody, State, answer, as_caller};
use crate::app::order_information as information;

/// `POST order_information.json`, form-encoded `catalog_item_id[]=…`: a list of
/// `{"order_information": {"catalog_item_ref": {"id"}, "option_definition_refs": [{"id",
/// "name"}]}}`, one per orderable item.
pub async fn order_information(
    state: State,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Response {
    let ids = form_values(&body, "catalog_item_id");
    answer(
        as_caller(&state, &headers, move |gateway, caller| {
            let answers = information::order_information(gateway, caller, &ids)?;
            Ok(answers
                .iter()
                .map(|a| {
                    let refs: Vec<Value> = a
                        .definitions
                        .iter()
                        .map(|d| json!({ "id": d.guid, "name": d.name }))
                        .collect();
                    json!({ "order_information": {
                        "catalog_item_ref": { "id": a.catalog_item_id },
                        "option_definition_refs": refs,
                    }})
                })
                .collect::<Vec<_>>())
        })
        .await
        .map(|list| (StatusCode::OK, Value::Array(list))),
    )
}

/// `GET option_definitions/<id>.json`: `{"option_definition": {"id", "name", "form", …}}`.
/// Any definition assigned to a collection; others as GetCatalogItemOptionDefinitions shows them.
pub async fn option_definition(
    state: State,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let id = path_id(&id).to_owned();
    answer(
        as_caller(&state, &headers, move |gateway, caller| {
            let definition = information::definition(gateway, caller, &id)?;
            Ok(json!({ "option_definition": {
                "id": definition.guid,
                "name": definition.name,
                "description": definition.description,
                "scope": definition.scope,
                "deprecated": definition.deprecated,
                "provider_guid": definition.provider,
                "form": definition.form,
                "updated_at": definition.last_update.to_echo_string(),
            }}))
        })
        .await
        .map(|document| (StatusCode::OK, document)),
    )
}
