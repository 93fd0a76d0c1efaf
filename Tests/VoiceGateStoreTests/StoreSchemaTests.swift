import Testing
import VoiceGateStore

@Test func schemaVersionIsNotNegative() {
    #expect(VoiceGateStore.schemaVersion >= 0)
}
