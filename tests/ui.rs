//! Misuse of the typed API must not compile (`ui-tests/fail`), and the typed happy path
//! must build (`ui-tests/pass`). Regenerate the `.stderr` snapshots with
//! `TRYBUILD=overwrite cargo test --test ui` and review the diff.

#[test]
fn typed_api_misuse_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui-tests/pass/*.rs");
    cases.compile_fail("ui-tests/fail/*.rs");
}
