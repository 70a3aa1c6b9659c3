//! The shop's owner: set up deliberately with a recovery code, never by whoever comes
//! first; a passphrase under guessing (a few wrong ones, then each further try waits);
//! changed with the current one or reset with the code; removed behind Candor's back.

mod common;

use candor::store::{ApplyError, Attribution, OwnerState, Store};

fn who() -> Attribution {
    Attribution {
        actor: "Someone".into(),
        reason: "guessing".into(),
        at: "2026-06-15T10:00:00+00:00".into(),
    }
}

const RIGHT: &str = "the owner's long passphrase";

#[test]
fn after_three_wrong_passphrases_the_next_try_waits_even_the_right_one() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let check = |store: &mut Store, p: &str| store.check_owner(p, &who(), "a test");
    store.set_up_owner(RIGHT, &who()).expect("set up");
    for guess in ["aaaaaaaa", "password1", "letmein!!"] {
        assert!(matches!(
            check(&mut store, guess),
            Err(ApplyError::NotOwner)
        ));
    }
    let waited = check(&mut store, RIGHT).expect_err("must wait");
    assert!(
        matches!(waited, ApplyError::TryLater(s) if (1..=5).contains(&s)),
        "{waited:?}"
    );
    assert!(waited.to_string().contains("try again in"), "{waited}");
    let log = store.log().expect("log");
    let last = log.last().and_then(|e| e.event.clone()).expect("an event");
    assert_eq!(last.kind, "owner_refused");
    assert!(
        last.detail
            .contains("3 in a row: the next try must wait 5 seconds"),
        "{}",
        last.detail
    );
    assert_eq!(
        log.len(),
        4,
        "a try that had to wait is not checked or logged"
    );
    drop(store);

    // Five seconds later (the failure moved into the past), the right one is accepted and
    // the count starts again.
    let conn = rusqlite::Connection::open(&path).expect("opens");
    conn.execute(
        "UPDATE shop_settings SET value = '2000-01-01T00:00:00+00:00' WHERE key = 'owner_last_failed_at'",
        [],
    )
    .expect("moved");
    drop(conn);
    let (mut store, _) = Store::open(&path).expect("opens");
    check(&mut store, RIGHT).expect("accepted");
    assert!(matches!(
        check(&mut store, "wrong again"),
        Err(ApplyError::NotOwner)
    ));
    check(&mut store, RIGHT).expect("no wait after one");
}

#[test]
fn the_wait_doubles_and_stops_at_an_hour() {
    use candor::store::owner_wait_after as wait;
    assert_eq!(
        (wait(0), wait(2), wait(3), wait(4), wait(5)),
        (0, 0, 5, 10, 20)
    );
    assert_eq!(wait(40), 3600);
}

#[test]
fn a_weak_first_passphrase_is_refused_with_the_reason() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    for (weak, why) in [
        ("aaaaaaaa", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "at least 5 different characters"),
    ] {
        let refused = store.set_up_owner(weak, &who()).expect_err("too weak");
        assert!(refused.to_string().contains(why), "{weak}: {refused}");
    }
    assert!(!store.owner_passphrase_is_set().expect("reads"));
    store.set_up_owner(RIGHT, &who()).expect("set up");
    store
        .check_owner(RIGHT, &who(), "a test")
        .expect("accepted");
}

#[test]
fn the_first_passphrase_given_to_an_owner_action_does_not_make_anyone_owner() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    assert_eq!(store.owner_state().expect("reads"), OwnerState::NotSetUp);
    let refused = store
        .check_owner(RIGHT, &who(), "a test")
        .expect_err("no owner yet");
    assert!(matches!(refused, ApplyError::NoOwner), "{refused:?}");
    assert!(
        refused.to_string().contains("candor owner --db FILE set"),
        "{refused}"
    );
    assert!(!store.owner_passphrase_is_set().expect("reads"));
    assert!(store.log().expect("log").is_empty(), "nothing recorded");
    let code = store.set_up_owner(RIGHT, &who()).expect("set up");
    assert_eq!(store.owner_state().expect("reads"), OwnerState::SetUp);
    let again = store
        .set_up_owner("someone else's passphrase", &who())
        .expect_err("already set up");
    assert!(matches!(again, ApplyError::OwnerAlreadySetUp), "{again:?}");
    assert!(
        store
            .reset_owner_with_code(&code, "x", &who())
            .expect_err("weak")
            .to_string()
            .contains("12 characters")
    );
    let log = store.log().expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(
        log[0].event.as_ref().map(|e| e.kind.as_str()),
        Some("owner_set_up")
    );
}

