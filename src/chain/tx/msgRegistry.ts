// The type-URL registry: how each message inside a tx body is decoded, who must sign it, its stateless checks
// and its REST JSON rendering. Unknown type URLs are a decode error (sdk 2), as in the SDK's interface registry.
import type { AminoMsg } from "./amino.js";
import type { Context } from "./context.js";
import { internAscii } from "./internedStrings.js";

/** Everything the chain needs to know about one message type. */
export interface MsgType<T> {
  readonly typeUrl: string;
  /** Module name for the `message.module` event attribute (SDK 0.50 baseapp). */
  readonly module: string;
  /** Decodes the Any value; throws ProtoDecodeError or ChainError. */
  decode(bytes: Uint8Array): T;
  encode(msg: T): Uint8Array;
  /** Canonical signer addresses (cosmos.msg.v1.signer); throws ChainError(invalid address). */
  signers(msg: T): Uint8Array[];
  /** Stateless checks (SDK ValidateBasic); throws ChainError. */
  validateBasic(msg: T): void;
  /** REST JSON fields (proto names, uint64 as strings, bytes as base64), without "@type". */
  toJson(msg: T): Record<string, unknown>;
  /** Legacy amino JSON form, for SIGN_MODE_LEGACY_AMINO_JSON; absent = that sign mode is refused. */
  toAmino?(msg: T): AminoMsg;
}

/** What a message handler returns: the encoded Msg*Response and its type URL (for TxMsgData). */
export interface MsgResult {
  readonly responseTypeUrl: string;
  readonly response: Uint8Array;
}

export type MsgHandler<T> = (ctx: Context, msg: T) => MsgResult;

/** A decoded message together with the type that decoded it. */
export interface DecodedMsg {
  readonly typeUrl: string;
  readonly value: unknown;
  readonly raw: Uint8Array;
  readonly type: MsgType<unknown>;
}

interface Entry {
  readonly type: MsgType<unknown>;
  handler: MsgHandler<unknown> | undefined;
}

/** Type URL -> codec and (once a module registers it) handler. Registration happens at app construction. */
export class MsgRegistry {
  private readonly entries = new Map<string, Entry>();

  register<T>(type: MsgType<T>, handler?: MsgHandler<T>): void {
    if (this.entries.has(type.typeUrl)) throw new Error(`message type ${type.typeUrl} registered twice`);
    // Decoding a tx then finds this URL by its bytes (internedStrings.ts); the same string either way.
    internAscii(type.typeUrl);
    this.entries.set(type.typeUrl, {
      type,
      handler: handler as MsgHandler<unknown> | undefined,
    });
  }

  /** Attaches the handler for an already registered type (modules register handlers after codecs). */
  setHandler<T>(typeUrl: string, handler: MsgHandler<T>): void {
    const e = this.entries.get(typeUrl);
    if (e === undefined) throw new Error(`message type ${typeUrl} is not registered`);
    if (e.handler !== undefined) throw new Error(`handler for ${typeUrl} registered twice`);
    e.handler = handler as MsgHandler<unknown>;
  }

  type(typeUrl: string): MsgType<unknown> | undefined {
    return this.entries.get(typeUrl)?.type;
  }

  handler(typeUrl: string): MsgHandler<unknown> | undefined {
    return this.entries.get(typeUrl)?.handler;
  }

  /** Registered type URLs, sorted (deterministic listing for docs/tests). */
  typeUrls(): string[] {
    return [...this.entries.keys()].sort();
  }
}
