// The parameter-change pattern every module follows: a `MsgUpdateParams{authority, params}` whose signer is
// `authority`, accepted only when authority is the gov module account, so only a passed proposal can run it.
// `registerUpdateParams` builds the message type and handler from a small spec so a module plugs in in one call.
import { ChainError, GovErrors } from "../../errors.js";
import { fromBech32, toBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import type { MsgRegistry, MsgType } from "../../tx/msgRegistry.js";
import { GOV_MODULE_ADDRESS } from "./keys.js";

/** The gov module account in bech32 (`secret10d07y265gmmuvt4z0w9aw880jnsr700jc88vt0`: sha256("gov")[:20]). */
export const GOV_AUTHORITY = toBech32(GOV_MODULE_ADDRESS);

/**
 * Call first in a module's MsgUpdateParams handler. Throws gov 13 with the SDK's wording when `authority` is not
 * `expected` (default: the gov module account), as every SDK v0.50 module's UpdateParams does.
 */
export function assertGovAuthority(authority: string, expected: string = GOV_AUTHORITY): void {
  if (authority !== expected) {
    throw new ChainError(
      GovErrors.InvalidSigner,
      `invalid authority; expected ${expected}, got ${authority}`,
    );
  }
}

/** What a module supplies to make its params governable. */
export interface UpdateParamsSpec<M extends { readonly authority: string }> {
  /** e.g. "/cosmos.bank.v1beta1.MsgUpdateParams". */
  readonly typeUrl: string;
  /** e.g. "/cosmos.bank.v1beta1.MsgUpdateParamsResponse" (empty response). */
  readonly responseTypeUrl: string;
  /** Module name for the `message.module` event attribute. */
  readonly module: string;
  decode(bytes: Uint8Array): M;
  encode(msg: M): Uint8Array;
  /** REST JSON fields (proto names) without "@type". */
  toJson(msg: M): Record<string, unknown>;
  /** Validates the new params (throw ChainError) and stores them. Runs only after the authority check. */
  apply(ctx: Context, msg: M): void;
}

/** The message type of a spec: signer = authority, no stateless checks (SDK v0.50 checks in the handler). */
export function updateParamsType<M extends { readonly authority: string }>(
  spec: UpdateParamsSpec<M>,
): MsgType<M> {
  return {
    typeUrl: spec.typeUrl,
    module: spec.module,
    decode: (b) => spec.decode(b),
    encode: (m) => spec.encode(m),
    signers: (m) => [fromBech32(m.authority, "authority")],
    validateBasic: () => undefined,
    toJson: (m) => spec.toJson(m),
  };
}

/** Registers `spec` in `registry`: the handler checks the authority (gov 13), then applies the params. */
export function registerUpdateParams<M extends { readonly authority: string }>(
  registry: MsgRegistry,
  spec: UpdateParamsSpec<M>,
  authority: string = GOV_AUTHORITY,
): void {
  registry.register<M>(updateParamsType(spec), (ctx, msg) => {
    assertGovAuthority(msg.authority, authority);
    spec.apply(ctx, msg);
    return { responseTypeUrl: spec.responseTypeUrl, response: new Uint8Array() };
  });
}
