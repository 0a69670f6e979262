//! docs/model.md numbers the model's constraints; the builder (`allot_plan::build`) writes them
//! and the verifier (`allot_verify`) checks them with one function per item, named after it and
//! called in its order. This test keeps the three in step: a family added to, renamed in or
//! moved in one of them and not the others fails here. (In the planner's tests, so that the
//! verifier does not depend on the planner even for tests.)

/// The doc's list "Constraints": each item's number and its bold name in snake case.
fn doc_families() -> Vec<(u32, String)> {
    let doc = include_str!("../../../docs/model.md");
    let start = doc
        .find("\n## Constraints\n")
        .expect("docs/model.md has ## Constraints");
    let section = &doc[start + 1..];
    let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
    let mut items = Vec::new();
    for line in section[..end].lines() {
        let Some((number, rest)) = line.split_once(". **") else {
            continue;
        };
        let Ok(number) = number.parse::<u32>() else {
            continue;
        };
        let name = rest.split("**").next().expect("a bold name");
        items.push((number, name.to_lowercase().replace(' ', "_")));
    }
    items
}

fn owned(list: Vec<(u32, &'static str)>) -> Vec<(u32, String)> {
    list.into_iter().map(|(n, s)| (n, s.to_string())).collect()
}

#[test]
fn the_doc_numbers_its_constraints_one_to_n() {
    let doc = doc_families();
    assert!(doc.len() >= 10, "{doc:?}");
    let numbers: Vec<u32> = doc.iter().map(|(n, _)| *n).collect();
    let expected: Vec<u32> = (1..=doc.len() as u32).collect();
    assert_eq!(numbers, expected, "docs/model.md's constraints: {doc:?}");
}

#[test]
fn the_builder_writes_the_doc_s_constraint_families_in_its_order() {
    assert_eq!(
        owned(allot_plan::build::constraint_families()),
        doc_families(),
        "crates/plan/src/build.rs's FAMILIES against docs/model.md's list"
    );
}

#[test]
fn the_verifier_checks_the_doc_s_constraint_families_in_its_order() {
    assert_eq!(
        owned(allot_verify::constraint_families()),
        doc_families(),
        "crates/verify/src/lib.rs's FAMILIES against docs/model.md's list"
    );
}

/// Each family's function starts with a doc comment citing its number and name.
#[test]
fn each_family_s_function_cites_its_number() {
    let sources = [
        ("crates/plan/src/build.rs", include_str!("../src/build.rs")),
        (
            "crates/verify/src/lib.rs",
            include_str!("../../verify/src/lib.rs"),
        ),
    ];
    let mut missing = Vec::new();
    for (path, source) in sources {
        for (number, name) in doc_families() {
            let cite = format!("/// Constraint {number}, {}", name.replace('_', " "));
            let function = format!("\nfn {name}(");
            let cited = source.find(&cite).is_some_and(|at| {
                source[at..].find(&function).is_some_and(|f| {
                    // The comment is the function's: nothing but comment lines between them.
                    source[at..at + f]
                        .lines()
                        .skip(1)
                        .all(|l| l.trim_start().starts_with("///"))
                })
            });
            if !cited {
                missing.push(format!("{path}: `{cite} ...` before `fn {name}(`"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
