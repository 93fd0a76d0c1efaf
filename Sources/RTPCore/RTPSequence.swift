/// Serial-number arithmetic for RTP's wrapping 16-bit sequence numbers and 32-bit timestamps
/// (RFC 1982 style): "newer" is decided by the signed distance, so 0 follows 65535.
public enum RTPSerial {
    /// The signed distance from `a` to `b` (positive when `b` is newer), in -32768...32767.
    public static func distance(from a: UInt16, to b: UInt16) -> Int {
        Int(Int16(bitPattern: b &- a))
    }

    /// The signed distance from timestamp `a` to `b` (positive when `b` is later).
    public static func distance(from a: UInt32, to b: UInt32) -> Int64 {
        Int64(Int32(bitPattern: b &- a))
    }

    /// Extends a 16-bit `sequence` to the 64-bit counter nearest to `reference` (an earlier
    /// extended value), so reordering across a wrap keeps a monotonic order.
    public static func extend(_ sequence: UInt16, near reference: Int64) -> Int64 {
        reference + Int64(distance(from: UInt16(truncatingIfNeeded: reference), to: sequence))
    }
}
