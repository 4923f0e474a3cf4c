// The `messages` of a gov v1 proposal file (secretd's `submit-proposal` format): each entry is proto JSON with an
// "@type" (field names snake_case as `secretd tx gov draft-proposal` writes them, or camelCase), encoded with the
// cosmjs-types codec of that type; any type (e.g. secret.*) may also be given as {"@type", "value": base64}.
import type { Msg } from "secretjs";
import { CliError } from "../common.js";

/** At most this many messages per proposal (a file is ≤ 1 MiB anyway). */
const MAX_MESSAGES = 64;
const TYPE_URL = /^\/([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)\.([A-Z][A-Za-z0-9]*)$/;
/** google.protobuf.Duration in proto JSON: "172800s", "1.5s". */
const DURATION = /^(-?[0-9]+)(?:\.([0-9]{1,9}))?s$/;

interface Codec {
  fromJSON(object: unknown): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}

const camel = (k: string): string => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * Proto-JSON field names to the camelCase names cosmjs-types' fromJSON reads, and durations ("90s") to the
 * {seconds, nanos} object it reads, in fields named like one (…period, …duration).
 */
export function toCodecJson(v: unknown, key = ""): unknown {
  if (Array.isArray(v)) return v.map((x) => toCodecJson(x, key));
  if (typeof v === "string" && /(period|duration)$/i.test(key)) {
    const m = DURATION.exec(v);
    if (m !== null) return { seconds: m[1], nanos: Number((m[2] ?? "").padEnd(9, "0")) };
  }
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== "@type") out[camel(k)] = toCodecJson(x, k);
  return out;
}

/** A secretjs Msg over bytes we encoded (MsgSubmitProposal only calls toProto). */
function rawMsg(typeUrl: string, bytes: Uint8Array): Msg {
  return {
    toProto: () => Promise.resolve({ type_url: typeUrl, value: {}, encode: () => bytes }),
    toAmino: () => Promise.reject(new Error("proposal messages are signed in SIGN_MODE_DIRECT only")),
  };
}

/** The cosmjs-types codec of a cosmos.* type URL: /cosmos.bank.v1beta1.MsgSend → cosmos/bank/v1beta1/tx MsgSend. */
async function codecOf(typeUrl: string): Promise<Codec | undefined> {
  const m = TYPE_URL.exec(typeUrl);
  if (m === null || !m[1]!.startsWith("cosmos.")) return undefined;
  try {
    const mod = (await import(`cosmjs-types/${m[1]!.replace(/\./g, "/")}/tx`)) as Record<string, unknown>;
    const c = mod[m[2]!] as Partial<Codec> | undefined;
    return typeof c?.fromJSON === "function" && typeof c.encode === "function" ? (c as Codec) : undefined;
  } catch {
    return undefined;
  }
}

/** One entry of `messages`, as a Msg for secretjs' MsgSubmitProposal. */
async function proposalMsg(entry: unknown, i: number): Promise<Msg> {
  const where = `proposal messages[${i}]`;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry))
    throw new CliError(`${where}: expected an object with "@type"`);
  const o = entry as Record<string, unknown>;
  const typeUrl = o["@type"];
  if (typeof typeUrl !== "string" || !TYPE_URL.test(typeUrl))
    throw new CliError(`${where}: "@type" must be a message type URL like /cosmos.bank.v1beta1.MsgSend`);
  const keys = Object.keys(o);
  if (keys.length === 2 && typeof o.value === "string") {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(o.value) || o.value.length % 4 !== 0)
      throw new CliError(`${where}: "value" is not base64`);
    return rawMsg(typeUrl, new Uint8Array(Buffer.from(o.value, "base64")));
  }
  const codec = await codecOf(typeUrl);
  if (codec === undefined)
    throw new CliError(
      `${where}: no JSON codec for ${typeUrl} in this CLI; give it as {"@type": "${typeUrl}", "value": "<base64 of the encoded message>"}`,
    );
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(codec.fromJSON(toCodecJson(o))).finish();
  } catch (e) {
    throw new CliError(`${where}: ${typeUrl}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return rawMsg(typeUrl, bytes);
}

/** `messages` of a proposal file (absent or [] → none). */
export async function proposalMessages(messages: unknown): Promise<Msg[]> {
  if (messages === undefined) return [];
  if (!Array.isArray(messages)) throw new CliError("proposal: messages must be an array");
  if (messages.length > MAX_MESSAGES) throw new CliError(`proposal: more than ${MAX_MESSAGES} messages`);
  const out: Msg[] = [];
  for (const [i, m] of messages.entries()) out.push(await proposalMsg(m, i));
  return out;
}