#[test]
fn the_recovery_code_resets_a_forgotten_passphrase_once() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let code = store.set_up_owner(RIGHT, &who()).expect("set up");
    const NEW: &str = "a brand new passphrase";
    let wrong = store
        .reset_owner_with_code("00000-00000-00000-00000", NEW, &who())
        .expect_err("wrong code");
    assert!(matches!(wrong, ApplyError::WrongRecoveryCode), "{wrong:?}");
    let refusal = store
        .log()
        .expect("log")
        .last()
        .and_then(|e| e.event.clone());
    assert!(
        refusal.is_some_and(|e| e.kind == "owner_refused" && e.detail.contains("recovery code")),
        "a wrong code is logged"
    );
    // Typed in lower case without dashes, it still reads as the code.
    let typed = code.replace('-', " ").to_lowercase();
    let new_code = store
        .reset_owner_with_code(&typed, NEW, &who())
        .expect("reset");
    assert_ne!(new_code, code);
    assert!(matches!(
        store.check_owner(RIGHT, &who(), "a test"),
        Err(ApplyError::NotOwner)
    ));
    store
        .check_owner(NEW, &who(), "a test")
        .expect("the new one");
    assert!(
        matches!(
            store.reset_owner_with_code(&code, RIGHT, &who()),
            Err(ApplyError::WrongRecoveryCode)
        ),
        "the old code no longer works"
    );
    let changed = store
        .change_owner_passphrase(NEW, RIGHT, &who())
        .expect("changed with the current one");
    assert_ne!(changed, new_code);
    store
        .check_owner(RIGHT, &who(), "a test")
        .expect("changed back");
    let kinds: Vec<String> = store
        .log()
        .expect("log")
        .iter()
        .filter_map(|e| e.event.as_ref().map(|ev| ev.kind.clone()))
        .collect();
    assert!(
        kinds.contains(&"owner_reset_with_code".to_owned()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"owner_passphrase_changed".to_owned()),
        "{kinds:?}"
    );
    assert!(store.verify_log().expect("verifies").intact);
}

#[test]
fn a_passphrase_deleted_behind_candors_back_is_noticed_and_its_replacement_logged() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    store.set_up_owner(RIGHT, &who()).expect("set up");
    drop(store);
    let conn = rusqlite::Connection::open(&path).expect("opens");
    conn.execute(
        "DELETE FROM shop_settings WHERE key IN ('owner_passphrase', 'owner_recovery_code')",
        [],
    )
    .expect("deleted");
    drop(conn);
    let (mut store, _) = Store::open(&path).expect("opens");
    assert!(matches!(
        store.owner_state().expect("reads"),
        OwnerState::Removed(_)
    ));
    let refused = store
        .check_owner("the intruder's passphrase", &who(), "a test")
        .expect_err("removed");
    assert!(
        refused
            .to_string()
            .contains("removed from this shop file outside Candor"),
        "{refused}"
    );
    store
        .set_up_owner("the intruder's passphrase", &who())
        .expect("set up again");
    let last = store
        .log()
        .expect("log")
        .last()
        .and_then(|e| e.event.clone())
        .expect("event");
    assert!(
        last.detail
            .contains("had been removed from the file outside Candor"),
        "{}",
        last.detail
    );
}

fn candor(args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_candor"));
    cmd.args(args)
        .env_remove("CANDOR_OWNER_PASSPHRASE")
        .env_remove("CANDOR_OWNER_NEW_PASSPHRASE")
        .env_remove("CANDOR_OWNER_RECOVERY_CODE");
    cmd
}

