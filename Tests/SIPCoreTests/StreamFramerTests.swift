import Testing
import NIOCore
import SIPCore

@Suite("TCP stream framing")
struct StreamFramerTests {
    /// Well-formed fixtures, serialised so that each carries an exact Content-Length.
    static let stream: (bytes: [UInt8], messages: [SIPMessage]) = {
        var bytes: [UInt8] = []
        var messages: [SIPMessage] = []
        for name in ["wsinv", "esc01", "mpart01", "unreason", "longreq", "semiuri", "noreason"] {
            let m = try! SIPParser().parseDatagram(TortureFixtures.bytes(named: name))
            let wire = SIPSerializer.bytes(m)
            bytes += wire
            messages.append(try! SIPParser().parseDatagram(wire))
            if name == "mpart01" { bytes += Array("\r\n\r\n".utf8) }  // a keep-alive ping between messages
        }
        return (bytes, messages)
    }()

    func decode(chunks: [[UInt8]]) throws -> (messages: [SIPMessage], pings: Int) {
        var framer = SIPStreamFramer()
        var buffer = ByteBuffer()
        var messages: [SIPMessage] = []
        var pings = 0
        for chunk in chunks {
            buffer.writeBytes(chunk)
            decodeLoop: while true {
                switch try framer.next(&buffer) {
                case .needMoreData: break decodeLoop
                case .keepAlive(let ping): if ping { pings += 1 }
                case .message(let m): messages.append(m)
                }
            }
            buffer.discardReadBytes()
        }
        #expect(buffer.readableBytes == 0)
        return (messages, pings)
    }

    @Test func oneChunk() throws {
        let (messages, pings) = try decode(chunks: [Self.stream.bytes])
        #expect(messages == Self.stream.messages)
        #expect(pings == 1)
    }

    @Test func byteByByteGivesTheSameMessages() throws {
        let (messages, pings) = try decode(chunks: Self.stream.bytes.map { [$0] })
        #expect(messages == Self.stream.messages)
        #expect(pings == 1)
    }

    @Test func oddChunks() throws {
        var chunks: [[UInt8]] = []
        var i = 0
        var size = 1
        while i < Self.stream.bytes.count {
            let end = min(i + size, Self.stream.bytes.count)
            chunks.append(Array(Self.stream.bytes[i..<end]))
            i = end
            size = size * 7 % 97 + 1
        }
        #expect(try decode(chunks: chunks).messages == Self.stream.messages)
    }

    @Test func contentLengthIsMandatoryOnStreams() {
        var framer = SIPStreamFramer()
        var buffer = ByteBuffer(bytes: TortureFixtures.bytes(named: "inv2543"))
        do {
            _ = try framer.next(&buffer)
            Issue.record("accepted a stream message without Content-Length")
        } catch {
            #expect(error.reason == .missingContentLength)
            #expect(error.isFramingError)
            #expect(error.canRespond)
        }
    }

    @Test func negativeContentLengthClosesTheStream() {
        var framer = SIPStreamFramer()
        var buffer = ByteBuffer(bytes: TortureFixtures.bytes(named: "ncl"))
        do {
            _ = try framer.next(&buffer)
            Issue.record("accepted a negative Content-Length")
        } catch {
            #expect(error.reason == .invalidContentLength)
            #expect(error.isFramingError)
        }
    }

    @Test func clerrWaitsForMoreData() throws {
        var framer = SIPStreamFramer()
        var buffer = ByteBuffer(bytes: TortureFixtures.bytes(named: "clerr"))
        #expect(try framer.next(&buffer) == .needMoreData)
    }

    @Test func endlessHeaderIsBounded() {
        var framer = SIPStreamFramer(parser: SIPParser(limits: SIPParserLimits(maxMessageSize: 4096)))
        var buffer = ByteBuffer(string: "INVITE sip:a@b SIP/2.0\r\n")
        var failed = false
        for _ in 0..<1000 where !failed {
            buffer.writeString("X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")
            do {
                _ = try framer.next(&buffer)
            } catch {
                #expect(error.reason == .messageTooLarge)
                failed = true
            }
            #expect(buffer.readableBytes < 4096 + 64)
        }
        #expect(failed)
    }
}
