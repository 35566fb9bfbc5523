import SwiftUI

/// Started by the harness with `--request Documents/<dir>/request.json --result Documents/<dir>/result.json`
/// (or MB_REQUEST / MB_RESULT): runs that one request, writes the result, and exits. Started by hand with
/// neither, it shows how it is driven and waits.
@main
struct MobileBenchShellApp: App {
    init() {
        Launcher.startIfRequested()
    }

    var body: some Scene {
        WindowGroup {
            ContentView()
        }
    }
}

struct ContentView: View {
    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text("mobile-bench shell").font(.title2)
            Text(Launcher.status)
            Text("Launch with --request Documents/<dir>/request.json --result Documents/<dir>/result.json "
                 + "(paths relative to the app's home), or MB_REQUEST / MB_RESULT.")
                .font(.footnote)
        }
        .padding()
    }
}
