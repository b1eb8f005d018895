//! Zeek's command line.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(zest_cli::zeek::main(&args));
}
