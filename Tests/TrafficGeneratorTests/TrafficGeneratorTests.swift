import Foundation
import PipelineTestSupport
import Testing
@testable import TrafficGenerator

@Suite struct TrafficGeneratorTests {
    private func generate(_ profile: TrafficProfile, format: String, lines: Int) throws -> ([UInt8], GroundTruth) {
        var generator = try TrafficGenerator(profile: profile, format: format)
        var output = [UInt8]()
        for _ in 0..<lines { generator.appendLine(to: &output) }
        return (output, generator.groundTruth())
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        var profile = TrafficProfile()
        profile.clientCount = 2_000
        profile.brokenLineShare = 0.01
        let (a, ta) = try generate(profile, format: "edge", lines: 5_000)
        let (b, tb) = try generate(profile, format: "edge", lines: 5_000)
        profile.seed = 2
        let (c, _) = try generate(profile, format: "edge", lines: 5_000)
        #expect(a == b)
        #expect(ta == tb)
        #expect(a != c)
    }

    @Test func escapesLikeNginx() throws {
        let formatter = try LogLineFormatter(format: #"$remote_addr "$request" "$http_user_agent" $host"#)
        let request = GeneratedRequest(
            timeMs: 0, clientIP: "2001:db8::1", remoteUser: nil, site: "a.test",
            requestLine: Array("GET /caf".utf8) + [0xC3, 0xA9] + Array("/ a\"b\\ HTTP/1.1".utf8),
            method: "GET", path: [], query: nil, httpProtocol: "HTTP/1.1", status: 200, bodyBytes: 1,
            requestLength: 1, requestTimeMs: 1, upstreamTimesMs: [], cacheStatus: nil, referer: nil,
            userAgent: "x\u{16}y", forwardedFor: nil, attack: nil, lookalike: false, late: false)
        var out = [UInt8]()
        formatter.append(request, to: &out)
        #expect(String(decoding: out, as: UTF8.self)
            == #"2001:db8::1 "GET /caf\xC3\xA9/ a\x22b\x5C HTTP/1.1" "x\x16y" a.test"# + "\n")
    }

    @Test(arguments: [0, 330, -420, 60, -30])
    func timeFieldsMatchFoundation(offsetMinutes: Int) throws {
        var random = SeededRandom(seed: UInt64(offsetMinutes + 1000))
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
        local.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        let iso = DateFormatter()
        iso.locale = local.locale
        iso.timeZone = local.timeZone
        iso.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        for _ in 0..<2_000 {
            // 1990 ... 2100, including leap days and year boundaries.
            let ms = 631_152_000_000 + Int64(random.below(3_471_292_800)) * 1000 + Int64(random.below(1000))
            let date = Date(timeIntervalSince1970: Double(ms / 1000))
            #expect(LogLineFormatter.timeLocal(ms, offsetMinutes: offsetMinutes) == local.string(from: date))
            #expect(LogLineFormatter.timeISO8601(ms, offsetMinutes: offsetMinutes) == iso.string(from: date))
        }
        #expect(LogLineFormatter.seconds(milliseconds: 1_764_353_982_007) == "1764353982.007")
    }

    /// The ground truth must agree with awk reading the written file: a different tool than ours.
    @Test func groundTruthAgreesWithAwk() async throws {
        var profile = TrafficProfile()
        profile.clientCount = 5_000
        profile.requestsPerSecond = 200
        profile.heavyClients = 2
        profile.flood = true
        let (bytes, truth) = try generate(profile, format: "edge", lines: 30_000)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("access.log")
        try Data(bytes).write(to: file)

        // Quotes never appear inside nginx fields (escaped as \x22), so '"' splits fields safely:
        // $1 = addr - user [time], $3 = status body, $7 = host rt cache len.
        let program = #"""
        { split($1, t, "[\\[\\]]"); minute = substr(t[2], 1, 17); split($3, sb, " "); split($7, h, " ");
          key = minute " " h[1]; n[key]++; body[key] += sb[2]; len[key] += h[4];
          cls[key " " substr(sb[1], 1, 1)]++;
          if (!seen[key " " substr($1, 1, index($1, " ") - 1)]++) distinct[key]++ }
        END { for (k in n) print k, n[k], body[k], len[k], distinct[k], cls[k " 2"] + 0, cls[k " 4"] + 0 }
        """#
        let awk = try await ExternalTool.run("awk", ["-F", "\"", program, file.path])
        #expect(awk.status == 0, "\(awk.stderrText)")
        let minuteFormat = DateFormatter()
        minuteFormat.locale = Locale(identifier: "en_US_POSIX")
        minuteFormat.timeZone = TimeZone(secondsFromGMT: 0)
        minuteFormat.dateFormat = "dd/MMM/yyyy:HH:mm"
        var expected: [String: String] = [:]
        for w in truth.windows {
            let key = "\(minuteFormat.string(from: Date(timeIntervalSince1970: Double(w.minute)))) \(w.site)"
            expected[key] = "\(w.requests) \(w.bodyBytes) \(w.requestBytes) \(w.distinctClients) "
                + "\(w.statusClasses["2xx"] ?? 0) \(w.statusClasses["4xx"] ?? 0)"
        }
        var fromAwk: [String: String] = [:]
        for line in awk.stdoutText.split(separator: "\n") {
            let parts = line.split(separator: " ")
            fromAwk["\(parts[0]) \(parts[1])"] = parts[2...].joined(separator: " ")
        }
        #expect(fromAwk.count == expected.count)
        #expect(fromAwk == expected)
        #expect(truth.lines == 30_000)
        #expect(truth.windows.reduce(0) { $0 + $1.requests } == 30_000)
    }

    @Test func plantsWhatItIsAskedFor() throws {
        var profile = TrafficProfile()
        profile.clientCount = 3_000
        profile.lateShare = 0.01
        profile.brokenLineShare = 0.01
        profile.heavyClients = 2
        profile.heavyPaths = 1
        profile.flood = true
        profile.attackShare = 0.05
        let (bytes, truth) = try generate(profile, format: "combined", lines: 20_000)
        let lineCount = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        #expect(lineCount == 20_000)
        let requests = truth.windows.reduce(0) { $0 + $1.requests }
        #expect(requests + truth.brokenLines == 20_000)
        #expect((100...300).contains(truth.brokenLines))
        let late = truth.windows.reduce(0) { $0 + $1.late }
        #expect((100...300).contains(late))
        // Late lines are stamped before the first on-time minute.
        #expect(truth.windows.filter { $0.late > 0 }.allSatisfy { $0.minute < profile.startTimeMs / 1000 })
        let flood = truth.windows.reduce(0) { $0 + ($1.plantedClients["203.0.113.66"] ?? 0) }
        #expect(Double(flood) > 0.2 * 20_000 && Double(flood) < 0.3 * 20_000)
        #expect(truth.windows.filter { ($0.plantedClients["203.0.113.66"] ?? 0) > 0 }.allSatisfy { $0.site == truth.floodSite })
        let attacks = truth.windows.reduce(into: [String: Int]()) { acc, w in acc.merge(w.attacks, uniquingKeysWith: +) }
        #expect(Set(attacks.keys) == Set(AttackClass.allCases.map(\.rawValue)))
        let hot = truth.windows.reduce(0) { $0 + ($1.plantedPaths["/hot/item-0.html"] ?? 0) }
        #expect(hot > 150)
    }
}
