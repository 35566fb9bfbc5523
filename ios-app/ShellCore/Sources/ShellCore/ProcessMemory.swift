import Foundation

#if canImport(Darwin)
import Darwin

/// The process's memory as iOS counts it against the app's limit: `phys_footprint` from `task_info(TASK_VM_INFO)`,
/// and the kernel ledger's high-water mark of it (`ledger_phys_footprint_peak`, present from the structure's revision 3).
public enum ProcessMemory {
    private static func vmInfo() -> (info: task_vm_info_data_t, words: Int)? {
        var info = task_vm_info_data_t()
        var count = mach_msg_type_number_t(MemoryLayout<task_vm_info_data_t>.size / MemoryLayout<natural_t>.size)
        let status = withUnsafeMutablePointer(to: &info) { pointer in
            pointer.withMemoryRebound(to: integer_t.self, capacity: Int(count)) {
                task_info(mach_task_self_, task_flavor_t(TASK_VM_INFO), $0, &count)
            }
        }
        return status == KERN_SUCCESS ? (info, Int(count)) : nil
    }

    public static func footprintBytes() -> UInt64? {
        vmInfo().map { UInt64($0.info.phys_footprint) }
    }

    /// nil when the kernel filled in an older revision of the structure, which ends before the field.
    public static func peakFootprintBytes() -> UInt64? {
        guard let read = vmInfo(),
              let offset = MemoryLayout<task_vm_info_data_t>.offset(of: \task_vm_info_data_t.ledger_phys_footprint_peak),
              read.words * MemoryLayout<natural_t>.size >= offset + MemoryLayout<Int64>.size else { return nil }
        return UInt64(exactly: read.info.ledger_phys_footprint_peak)
    }

    /// CPU time of the whole process, all threads.
    public static func cpuTimeNs() -> UInt64 {
        clock_gettime_nsec_np(CLOCK_PROCESS_CPUTIME_ID)
    }
}

/// Samples phys_footprint every `interval` on its own thread, during the first inference and the warm-ups only
/// (never during the timed loop, as on the other platforms), and keeps the largest value.
public final class FootprintSampler {
    private let interval: TimeInterval
    private let lock = NSLock()
    private var peak: UInt64?
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    public init(interval: TimeInterval = 0.005) {
        self.interval = interval
    }

    public func start() {
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                if let now = ProcessMemory.footprintBytes() { lock.withLock { peak = max(peak ?? 0, now) } }
                Thread.sleep(forTimeInterval: interval)
            }
            done.signal()
        }
        thread.start()
    }

    /// Stops the thread, waits for it, and returns the largest footprint it saw.
    public func stop() -> UInt64? {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { peak }
    }
}
#endif
