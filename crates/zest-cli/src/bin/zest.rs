//! Zest's own command line.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(zest_cli::zest::main(&args));
}
