import Foundation

/// How many cores the shipper may really use: the online processors, capped by a container's
/// CPU quota when one is set. A shipper in a container limited to 2 CPUs on a 64-core host
/// should start 2 encoding workers, not 64 (each holds buffers, and they would only take turns).
///
/// Reads cgroup v2 (`cpu.max`: `"<quota> <period>"` or `"max <period>"`) and cgroup v1
/// (`cpu/cpu.cfs_quota_us` and `cpu/cpu.cfs_period_us`, quota -1 = none) under `cgroupRoot`.
/// Anything unreadable or malformed means "no quota".
enum AvailableCores {
    static func count(cgroupRoot: String = "/sys/fs/cgroup", processors: Int? = nil) -> Int {
        let online = max(1, processors ?? ProcessInfo.processInfo.activeProcessorCount)
        guard let quota = quotaCores(cgroupRoot: cgroupRoot) else { return online }
        return max(1, min(online, quota))
    }

    /// The quota in whole cores, rounded up (1.5 CPUs → 2), or `nil` when there is none.
    static func quotaCores(cgroupRoot: String) -> Int? {
        if let text = read("\(cgroupRoot)/cpu.max") {
            let fields = text.split(separator: " ")
            guard fields.count == 2, let quota = Int(fields[0]), let period = Int(fields[1]) else { return nil }
            return cores(quota: quota, period: period)
        }
        guard let quotaText = read("\(cgroupRoot)/cpu/cpu.cfs_quota_us"),
            let periodText = read("\(cgroupRoot)/cpu/cpu.cfs_period_us"),
            let quota = Int(quotaText), let period = Int(periodText)
        else { return nil }
        return cores(quota: quota, period: period)
    }

    private static func cores(quota: Int, period: Int) -> Int? {
        guard quota > 0, period > 0 else { return nil }
        return (quota + period - 1) / period
    }

    private static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
