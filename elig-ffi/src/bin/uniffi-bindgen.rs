//! UniFFI's generator in library mode, at the same version as the library:
//! `cargo run -p elig-ffi --bin uniffi-bindgen -- generate --library target/debug/libelig.so
//! --language kotlin --out-dir out` (README, "Generating the bindings").

fn main() {
    uniffi::uniffi_bindgen_main();
}
