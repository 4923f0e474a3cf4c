// GET /compute/v1beta1/params on `shroud dev`, read through secretjs' own grpc-gateway client: Secret's
// Params{compile_cost, max_contract_size} with the defaults of SN x/compute/internal/types/params.go.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Query } from "secretjs/dist/grpc_gateway/secret/compute/v1beta1/query.pb.js";
import { startDevRest, type DevRest } from "./devRest.js";

let dev: DevRest;

before(async () => {
  dev = await startDevRest("shroud-rest-cparams-");
});

after(async () => {
  await dev.close();
});

test("compute params over REST: Secret's fields and defaults, as secretjs' gateway client reads them", async () => {
  const r = await Query.Params({}, { pathPrefix: dev.url });
  // Secret mainnet-style answer: LegacyDec text with 18 decimals, uint64 as a string (0.8 gas/byte, 2 MiB).
  assert.deepEqual(r, { params: { compile_cost: "0.800000000000000000", max_contract_size: "2097152" } });
});
