//! Zest's own command line (and, for the processes of `zest cluster`,
//! the `zeek` one).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = if std::env::var_os(zest_cli::cluster::AS_ZEEK_ENV).is_some() {
        zest_cli::zeek::main(&args)
    } else {
        zest_cli::zest::main(&args)
    };
    std::process::exit(code);
}
