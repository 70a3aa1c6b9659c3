//! The command line as a script uses it: JSON contracts, and clear refusals.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

fn candor() -> Command {
    Command::cargo_bin("candor").expect("binary built")
}

/// What a successful command printed, as text.
fn text(args: &[&str]) -> String {
    let out = candor()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8")
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&text(args)).expect("valid JSON")
}

#[test]
fn explain_lists_the_first_records_of_every_kind_before_saying_how_many_more() {
    let (_dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8 path");
    let (mut more, mut whole_orders) = (0, 0);
    for customer in ["1", "4", "12"] {
        let out = text(&["explain", "--db", db, "--customer", customer]);
        let lines: Vec<&str> = out.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.trim_start().starts_with("… and") {
                continue;
            }
            more += 1;
            let above = &lines[i.saturating_sub(3)..i];
            assert!(
                above.iter().all(|l| l.starts_with("           ")
                    && (l.contains("order ") || l.contains("their "))),
                "three records shown before \"{line}\": {above:?}"
            );
            // A whole order (a visit) has no product after its date.
            whole_orders += above.iter().filter(|l| !l.contains(": ")).count();
        }
    }
    assert!(more > 0, "the sample has contributions with many records");
    assert!(
        whole_orders > 0,
        "records that are whole orders are listed too"
    );
}

#[test]
fn explain_json_keeps_its_contract() {
    let (_dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8 path");
    let v = json(&["explain", "--db", db, "--customer", "1", "--json"]);
    assert_eq!(v["customer"], 1);
    assert_eq!(v["personalized"], true);
    let recs = v["recommendations"].as_array().expect("list");
    assert_eq!(recs.len(), 5);
    for r in recs {
        for key in [
            "rank",
            "product",
            "name",
            "score",
            "contributions",
            "counterfactual",
        ] {
            assert!(r.get(key).is_some(), "missing {key}");
        }
        let sum: f64 = r["contributions"]
            .as_array()
            .expect("contributions")
            .iter()
            .map(|c| {
                for key in [
                    "source", "id", "label", "value", "purpose", "fields", "records",
                ] {
                    assert!(c.get(key).is_some(), "contribution missing {key}");
                }
                c["value"].as_f64().expect("number")
            })
            .sum();
        assert!((sum - r["score"].as_f64().expect("score")).abs() < 1e-9);
    }
    let skipped = v["skipped"].as_array().expect("skipped");
    assert!(
        skipped
            .iter()
            .all(|s| s.get("id").is_some() && s.get("reason").is_some())
    );
    let top3 = json(&[
        "explain",
        "--db",
        db,
        "--customer",
        "1",
        "--top",
        "3",
        "--json",
    ]);
    assert_eq!(top3["recommendations"].as_array().expect("list").len(), 3);
}

#[test]
fn held_json_lists_used_by_and_flags_unused_fields() {
    let (_dir, path) = common::sample_file();
    let v = json(&[
        "held",
        "--db",
        path.to_str().expect("path"),
        "--customer",
        "4",
        "--json",
    ]);
    let fields = v["fields"].as_array().expect("fields");
    let phone = fields
        .iter()
        .find(|f| f["field"] == "phone")
        .expect("phone held");
    assert_eq!(phone["not_used"], true);
    assert_eq!(phone["used_by"].as_array().expect("list").len(), 0);
    let orders = fields
        .iter()
        .find(|f| f["field"] == "orders")
        .expect("orders held");
    assert!(
        orders["used_by"]
            .as_array()
            .expect("list")
            .iter()
            .any(|u| u["id"] == "more-of-what-you-like")
    );
}

#[test]
fn customers_and_rules_list_the_shop() {
    let (_dir, path) = common::sample_file();
    let db = path.to_str().expect("path");
    let customers = json(&["customers", "--db", db, "--json"]);
    assert_eq!(customers.as_array().expect("list").len(), 200);
    assert!(
        customers[0]["email_masked"]
            .as_str()
            .expect("email")
            .contains("•••@")
    );
    let rules = json(&["rules", "--db", db, "--json"]);
    for r in rules.as_array().expect("list") {
        for key in ["id", "label", "enabled", "weight", "purpose", "fields"] {
            assert!(r.get(key).is_some(), "rule missing {key}");
        }
    }
}

#[test]
fn demo_is_deterministic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.candor");
    let b = dir.path().join("b.candor");
    for out in [&a, &b] {
        candor()
            .args([
                "demo",
                "--out",
                out.to_str().expect("path"),
                "--customers",
                "50",
                "--products",
                "60",
                "--orders",
                "400",
                "--seed",
                "9",
                "--today",
                "2026-06-15",
            ])
            .assert()
            .success();
    }
    let ea = json(&[
        "explain",
        "--db",
        a.to_str().expect("path"),
        "--customer",
        "7",
        "--json",
    ]);
    let eb = json(&[
        "explain",
        "--db",
        b.to_str().expect("path"),
        "--customer",
        "7",
        "--json",
    ]);
    assert_eq!(ea, eb);
}

