//! Encryption at rest: a shop protected with a password shows no customer's data to a byte
//! scan (file and journal), opens only with the password (the command line reads it from
//! CANDOR_SHOP_PASSWORD), keeps working and logging as before, and its backups and the
//! copies Candor keeps beside it are protected the same way.

mod common;

use std::path::Path;
use std::process::Command;

const OWNER: &str = common::OWNER_PASSPHRASE;
const PASSWORD: &str = "tea cakes and a bicycle";
const NEW_PASSWORD: &str = "scones on a rainy tuesday";

fn candor(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_candor"));
    cmd.args(args)
        .env(
            "CANDOR_DATA_DIR",
            std::env::temp_dir().join("candor-protection-tests"),
        )
        .env_remove("CANDOR_SHOP_PASSWORD")
        .env_remove("CANDOR_SHOP_NEW_PASSWORD")
        .env_remove("CANDOR_OWNER_PASSPHRASE");
    cmd
}

/// Runs `candor args` with the shop password `password` (if any) and the owner's
/// passphrase; returns whether it succeeded, and its output and errors.
fn run(args: &[&str], password: Option<&str>) -> (bool, String) {
    let mut cmd = candor(args);
    cmd.env("CANDOR_OWNER_PASSPHRASE", OWNER);
    if let Some(p) = password {
        cmd.env("CANDOR_SHOP_PASSWORD", p);
    }
    let out = cmd.output().expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Every customer value of the sample shop long enough to find by chance never.
fn customer_values(path: &Path) -> Vec<String> {
    let (store, _) = candor::store::Store::open(path).expect("opens");
    let shop = store.load().expect("loads");
    let mut values = Vec::new();
    for c in shop.customers.iter() {
        for value in [&c.name, &c.email, &c.phone, &c.address]
            .into_iter()
            .flatten()
        {
            if value.len() >= 6 {
                values.push(value.clone());
            }
        }
    }
    assert!(values.len() > 20, "the sample has customers to look for");
    values
}

fn protected_sample() -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let (dir, path) = common::owned_sample_file();
    let values = customer_values(&path);
    let db = path.to_str().expect("utf-8");
    let (ok, text) = run(&["protect", "--db", db], Some(PASSWORD));
    assert!(ok, "{text}");
    assert!(
        text.contains("is now protected with the password"),
        "{text}"
    );
    assert!(
        text.contains("no way to recover a forgotten shop password"),
        "{text}"
    );
    (dir, path, values)
}

fn assert_unreadable(path: &Path, values: &[String]) {
    let bytes = common::file_bytes(path);
    assert!(
        !bytes.starts_with(b"SQLite format 3\0"),
        "{} is plain",
        path.display()
    );
    for value in values {
        assert!(
            !common::contains_bytes(&bytes, value),
            "{value} is readable in {}",
            path.display()
        );
    }
    for word in ["customers", "audit_log", "CREATE TABLE"] {
        assert!(!common::contains_bytes(&bytes, word), "{word} is readable");
    }
}

#[test]
fn a_protected_shop_shows_no_customer_value_and_opens_only_with_its_password() {
    let (_dir, path, values) = protected_sample();
    let db = path.to_str().expect("utf-8");
    assert_unreadable(&path, &values);

    let (ok, text) = run(&["customers", "--db", db], None);
    assert!(!ok);
    assert!(text.contains("is protected with a password"), "{text}");
    assert!(text.contains("CANDOR_SHOP_PASSWORD"), "{text}");
    let (ok, text) = run(&["customers", "--db", db], Some("not the password at all"));
    assert!(!ok);
    assert!(text.contains("the password given does not open"), "{text}");
    assert!(
        !text.contains("hmac"),
        "SQLCipher's own log stays quiet: {text}"
    );

    let (ok, text) = run(&["customers", "--db", db], Some(PASSWORD));
    assert!(ok, "{text}");
    assert!(text.contains("Amelia Hart"), "{text}");
    let (ok, text) = run(&["log", "--db", db], Some(PASSWORD));
    assert!(
        ok && text.contains("protected the shop file with a password"),
        "{text}"
    );
    let (ok, text) = run(&["log", "--db", db, "--verify"], Some(PASSWORD));
    assert!(ok && text.contains("intact: 2 entries"), "{text}");
}

#[test]
fn a_change_written_to_a_protected_shop_stays_unreadable_journal_included() {
    let (dir, path, values) = protected_sample();
    let db = path.to_str().expect("utf-8");
    let changes = dir.path().join("change.json");
    std::fs::write(
        &changes,
        r#"{"changes":[{"kind":"customer_field","customer":1,"field":"phone","value":"07700 900123"}]}"#,
    )
    .expect("written");
    let changes = changes.to_str().expect("utf-8");
    let args = [
        "apply",
        "--db",
        db,
        "--changes",
        changes,
        "--actor",
        "Sam",
        "--reason",
        "she moved",
    ];
    let (ok, text) = run(&args, Some(PASSWORD));
    assert!(ok, "{text}");
    let mut values = values;
    values.push("07700 900123".to_owned());
    assert_unreadable(&path, &values);
    let (ok, text) = run(&["held", "--db", db, "--customer", "1"], Some(PASSWORD));
    assert!(ok && text.contains("07700 900123"), "{text}");
}

