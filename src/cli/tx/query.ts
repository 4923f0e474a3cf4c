// `query compute …`: encrypted smart queries (decrypted answer, decrypted contract errors → exit 1), code and
// contract metadata over REST, and `query compute tx <hash> --from <key>` decrypting one's own past tx.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { CliError, printResult, type OutputFormat } from "../common.js";
import { fromBase64, toBase64 } from "../../util/bytes.js";
import { parseAddress, parseCodeId, parseJsonObject } from "./args.js";
import {
  action,
  addConnectOptions,
  connect,
  connectFlags,
  getJson,
  progress,
  type ConnectFlags,
} from "./context.js";
import { printSummary, txSummary } from "./result.js";
import { openKeyring } from "../keys/index.js";

const C = "/compute/v1beta1";
// secretjs query/compute.ts and spec secret-protocol §8.1: both orders occur in node error messages.
const ERR_RE_1 = /encrypted: (.+?): (?:instantiate|execute|query|reply to|migrate) contract failed/;
const ERR_RE_2 = /(?:instantiate|execute|query|reply to|migrate) contract failed: encrypted: ([\w+/=]+)/;

interface EncryptionUtils {
  encrypt(codeHash: string, msg: object): Promise<Uint8Array>;
  decrypt(ct: Uint8Array, nonce: Uint8Array): Promise<Uint8Array>;
}

/** secretjs's EncryptionUtilsImpl with the `--from` key's derived seed (or a random one without --from). */
async function encryptionFor(flags: ConnectFlags, from: string | undefined): Promise<EncryptionUtils> {
  const seed = from === undefined ? undefined : (await openKeyring(flags).unlock(from)).encryptionSeed;
  const { EncryptionUtilsImpl } = await import("secretjs");
  return new EncryptionUtilsImpl(flags.node, seed);
}