#[test]
fn sample_writes_a_fresh_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("training.candor");
    candor()
        .args(["sample", "--out", out.to_str().expect("path")])
        .assert()
        .success();
    let v = json(&[
        "explain",
        "--db",
        out.to_str().expect("path"),
        "--customer",
        "2",
        "--json",
    ]);
    assert_eq!(v["personalized"], false);
}

#[test]
fn bad_input_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = dir.path().join("list.txt");
    std::fs::write(&text, "bread, milk, eggs\n".repeat(100)).expect("write");
    candor()
        .args([
            "explain",
            "--db",
            text.to_str().expect("path"),
            "--customer",
            "1",
        ])
        .assert()
        .failure()
        .stderr(contains("list.txt").and(contains("not a Candor shop file")));
    let (_d, path) = common::sample_file();
    candor()
        .args([
            "explain",
            "--db",
            path.to_str().expect("path"),
            "--customer",
            "424242",
        ])
        .assert()
        .failure()
        .stderr(contains("no customer number 424242"));
    candor()
        .args(["customers", "--db", "/nowhere/shop.candor"])
        .assert()
        .failure()
        .stderr(contains("/nowhere/shop.candor"));
}

#[test]
fn a_reader_that_stops_early_is_not_a_crash() {
    let (_dir, path) = common::sample_file();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("candor"))
        .args(["customers", "--db", path.to_str().expect("path")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawned");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("finished");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn audit_json_html_and_simulate_carry_the_audit() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8 path");
    let html = dir.path().join("audit.html");
    let v = json(&[
        "audit",
        "--db",
        db,
        "--json",
        "--html",
        html.to_str().expect("utf-8 path"),
    ]);
    for key in [
        "fairness",
        "product_exposure",
        "diversity",
        "minimization",
        "lint",
        "findings",
    ] {
        assert!(!v[key].is_null(), "audit JSON has {key}");
    }
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(ids.contains(&"fairness:age_band:premium"), "{ids:?}");
    assert!(ids.contains(&"minimization:unused:gender"), "{ids:?}");
    let page = std::fs::read_to_string(&html).expect("report written");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        page.contains("Hazel &amp; Rye Bakery"),
        "the shop name is escaped"
    );
    assert!(page.contains("<svg"), "the report carries its charts");
    assert!(
        !page.contains("<script"),
        "no scripts: one self-contained page"
    );

    let changes = dir.path().join("off.json");
    std::fs::write(
        &changes,
        r#"{"changes":[{"kind":"rule_enabled","rule":"premium-for-40-plus","enabled":false}]}"#,
    )
    .expect("changes written");
    let v = json(&[
        "simulate",
        "--db",
        db,
        "--changes",
        changes.to_str().expect("utf-8 path"),
        "--json",
    ]);
    let premium = v["audit"]["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["key"] == "parity:age_band:premium")
        .expect("premium parity figure")
        .clone();
    assert_eq!(premium["status_before"], "flagged");
    assert_ne!(premium["status_after"], "flagged");
    assert!(v["audit"]["before"]["findings"].is_array());
    assert!(v["audit"]["after"]["findings"].is_array());
}

