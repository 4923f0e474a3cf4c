// A real in-process `shroud dev` with only its REST server, in a fresh temp folder, for REST route tests.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDev, type DevNode } from "../../src/cli/dev.js";
import { DEV_SERVICES } from "../../src/cli/services.js";

export interface DevRest {
  readonly node: DevNode;
  /** The REST (LCD) base URL, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the dev chain (50 ms blocks, free ports) with the REST service only. */
export async function startDevRest(prefix: string): Promise<DevRest> {
  const rest = DEV_SERVICES.find((s) => s.name === "REST");
  assert.ok(rest, "the REST dev service exists");
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let url = "";
  const node = await startDev({
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
  assert.ok(url, "the REST server logged its URL");
  return {
    node,
    url,
    async close() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