const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Answer plaintext is the base64 of the contract's bytes (spec secret-protocol §5, query row). */
function decodeAnswer(plain: Uint8Array): unknown {
  if (plain.length === 0) return {};
  const text = utf8(fromBase64(utf8(plain), "query answer"));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Error plaintext: base64 of the text when it decodes as such, else the raw text (spec §8.1 step 4). */
function decodeError(plain: Uint8Array): string {
  const s = utf8(plain);
  try {
    return utf8(fromBase64(s));
  } catch {
    return s;
  }
}

async function smartQuery(addr: string, json: string, o: { from?: string }, cmd: Command): Promise<void> {
  parseAddress(addr, "contract");
  const msg = parseJsonObject(json, "query");
  const flags = connectFlags(cmd);
  const enc = await encryptionFor(flags, o.from);
  const { code_hash } = (await getJson(flags.node, `${C}/code_hash/by_contract_address/${addr}`)) as {
    code_hash?: string;
  };
  if (typeof code_hash !== "string" || code_hash === "") throw new CliError(`contract ${addr} not found`);
  const q = await enc.encrypt(code_hash, msg);
  const nonce = q.slice(0, 32);
  let res: Response;
  try {
    res = await fetch(`${flags.node}${C}/query/${addr}?query=${encodeURIComponent(toBase64(q))}`);
  } catch (e) {
    throw new CliError(
      `cannot reach the node at ${flags.node}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as { data?: string; message?: string };
  if (res.ok && typeof body.data === "string") {
    printResult(decodeAnswer(await enc.decrypt(fromBase64(body.data, "data"), nonce)), flags.output);
    return;
  }
  const message = typeof body.message === "string" ? body.message : `HTTP ${res.status}`;
  const m = ERR_RE_1.exec(message) ?? ERR_RE_2.exec(message);
  if (m?.[1] === undefined) throw new CliError(`query failed: ${message}`);
  const plain = await enc.decrypt(fromBase64(m[1], "error"), nonce).catch(() => undefined);
  if (plain === undefined) throw new CliError(`query failed: ${message}`);
  throw new CliError(`query failed: ${decodeError(plain)}`);
}

async function showCode(id: string, file: string | undefined, _o: unknown, cmd: Command): Promise<void> {
  const flags = connectFlags(cmd);
  const r = (await getJson(flags.node, `${C}/code/${parseCodeId(id)}`)) as {
    code_info?: unknown;
    wasm?: unknown;
  };
  const wasm = typeof r.wasm === "string" ? fromBase64(r.wasm, "wasm") : new Uint8Array();
  if (file !== undefined) {
    if (wasm.length === 0) throw new CliError(`code ${id}: the node returned no wasm`);
    writeFileSync(file, wasm);
    progress(`Downloading wasm code to ${file}`);
  }
  print(flags, { code_info: r.code_info, wasm_size: wasm.length });
}

/** secretd's `query compute decrypt`: nonce(32) ‖ sender x25519 pubkey(32) ‖ AES-SIV ciphertext, base64. */
async function decryptBlob(b64: string, o: { from: string }, cmd: Command): Promise<void> {
  const flags = connectFlags(cmd);
  const bytes = fromBase64(b64.trim(), "encrypted data");
  if (bytes.length < 64 + 16)
    throw new CliError(`encrypted data: ${bytes.length} bytes, need nonce, pubkey and ciphertext`);
  const enc = (await encryptionFor(flags, o.from)) as EncryptionUtils & { getPubkey(): Promise<Uint8Array> };
  const mine = await enc.getPubkey();
  if (Buffer.compare(Buffer.from(mine), Buffer.from(bytes.subarray(32, 64))) !== 0)
    throw new CliError(`cannot decrypt: not encrypted by ${o.from} (another sender's public key)`);
  const plain = await enc.decrypt(bytes.slice(64), bytes.slice(0, 32)).catch(() => undefined);
  if (plain === undefined) throw new CliError("cannot decrypt: ciphertext does not open with this key");
  print(flags, { decrypted: utf8(plain) });
}

/** Contract history inputs are encrypted by their senders: decrypt the ones `--from` sent. */
async function decryptHistory(body: unknown, enc: EncryptionUtils): Promise<unknown> {
  const entries = (body as { entries?: { msg?: unknown }[] }).entries;
  if (!Array.isArray(entries)) return body;
  for (const e of entries) {
    if (typeof e.msg !== "string") continue;
    try {
      const bytes = fromBase64(e.msg);
      const plain = utf8(await enc.decrypt(bytes.slice(64), bytes.slice(0, 32)));
      e.msg = JSON.parse(plain.slice(64)) as unknown;
    } catch {
      // someone else's input (or not encrypted): left as base64
    }
  }
  return body;
}

async function showTx(hash: string, o: { from?: string }, cmd: Command): Promise<void> {
  if (!/^[0-9A-Fa-f]{64}$/.test(hash))
    throw new CliError(`tx hash must be 64 hex characters, got ${JSON.stringify(hash)}`);
  const flags = connectFlags(cmd);
  const c = await connect(flags, o.from);
  const tx = await c.client.query.getTx(hash.toUpperCase());
  if (tx === null) throw new CliError(`tx ${hash.toUpperCase()} not found`);
  printSummary(await txSummary(tx), flags.output);
}

function simple(
  q: Command,
  name: string,
  desc: string,
  path: (arg: string) => string,
  check: (a: string) => void,
) {
  addConnectOptions(q.command(name).description(desc)).action(
    action(async (arg: string, _o: unknown, cmd: Command) => {
      check(arg);
      const flags = connectFlags(cmd);
      printResult(await getJson(flags.node, path(encodeURIComponent(arg))), flags.output);
    }),
  );
}

function print(flags: { output: OutputFormat }, v: unknown): void {
  printResult(v, flags.output);
}

export function registerComputeQueries(query: Command): void {
  const q = query.command("compute").alias("wasm").description("Secret Contract queries");
  addConnectOptions(
    q.command("query <contract> <json>").description("encrypted smart query; prints the answer"),
  )
    .option("--from <key>", "derive the query's encryption seed from this key (default: random)")
    .action(action(smartQuery));
  addConnectOptions(
    q.command("tx <hash>").description("a tx with your own contract inputs, outputs and events decrypted"),
  )
    .option("--from <key>", "the key that sent the tx (its derived encryption seed decrypts it)")
    .action(action(showTx));
  addConnectOptions(
    q.command("code <code-id> [output-file]").description("code info; writes the wasm to output-file"),
  ).action(action(showCode));
  addConnectOptions(q.command("codes").alias("list-code").description("all uploaded codes")).action(
    action(async (_o: unknown, cmd: Command) => {
      const flags = connectFlags(cmd);
      print(flags, await getJson(flags.node, `${C}/codes`));
    }),
  );
  addConnectOptions(
    q.command("decrypt <base64>").description("decrypt one of your own encrypted blobs (nonce‖pubkey‖ct)"),
  )
    .requiredOption("--from <key>", "the key whose derived seed encrypted it")
    .action(action(decryptBlob));
  simple(
    q,
    "contract <contract>",
    "contract info",
    (a) => `${C}/info/${a}`,
    (a) => parseAddress(a, "contract"),
  );
  simple(
    q,
    "list-contract-by-code <code-id>",
    "contracts of a code",
    (a) => `${C}/contracts/${a}`,
    (a) => parseCodeId(a),
  );
  simple(
    q,
    "contract-hash <contract>",
    "code hash of a contract",
    (a) => `${C}/code_hash/by_contract_address/${a}`,
    (a) => parseAddress(a, "contract"),
  );
  simple(
    q,
    "label <label>",
    "contract address of a label",
    (a) => `${C}/contract_address/${a}`,
    (a) => {
      if (a === "") throw new CliError("label must not be empty");
    },
  );
  addConnectOptions(
    q.command("contract-history <contract>").description("code history (own inputs decrypted with --from)"),
  )
    .option("--from <key>", "decrypt the inputs this key sent")
    .action(
      action(async (addr: string, o: { from?: string }, cmd: Command) => {
        parseAddress(addr, "contract");
        const flags = connectFlags(cmd);
        const body = await getJson(flags.node, `${C}/contract_history/${addr}`);
        print(
          flags,
          o.from === undefined ? body : await decryptHistory(body, await encryptionFor(flags, o.from)),
        );
      }),
    );
  addConnectOptions(q.command("params").description("compute module parameters")).action(
    action(async (_o: unknown, cmd: Command) => {
      const flags = connectFlags(cmd);
      print(flags, await getJson(flags.node, `${C}/params`));
    }),
  );
}
