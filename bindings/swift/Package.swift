// swift-tools-version:5.7
//
// The Swift binding of Vigil, for macOS/Linux development and tests. `Sources/Vigil/Vigil.swift`
// and `Sources/VigilFFI/VigilFFI.h` are generated from the built library by uniffi-bindgen
// (bindings/test.sh and bindings/ios/build-xcframework.sh do it); the library itself is linked from
// the directory given to the linker: `swift test -Xlinker -L<dir> -Xlinker -rpath -Xlinker <dir>`.
// For iOS apps, use the XCFramework from bindings/ios/build-xcframework.sh instead.
import PackageDescription

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "Vigil", targets: ["Vigil"]),
    ],
    targets: [
        // The C header of the Rust library, and `link "vigil_ffi"`.
        .systemLibrary(name: "VigilFFI", path: "Sources/VigilFFI"),
        // The generated Swift API plus a few helpers.
        .target(name: "Vigil", dependencies: ["VigilFFI"], path: "Sources/Vigil"),
        .testTarget(name: "VigilTests", dependencies: ["Vigil"], path: "Tests/VigilTests"),
    ]
)
