//! Compiles the vendored HiGHS 1.16.0 sources with the `cc` crate: no cmake, no bindgen, no
//! libclang. The Rust bindings are generated once and committed (`src/bindings.rs`, see
//! `regen-bindings.sh`); the configuration header cmake would write is `config/HConfig.h`.
//!
//! The compiler flags repeat those of the upstream cmake build in its `Release` configuration
//! (as `highs-sys` 1.16.0 ran it with its default features), so the solver behaves the same:
//! `-O3 -DNDEBUG`, C++11, `-mpopcnt` on x86, and HiGHS's `FAST_BUILD` and `CUPDLP_CPU`
//! configuration, whatever the Cargo profile.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// Source folders under `HiGHS/highs` that cmake's `highs` target compiles, every C, C++ and
/// `.cc` file of each (cmake/sources.cmake lists exactly these; the CUDA folder is left out of
/// the vendored tree).
const SOURCE_DIRS: &[&str] = &[
    "",
    "interfaces",
    "io",
    "ipm",
    "ipm/basiclu",
    "ipm/hipo/auxiliary",
    "ipm/hipo/factorhighs",
    "ipm/hipo/ipm",
    "ipm/ipx",
    "lp_data",
    "mip",
    "model",
    "parallel",
    "pdlp",
    "pdlp/cupdlp",
    "pdlp/hipdlp",
    "presolve",
    "qpsolver",
    "simplex",
    "util",
];

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let highs = root.join("HiGHS").join("highs");
    let target_arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let msvc = target_env == "msvc";
    let x86 = target_arch == "x86_64" || target_arch == "x86";

    // The header cmake would configure, written by hand (config/HConfig.h), so that every
    // include path is inside this crate.
    let config = root.join("config");

    let mut cpp = Vec::new();
    let mut c = Vec::new();
    for dir in SOURCE_DIRS {
        for file in sources(&highs.join(dir)) {
            match file.extension().and_then(|e| e.to_str()) {
                Some("cpp" | "cc") => cpp.push(file),
                Some("c") => c.push(file),
                _ => {}
            }
        }
    }

    let includes = include_dirs(&root, &highs, &config);
    // The C files (basiclu, cuPDLP-C) are compiled as C and archived with the C++ ones in one
    // library, so that references either way resolve whatever the link order.
    let c_objects = base(&includes, msvc).files(&c).compile_intermediates();
    let mut cxx = base(&includes, msvc);
    cxx.cpp(true).files(&cpp).objects(c_objects);
    if msvc {
        cxx.flag("/std:c++14").flag("/EHsc");
    } else {
        cxx.flag("-std=c++11");
        if x86 {
            cxx.flag("-mpopcnt");
        }
    }
    // Also tells cargo to link the C++ standard library.
    cxx.compile("highs");

    if target_os == "linux" {
        // HiGHS looks for its optional extras library (HiPO) with dlopen.
        println!("cargo:rustc-link-lib=dl");
    }
    println!("cargo:rerun-if-changed=HiGHS");
    println!("cargo:rerun-if-changed=config");
    println!("cargo:rerun-if-changed=build.rs");
}

/// A compiler configured as cmake's Release build configures it.
fn base(includes: &[PathBuf], msvc: bool) -> cc::Build {
    let mut build = cc::Build::new();
    build
        .includes(includes)
        .opt_level(3)
        .debug(false)
        .define("NDEBUG", None)
        .warnings(false)
        .cargo_warnings(false);
    if !msvc {
        build.flag("-w");
    }
    build
}

fn include_dirs(root: &Path, highs: &Path, config: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![
        config.to_path_buf(),
        root.join("HiGHS").join("extern"),
        highs.to_path_buf(),
    ];
    for dir in [
        "interfaces",
        "io",
        "ipm",
        "ipm/ipx",
        "ipm/basiclu",
        "lp_data",
        "mip",
        "model",
        "parallel",
        "pdlp",
        "pdlp/cupdlp",
        "pdlp/hipdlp",
        "presolve",
        "qpsolver",
        "simplex",
        "util",
        "ipm/hipo",
        "ipm/hipo/auxiliary",
        "ipm/hipo/factorhighs",
        "ipm/hipo/ipm",
    ] {
        dirs.push(highs.join(dir));
    }
    dirs
}

/// The source files directly in `dir`, sorted so that the archive is the same on every machine.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("vendored HiGHS folder {} unreadable: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}
