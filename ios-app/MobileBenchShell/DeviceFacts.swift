import Foundation
import ShellCore
import UIKit

/// What the result's `shell` object says about this app and device, and the real clock and memory readers.
enum DeviceFacts {
    static func machine() -> String {
        var info = utsname()
        uname(&info)
        return withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    static func thermalState() -> String {
        switch ProcessInfo.processInfo.thermalState {
        case .nominal: return "nominal"
        case .fair: return "fair"
        case .serious: return "serious"
        case .critical: return "critical"
        @unknown default: return "unknown"
        }
    }

    static func shell() -> [String: JSONValue] {
        let bundle = Bundle.main
        let version = bundle.object(forInfoDictionaryKey: "CFBundleVersion") as? String ?? "unknown"
        let system = ProcessInfo.processInfo.operatingSystemVersion
        let os = "\(system.majorVersion).\(system.minorVersion).\(system.patchVersion)"
        return [
            "name": .string("ios-app"),
            "version": .string(version),
            "platform": .string("ios-\(os)-\(machine())"),
            "bundle_id": .string(bundle.bundleIdentifier ?? "unknown"),
            "thermal_state_start": .string(thermalState()),
            "low_power_mode": .bool(ProcessInfo.processInfo.isLowPowerModeEnabled),
        ]
    }

    static func host(root: URL, log: @escaping (String) -> Void) -> Host {
        Host(clock: UptimeClock(), footprintBytes: ProcessMemory.footprintBytes,
             peakFootprintBytes: ProcessMemory.peakFootprintBytes, cpuTimeNs: { ProcessMemory.cpuTimeNs() },
             startSampling: {
                 let sampler = FootprintSampler()
                 sampler.start()
                 return sampler.stop
             }, root: root, log: log)
    }
}
