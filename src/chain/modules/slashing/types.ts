// Slashing records (signing info, params) and their store encoding (canonical JSON, bigints as strings).
import { utf8 } from "../../../util/bytes.js";
import { Dec } from "../staking/dec.js";

export interface SigningInfo {
  readonly address: Uint8Array;
  readonly startHeight: bigint;
  readonly indexOffset: bigint;
  readonly jailedUntilNs: bigint;
  readonly tombstoned: boolean;
  readonly missedBlocksCounter: bigint;
}

export interface SlashingParams {
  readonly signedBlocksWindow: bigint;
  readonly minSignedPerWindow: Dec;
  readonly downtimeJailDurationNs: bigint;
  readonly slashFractionDoubleSign: Dec;
  readonly slashFractionDowntime: Dec;
}

/**
 * Secret Network mainnet's slashing params as we know them (window 22500, 5% min signed, 600 s downtime jail,
 * 5% double-sign and 0.01% downtime slash); not checked against a live genesis, set them through genesis.
 */
export const DEFAULT_SLASHING_PARAMS: SlashingParams = Object.freeze({
  signedBlocksWindow: 22_500n,
  minSignedPerWindow: Dec.fromString("0.05"),
  downtimeJailDurationNs: 600n * 1_000_000_000n,
  slashFractionDoubleSign: Dec.fromString("0.05"),
  slashFractionDowntime: Dec.fromString("0.0001"),
});

/** SDK evidence DoubleSignJailEndTime: 9999-12-31T23:59:59Z, i.e. jailed forever. */
export const DOUBLE_SIGN_JAIL_END_NS = 253402300799n * 1_000_000_000n;

export function encodeSigningInfo(s: SigningInfo): Uint8Array {
  return utf8.encode(
    JSON.stringify([
      Buffer.from(s.address).toString("hex"),
      s.startHeight.toString(),
      s.indexOffset.toString(),
      s.jailedUntilNs.toString(),
      s.tombstoned ? "1" : "0",
      s.missedBlocksCounter.toString(),
    ]),
  );
}

export function decodeSigningInfo(b: Uint8Array): SigningInfo {
  const a = JSON.parse(utf8.decode(b)) as string[];
  if (a.length !== 6) throw new Error("corrupt signing info");
  return {
    address: Uint8Array.from(Buffer.from(a[0]!, "hex")),
    startHeight: BigInt(a[1]!),
    indexOffset: BigInt(a[2]!),
    jailedUntilNs: BigInt(a[3]!),
    tombstoned: a[4] === "1",
    missedBlocksCounter: BigInt(a[5]!),
  };
}

export function encodeSlashingParams(p: SlashingParams): Uint8Array {
  return utf8.encode(
    JSON.stringify([
      p.signedBlocksWindow.toString(),
      p.minSignedPerWindow.toAtomics(),
      p.downtimeJailDurationNs.toString(),
      p.slashFractionDoubleSign.toAtomics(),
      p.slashFractionDowntime.toAtomics(),
    ]),
  );
}

export function decodeSlashingParams(b: Uint8Array): SlashingParams {
  const a = JSON.parse(utf8.decode(b)) as string[];
  return {
    signedBlocksWindow: BigInt(a[0]!),
    minSignedPerWindow: Dec.fromAtomics(a[1]!),
    downtimeJailDurationNs: BigInt(a[2]!),
    slashFractionDoubleSign: Dec.fromAtomics(a[3]!),
    slashFractionDowntime: Dec.fromAtomics(a[4]!),
  };
}
