extension SessionDescription {
    /// Parses an SDP body (RFC 4566).
    ///
    /// Liberal where real stacks differ: LF or CRLF line ends, trailing spaces and tabs, blank lines,
    /// runs of spaces between tokens, fields in a non-canonical order, a missing `t=`, `a=ptime:20.0`.
    /// Strict where garbage would otherwise pass: every line must be `<letter>=<value>`, the body
    /// must start with `v=0` and contain `o=` and `s=`, unknown field letters are refused (RFC 4566 5),
    /// `o=`/`c=`/`m=`/`b=`/`t=` and `a=rtpmap`/`fmtp`/`ptime`/`maxptime`/`rtcp` must be well formed, and
    /// every medium with a non-zero port needs a connection address.
    public init(parsing text: String) throws(SDPParseError) {
        var parser = SDPBodyParser()
        self = try parser.parse(text)
    }

    /// Parses an SDP body given as bytes (it must be UTF-8).
    public init(parsing bytes: [UInt8]) throws(SDPParseError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SDPParseError(line: 0, reason: "body is not valid UTF-8")
        }
        try self.init(parsing: text)
    }
}

/// The line-by-line state of one parse.
private struct SDPBodyParser {
    var version: Int?
    var origin: SDPOrigin?
    var sessionName: String?
    var connection: SDPConnection?
    var bandwidths: [SDPBandwidth] = []
    var timings: [SDPTiming] = []
    var attributes: [SDPAttribute] = []
    var otherFields: [SDPField] = []
    var media: [SDPMediaDescription] = []
    /// Line numbers of each `m=`, for errors found after the section ended.
    var mediaLines: [Int] = []