#[test]
fn a_bad_audit_configuration_is_refused_by_name() {
    let (dir, path) = common::sample_file();
    let config = dir.path().join("config.json");
    std::fs::write(&config, r#"{"groupings":["star_sign"]}"#).expect("written");
    candor()
        .args([
            "audit",
            "--db",
            path.to_str().expect("utf-8 path"),
            "--config",
            config.to_str().expect("utf-8 path"),
        ])
        .assert()
        .failure()
        .stderr(contains("config.json is not a valid audit configuration"));
    for (text, named) in [
        (
            r#"{"intersections":[["gender","gender"]]}"#,
            "intersections",
        ),
        (r#"{"alpha":5}"#, "alpha"),
        (r#"{"age_bands":[50,30]}"#, "age_bands"),
        (r#"{"groupings":["age_band","age_band"]}"#, "groupings"),
        (
            r#"{"intersections":[["age_band","gender"],["gender","age_band"]]}"#,
            "intersections",
        ),
    ] {
        std::fs::write(&config, text).expect("written");
        candor()
            .args([
                "audit",
                "--db",
                path.to_str().expect("utf-8 path"),
                "--config",
                config.to_str().expect("utf-8 path"),
            ])
            .assert()
            .failure()
            .stderr(contains(named));
    }
}

#[test]
fn the_customers_card_names_no_rule_and_shows_no_score() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8 path");
    let card = dir.path().join("card.html");
    let v = json(&[
        "explain",
        "--db",
        db,
        "--customer",
        "1",
        "--json",
        "--card",
        card.to_str().expect("utf-8 path"),
    ]);
    let page = std::fs::read_to_string(&card).expect("card written");
    assert!(page.contains("Why we suggested this"));
    assert!(page.contains("Amelia Hart"));
    let rules = json(&["rules", "--db", db, "--json"]);
    for r in rules.as_array().expect("rules") {
        let id = r["id"].as_str().expect("id");
        let label = r["label"].as_str().expect("label");
        assert!(!page.contains(id), "the card names rule {id}");
        assert!(!page.contains(label), "the card names rule {label}");
    }
    assert!(!page.to_lowercase().contains("score"));
    let recs = v["recommendations"].as_array().expect("recommendations");
    let prices: Vec<String> = recs
        .iter()
        .map(|r| format!("{:.2}", r["price_cents"].as_f64().expect("price") / 100.0))
        .collect();
    for r in recs {
        assert!(page.contains(r["name"].as_str().expect("name")));
        let score = format!("{:.2}", r["score"].as_f64().expect("score"));
        if !prices.contains(&score) {
            assert!(!page.contains(&score), "the card shows the score {score}");
        }
    }
    assert!(
        page.contains("Personalized recommendations"),
        "the consent that allowed it"
    );
    assert!(page.contains("From your purchases"), "her own records");
}

#[test]
fn an_audit_as_of_a_day_is_the_same_on_any_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("demo.candor");
    let db = db.to_str().expect("utf-8");
    Command::cargo_bin("candor")
        .expect("binary")
        .args([
            "demo",
            "--out",
            db,
            "--customers",
            "300",
            "--products",
            "40",
        ])
        .args(["--orders", "1500", "--seed", "3", "--today", "2026-06-15"])
        .assert()
        .success();
    let audit = |extra: &[&str]| {
        let out = Command::cargo_bin("candor")
            .expect("binary")
            .args(["audit", "--db", db, "--json"])
            .args(extra)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        json
    };
    let pinned = audit(&[]);
    assert_eq!(
        pinned,
        audit(&["--today", "2026-06-15"]),
        "the demo is pinned to its day"
    );
    assert_ne!(
        pinned["fairness"],
        audit(&["--today", "2027-06-15"])["fairness"],
        "a year later, ages and recency differ"
    );
    let metric = &pinned["fairness"][0]["metrics"][0];
    assert!(
        metric.get("p_value").is_some()
            && metric.get("p_adjusted").is_some()
            && metric.get("test").is_some(),
        "{metric}"
    );
}

#[test]
fn log_prints_each_entry_as_a_sentence_with_names() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8 path");
    let changes = dir.path().join("consent.json");
    std::fs::write(
        &changes,
        r#"{"changes":[{"kind":"consent","customer":1,"purpose":"personalization","granted":false,"method":"by phone"}]}"#,
    )
    .expect("writes");
    candor()
        .args([
            "apply",
            "--db",
            db,
            "--actor",
            "Sam",
            "--reason",
            "she rang us",
            "--changes",
        ])
        .arg(&changes)
        .assert()
        .success();
    let text = text(&["log", "--db", db]);
    assert!(
        text.contains(
            "Sam recorded that Amelia Hart withdrew \u{201c}Personalized recommendations\u{201d} (by phone) \u{2014} \u{201c}she rang us\u{201d}"
        ),
        "{text}"
    );
    assert!(text.contains("consent: "), "the values stay below: {text}");
}

#[test]
fn version_names_the_shop_file_schema_it_writes() {
    candor()
        .arg("--version")
        .assert()
        .success()
        .stdout(contains("candor 0.").and(contains("schema version")));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let text = text(&["completions", shell]);
        assert!(text.contains("candor"), "{shell}: {text}");
        assert!(text.contains("explain"), "{shell} completes the commands");
    }
}

