//! A response checked against an OpenAPI 3.1 document: the path (matched against the
//! templates), the method and the status must be listed, the content type must be the one
//! listed, and a JSON body must satisfy the schema (`$ref`, `type` including `null`,
//! `required`, `properties`, `additionalProperties: false`, `items`, `enum`, `oneOf`, `anyOf`,
//! `allOf`).

use serde_json::Value;

use super::Reply;

/// Whether `reply` is what the document says `METHOD path` answers.
pub fn check(api: &Value, method: &str, path: &str, reply: &Reply) -> Result<(), String> {
    let path = path.split('?').next().unwrap_or(path);
    let paths = api["paths"].as_object().ok_or("no paths")?;
    let (template, item) = paths
        .iter()
        .find(|(t, _)| matches(t, path))
        .ok_or_else(|| format!("no path of the document matches {path}"))?;
    let op = &item[method.to_ascii_lowercase()];
    if op.is_null() {
        return Err(format!("{template} has no {method}"));
    }
    let status = reply.status.to_string();
    let response = &op["responses"][&status];
    if response.is_null() {
        return Err(format!("{method} {template} does not list status {status}"));
    }
    let Some(content) = response["content"].as_object() else {
        return if reply.body.is_empty() {
            Ok(())
        } else {
            Err(format!("status {status} lists no body, got one"))
        };
    };
    let given = reply.header("content-type").unwrap_or("");
    let (_, media) = content
        .iter()
        .find(|(t, _)| given.starts_with(t.as_str()))
        .ok_or_else(|| format!("content type {given} is not among {:?}", content.keys()))?;
    if !given.contains("json") {
        // A file (an archive): the listed content type is the check.
        return Ok(());
    }
    let body: Value =
        serde_json::from_str(&reply.body).map_err(|e| format!("body is not JSON: {e}"))?;
    validate(api, &media["schema"], &body, "body")
}

/// Whether a path matches a template such as `/plans/{id}`.
fn matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

fn resolve<'a>(api: &'a Value, schema: &'a Value) -> Result<&'a Value, String> {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| format!("unsupported $ref {r}"))?;
            let target = &api["components"]["schemas"][name];
            if target.is_null() {
                return Err(format!("$ref {r} names no schema"));
            }
            resolve(api, target)
        }
        None => Ok(schema),
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.as_f64().is_some_and(|x| x.fract() == 0.0),
        "number" => v.is_number(),
        _ => false,
    }
}

/// Whether `v` satisfies `schema`; the error names the JSON path (`at`).
pub fn validate(api: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(api, schema)?;
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            validate(api, s, v, at)?;
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(any) = schema[key].as_array() {
            let errors: Vec<String> = any
                .iter()
                .filter_map(|s| validate(api, s, v, at).err())
                .collect();
            if errors.len() == any.len() {
                return Err(format!(
                    "{at}: no choice of {key} fits: {}",
                    errors.join("; ")
                ));
            }
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| type_matches(t, v)) {
        return Err(format!("{at}: expected {types:?}, got {v}"));
    }
    if let Some(values) = schema["enum"].as_array() {
        if !values.contains(v) {
            return Err(format!("{at}: {v} is not one of {values:?}"));
        }
    }
    if let Some(object) = v.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or("");
            if !object.contains_key(name) {
                return Err(format!("{at}: required field {name} is missing"));
            }
        }
        let properties = schema["properties"].as_object();
        for (name, value) in object {
            match properties.and_then(|p| p.get(name)) {
                Some(s) => validate(api, s, value, &format!("{at}.{name}"))?,
                None if schema["additionalProperties"] == Value::Bool(false) => {
                    return Err(format!("{at}: field {name} is not in the schema"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), v.as_array()) {
        for (i, value) in array.iter().enumerate() {
            validate(api, items, value, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

#[test]
fn the_checker_rejects_what_the_document_does_not_allow() {
    let api = serde_json::json!({
        "components": { "schemas": { "J": {
            "type": "object", "required": ["id"],
            "properties": { "id": { "type": "integer" }, "n": { "type": ["string", "null"] } }
        } } }
    });
    let schema = serde_json::json!({ "$ref": "#/components/schemas/J" });
    let ok = serde_json::json!({ "id": 1, "n": null });
    assert!(validate(&api, &schema, &ok, "body").is_ok());
    for bad in [
        serde_json::json!({ "n": "x" }),
        serde_json::json!({ "id": "1" }),
        serde_json::json!({ "id": 1, "n": 2 }),
        serde_json::json!([1]),
    ] {
        assert!(validate(&api, &schema, &bad, "body").is_err(), "{bad}");
    }
    assert!(matches("/plans/{id}/result", "/plans/3/result"));
    assert!(!matches("/plans/{id}", "/plans/3/result"));
}
