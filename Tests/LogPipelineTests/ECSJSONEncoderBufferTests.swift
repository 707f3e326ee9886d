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
        values += (0..<500).map { _ in Int64.random(in: Int64.min...Int64.max) >> Int64.random(in: 0...62) }
        for value in values {
            let metrics = RequestMetrics(requestID: "r", requestedModel: "m", startMicros: value, durationNanos: value)
            let object = try Self.encoded(metrics, message: "x")
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
}
