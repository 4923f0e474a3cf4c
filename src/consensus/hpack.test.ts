// HPACK decoding against RFC 7541 Appendix C (Huffman-coded requests sharing one dynamic table), the error cases
// a hostile peer can produce, and our literal encoder read back by our decoder.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { HpackDecoder, HpackError, encodeHeaders, huffmanDecode } from "./hpack.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

describe("HPACK decoder", () => {
  test("RFC 7541 C.4: three requests with Huffman coding, one dynamic table", () => {
    const d = new HpackDecoder();
    // RFC 7541 C.4.1
    assert.deepEqual(d.decode(hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")), [
      [":method", "GET"],
      [":scheme", "http"],
      [":path", "/"],
      [":authority", "www.example.com"],
    ]);
    // RFC 7541 C.4.2: :authority now comes from the dynamic table (index 62)
    assert.deepEqual(d.decode(hex("8286 84be 5886 a8eb 1064 9cbf")), [
      [":method", "GET"],
      [":scheme", "http"],
      [":path", "/"],
      [":authority", "www.example.com"],
      ["cache-control", "no-cache"],
    ]);
    // RFC 7541 C.4.3
    assert.deepEqual(d.decode(hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")), [
      [":method", "GET"],
      [":scheme", "https"],
      [":path", "/index.html"],
      [":authority", "www.example.com"],
      ["custom-key", "custom-value"],
    ]);
  });

  test("version: changes when the dynamic table does, not for indexed-only or non-indexing blocks", () => {
    const d = new HpackDecoder();
    const v0 = d.version;
    d.decode(hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")); // RFC 7541 C.3.1: one entry added
    const v1 = d.version;
    assert.notEqual(v1, v0);
    d.decode(hex("8286 84be")); // indexed fields only (62 = the entry just added)
    d.decode(encodeHeaders([["grpc-status", "0"]])); // a literal without indexing
    assert.equal(d.version, v1);
    d.decode(hex("3f e1 1f")); // dynamic table size update to 4096 (RFC 7541 §6.3; integer 4096 − 31 = 4065)
    assert.notEqual(d.version, v1);
  });

  test("RFC 7541 C.3: the same requests without Huffman coding", () => {
    const d = new HpackDecoder();
    d.decode(hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"));
    assert.deepEqual(d.decode(hex("8286 84be 5808 6e6f 2d63 6163 6865")).at(-1), [
      "cache-control",
      "no-cache",
    ]);
  });

  test("a table size update evicts; indexes beyond the table and bad Huffman are errors", () => {
    const d = new HpackDecoder();
    d.decode(hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"));
    assert.deepEqual(d.decode(hex("be")), [[":authority", "www.example.com"]]);
    d.decode(hex("20")); // size 0: the dynamic table empties
    assert.throws(() => d.decode(hex("be")), HpackError);
    assert.throws(() => new HpackDecoder(4096).decode(hex("3fe21f")), /above our setting/); // 4097
    assert.throws(() => new HpackDecoder().decode(hex("80")), HpackError); // index 0
    assert.throws(() => huffmanDecode(hex("00")), /padding/); // 8 zero bits: not a code, not padding
    assert.throws(() => huffmanDecode(hex("ffffffff")), HpackError); // EOS (30 ones)
    assert.throws(() => new HpackDecoder().decode(hex("0085")), /truncated/);
    assert.throws(
      () => new HpackDecoder(4096, 100).decode(encodeHeaders([["x", "y".repeat(200)]])),
      /too large/,
    );
  });

  test("our literal encoder's blocks decode to what was encoded", () => {
    const fields = [
      [":status", "200"],
      [":status", "415"],
      ["content-type", "application/grpc"],
      ["grpc-status", "13"],
      ["grpc-message", "x".repeat(300)],
    ] as const;
    assert.deepEqual(
      new HpackDecoder().decode(encodeHeaders(fields)),
      fields.map(([n, v]) => [n, v]),
    );
  });
});