#[test]
fn manpages_are_written_for_the_program_and_each_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    candor()
        .args(["manpages", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    for page in [
        "candor.1",
        "candor-import.1",
        "candor-explain.1",
        "candor-open.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page)).expect(page);
        assert!(
            text.starts_with(".ie") || text.contains(".TH"),
            "{page} is a man page"
        );
    }
    let main = std::fs::read_to_string(dir.path().join("candor.1")).expect("candor.1");
    assert!(
        main.contains("schema version"),
        "the page carries the version line"
    );
}

#[test]
fn open_with_imports_but_no_shop_file_is_refused() {
    candor()
        .args(["open", "--import", "orders.csv"])
        .assert()
        .failure()
        .stderr(contains("FILE").or(contains("<FILE>")));
}

#[test]
fn simulate_says_each_change_in_words_with_weights_people_read() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8 path");
    let changes = dir.path().join("weights.json");
    std::fs::write(
        &changes,
        r#"{"changes":[
            {"kind":"rule_weight","rule":"buy-again","weight":0.8000000000000007},
            {"kind":"setting","setting":"popularity_weight","value":0.30000000000000004}
        ]}"#,
    )
    .expect("changes written");
    let changes = changes.to_str().expect("utf-8 path");
    let v = json(&["simulate", "--db", db, "--changes", changes, "--json"]);
    let sentences: Vec<&str> = v["sentences"]
        .as_array()
        .expect("sentences")
        .iter()
        .map(|s| s.as_str().expect("text"))
        .collect();
    assert_eq!(
        sentences,
        [
            "Set the weight of \"Buy it again\" to 0.8",
            "Set the weight of popularity to 0.3",
        ]
    );
    let out = text(&["simulate", "--db", db, "--changes", changes]);
    assert!(
        out.contains("  Set the weight of \"Buy it again\" to 0.8\n"),
        "{out}"
    );
}

/// Numbers of four or more digits written without thousands separators, ignoring years
/// (19xx, 20xx) and digits inside dates, times, amounts and identifiers.
fn unseparated_numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let joined =
            |c: Option<&char>| c.is_some_and(|c| ".,:/-_#".contains(*c) || c.is_alphanumeric());
        let digits: String = chars[start..i].iter().collect();
        let year = digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
        let inside = (start > 0 && joined(chars.get(start - 1))) || joined(chars.get(i));
        if digits.len() >= 4 && !year && !inside {
            found.push(digits);
        }
    }
    found
}

#[test]
fn counts_are_written_with_thousands_separators_everywhere() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("big.candor");
    let db = db.to_str().expect("utf-8 path");
    let made = text(&[
        "demo",
        "--out",
        db,
        "--customers",
        "5000",
        "--products",
        "300",
        "--orders",
        "15000",
        "--today",
        "2026-06-15",
    ]);
    assert!(made.contains("5,000 customers"), "{made}");
    let changes = dir.path().join("off.json");
    std::fs::write(
        &changes,
        r#"{"changes":[{"kind":"rule_enabled","rule":"premium-for-40-plus","enabled":false}]}"#,
    )
    .expect("changes written");
    let changes = changes.to_str().expect("utf-8 path");
    let html = dir.path().join("audit.html");
    let mut outputs = vec![
        text(&["audit", "--db", db, "--html", html.to_str().expect("utf-8")]),
        text(&["scorecard", "--db", db]),
        text(&["rules", "--db", db]),
        text(&["purposes", "--db", db]),
        text(&["simulate", "--db", db, "--changes", changes]),
        std::fs::read_to_string(&html).expect("the audit page"),
    ];
    outputs.push(text(&["explain", "--db", db, "--customer", "7"]));
    let audit = &outputs[0];
    assert!(
        audit.contains("recommendations for 5,000 customers."),
        "{audit}"
    );
    for out in &outputs {
        let bare = unseparated_numbers(out);
        assert!(bare.is_empty(), "{bare:?} in:\n{out}");
    }
}

