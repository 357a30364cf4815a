import Testing

// Replaced by the RequestEncoding tests when they land.
@Test func requestEncodingTestsPending() { #expect(Bool(true)) }
