//! Misuse of the typed API must not compile (`ui-tests/fail`), and the typed happy path
//! must build (`ui-tests/pass`). Regenerate the `.stderr` snapshots with
//! `TRYBUILD=overwrite cargo test --test ui` and review the diff. The snapshots are taken
//! with the default features (rustc lists `PerMessageDeflate` among `Extension`'s
//! implementors), so the test runs only with them.
#![cfg(feature = "deflate")]

#[test]
fn typed_api_misuse_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui-tests/pass/*.rs");
    cases.compile_fail("ui-tests/fail/*.rs");
}
