//! `simulate`: the command-line face of dsrsim. All the work is in the library.

fn main() {
    std::process::exit(dsrsim::app::main());
}
