//! `uniffi-bindgen` at the exact uniffi version of `vigil-ffi`, so the generated Kotlin, Swift and
//! Python code always matches the scaffolding compiled into the library. maturin runs it too.
//!
//! Library mode, from the repository root:
//!
//! ```sh
//! cargo build -p vigil-ffi
//! cargo run -p vigil-ffi --bin uniffi-bindgen -- generate --library target/debug/libvigil_ffi.so \
//!     --language kotlin --out-dir bindings/kotlin/generated
//! ```

fn main() {
    uniffi::uniffi_bindgen_main()
}
