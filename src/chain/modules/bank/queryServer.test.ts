// Bank query JSON: DenomMetadata in the gRPC gateway's shape (proto field names, defaults emitted), the same
// renderer the REST gap table uses; an unknown denom is NotFound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryOverlay } from "../../store/memory.js";
import { QueryError } from "../../errors.js";
import { makeTestChain } from "../../tx/testdata/testHarness.js";
import { metadataJson as restMetadataJson } from "../../../api/rest/gapQueries.js";
import { BankQueryServer } from "./queryServer.js";

test("denomMetadata renders snake_case field names with defaults kept; unknown denom is NotFound", () => {
  const c = makeTestChain({});
  const ctx = c.ctx(new MemoryOverlay(c.state));
  c.bank.keeper.setDenomMetadata(ctx, {
    description: "The native staking token of Secret Network",
    denomUnits: [
      { denom: "uscrt", exponent: 0, aliases: ["microscrt"] },
      { denom: "scrt", exponent: 6, aliases: [] },
    ],
    base: "uscrt",
    display: "scrt",
    name: "Secret",
    symbol: "SCRT",
    uri: "",
    uriHash: "",
  });
  const q = new BankQueryServer(c.bank.keeper);
  const got = q.denomMetadata(ctx, "uscrt");
  // Shape of SDK v0.50 GET /cosmos/bank/v1beta1/denoms_metadata/{denom} (bank.proto Metadata, OrigName JSON).
  assert.deepEqual(got, {
    metadata: {
      description: "The native staking token of Secret Network",
      denom_units: [
        { denom: "uscrt", exponent: 0, aliases: ["microscrt"] },
        { denom: "scrt", exponent: 6, aliases: [] },
      ],
      base: "uscrt",
      display: "scrt",
      name: "Secret",
      symbol: "SCRT",
      uri: "",
      uri_hash: "",
    },
  });
  assert.deepEqual(Object.keys(got.metadata), [
    "description",
    "denom_units",
    "base",
    "display",
    "name",
    "symbol",
    "uri",
    "uri_hash",
  ]);
  const md = c.bank.keeper.getDenomMetadata(ctx, "uscrt");
  assert.ok(md !== undefined);
  assert.deepEqual(restMetadataJson(md), got.metadata, "REST gap table uses the same renderer");
  assert.throws(
    () => q.denomMetadata(ctx, "uatom"),
    (e: unknown) => e instanceof QueryError && /client metadata for denom uatom/.test(e.message),
  );
});
