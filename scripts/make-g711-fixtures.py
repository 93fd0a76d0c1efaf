#!/usr/bin/env python3
"""Writes the G.711 reference fixtures for VoiceGateCodecsTests from an independent
implementation: Python's `audioop` (CPython's C module, Sun-reference G.711; present up to 3.12).

Output: Tests/VoiceGateCodecsTests/Fixtures/g711_reference.bin, laid out as
  offset      0: 65536 bytes  μ-law code of every Int16 input, inputs in order -32768 ... 32767
  offset  65536: 65536 bytes  A-law code of every Int16 input, same order
  offset 131072: 512 bytes    μ-law decode of codes 0...255, Int16 little-endian
  offset 131584: 512 bytes    A-law decode of codes 0...255, Int16 little-endian
Total 132096 bytes. Run from the repository root:  python3 scripts/make-g711-fixtures.py
"""
import os
import struct
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # removed in Python 3.13: run this with 3.11 or 3.12

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "Tests", "VoiceGateCodecsTests", "Fixtures", "g711_reference.bin")


def main() -> None:
    every_input = struct.pack("<65536h", *range(-32768, 32768))
    ulaw_codes = audioop.lin2ulaw(every_input, 2)
    alaw_codes = audioop.lin2alaw(every_input, 2)
    every_code = bytes(range(256))
    ulaw_decoded = audioop.ulaw2lin(every_code, 2)
    alaw_decoded = audioop.alaw2lin(every_code, 2)
    if sys.byteorder != "little":  # audioop works in native order; the fixture is little-endian
        ulaw_decoded = audioop.byteswap(ulaw_decoded, 2)
        alaw_decoded = audioop.byteswap(alaw_decoded, 2)
    blob = ulaw_codes + alaw_codes + ulaw_decoded + alaw_decoded
    assert len(blob) == 65536 * 2 + 512 * 2
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(blob)
    print(f"wrote {os.path.normpath(OUT)} ({len(blob)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
