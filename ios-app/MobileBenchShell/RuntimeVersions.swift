/// The runtime versions this build links. project.yml (ExecuTorch's swiftpm branch) and Podfile pin the same
/// ones; tests/ios_app/test_ios_app_sources.py fails when they disagree.
enum RuntimeVersions {
    static let executorch = "1.5.1"
    static let litert = "2.17.0"
    static let torchscript = "1.13.0.1"
}
