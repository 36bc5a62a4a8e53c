//! What `#[actor]` accepts and how it rejects mistakes, compiled with trybuild.
//!
//! `tests/ui/pass/` holds every accepted form; `tests/ui/fail/<area>/` one mistake per file, with
//! the exact compiler output beside it (`.stderr`), blessed on the pinned toolchain (1.95.0):
//! `TRYBUILD=overwrite cargo test --test ui`, then read every changed `.stderr`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*/*.rs");
}
