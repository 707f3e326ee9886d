import Logging
import LogPipeline
import Testing
import Journald

@Suite struct JournalEntryEncoderTests {
    let factory = RecordFactory()

    @Test func envelopeAndStandardFields() {
        let id = correlationID()
        let record = factory.record("hello", level: .warning, correlationID: id, payload: RequestCompletedPayload(metrics: metrics(id)))
        let fields = expectedFields(record)
        func text(_ name: String) -> String? { fields[name].map { String(decoding: $0, as: UTF8.self) } }
        #expect(text("MESSAGE") == "[\(id.prefix(8))] hello")
        #expect(text("PRIORITY") == "4")
        #expect(text("SYSLOG_IDENTIFIER") == "vandamme-proxy")
        #expect(text("MESSAGE_ID") == JournaldMessageID.requestCompleted)
        #expect(text("CODE_FILE") == "JournaldTests/Test.swift")
        #expect(text("CODE_LINE") == "42")
        #expect(text("CODE_FUNC") == "test()")
        #expect(text("VDM_CORRELATION_ID") == id)
        #expect(text("VDM_CORRELATION_PREFIX") == String(id.prefix(8)))
        #expect(text("VDM_INSTANCE_ID") == factory.instanceID)
        #expect(text("VDM_SEQUENCE") == String(record.sequence))
        #expect(text("VDM_LOGGER") == "vdm.test")
        #expect(text("VDM_SCHEMA") == String(Schema.version))
        #expect(text("VDM_LOG_LEVEL") == "warning")
        #expect(text("VDM_EVENT_ACTION") == "request.completed")
        #expect(text("VDM_GEN_AI_USAGE_OUTPUT_TOKENS") == "20")
        #expect(text("VDM_STREAMING") == "true")
        var ecs = ECSJSONEncoder().encode(record)
        ecs.removeLast()
        #expect(text("VDM_ECS_JSON") == ecs)
        #expect(fields.keys.allSatisfy(JournalFieldName.isValid))
    }

    @Test func plainLinesHaveNoMessageIDOrCorrelation() {
        let fields = expectedFields(factory.record("plain"))
        #expect(fields["MESSAGE_ID"] == nil)
        #expect(fields["VDM_CORRELATION_ID"] == nil)
        #expect(fields["VDM_EVENT_ACTION"] == nil)
        #expect(fields["MESSAGE"] == Array("plain".utf8))
    }

    @Test func messageIDPerEventKind() {
        let kinds: [(String, String)] = [
            (EventAction.requestStarted, JournaldMessageID.requestStarted),
            (EventAction.requestCompleted, JournaldMessageID.requestCompleted),
            (EventAction.summaryCheckpoint, JournaldMessageID.summaryCheckpoint),
            (EventAction.summaryModels, JournaldMessageID.summaryModels),
            (EventAction.summaryErrors, JournaldMessageID.summaryErrors),
        ]
        for (action, id) in kinds {
            #expect(expectedFields(factory.record("x", payload: EventMarkerPayload(action: action)))["MESSAGE_ID"] == Array(id.utf8))
            #expect(id.utf8.count == 32 && id.allSatisfy(\.isHexDigit) && id == id.lowercased())
        }
        #expect(Set(kinds.map(\.1)).count == kinds.count)
        #expect(expectedFields(factory.record("x", payload: EventMarkerPayload(action: "something.else")))["MESSAGE_ID"] == nil)
    }

    @Test func labelsAreSanitisedAndCollisionsKept() {
        let record = factory.record("labels", metadata: ["a.b": "dot", "a_b": "underscore", "x-y": "dash", "lower": "l"])
        let fields = expectedFields(record)
        // Sorted keys: a.b, a_b, lower, x-y.
        #expect(fields["VDM_LABEL_A_B"] == Array("dot".utf8))
        #expect(fields["VDM_LABEL_A_B_2"] == Array("underscore".utf8))
        #expect(fields["VDM_LABEL_X_Y"] == Array("dash".utf8))
        #expect(fields["VDM_LABEL_LOWER"] == Array("l".utf8))
    }

    @Test func swiftErrorAndDowngradeAreCarried() {
        let record = factory.record("failed", level: .debug, error: SampleError(description: "disk on fire"), originalLevel: .info)
        let fields = expectedFields(record)
        #expect(fields["MESSAGE"] == Array("failed | error: disk on fire".utf8))
        #expect(fields["VDM_ERROR_MESSAGE"] == Array("disk on fire".utf8))
        #expect(fields["VDM_ERROR_TYPE"].map { String(decoding: $0, as: UTF8.self).hasSuffix("SampleError") } == true)
        #expect(fields["VDM_ORIGINAL_LEVEL"] == Array("info".utf8))
        #expect(fields["PRIORITY"] == Array("7".utf8))
    }

    @Test func messageKeepsNewlinesAndEscapesOtherControls() {
        let fields = expectedFields(factory.record("line one\n\tline two\u{1b}[31m"))
        #expect(fields["MESSAGE"] == Array("line one\n\tline two\\x1b[31m".utf8))
    }

    @Test func encoderReuseLeavesNoStaleFields() {
        var encoder = JournalEntryEncoder()
        encoder.encode(factory.record("first", metadata: ["k": "v"], error: SampleError(description: "e")))
        encoder.encode(factory.record("second"))
        #expect(!encoder.fieldNamesOfLastEntry.contains("VDM_LABEL_K"))
        #expect(!encoder.fieldNamesOfLastEntry.contains("VDM_ERROR_TYPE"))
        #expect(Set(encoder.fieldNamesOfLastEntry).count == encoder.fieldNamesOfLastEntry.count)
    }
}
