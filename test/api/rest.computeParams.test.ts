// GET /compute/v1beta1/params on `shroud dev`, read through secretjs' own grpc-gateway client: Secret's
// Params{compile_cost, max_contract_size} with the defaults of SN x/compute/internal/types/params.go.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Query } from "secretjs/dist/grpc_gateway/secret/compute/v1beta1/query.pb.js";
import { startDev, type DevNode } from "../../src/cli/dev.js";
import { DEV_SERVICES } from "../../src/cli/services.js";

let node: DevNode;
let url = "";
const dir = mkdtempSync(join(tmpdir(), "shroud-rest-cparams-"));

before(async () => {
  const rest = DEV_SERVICES.find((s) => s.name === "REST");
  assert.ok(rest);
  node = await startDev({
    home: join(dir, "dev"),
    reset: true,
    blockTimeMs: 50,
    host: "127.0.0.1",
    rpcPort: 0,
    restPort: 0,
    faucetPort: 0,
    services: [rest],
    log: (l) => {
      url = /REST \(LCD\) on (http:\/\/\S+)/.exec(l)?.[1] ?? url;
    },
  });
});

after(async () => {
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("compute params over REST: Secret's fields and defaults, as secretjs' gateway client reads them", async () => {
  const r = await Query.Params({}, { pathPrefix: url });
  // Secret mainnet-style answer: LegacyDec text with 18 decimals, uint64 as a string (0.8 gas/byte, 2 MiB).
  assert.deepEqual(r, { params: { compile_cost: "0.800000000000000000", max_contract_size: "2097152" } });
});
