/// Typed accessors for the headers the transaction, dialog and UAS layers need. Each parses the
/// raw value on demand and returns nil (or an empty list) when absent or malformed.
extension SIPMessage {
    /// Every Via value in order (top first), across all Via field lines; nil if any is malformed.
    public var vias: [SIPVia]? {
        var out: [SIPVia] = []
        for v in headers.listValues("Via") {
            guard let via = SIPVia(v) else { return nil }
            out.append(via)
        }
        return out
    }

    /// The top Via (the one a response is routed by).
    public var topVia: SIPVia? {
        headers.listValues("Via").first.flatMap(SIPVia.init)
    }

    /// The From header.
    public var from: SIPNameAddress? { headers["From"].flatMap(SIPNameAddress.init) }

    /// The To header.
    public var to: SIPNameAddress? { headers["To"].flatMap(SIPNameAddress.init) }

    /// The Call-ID (trimmed, compared byte for byte).
    public var callID: String? { headers["Call-ID"] }

    /// The CSeq header.
    public var cSeq: SIPCSeq? { headers["CSeq"].flatMap(SIPCSeq.init) }

    /// Max-Forwards, 0...255; nil when absent or out of range (RFC 4475 scalar02 lets an element
    /// treat an overlarge value as absent).
    public var maxForwards: Int? {
        headers["Max-Forwards"].flatMap { SIPSyntax.parseDecimal(Array($0.utf8), maximum: 255) }.map { Int($0) }
    }

    /// The Contact header(s): `*` or the addresses in order.
    public var contact: SIPContact? {
        let values = headers.values("Contact")
        return values.isEmpty ? nil : SIPContact(values: values)
    }

    /// Content-Length as declared (nil when absent or malformed).
    public var contentLength: Int? {
        headers["Content-Length"].flatMap { SIPSyntax.parseDecimal(Array($0.utf8), maximum: UInt64(Int32.max)) }
            .map { Int($0) }
    }

    /// The media type of Content-Type, lowercased, without parameters (`application/sdp`).
    public var contentType: String? {
        guard let v = headers["Content-Type"] else { return nil }
        let base = v.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? v
        return SIPSyntax.asciiLowercased(SIPSyntax.trimmed(base).filter { $0 != " " && $0 != "\t" })
    }

    /// Option tags of Require.
    public var require: [String] { optionTags("Require") }
    /// Option tags of Proxy-Require.
    public var proxyRequire: [String] { optionTags("Proxy-Require") }
    /// Option tags of Supported (compact form `k`).
    public var supported: [String] { optionTags("Supported") }
    /// Methods listed in Allow.
    public var allow: [SIPMethod] { headers.listValues("Allow").map { SIPMethod($0) } }

    /// Record-Route addresses in order; nil if any is malformed.
    public var recordRoute: [SIPNameAddress]? { addresses("Record-Route") }
    /// Route addresses in order; nil if any is malformed.
    public var route: [SIPNameAddress]? { addresses("Route") }

    private func optionTags(_ name: String) -> [String] { headers.listValues(name) }

    private func addresses(_ name: String) -> [SIPNameAddress]? {
        var out: [SIPNameAddress] = []
        for v in headers.listValues(name) {
            guard let a = SIPNameAddress(v) else { return nil }
            out.append(a)
        }
        return out
    }
}
