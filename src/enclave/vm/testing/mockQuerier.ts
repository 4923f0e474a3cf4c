// Test double: a Querier answering from a handler function (default: every query is unsupported).
// Records the requests it saw so tests can check what the VM (or an encrypting wrapper) sent.
import { utf8 } from "../../../util/bytes.js";
import type { GasInfo, Querier } from "../backend.js";

/** Gas the mock charges per query (VM gas). */
export const MOCK_QUERY_GAS = 1_000n;

export type QueryHandler = (request: unknown, raw: Uint8Array) => unknown;

export class MockQuerier implements Querier {
  readonly seen: Uint8Array[] = [];

  constructor(private readonly handler?: QueryHandler) {}

  queryRaw(request: Uint8Array, _gasLimit: bigint): { result: Uint8Array; gas: GasInfo } {
    this.seen.push(request.slice());
    let answer: unknown;
    if (this.handler === undefined) {
      answer = { Err: { unsupported_request: { kind: "mock" } } };
    } else {
      answer = this.handler(JSON.parse(utf8.decode(request)), request);
    }
    return { result: utf8.encode(JSON.stringify(answer)), gas: { cost: MOCK_QUERY_GAS } };
  }
}
