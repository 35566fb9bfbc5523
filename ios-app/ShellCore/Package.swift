// swift-tools-version:5.9
// Everything the iOS shell does that needs no device and no runtime: the protocol v2 messages, the
// measurement loop, the failure paths and the phys_footprint reader. The app (../project.yml) links it;
// `swift test` runs its XCTest tests on a Mac.
import PackageDescription

let package = Package(
    name: "ShellCore",
    platforms: [.iOS(.v17), .macOS(.v13)],
    products: [.library(name: "ShellCore", targets: ["ShellCore"])],
    targets: [
        .target(name: "ShellCore"),
        .testTarget(name: "ShellCoreTests", dependencies: ["ShellCore"], resources: [.copy("Fixtures")]),
    ]
)