#[test]
fn only_the_owner_protects_and_the_password_must_be_strong_and_not_the_owners() {
    let (_dir, path) = common::owned_sample_file();
    let db = path.to_str().expect("utf-8");
    let mut staff = candor(&["protect", "--db", db]);
    staff.env("CANDOR_SHOP_PASSWORD", PASSWORD);
    let out = staff.output().expect("runs");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs the owner's passphrase"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, text) = run(&["protect", "--db", db], Some("short"));
    assert!(!ok && text.contains("at least 12 characters"), "{text}");
    let (ok, text) = run(&["protect", "--db", db], Some(OWNER));
    assert!(
        !ok && text.contains("must differ from the owner's passphrase"),
        "{text}"
    );
    assert!(
        !candor::store::is_protected(&path).expect("reads"),
        "nothing changed"
    );
    let (ok, text) = run(&["customers", "--db", db], None);
    assert!(ok && text.contains("Amelia Hart"), "{text}");
}

#[test]
fn the_password_can_be_changed_and_the_protection_taken_off_each_logged() {
    let (_dir, path, _) = protected_sample();
    let db = path.to_str().expect("utf-8");
    let mut change = candor(&["protect", "--db", db, "--change"]);
    change
        .env("CANDOR_OWNER_PASSPHRASE", OWNER)
        .env("CANDOR_SHOP_PASSWORD", PASSWORD)
        .env("CANDOR_SHOP_NEW_PASSWORD", NEW_PASSWORD);
    let out = change.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, _) = run(&["customers", "--db", db], Some(PASSWORD));
    assert!(!ok, "the old password no longer opens it");
    let (ok, text) = run(&["protect", "--db", db, "--remove"], Some(NEW_PASSWORD));
    assert!(ok && text.contains("is no longer protected"), "{text}");
    assert!(
        std::fs::read(&path)
            .expect("file")
            .starts_with(b"SQLite format 3\0")
    );
    let (ok, text) = run(&["log", "--db", db], None);
    assert!(ok, "{text}");
    assert!(text.contains("changed the shop's password"), "{text}");
    assert!(
        text.contains("took the password protection off the shop file"),
        "{text}"
    );
    let (ok, text) = run(&["log", "--db", db, "--verify"], None);
    assert!(ok && text.contains("intact: 4 entries"), "{text}");
}

#[test]
fn backups_and_the_copies_kept_beside_the_shop_are_protected_the_same_way() {
    let (dir, path) = common::owned_sample_file();
    let values = customer_values(&path);
    let kept = path.with_file_name("shop.candor.v11-backup");
    std::fs::copy(&path, &kept).expect("an upgrade backup beside the shop");
    let db = path.to_str().expect("utf-8");
    let plain_backup = dir.path().join("before.candor");
    let (ok, text) = run(
        &[
            "backup",
            "--db",
            db,
            "--out",
            plain_backup.to_str().expect("utf-8"),
        ],
        None,
    );
    assert!(ok, "{text}");
    let (ok, text) = run(&["protect", "--db", db], Some(PASSWORD));
    assert!(
        ok && text.contains("1 backup Candor keeps beside it was written"),
        "{text}"
    );
    assert_unreadable(&kept, &values);

    let backup = dir.path().join("after.candor");
    let (ok, text) = run(
        &[
            "backup",
            "--db",
            db,
            "--out",
            backup.to_str().expect("utf-8"),
        ],
        Some(PASSWORD),
    );
    assert!(ok, "{text}");
    assert_unreadable(&backup, &values);
    let (ok, _) = run(
        &["customers", "--db", backup.to_str().expect("utf-8")],
        None,
    );
    assert!(!ok, "the backup needs the password too");

    // A backup from before the shop was protected comes back protected, as the shop is.
    let from = plain_backup.to_str().expect("utf-8");
    let args = [
        "restore", "--db", db, "--from", from, "--actor", "Jo", "--reason", "a test",
    ];
    let (ok, text) = run(&args, Some(PASSWORD));
    assert!(ok, "{text}");
    assert_unreadable(&path, &values);
    let (ok, text) = run(&["log", "--db", db], Some(PASSWORD));
    assert!(
        ok && text.contains("comes back protected with the shop's password"),
        "{text}"
    );
    let (ok, text) = run(&["log", "--db", db, "--verify"], Some(PASSWORD));
    assert!(ok && text.contains("intact"), "{text}");
}

#[test]
fn the_breach_report_of_a_protected_shop_says_since_when_and_warns_of_older_copies() {
    let (dir, path, _) = protected_sample();
    let out = dir.path().join("report");
    let args = [
        "breach",
        "--db",
        path.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--what",
        "The shop laptop was stolen from the car.",
    ];
    let (ok, text) = run(&args, Some(PASSWORD));
    assert!(ok, "{text}");
    let page = std::fs::read_to_string(out.join("breach-report.html")).expect("page");
    assert!(
        page.contains("The shop file is protected by a password (encrypted since 20"),
        "{page}"
    );
    assert!(
        page.contains("A copy made before it was protected is not"),
        "{page}"
    );
    let json = std::fs::read_to_string(out.join("breach-report.json")).expect("json");
    assert!(json.contains("\"protected\": true"), "{json}");
}

#[test]
fn a_shop_is_first_protected_with_the_new_password_variable_as_the_help_says() {
    let (_dir, path) = common::owned_sample_file();
    let db = path.to_str().expect("utf-8");
    let out = candor(&["protect", "--db", db])
        .env("CANDOR_OWNER_PASSPHRASE", OWNER)
        .env("CANDOR_SHOP_NEW_PASSWORD", NEW_PASSWORD)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, text) = run(&["customers", "--db", db], Some(NEW_PASSWORD));
    assert!(ok, "opens with the password given: {text}");
}
