// JSON helpers shared by the compute module's readers of contract output and queries: the object check and
// the u64 field that contracts send as a number or a decimal string.
import { ChainError } from "../../errors.js";
import { ComputeErrors } from "./errors.js";

/** A parsed JSON object. */
export type J = Record<string, unknown>;

export const isObj = (v: unknown): v is J => typeof v === "object" && v !== null && !Array.isArray(v);

/** A u64 sent as a JSON number or decimal string; anything else is `compute 10` naming the field. */
export function u64Field(v: unknown, field: string): bigint {
  const t = typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof t !== "string" || !/^[0-9]{1,20}$/.test(t) || BigInt(t) >= 1n << 64n)
    throw new ChainError(ComputeErrors.InvalidMsg, field);
  return BigInt(t);
}
