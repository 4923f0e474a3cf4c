// Turning a (secretjs-decrypted) TxResponse into what the CLI prints: hash, code, gas, per-message output
// (code id, contract address, decrypted data), decrypted contract inputs, events, and the decrypted error.
import type { TxResponse } from "secretjs";
import { CliError, printResult, type OutputFormat } from "../common.js";
import type { Sent } from "./broadcast.js";

const STORE = "/secret.compute.v1beta1.MsgStoreCode";
const INSTANTIATE = "/secret.compute.v1beta1.MsgInstantiateContract";
const EXECUTE = "/secret.compute.v1beta1.MsgExecuteContract";
const MIGRATE = "/secret.compute.v1beta1.MsgMigrateContract";

interface MsgJson {
  readonly "@type"?: string;
  readonly msg?: unknown;
  readonly init_msg?: unknown;
}

/** Contract output bytes: JSON when they are JSON, else UTF-8 text, else base64. */
export function decodeData(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { base64: Buffer.from(bytes).toString("base64") };
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** TxResultCode is a numeric enum; 0 is success. */
function failed(tx: TxResponse): boolean {
  const code: number = tx.code;
  return code !== 0;
}

function messagesOf(tx: TxResponse): MsgJson[] {
  const body = (tx.tx as unknown as { body?: { messages?: unknown } } | undefined)?.body;
  return Array.isArray(body?.messages) ? (body.messages as MsgJson[]) : [];
}

/** Per message: type, decrypted input (own compute messages) and decoded, decrypted output. */
async function messageResults(tx: TxResponse): Promise<Record<string, unknown>[]> {
  const { MsgExecuteContractResponse, MsgInstantiateContractResponse, MsgStoreCodeResponse } =
    await import("secretjs");
  return messagesOf(tx).map((m, i) => {
    const type = m["@type"] ?? "";
    const out: Record<string, unknown> = { index: i, type };
    const input =
      type === INSTANTIATE ? m.init_msg : type === EXECUTE || type === MIGRATE ? m.msg : undefined;
    // secretjs replaces the base64 ciphertext by the parsed JSON only when it could decrypt it (our own tx).
    if (input !== undefined) out.input = typeof input === "string" ? { encrypted: input } : input;
    const raw = tx.data[i];
    if (raw === undefined || failed(tx)) return out;
    if (type === STORE) out.code_id = MsgStoreCodeResponse.decode(raw).code_id;
    else if (type === INSTANTIATE) {
      const r = MsgInstantiateContractResponse.decode(raw);
      out.contract_address = r.address;
      out.data = decodeData(r.data);
    } else if (type === EXECUTE || type === MIGRATE)
      out.data = decodeData(MsgExecuteContractResponse.decode(raw).data);
    return out;
  });
}

/** `wasm` attributes decrypted by secretjs, grouped per message and event type, in emission order. */
function eventsOf(
  tx: TxResponse,
): { msg: number; type: string; attributes: { key: string; value: string }[] }[] {
  const out: { msg: number; type: string; attributes: { key: string; value: string }[] }[] = [];
  for (const a of tx.arrayLog ?? []) {
    let ev = out.find((e) => e.msg === a.msg && e.type === a.type);
    if (ev === undefined) out.push((ev = { msg: a.msg, type: a.type, attributes: [] }));
    ev.attributes.push({ key: a.key, value: a.value });
  }
  return out;
}

export async function txSummary(tx: TxResponse): Promise<Record<string, unknown>> {
  return {
    txhash: tx.transactionHash,
    height: tx.height,
    code: tx.code,
    ...(failed(tx) ? { codespace: tx.codespace, raw_log: tx.rawLog } : {}),
    gas_wanted: tx.gasWanted,
    gas_used: tx.gasUsed,
    messages: await messageResults(tx),
    events: eventsOf(tx),
  };
}

function printText(s: Record<string, unknown>): void {
  const lines = [`txhash: ${String(s.txhash)}`, `height: ${String(s.height)}`, `code: ${String(s.code)}`];
  if (typeof s.raw_log === "string") lines.push(`raw_log: ${s.raw_log}`);
  lines.push(`gas: ${String(s.gas_used)} used / ${String(s.gas_wanted)} wanted`);
  for (const m of s.messages as Record<string, unknown>[]) {
    lines.push(`message ${String(m.index)}: ${String(m.type)}`);
    for (const k of ["input", "code_id", "contract_address", "data"])
      if (m[k] !== undefined && m[k] !== null)
        lines.push(`  ${k}: ${typeof m[k] === "string" ? m[k] : JSON.stringify(m[k])}`);
  }
  for (const e of s.events as ReturnType<typeof eventsOf>) {
    lines.push(`event ${e.type} (message ${e.msg}):`);
    for (const a of e.attributes) lines.push(`  ${a.key}: ${a.value}`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}

export function printSummary(s: Record<string, unknown>, output: OutputFormat): void {
  if (output === "json") printResult(s, "json");
  else printText(s);
}

/** Prints a tx outcome; a failed tx (code ≠ 0) prints too, then exits 1 with the (decrypted) log. */
export async function printTx(sent: Sent, output: OutputFormat): Promise<void> {
  if (sent.tx === undefined) {
    printResult({ txhash: sent.txhash }, output);
    return;
  }
  printSummary(await txSummary(sent.tx), output);
  if (failed(sent.tx))
    throw new CliError(`tx ${sent.txhash} failed with code ${sent.tx.code}: ${sent.tx.rawLog}`);
}
