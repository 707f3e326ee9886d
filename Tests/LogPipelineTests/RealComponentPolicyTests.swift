import RealComponent
import Testing

/// The one parse of `CI` (Tests/RealComponent): set to anything but empty, 0, false or no means CI.
@Suite struct RealComponentPolicyTests {
    @Test func ciIsParsedOneWay() {
        for value in [nil, "", " ", "0", "false", "FALSE", "no", "No"] as [String?] {
            #expect(!RealComponent.isCI(value), "\(value ?? "unset")")
        }
        for value in ["true", "TRUE", "1", "yes", "github-actions"] {
            #expect(RealComponent.isCI(value), "\(value)")
        }
    }
}
