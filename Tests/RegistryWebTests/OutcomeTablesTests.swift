import Testing

@testable import RegistryWeb

/// How the dashboard writes intervals: a negative bound with a true minus and spaced dash, so
/// "(-14.6–9.7)" reads as "(−14.6 – 9.7)".
@Suite struct OutcomeTablesTests {
    @Test func intervalsWithANegativeBoundReadAsARange() {
        #expect(Format.span("3", "7") == "3–7")
        #expect(Format.span("-14.6", "9.7") == "\u{2212}14.6 – 9.7")
        #expect(Format.span("-3", "-1") == "\u{2212}3 – \u{2212}1")
        #expect(Format.estimate(0.625, 0.551, 0.7) == "62.5% (55.1–70.0)")
    }
}