#[test]
fn the_command_line_sets_up_resets_and_reports_the_owner() {
    let (_dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8");
    let status = |expected: &str| {
        let out = candor(&["owner", "--db", db, "status"])
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(text.contains(expected), "{text}");
    };
    status("No owner is set up yet");
    let changes = path.with_file_name("changes.json");
    std::fs::write(
        &changes,
        r#"{"changes":[{"kind":"rule_weight","rule":"buy-again","weight":1.5}]}"#,
    )
    .expect("written");
    let changes = changes.to_str().expect("utf-8");
    let apply = |passphrase: &str| {
        candor(&[
            "apply",
            "--db",
            db,
            "--changes",
            changes,
            "--actor",
            "Sam",
            "--reason",
            "r",
        ])
        .env("CANDOR_OWNER_PASSPHRASE", passphrase)
        .output()
        .expect("runs")
    };
    let refused = apply(RIGHT);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("has no owner yet"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let set = candor(&["owner", "--db", db, "--actor", "Priya", "set"])
        .env("CANDOR_OWNER_PASSPHRASE", RIGHT)
        .output()
        .expect("runs");
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let printed = String::from_utf8_lossy(&set.stdout).to_string();
    let code = printed
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 23 && l.matches('-').count() == 3)
        .expect("the code is printed")
        .to_owned();
    assert!(printed.contains("shown only this once"), "{printed}");
    status("The owner is set up");
    let reset = candor(&["owner", "--db", db, "reset-with-code"])
        .env("CANDOR_OWNER_RECOVERY_CODE", &code)
        .env("CANDOR_OWNER_NEW_PASSPHRASE", "another long passphrase")
        .output()
        .expect("runs");
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert!(
        !apply(RIGHT).status.success(),
        "the old passphrase no longer works"
    );
    let applied = apply("another long passphrase");
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let log = candor(&["log", "--db", db]).output().expect("runs");
    let log = String::from_utf8_lossy(&log.stdout).to_string();
    assert!(log.contains("Priya set up the owner"), "{log}");
    assert!(
        log.contains("reset the owner's passphrase with the recovery code"),
        "{log}"
    );
}

#[test]
fn another_shops_passphrase_pasted_in_is_noticed_and_the_code_still_resets_it() {
    let (_dir, path) = common::sample_file();
    let (_other_dir, other) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let code = store.set_up_owner(RIGHT, &who()).expect("set up");
    drop(store);
    let (mut theirs, _) = Store::open(&other).expect("opens");
    theirs
        .set_up_owner("the intruder's passphrase", &who())
        .expect("set up");
    drop(theirs);
    let pasted: String = rusqlite::Connection::open(&other)
        .expect("opens")
        .query_row(
            "SELECT value FROM shop_settings WHERE key = 'owner_passphrase'",
            [],
            |r| r.get(0),
        )
        .expect("their hash");
    rusqlite::Connection::open(&path)
        .expect("opens")
        .execute(
            "UPDATE shop_settings SET value = ?1 WHERE key = 'owner_passphrase'",
            [&pasted],
        )
        .expect("pasted");
    let (mut store, _) = Store::open(&path).expect("opens");
    assert!(matches!(
        store.owner_state().expect("reads"),
        OwnerState::Replaced(_)
    ));
    let refused = store
        .check_owner("the intruder's passphrase", &who(), "a test")
        .expect_err("replaced");
    assert!(
        refused.to_string().contains("replaced outside Candor"),
        "{refused}"
    );
    store
        .reset_owner_with_code(&code, "the owner's new passphrase", &who())
        .expect("the real owner resets it");
    assert_eq!(store.owner_state().expect("reads"), OwnerState::SetUp);
}

#[test]
fn a_removed_passphrase_whose_code_is_still_there_is_reset_with_the_code_not_set_up() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let code = store.set_up_owner(RIGHT, &who()).expect("set up");
    drop(store);
    rusqlite::Connection::open(&path)
        .expect("opens")
        .execute(
            "DELETE FROM shop_settings WHERE key = 'owner_passphrase'",
            [],
        )
        .expect("deleted");
    let (mut store, _) = Store::open(&path).expect("opens");
    let refused = store
        .set_up_owner("the intruder's passphrase", &who())
        .expect_err("the code is still there");
    assert!(
        matches!(refused, ApplyError::UseRecoveryCode(_)),
        "{refused:?}"
    );
    store
        .reset_owner_with_code(&code, "the owner's new passphrase", &who())
        .expect("reset with the code");
    store
        .check_owner("the owner's new passphrase", &who(), "a test")
        .expect("accepted");
}

#[test]
fn a_guess_without_a_name_is_not_checked_so_every_guess_counts() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    store.set_up_owner(RIGHT, &who()).expect("set up");
    let nameless = Attribution {
        actor: " ".into(),
        ..who()
    };
    for _ in 0..5 {
        assert!(matches!(
            store.check_owner("a guess", &nameless, "a test"),
            Err(ApplyError::Unattributed(_))
        ));
    }
    assert!(
        matches!(
            store.check_owner(RIGHT, &nameless, "a test"),
            Err(ApplyError::Unattributed(_))
        ),
        "not even the right one is checked without a name"
    );
    store
        .check_owner(RIGHT, &who(), "a test")
        .expect("with a name");
}

#[test]
fn a_log_deleted_with_its_head_is_noticed_through_the_owners_passphrase() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let code = store.set_up_owner(RIGHT, &who()).expect("set up");
    drop(store);
    // The whole log and the rows that record its head and length: no hashing needed.
    rusqlite::Connection::open(&path)
        .expect("opens")
        .execute_batch(
            "DELETE FROM audit_log;
             DELETE FROM shop_settings WHERE key IN ('audit_head', 'audit_count');",
        )
        .expect("deleted");
    let (mut store, _) = Store::open(&path).expect("opens");
    let report = store.verify_log().expect("verifies");
    assert!(!report.intact);
    assert!(
        report
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("entry 1 was signed by the owner but is missing")),
        "the owner's signature outlives the deleted log: {report:?}"
    );
    assert!(matches!(
        store.check_owner(RIGHT, &who(), "a test"),
        Err(ApplyError::OwnerUnrecorded)
    ));
    store
        .reset_owner_with_code(&code, "the owner's new passphrase", &who())
        .expect("the owner resets it");
    let last = store
        .log()
        .expect("log")
        .last()
        .and_then(|e| e.event.clone())
        .expect("event");
    assert!(
        last.detail
            .contains("holds no record of the owner being set up"),
        "the reset keeps what was found: {}",
        last.detail
    );
}

#[test]
fn a_read_only_file_checks_no_passphrase_because_it_could_not_count_the_try() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    store.set_up_owner(RIGHT, &who()).expect("set up");
    drop(store);
    let (mut reading, _) = Store::open_for_reading(&path).expect("opens");
    for guess in ["a guess", RIGHT] {
        let refused = reading
            .check_owner(guess, &who(), "a test")
            .expect_err("read-only");
        assert!(refused.to_string().contains("read-only"), "{refused}");
    }
}
