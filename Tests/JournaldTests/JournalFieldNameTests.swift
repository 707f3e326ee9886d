import LogPipeline
import Testing
@testable import Journald

@Suite struct JournalFieldNameTests {
    @Test func dottedNamesBecomeUpperCaseWithPrefix() {
        #expect(JournalFieldName.forField("gen_ai.usage.output_tokens") == "VDM_GEN_AI_USAGE_OUTPUT_TOKENS")
        #expect(JournalFieldName.forField("http.response.status_code") == "VDM_HTTP_RESPONSE_STATUS_CODE")
        #expect(JournalFieldName.forField("vdm.tool_calls") == "VDM_TOOL_CALLS")
        #expect(JournalFieldName.forLabel("client.name") == "VDM_LABEL_CLIENT_NAME")
    }

    @Test(arguments: [
        "", "a", "_hidden", "9lives", "BAD-NAME", "x y", "dots...", "ünïcode", "semi;colon=eq",
        "a.very.long.metadata.key.that.goes.on.and.on.well.past.the.sixty.four.character.limit",
        String(repeating: "z", count: 300),
    ])
    func everyNameIsValidForJournald(_ key: String) {
        #expect(JournalFieldName.isValid(JournalFieldName.forField(key)))
        #expect(JournalFieldName.isValid(JournalFieldName.forLabel(key)))
    }

    @Test func validityFollowsSystemdRules() {
        #expect(JournalFieldName.isValid("MESSAGE"))
        #expect(JournalFieldName.isValid("A1_B"))
        #expect(!JournalFieldName.isValid(""))
        #expect(!JournalFieldName.isValid("_TRUSTED"))
        #expect(!JournalFieldName.isValid("1ABC"))
        #expect(!JournalFieldName.isValid("lower"))
        #expect(!JournalFieldName.isValid("BAD-NAME"))
        #expect(!JournalFieldName.isValid(String(repeating: "A", count: 65)))
        #expect(JournalFieldName.isValid(String(repeating: "A", count: 64)))
    }

    @Test func longNamesStayDistinct() {
        let base = String(repeating: "segment.", count: 10)
        let a = JournalFieldName.forField(base + "alpha")
        let b = JournalFieldName.forField(base + "beta")
        #expect(a.utf8.count == 64)
        #expect(a != b)
    }

    @Test func collisionsGetNumberedSuffixesInVisitOrder() {
        var namer = JournalFieldNamer()
        #expect(namer.claim("VDM_A_B") == "VDM_A_B")
        #expect(namer.claim("VDM_A_B") == "VDM_A_B_2")
        #expect(namer.claim("VDM_A_B") == "VDM_A_B_3")
        // Envelope names are taken before any payload field is named.
        #expect(namer.claim("VDM_SEQUENCE") == "VDM_SEQUENCE_2")
        let long = String(repeating: "X", count: 64)
        #expect(namer.claim(long) == long)
        #expect(namer.claim(long) == String(repeating: "X", count: 62) + "_2")
        namer.reset()
        #expect(namer.claim("VDM_A_B") == "VDM_A_B")
    }

    @Test func everySchemaFieldHasADistinctValidName() {
        var keys: [String] = []
        keys += PayloadFields.of(RequestCompletedPayload(metrics: metrics("x", error: "boom"))).map(\.key)
        keys += PayloadFields.of(RequestStartedPayload(metrics: metrics("x"), toolsDefined: 2, maxTokens: 100)).map(\.key)
        keys += PayloadFields.of(SummaryCheckpointPayload(interval: 100, totals: MetricCounters())).map(\.key)
        let names = Set(keys).map(JournalFieldName.forField)
        #expect(names.allSatisfy(JournalFieldName.isValid))
        #expect(Set(names).count == Set(keys).count)
        #expect(Set(names).isDisjoint(with: JournalFieldName.envelope))
    }
}
