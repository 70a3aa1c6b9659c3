//! Regular audits: every applied change keeps the audit's headline figures in its log
//! entry, `candor history` lists them with the audit of now, and the Ethics audit view
//! charts them.

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn candor() -> Command {
    let mut cmd = Command::cargo_bin("candor").expect("binary built");
    cmd.env("CANDOR_OWNER_PASSPHRASE", "correct horse battery");
    cmd
}

fn apply(db: &str, dir: &std::path::Path, change: &str, reason: &str) {
    let file = dir.join("changes.json");
    std::fs::write(&file, format!(r#"{{"changes": [{change}]}}"#)).expect("written");
    candor()
        .args([
            "apply",
            "--db",
            db,
            "--changes",
            file.to_str().expect("utf-8"),
            "--actor",
            "Sam",
            "--reason",
            reason,
        ])
        .assert()
        .success();
}

fn premium(point: &Value) -> Option<f64> {
    point["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["key"] == "parity:age_band:premium")
        .and_then(|f| f["value"].as_f64())
}

#[test]
fn each_applied_change_keeps_the_audit_figures_and_history_lists_them() {
    let (dir, path) = common::owned_sample_file();
    let db = path.to_str().expect("utf-8");
    apply(
        db,
        dir.path(),
        r#"{"kind": "rule_weight", "rule": "buy-again", "weight": 1.5}"#,
        "more repeat buys",
    );
    apply(
        db,
        dir.path(),
        r#"{"kind": "rule_enabled", "rule": "premium-for-40-plus", "enabled": false}"#,
        "audit: age steering",
    );

    let out = candor()
        .args(["history", "--db", db, "--json"])
        .assert()
        .success();
    let points: Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    let points = points.as_array().expect("a list");
    assert_eq!(points.len(), 3, "two applied changes and now");
    let entry = |p: &Value| p["entry"].as_i64().expect("an entry");
    assert!(entry(&points[0]) < entry(&points[1]));
    assert_eq!(points[1]["reason"], "audit: age steering");
    assert!(points[2]["entry"].is_null(), "the last point is now");

    let audit = |args: &[&str]| -> Value {
        let out = candor().args(args).assert().success();
        serde_json::from_slice(&out.get_output().stdout).expect("JSON")
    };
    let now = audit(&["audit", "--db", db, "--json"]);
    let premium_now = now["fairness"]
        .as_array()
        .expect("fairness")
        .iter()
        .find(|g| g["grouping"] == "age_band")
        .and_then(|g| {
            g["metrics"]
                .as_array()?
                .iter()
                .find(|m| m["metric"] == "premium")
        })
        .and_then(|m| m["parity_ratio"].as_f64());
    assert_eq!(premium(&points[2]), premium_now, "now is the audit of now");
    assert_eq!(
        premium(&points[1]),
        premium_now,
        "nothing changed since entry 2"
    );
    assert!(
        premium(&points[0]).expect("measured") < premium(&points[1]).expect("measured"),
        "switching the age rule off raised premium parity by age band"
    );

    let text = candor().args(["history", "--db", db]).assert().success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    let second = format!("entry {}", entry(&points[1]));
    assert!(
        text.contains(&second) && text.contains("audit: age steering"),
        "{text}"
    );
    assert!(
        text.lines().last().is_some_and(|l| l.starts_with("now:")),
        "{text}"
    );
}

#[test]
fn the_ethics_audit_charts_the_figures_over_time() {
    use egui_kittest::kittest::Queryable;
    let (dir, path) = common::owned_sample_file();
    let db = path.to_str().expect("utf-8");
    apply(
        db,
        dir.path(),
        r#"{"kind": "rule_enabled", "rule": "premium-for-40-plus", "enabled": false}"#,
        "audit: age steering",
    );
    let mut harness = common::window::window_on(&path);
    harness.get_by_label("Ethics audit").click();
    harness.run_steps(3);
    harness.get_by_label("Over time");
    harness.get_by_label_contains("Figure over time");
    harness.get_by_label("audit: age steering");
    assert!(
        harness
            .query_by_label_contains("No change has been applied")
            .is_none(),
        "the applied change is on the chart"
    );
    assert_eq!(
        harness.state().ethics().history_figure(),
        "parity:age_band:premium"
    );
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Figure over time")
        .click();
    harness.run_steps(3);
    // The list of figures is long: the last one is reached by scrolling, as by hand.
    let findings = harness.get_by_role_and_label(egui::accesskit::Role::Button, "Findings");
    findings.scroll_to_me();
    harness.run_steps(3);
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Findings")
        .click();
    harness.run_steps(3);
    assert_eq!(harness.state().ethics().history_figure(), "findings");
}