    mutating func parse(_ text: String) throws(SDPParseError) -> SessionDescription {
        var lineNumber = 0
        var sawContent = false
        // Split on scalars: as Characters, "\r\n" is one grapheme and would never equal "\n".
        for rawLine in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var scalars = rawLine
            while let last = scalars.last, last == "\r" || last == " " || last == "\t" { scalars.removeLast() }
            let line = Substring(scalars)
            if line.isEmpty { continue }
            guard line.count >= 2, let type = line.first, type.isASCII, type.isLetter,
                  line[line.index(after: line.startIndex)] == "=" else {
                throw SDPParseError(line: lineNumber, reason: "expected <type>=<value>, got \"\(line.prefix(40))\"")
            }
            let value = String(line.dropFirst(2))
            if !sawContent {
                guard type == "v" else { throw SDPParseError(line: lineNumber, reason: "first line must be v=0") }
                sawContent = true
            }
            try field(type, value, line: lineNumber)
        }
        guard let version else { throw SDPParseError(line: 0, reason: "empty body") }
        guard let origin else { throw SDPParseError(line: 0, reason: "missing o= line") }
        guard let sessionName else { throw SDPParseError(line: 0, reason: "missing s= line") }
        for (index, section) in media.enumerated() where section.port != 0 {
            if section.connection == nil && connection == nil {
                throw SDPParseError(line: mediaLines[index], reason: "no c= line for this medium or the session")
            }
        }
        return SessionDescription(
            version: version, origin: origin, sessionName: sessionName, connection: connection,
            bandwidths: bandwidths, timings: timings, attributes: attributes, otherFields: otherFields,
            media: media)
    }

    mutating func field(_ type: Character, _ value: String, line: Int) throws(SDPParseError) {
        let inMedia = !media.isEmpty
        switch type {
        case "v":
            guard version == nil else { throw SDPParseError(line: line, reason: "second v= line") }
            guard value == "0" else { throw SDPParseError(line: line, reason: "unsupported SDP version \"\(value)\"") }
            version = 0
        case "o":
            guard origin == nil, !inMedia else { throw SDPParseError(line: line, reason: "unexpected o= line") }
            origin = try Self.origin(value, line: line)
        case "s":
            guard sessionName == nil, !inMedia else { throw SDPParseError(line: line, reason: "unexpected s= line") }
            sessionName = value
        case "c":
            let parsed = try Self.connection(value, line: line)
            if inMedia {
                guard media[media.count - 1].connection == nil else {
                    throw SDPParseError(line: line, reason: "second c= line in a medium")
                }
                media[media.count - 1].connection = parsed
            } else {
                guard connection == nil else { throw SDPParseError(line: line, reason: "second session c= line") }
                connection = parsed
            }
        case "b":
            let parsed = try Self.bandwidth(value, line: line)
            if inMedia { media[media.count - 1].bandwidths.append(parsed) } else { bandwidths.append(parsed) }
        case "t":
            guard !inMedia else { throw SDPParseError(line: line, reason: "t= line inside a medium") }
            let tokens = value.sdpTokens()
            guard tokens.count == 2, let start = UInt64(tokens[0]), let stop = UInt64(tokens[1]) else {
                throw SDPParseError(line: line, reason: "t= needs <start> <stop> as numbers")
            }
            timings.append(SDPTiming(start: start, stop: stop))
        case "m":
            media.append(try Self.mediaLine(value, line: line))
            mediaLines.append(line)
        case "a":
            let attribute = try Self.attribute(value, line: line)
            if inMedia { media[media.count - 1].attributes.append(attribute) } else { attributes.append(attribute) }
        case "i", "k":
            if inMedia {
                media[media.count - 1].otherFields.append(SDPField(type: type, value: value))
            } else {
                otherFields.append(SDPField(type: type, value: value))
            }
        case "u", "e", "p", "r", "z":
            guard !inMedia else { throw SDPParseError(line: line, reason: "\(type)= line inside a medium") }
            otherFields.append(SDPField(type: type, value: value))
        default:
            throw SDPParseError(line: line, reason: "unknown field type \"\(type)\"")
        }
    }

    static func origin(_ value: String, line: Int) throws(SDPParseError) -> SDPOrigin {
        let tokens = value.sdpTokens()
        guard tokens.count == 6 else {
            throw SDPParseError(line: line, reason: "o= needs 6 fields, got \(tokens.count)")
        }
        guard let id = UInt64(tokens[1]), let version = UInt64(tokens[2]) else {
            throw SDPParseError(line: line, reason: "o= session id and version must be numbers")
        }
        let (network, type) = try networkAndType(tokens[3], tokens[4], line: line)
        return SDPOrigin(username: tokens[0], sessionID: id, sessionVersion: version, networkType: network,
                         addressType: type, address: tokens[5])
    }

    static func connection(_ value: String, line: Int) throws(SDPParseError) -> SDPConnection {
        let tokens = value.sdpTokens()
        guard tokens.count == 3 else {
            throw SDPParseError(line: line, reason: "c= needs <nettype> <addrtype> <address>")
        }
        let (network, type) = try networkAndType(tokens[0], tokens[1], line: line)
        let parts = tokens[2].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts[0].isEmpty, parts.count <= 3 else {
            throw SDPParseError(line: line, reason: "c= address \"\(tokens[2])\" is malformed")
        }
        var numbers: [Int] = []
        for part in parts.dropFirst() {
            guard let number = Int(part), number >= 0 else {
                throw SDPParseError(line: line, reason: "c= address \"\(tokens[2])\" is malformed")
            }
            numbers.append(number)
        }
        if type == .ip4, parts[0].allSatisfy({ $0.isNumber || $0 == "." }), !isIPv4(parts[0]) {
            throw SDPParseError(line: line, reason: "c= IPv4 address \"\(parts[0])\" is malformed")
        }
        if type == .ip6, !parts[0].contains(":") {
            throw SDPParseError(line: line, reason: "c= IPv6 address \"\(parts[0])\" is malformed")
        }
        // IPv6 has no TTL: a single suffix is the address count (RFC 4566 5.7).
        let ttl = type == .ip4 ? numbers.first : nil
        let count = type == .ip4 ? (numbers.count > 1 ? numbers[1] : nil) : numbers.first
        return SDPConnection(networkType: network, addressType: type, address: parts[0], ttl: ttl, addressCount: count)
    }

    static func isIPv4(_ text: String) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && (Int($0) ?? 256) <= 255 }
    }

    static func networkAndType(_ network: String, _ type: String, line: Int) throws(SDPParseError)
        -> (String, SDPAddressType) {
        guard network == "IN" else { throw SDPParseError(line: line, reason: "network type \"\(network)\" is not IN") }
        guard let addressType = SDPAddressType(rawValue: type.uppercased()) else {
            throw SDPParseError(line: line, reason: "address type \"\(type)\" is not IP4 or IP6")
        }
        return (network, addressType)
    }

    static func bandwidth(_ value: String, line: Int) throws(SDPParseError) -> SDPBandwidth {
        guard let (type, number) = value.sdpSplitOnce(":"), !type.isEmpty,
              let amount = Int(number.trimmingSDPWhitespace()), amount >= 0 else {
            throw SDPParseError(line: line, reason: "b= needs <type>:<number>")
        }
        return SDPBandwidth(type: type, value: amount)
    }

    static func mediaLine(_ value: String, line: Int) throws(SDPParseError) -> SDPMediaDescription {
        let tokens = value.sdpTokens()
        guard tokens.count >= 4 else {
            throw SDPParseError(line: line, reason: "m= needs <media> <port> <proto> and at least one format")
        }
        let portParts = tokens[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2, let port = Int(portParts[0]), (0...65535).contains(port) else {
            throw SDPParseError(line: line, reason: "m= port \"\(tokens[1])\" is not 0...65535")
        }
        var count: Int?
        if portParts.count == 2 {
            guard let number = Int(portParts[1]), number > 0 else {
                throw SDPParseError(line: line, reason: "m= port count \"\(tokens[1])\" is malformed")
            }
            count = number
        }
        let section = SDPMediaDescription(media: tokens[0], port: port, portCount: count, proto: tokens[2],
                                          formats: Array(tokens[3...]))
        if section.isRTP {
            for format in section.formats where UInt8(format).map({ $0 > 127 }) ?? true {
                throw SDPParseError(line: line, reason: "RTP payload type \"\(format)\" is not 0...127")
            }
        }
        return section
    }

    static func attribute(_ value: String, line: Int) throws(SDPParseError) -> SDPAttribute {
        let attribute: SDPAttribute
        if let (name, rest) = value.sdpSplitOnce(":") {
            attribute = SDPAttribute(name: name, value: rest)
        } else {
            attribute = SDPAttribute(name: value)
        }
        guard !attribute.name.isEmpty, !attribute.name.contains(" ") else {
            throw SDPParseError(line: line, reason: "a= attribute name \"\(attribute.name)\" is malformed")
        }
        let text = attribute.value ?? ""
        switch attribute.name.lowercased() {
        case "rtpmap":
            if SDPRTPMap(attributeValue: text) == nil {
                throw SDPParseError(line: line, reason: "a=rtpmap needs <payload type> <encoding>/<clock rate>[/<channels>]")
            }
        case "fmtp":
            guard let format = text.sdpTokens().first, !format.isEmpty else {
                throw SDPParseError(line: line, reason: "a=fmtp needs <format> <parameters>")
            }
        case "ptime", "maxptime":
            if SDPMediaDescription.milliseconds(text) == nil {
                throw SDPParseError(line: line, reason: "a=\(attribute.name) needs a positive number of milliseconds")
            }
        case "rtcp":
            if SDPRTCPAttribute(attributeValue: text) == nil {
                throw SDPParseError(line: line, reason: "a=rtcp needs <port> [IN <addrtype> <address>]")
            }
        default:
            break
        }
        return attribute
    }
}
