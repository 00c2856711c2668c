//! `graphql/schema.graphql` is the exported SDL: this fails when the schema drifts from it.
//! Regenerate with `cargo run -p houston-server -- --print-schema > graphql/schema.graphql`.

#[test]
fn checked_in_sdl_matches_the_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let checked_in = std::fs::read_to_string(path).expect("graphql/schema.graphql exists");
    let current = houston_server::sdl();
    assert!(
        checked_in == current,
        "graphql/schema.graphql is out of date: regenerate it with \
         `cargo run -p houston-server -- --print-schema > graphql/schema.graphql`"
    );
}