#[test]
fn simulate_says_when_a_count_of_problems_gets_worse() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8 path");
    let changes = dir.path().join("withdraw.json");
    std::fs::write(
        &changes,
        r#"{"changes":[
            {"kind":"consent","customer":1,"purpose":"personalization","granted":false},
            {"kind":"consent","customer":1,"purpose":"birthday_offers","granted":false}
        ]}"#,
    )
    .expect("changes written");
    let out = text(&[
        "simulate",
        "--db",
        db,
        "--changes",
        changes.to_str().expect("utf-8"),
    ]);
    assert!(
        out.contains("Customer fields held without a matching consent: 41 → 42  (worse)"),
        "{out}"
    );
}

#[test]
fn undo_shows_its_simulated_effect_first_and_dry_run_changes_nothing() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8 path");
    let changes = dir.path().join("withdraw.json");
    std::fs::write(
        &changes,
        r#"{"changes":[{"kind":"consent","customer":1,"purpose":"personalization","granted":false}]}"#,
    )
    .expect("changes written");
    let who = ["--actor", "Sam", "--reason", "she rang us"];
    let mut apply = vec!["apply", "--db", db, "--changes"];
    apply.push(changes.to_str().expect("utf-8"));
    apply.extend(who);
    text(&apply);
    let before = std::fs::read(&path).expect("shop file");
    let mut undo = vec!["undo", "--db", db, "--entry", "1"];
    undo.extend(who);
    let mut dry = undo.clone();
    dry.push("--dry-run");
    let shown = text(&dry);
    assert!(
        shown.contains("Undoing entry 1 reverses its changes:")
            && shown.contains("Amelia Hart grants \u{201c}Personalized recommendations\u{201d}")
            && shown.contains("Recommendations change for 1 of 200 customers.")
            && shown.contains("Nothing was changed (--dry-run)."),
        "{shown}"
    );
    assert_eq!(std::fs::read(&path).expect("shop file"), before, "dry run");
    let done = text(&undo);
    assert!(
        done.contains("Undoing entry 1 reverses its changes:")
            && done.contains("Undid entry 1; the undo is recorded as audit-log entry 2."),
        "{done}"
    );
}

#[test]
fn undo_is_refused_when_the_customer_decided_again_after_it() {
    use candor::engine::changes::Change;
    use candor::store::{Attribution, Store};
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    // Staff record a withdrawal; a week later the customer withdraws again themselves.
    for day in ["2026-06-01", "2026-06-08"] {
        let withdraw = Change::Consent {
            customer: 1,
            purpose: "personalization".to_owned(),
            granted: false,
            method: None,
            words: None,
        };
        let who = Attribution {
            at: format!("{day}T10:00:00Z"),
            ..Attribution::now("Sam", "she rang us")
        };
        store
            .apply(None, &[withdraw], &who, None, None)
            .expect("applies");
    }
    drop(store);
    let before = std::fs::read(&path).expect("shop file");
    let db = path.to_str().expect("utf-8 path");
    let undo = [
        "undo", "--db", db, "--entry", "1", "--actor", "Sam", "--reason", "mistake",
    ];
    for args in [&undo[..], &[&undo[..], &["--dry-run"]].concat()] {
        candor().args(args).assert().failure().stderr(contains(
            "entry 1 cannot be undone: Amelia Hart's decision about \"Personalized recommendations\" was changed again by entry 2, which stands",
        ));
    }
    assert_eq!(
        std::fs::read(&path).expect("shop file"),
        before,
        "nothing written"
    );
}

