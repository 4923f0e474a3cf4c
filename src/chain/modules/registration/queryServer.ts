// Registration queries (SN proto/secret/registration/v1beta1/query.proto): TxKey, RegistrationKey,
// EncryptedSeed. JSON shapes as grpc-gateway renders them (bytes as base64); the ABCI router uses the bytes.
import { toBase64 } from "../../../util/bytes.js";
import { GrpcCode, QueryError } from "../../errors.js";
import type { Context } from "../../tx/context.js";
import type { RegistrationKeeper } from "./keeper.js";
import { PUBKEY_SIZE } from "./keys.js";
import { policyToJson, type RegistrationParamsJson } from "./params.js";

export class RegistrationQueryServer {
  constructor(private readonly k: RegistrationKeeper) {}

  /** The IO exchange key every client encrypts to (GET /registration/v1beta1/tx-key). */
  txKey(ctx: Context): Uint8Array {
    const key = this.k.getMasterKey(ctx, "io_exch_key");
    if (key === undefined) throw new QueryError(GrpcCode.NotFound, "io exchange key not found");
    return key;
  }

  /** The seed-exchange master key new nodes use (GET /registration/v1beta1/registration-key). */
  registrationKey(ctx: Context): Uint8Array {
    const key = this.k.getMasterKey(ctx, "node_exch_key");
    if (key === undefined) throw new QueryError(GrpcCode.NotFound, "node exchange key not found");
    return key;
  }

  /** GET /registration/v1beta1/encrypted-seed/{pub_key}: the 48·k bytes stored at registration. */
  encryptedSeed(ctx: Context, pubKey: Uint8Array): Uint8Array {
    if (pubKey.length !== PUBKEY_SIZE) {
      throw new QueryError(GrpcCode.InvalidArgument, `pub_key must be ${PUBKEY_SIZE} bytes`);
    }
    const info = this.k.getRegistration(ctx, pubKey);
    if (info === undefined) throw new QueryError(GrpcCode.NotFound, "node not registered");
    return info.encryptedSeed;
  }

  txKeyJson(ctx: Context): { key: string } {
    return { key: toBase64(this.txKey(ctx)) };
  }

  registrationKeyJson(ctx: Context): { key: string } {
    return { key: toBase64(this.registrationKey(ctx)) };
  }

  encryptedSeedJson(ctx: Context, pubKey: Uint8Array): { encrypted_seed: string } {
    return { encrypted_seed: toBase64(this.encryptedSeed(ctx, pubKey)) };
  }

  params(ctx: Context): { params: RegistrationParamsJson } {
    return { params: { attestation_policy: policyToJson(this.k.getParams(ctx)) } };
  }
}
