//! The app's Tauri config lives at the repository's top level (`../tauri.conf.json`), next to
//! `ui/` and `icons/`; tauri-build reads the config from the current directory, so it runs
//! from there.

fn main() {
    let manifest_dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let top = manifest_dir.parent().expect("src-tauri has a parent");
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=../icons");
    std::env::set_current_dir(top).expect("enter the repository's top level");
    tauri_build::build();
}
