import Foundation
import LogPipeline
import Testing

/// The encoder writes through its own line buffer (short copies as word moves, integers in place):
/// every integer and every string length must come out exactly.
@Suite struct ECSJSONEncoderBufferTests {
    static func encoded(_ metrics: RequestMetrics, message: String) throws -> [String: Any] {
        let record = LogRecord(timestampMicros: 1_700_000_000_000_001, level: .info, message: message, logger: "vdm.request",
                               instanceID: "i", sequence: 1, correlationID: metrics.requestID, payload: RequestCompletedPayload(metrics: metrics))
        let line = ECSJSONEncoder().encode(record)
        #expect(line.hasSuffix("}\n"))
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func integersOfEveryMagnitudeAndSign() throws {
        var values: [Int64] = [0, 1, 9, 10, 99, 100, 101, 999, 1_000, -1, -9, -10, -100, Int64.max, Int64.min, Int64.min + 1]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -power]
        }
        let seed = TestSeed.make("ECSJSONEncoderBufferTests.integersOfEveryMagnitudeAndSign")
        var rng = SplitMix64(state: seed)
        values += (0..<500).map { _ in Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int64.random(in: 0...62, using: &rng) }
        for value in values {
            let metrics = RequestMetrics(requestID: "r", requestedModel: "m", startMicros: value, durationNanos: value)
            let object = try Self.encoded(metrics, message: "x")
            let line = ECSJSONEncoder().encode(LogRecord(timestampMicros: 0, level: .info, message: "x", logger: "l", instanceID: "i", sequence: 1,
                                                         correlationID: nil, payload: RequestCompletedPayload(metrics: metrics)))
            #expect(line.contains(#","vdm.start_us":\#(value),"#), "exact text of \(value), seed \(seed)")
            var rendered: [UInt8] = []
            JSONBytes.appendInt(value, to: &rendered)  // the renderers' integers, same digit writer
            #expect(String(decoding: rendered, as: UTF8.self) == String(value))
            // JSONSerialization reads integers beyond 2^53 exactly as NSNumber.
            #expect((object["vdm.start_us"] as? NSNumber)?.int64Value == value, "\(value)")
            #expect((object["event.duration"] as? NSNumber)?.int64Value == value, "\(value)")
        }
    }

    @Test func stringsOfEveryShortLength() throws {
        for length in 0..<70 {
            var message = ""
            for i in 0..<length {
                let letter = Character(UnicodeScalar(UInt8(97 + i % 26)))
                message.append(i % 7 == 3 ? "\"" : letter)
            }
            let model = String(repeating: "é", count: length % 11)
            let metrics = RequestMetrics(requestID: "r", requestedModel: model, resolvedModel: message)
            let object = try Self.encoded(metrics, message: message)
            #expect(object["message"] as? String == message)
            #expect(object["gen_ai.request.model"] as? String == message)
            #expect(object["vdm.requested_model"] as? String == model)
        }
    }

    /// Strings are written 16 bytes at a time and a block with an escape is redone byte by byte: put
    /// every kind of byte that needs one at every offset of strings around the block sizes.
    @Test func escapesAtEveryOffsetOfEveryBlock() throws {
        let specials: [Character] = ["\"", "\\", "\n", "\t", "\u{01}", "\u{1F}", "\u{7F}", "é", "→"]
        for length in [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48] {
            for position in 0..<length {
                for special in specials {
                    var chars = (0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) }
                    chars[position] = special
                    let text = String(chars)
                    let metrics = RequestMetrics(requestID: "r", requestedModel: text)
                    let object = try Self.encoded(metrics, message: text)
                    #expect(object["message"] as? String == text, "\(length) \(position) \(special)")
                    #expect(object["vdm.requested_model"] as? String == text)
                }
            }
        }
    }

    /// Values far longer than the line's first allocation make it grow in the middle of a record,
    /// in the envelope, in payload fields and in labels, with escapes and secrets in them.
    @Test func longValuesGrowTheLineMidRecord() throws {
        let secret = "sk-proj-" + String(repeating: "Ab1", count: 12)
        for size in [100, 2_000, 70_000] {
            let long = String(repeating: "q\"\\\u{01}é→", count: size / 8) + " key " + secret + " tail"
            var metrics = RequestMetrics(requestID: "r", requestedModel: long, resolvedModel: long)
            metrics.stopReason = long
            var record = LogRecord(timestampMicros: 1, level: .info, message: long, logger: long, instanceID: "i", sequence: 1,
                                   correlationID: long, payload: RequestCompletedPayload(metrics: metrics))
            record.metadata = ["client": .string(long)]
            let line = ECSJSONEncoder().encode(record)
            #expect(!line.contains(secret))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let expected = Redactor().redact(long)
            #expect(expected != long)
            for key in ["message", "log.logger", "http.request.id", "vdm.requested_model", "gen_ai.request.model", "vdm.stop_reason"] {
                #expect(object[key] as? String == expected, "\(size) \(key)")
            }
            #expect((object["labels"] as? [String: Any])?["client"] as? String == expected)
        }
    }

    /// The encoder writes `@timestamp` in place, `WallClock.iso8601` through a temporary; both must
    /// say what the C library's `gmtime_r` says, and parse back to the same instant.
    @Test func timestampsMatchTheGeneralWriter() throws {
        var values: [Int64] = [0, 1, 999_999, 1_000_000, -1, -1_000_000, 951_782_400_000_000, 253_402_300_799_999_999]
        let seed = TestSeed.make("ECSJSONEncoderBufferTests.timestampsMatchTheGeneralWriter")
        var rng = SplitMix64(state: seed)
        values += (0..<500).map { _ in Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &rng) }
        for micros in values {
            let record = LogRecord(timestampMicros: micros, level: .info, message: "m", logger: "l", instanceID: "i", sequence: 1, correlationID: nil, payload: nil)
            let line = ECSJSONEncoder().encode(record)
            #expect(line.hasPrefix(#"{"@timestamp":""# + WallClock.iso8601(micros: micros) + "\""), "\(micros), seed \(seed)")
            var seconds = time_t(micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000)
            let fraction = micros - Int64(seconds) * 1_000_000
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let reference = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                                   parts.tm_hour, parts.tm_min, parts.tm_sec, Int32(fraction))
            #expect(WallClock.iso8601(micros: micros) == reference, "\(micros)")
            #expect(WallClock.parseISO8601(reference) == micros)
        }
    }

    /// The envelope's constant runs are spelled out once for speed; they must say what `Schema` says.
    @Test func envelopeConstantsMatchSchema() throws {
        let object = try Self.encoded(RequestMetrics(requestID: "r", requestedModel: "m"), message: "x")
        #expect(object["ecs.version"] as? String == Schema.ecsVersion)
        #expect(object["service.name"] as? String == Schema.serviceName)
        #expect(object["vdm.schema"] as? Int == Schema.version)
        #expect(object["log.logger"] as? String == "vdm.request")
        #expect(object["service.node.name"] as? String == "i")
    }
}
