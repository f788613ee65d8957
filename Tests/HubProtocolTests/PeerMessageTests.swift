import HubProtocol
import Testing

/// The broker reads a peer's frames with one pure function (docs/protocol.md §2).
@Suite("Peer frames")
struct PeerMessageTests {
    func frames(_ parts: String...) -> ArraySlice<[UInt8]> { parts.map { Array($0.utf8) }[...] }

    @Test func everyCommandIsReadWithItsFrames() {
        #expect(PeerMessage.parse(frames("UHP1", "REQ", "referrals.submit", "{}")) == .success(.request(type: Array("referrals.submit".utf8), envelope: Array("{}".utf8))))
        #expect(PeerMessage.parse(frames("UHP1", "REP", "42", "{}")) == .success(.reply(token: 42, envelope: Array("{}".utf8))))
        #expect(PeerMessage.parse(frames("UHP1", "READY", "referrals", "64")) == .success(.ready(service: "referrals", capacity: 64)))
        #expect(PeerMessage.parse(frames("UHP1", "HB", "referrals")) == .success(.heartbeat(namesService: true)))
        #expect(PeerMessage.parse(frames("UHP1", "HB")) == .success(.heartbeat(namesService: false)))
        #expect(PeerMessage.parse(frames("UHP1", "BYE")) == .success(.disconnect))
        #expect(PeerMessage.parse(frames("UHP1", "PUB", "agency.police.x", "{}")) == .success(.publish(topic: Array("agency.police.x".utf8), envelope: Array("{}".utf8))))
        #expect(PeerMessage.parse(frames("UHP1", "SUB", "agency.police.")) == .success(.subscribe(prefix: Array("agency.police.".utf8))))
    }

    @Test func wrongFramesAreMalformedAndSayWhatTheCommandTakes() {
        for bad in [frames(), frames("UHP2", "REQ"), frames("UHP1", "NOPE"), frames("UHP1", "REQ", "x"), frames("UHP1", "REP", "-1", "{}"),
                    frames("UHP1", "READY", "s", "0"), frames("UHP1", "READY", "s", "10001"), frames("UHP1", "PUB", "t"),
                    frames("UHP1", "SUB"), frames("UHP1", "EVT", "t", "p", "{}"), frames("UHP1", "ERR", "{}")] {
            guard case .failure(let e) = PeerMessage.parse(bad) else { Issue.record("accepted \(bad)"); continue }
            #expect(e.code == .malformed)
        }
        guard case .failure(let e) = PeerMessage.parse(frames("UHP1", "READY", "s")) else { return }
        #expect(e.message.contains("capacity"))
    }
}