#[test]
fn a_customer_field_with_an_escape_sequence_is_refused() {
    let (dir, path) = common::sample_file();
    let changes = dir.path().join("field.json");
    let before = std::fs::read(&path).expect("reads");
    // What `apply` says to `change` applied by `actor` for `reason`; it must be refused.
    let refused = |change: &str, actor: &str, reason: &str| {
        std::fs::write(&changes, format!(r#"{{"changes":[{change}]}}"#)).expect("written");
        let out = candor()
            .args(["apply", "--db"])
            .arg(&path)
            .arg("--changes")
            .arg(&changes)
            .args(["--actor", actor, "--reason", reason])
            .assert()
            .failure()
            .get_output()
            .stderr
            .clone();
        String::from_utf8_lossy(&out).into_owned()
    };
    let said = refused(
        r#"{"kind":"customer_field","customer":4,"field":"name","value":"Eve\u001b[31mRED"}"#,
        "Sam",
        "asked us to",
    );
    assert!(
        said.contains("invisible control character") && said.contains("(U+001B)"),
        "{said}"
    );
    let said = refused(
        r#"{"kind":"customer_field","customer":4,"field":"name","value":"Amelia\nHart"}"#,
        "Sam",
        "asked us to",
    );
    assert!(said.contains("(U+000A)"), "{said}");
    // Nor any other text a change carries: a consent's method, a preference.
    for change in [
        r#"{"kind":"consent","customer":1,"purpose":"personalization","granted":true,"method":"by\u001b[2Jphone"}"#,
        r#"{"kind":"preference","customer":1,"preference":{"kind":"liked","category":"te\u001ba"}}"#,
    ] {
        let said = refused(change, "Sam", "asked us to");
        assert!(said.contains("(U+001B)"), "{said}");
    }
    // Nor may the name or the reason logged hide or overwrite lines of the log.
    let phone = r#"{"kind":"customer_field","customer":4,"field":"phone","value":null}"#;
    for (actor, reason) in [
        ("Sam\u{1b}[1A\u{1b}[2K", "asked us to"),
        ("Sam", "hidden\rinnocent"),
    ] {
        let said = refused(phone, actor, reason);
        assert!(said.contains("invisible control character"), "{said}");
    }
    assert_eq!(std::fs::read(&path).expect("reads"), before);
}

#[test]
fn the_log_is_filtered_by_customer_and_kind_and_exported_as_csv_and_a_page() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8 path");
    let write = |name: &str, json: &str| {
        let file = dir.path().join(name);
        std::fs::write(&file, json).expect("written");
        file.to_str().expect("utf-8").to_owned()
    };
    let consent = write(
        "consent.json",
        r#"{"changes":[{"kind":"consent","customer":1,"purpose":"personalization","granted":false}]}"#,
    );
    let field = write(
        "field.json",
        r#"{"changes":[{"kind":"customer_field","customer":4,"field":"phone","value":null}]}"#,
    );
    for (changes, reason) in [(&consent, "=HYPERLINK(\"x\")"), (&field, "asked us to")] {
        text(&[
            "apply",
            "--db",
            db,
            "--changes",
            changes,
            "--actor",
            "Sam",
            "--reason",
            reason,
        ]);
    }
    let amelia = text(&["log", "--db", db, "--customer", "1"]);
    assert!(
        amelia.contains("Entry 1,") && !amelia.contains("Entry 2,"),
        "{amelia}"
    );
    let data = text(&["log", "--db", db, "--kind", "customer"]);
    assert!(
        data.contains("Entry 2,") && !data.contains("Entry 1,"),
        "{data}"
    );
    candor()
        .args(["log", "--db", db, "--kind", "gossip"])
        .assert()
        .failure()
        .stderr(contains("the kinds are consent, customer, rule"));

    let csv = dir.path().join("log.csv");
    let html = dir.path().join("log.html");
    text(&[
        "log",
        "--db",
        db,
        "--csv",
        csv.to_str().expect("utf-8"),
        "--html",
        html.to_str().expect("utf-8"),
    ]);
    let mut rows = csv::Reader::from_path(&csv).expect("csv");
    let headers = rows.headers().expect("header").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "entry",
            "at",
            "actor",
            "reason",
            "what",
            "undoes",
            "undone_by",
            "values"
        ]
    );
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(&records[0][3], "'=HYPERLINK(\"x\")", "a formula stays text");
    assert!(
        records[0][4].contains("Amelia Hart withdrew"),
        "{:?}",
        records[0]
    );
    let page = std::fs::read_to_string(&html).expect("page");
    assert!(
        page.contains("Audit log — Hazel &amp; Rye Bakery"),
        "{page}"
    );
    assert!(page.contains("2 entries: every entry"));
    assert!(page.contains("Amelia Hart withdrew"));
}
