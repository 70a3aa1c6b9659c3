//! The owner's passphrase under guessing: a few wrong ones, then each further try waits.

mod common;

use candor::store::{ApplyError, Attribution, OwnerCheck, Store};

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
    assert_eq!(check(&mut store, RIGHT).expect("set"), OwnerCheck::Set);
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
    assert_eq!(
        check(&mut store, RIGHT).expect("accepted"),
        OwnerCheck::Accepted
    );
    assert!(matches!(
        check(&mut store, "wrong again"),
        Err(ApplyError::NotOwner)
    ));
    assert_eq!(
        check(&mut store, RIGHT).expect("no wait after one"),
        OwnerCheck::Accepted
    );
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
        let refused = store
            .check_owner(weak, &who(), "a test")
            .expect_err("too weak");
        assert!(refused.to_string().contains(why), "{weak}: {refused}");
    }
    assert!(!store.owner_passphrase_is_set().expect("reads"));
    assert_eq!(
        store.check_owner(RIGHT, &who(), "a test").expect("set"),
        OwnerCheck::Set
    );
}
