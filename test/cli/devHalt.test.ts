// `shroud dev` halts instead of looping when its enclave dies: the next block's PrepareProposal cannot get a
// block random, the app throws EnclaveHaltError, startDev's onHalt fires once, and nothing was committed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDev } from "../../src/cli/dev.js";
import { devSigners, signedSend } from "../chain/fixtures.js";

test(
  "a dead enclave halts shroud dev through onHalt; the chain does not advance",
  { timeout: 120_000 },
  async () => {
    const home = mkdtempSync(join(tmpdir(), "shroud-dev-halt-"));
    const halts: Error[] = [];
    let halted: () => void = () => undefined;
    const haltSeen = new Promise<void>((resolve) => {
      halted = resolve;
    });
    const node = await startDev({
      home,
      reset: false,
      blockTimeMs: 50,
      host: "127.0.0.1",
      rpcPort: 0,
      restPort: 0,
      faucetPort: 0,
      services: [],
      log: () => undefined,
      onHalt: (e) => {
        halts.push(e);
        halted();
      },
    });
    try {
      const height = node.engine.height;
      await node.enclave.stop();
      const { a, b } = devSigners();
      // a's account number in the dev genesis is 2 (the validator and a module account come first).
      const tx = await signedSend(a, b.address, "1", 2, 0);
      const { checkTx } = await node.engine.broadcastTx(tx);
      assert.equal(checkTx.code, 0, `CheckTx of a bank send needs no enclave: ${checkTx.log}`);
      await Promise.race([haltSeen, new Promise((r) => setTimeout(r, 20_000))]);
      assert.equal(halts.length, 1, "onHalt fired once");
      assert.equal(halts[0]!.name, "EnclaveHaltError");
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(node.engine.height, height, "no block was committed after the halt");
    } finally {
      await node.stop().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    }
  },
);
