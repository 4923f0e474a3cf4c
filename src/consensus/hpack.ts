// HPACK (RFC 7541) for the ABCI gRPC server's own HTTP/2 (h2.ts): a full decoder (static + dynamic table,
// Huffman strings) for the request headers CometBFT's gRPC client sends, and the few literal header fields our
// answers need (no dynamic table on our side: an encoder may always send literals without indexing).

/** RFC 7541 Appendix A: the static table, index 1…61 (index 0 unused). */
const STATIC: readonly (readonly [string, string])[] = [
  ["", ""],
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ...[
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "accept",
    "access-control-allow-origin",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-range",
    "content-type",
    "cookie",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "link",
    "location",
    "max-forwards",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "refresh",
    "retry-after",
    "server",
    "set-cookie",
    "strict-transport-security",
    "transfer-encoding",
    "user-agent",
    "vary",
    "via",
    "www-authenticate",
  ].map((n) => [n, n === "accept-encoding" ? "gzip, deflate" : ""] as const),
];
const STATIC_COUNT = STATIC.length - 1; // 61

/**
 * RFC 7541 Appendix B: the Huffman code's bit length of symbols 0…255 and EOS (256). The code is canonical
 * (codes of one length are consecutive in symbol order, shorter lengths first), so the lengths define it.
 */
// prettier-ignore
const HUFFMAN_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28,
  28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6,
  12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5,
  6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22,
  22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22, 21,
  20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22,
  23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26,
  28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27,
  28, 27, 27, 27, 27, 27, 26, 30,
];
const EOS = 256;
const MAX_CODE_BITS = 30;

/** Canonical decoding tables: per length, the first code, and the symbols in code order. */
const HUFF = (() => {
  const order = HUFFMAN_LENGTHS.map((len, sym) => [len, sym] as const).sort(
    (a, b) => a[0] - b[0] || a[1] - b[1],
  );
  const first = new Array<number>(MAX_CODE_BITS + 1).fill(0);
  const count = new Array<number>(MAX_CODE_BITS + 1).fill(0);
  const offset = new Array<number>(MAX_CODE_BITS + 1).fill(0);
  let code = 0;
  let prevLen = order[0]![0];
  order.forEach(([len], k) => {
    if (k > 0) code = (code + 1) * 2 ** (len - prevLen);
    prevLen = len;
    if (count[len] === 0) {
      first[len] = code;
      offset[len] = k;
    }
    count[len]!++;
  });
  return { first, count, offset, symbols: order.map(([, sym]) => sym) };
})();

export class HpackError extends Error {}

/** Huffman-decodes `src` (RFC 7541 §5.2): padding must be < 8 bits of ones; EOS inside is an error. */
export function huffmanDecode(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  let code = 0;
  let len = 0;
  for (const byte of src) {
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((byte >> bit) & 1);
      len++;
      if (len > MAX_CODE_BITS) throw new HpackError("bad Huffman code");
      const idx = code - HUFF.first[len]!;
      if (HUFF.count[len]! > 0 && idx >= 0 && idx < HUFF.count[len]!) {
        const sym = HUFF.symbols[HUFF.offset[len]! + idx]!;
        if (sym === EOS) throw new HpackError("EOS in a Huffman string");
        out.push(sym);
        code = 0;
        len = 0;
      }
    }
  }
  if (len > 7 || code !== 2 ** len - 1) throw new HpackError("bad Huffman padding");
  return Uint8Array.from(out);
}

/** One header block's fields, in order, as latin1 strings (one char per octet, as HPACK counts sizes). */
export type HeaderList = [string, string][];

/** A connection's HPACK decoder: the dynamic table persists across header blocks (RFC 7541 §2.3.2). */
export class HpackDecoder {
  private table: [string, string][] = []; // newest first
  private size = 0;
  /** Bumped at every change of the dynamic table (entry added or evicted, size update): see `version`. */
  private changes = 0;
  private maxSize: number;

  /** @param settingsMax our SETTINGS_HEADER_TABLE_SIZE; @param maxListBytes cap on a block's decoded fields. */
  constructor(
    private readonly settingsMax = 4096,
    private readonly maxListBytes = 64 * 1024,
  ) {
    this.maxSize = settingsMax;
  }

  /**
   * Changes when the dynamic table changes. A block whose decoding left it unchanged (only indexed fields and
   * literals without indexing) decodes to the same fields again while it stays unchanged: h2.ts reuses them for
   * grpc-go's identical, fully indexed request blocks.
   */
  get version(): number {
    return this.changes;
  }

  /** The block being decoded and the read position in it (fields, not closures: decode runs once per call). */
  private block: Uint8Array = new Uint8Array();
  private pos = 0;

  decode(block: Uint8Array): HeaderList {
    const out: HeaderList = [];
    let listBytes = 0;
    this.block = block;
    this.pos = 0;
    while (this.pos < block.length) {
      const b = block[this.pos]!;
      let field: [string, string];
      if (b & 0x80) field = this.entry(this.int(7));
      else if ((b & 0xe0) === 0x20) {
        const size = this.int(5);
        if (size > this.settingsMax) throw new HpackError("table size update above our setting");
        this.maxSize = size;
        this.changes++;
        this.evict(0);
        continue;
      } else {
        const indexing = (b & 0xc0) === 0x40;
        const nameIdx = this.int(indexing ? 6 : 4);
        const name = nameIdx === 0 ? this.str() : this.entry(nameIdx)[0];
        field = [name, this.str()];
        if (indexing) this.add(field);
      }
      listBytes += field[0].length + field[1].length + 32;
      if (listBytes > this.maxListBytes) throw new HpackError("header list too large");
      out.push(field);
    }
    return out;
  }

  /** An integer with a `prefixBits`-bit prefix at pos (RFC 7541 §5.1). */
  private int(prefixBits: number): number {
    const block = this.block;
    const mask = 2 ** prefixBits - 1;
    let v = block[this.pos++]! & mask;
    if (v < mask) return v;
    for (let shift = 0; ; shift += 7) {
      if (this.pos >= block.length || shift > 28) throw new HpackError("bad integer");
      const b = block[this.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
  }

  /** A string literal at pos (RFC 7541 §5.2), Huffman-coded or not. */
  private str(): string {
    const block = this.block;
    if (this.pos >= block.length) throw new HpackError("truncated string");
    const huffman = (block[this.pos]! & 0x80) !== 0;
    const n = this.int(7);
    if (this.pos + n > block.length) throw new HpackError("truncated string");
    const raw = block.subarray(this.pos, this.pos + n);
    this.pos += n;
    return Buffer.from(huffman ? huffmanDecode(raw) : raw).toString("latin1");
  }

  private entry(index: number): [string, string] {
    if (index === 0) throw new HpackError("index 0");
    if (index <= STATIC_COUNT) {
      const [n, v] = STATIC[index]!;
      return [n, v];
    }
    const e = this.table[index - STATIC_COUNT - 1];
    if (e === undefined) throw new HpackError("index beyond the dynamic table");
    return e;
  }

  private add(field: [string, string]): void {
    const need = field[0].length + field[1].length + 32;
    this.changes++;
    this.evict(need);
    if (need <= this.maxSize) {
      this.table.unshift(field);
      this.size += need;
    }
  }

  /** Drops the oldest entries until `room` more octets fit (all of them if it cannot). */
  private evict(room: number): void {
    while (this.table.length > 0 && this.size + room > this.maxSize) {
      const [n, v] = this.table.pop()!;
      this.size -= n.length + v.length + 32;
    }
  }
}

/** An HPACK integer with an N-bit prefix whose high bits are `flags` (RFC 7541 §5.1). */
function encodeInt(flags: number, prefixBits: number, v: number, out: number[]): void {
  const mask = 2 ** prefixBits - 1;
  if (v < mask) {
    out.push(flags | v);
    return;
  }
  out.push(flags | mask);
  let rest = v - mask;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

/**
 * A header block of literal fields without indexing (RFC 7541 §6.2.2), names taken from the static table when
 * there, plain (non-Huffman) strings; `:status: 200` as the static entry 8. Values must be latin1 (ours are ASCII).
 */
export function encodeHeaders(fields: readonly (readonly [string, string])[]): Uint8Array {
  const out: number[] = [];
  const lit = (s: string): void => {
    const bytes = Buffer.from(s, "latin1");
    encodeInt(0, 7, bytes.length, out);
    for (const x of bytes) out.push(x);
  };
  for (const [name, value] of fields) {
    if (name === ":status" && value === "200") {
      out.push(0x88);
      continue;
    }
    const idx = STATIC.findIndex(([n], i) => i > 0 && n === name);
    if (idx > 0) encodeInt(0, 4, idx, out);
    else {
      out.push(0);
      lit(name);
    }
    lit(value);
  }
  return Uint8Array.from(out);
}
