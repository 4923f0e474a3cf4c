// Speculative ante is speed only: two apps over the same enclave keys — one running each tx's ante ahead inside
// the previous tx's ECALL wait, one not — finalize the same seeded random blocks (callbacks contract executes,
// contracts sending funds to the next tx's signer — who cannot pay its fee without them —, bank sends to the next
// signer, contract errors, out of gas in the contract and in ante, wrong sequences, the same tx twice) and must
// agree on every tx result and app hash; speculations are taken, failed ones included, and some are voided.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { MsgExecuteContract, MsgInstantiateContract, MsgSend, MsgStoreCode, type Msg } from "secretjs";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { EnclaveHost } from "../../enclave/api.js";
import { ShroudApp } from "../app.js";
import type { GenesisDoc } from "../genesis.js";
import { tempStore, enclaveGenesis, type TempStore } from "../../../test/chain/fixtures.js";
import { finalizeRequest, initChain } from "../../../test/chain/lifecycle.js";
import { appSigners, instantiatedAddress, type AppClient } from "../../../test/chain/twinApps.js";

// contracts/build/callbacks.wasm(.gz): provenance in contracts/testdata/README.md.
const build = (f: string) =>
  new Uint8Array(readFileSync(new URL(`../../../contracts/build/${f}`, import.meta.url)));
const callbacksHash = createHash("sha256").update(build("callbacks.wasm")).digest("hex");

let dir: string;
let serial: EnclaveHost;
let ahead: EnclaveHost;
let keys: ReturnType<EnclaveHost["initBootstrap"]>;
const stores: TempStore[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-speculative-ante-"));
  const opts = { dataDir: join(dir, "e"), platformSecretPath: join(dir, "e.secret"), ecallTimeoutMs: 60_000 };
  serial = await EnclaveHost.start(opts);
  keys = serial.initBootstrap();
  ahead = await EnclaveHost.start(opts);
});
after(async () => {
  await serial.stop();
  await ahead.stop();
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every app finalizes and commits exactly `txs` at `h` (no proposal step: failing antes stay in the block). */
function finalizeAll(apps: readonly ShroudApp[], g: GenesisDoc, h: bigint, txs: Uint8Array[]) {
  const out = apps.map((app) => {
    const f = app.finalizeBlock(finalizeRequest(g, h, txs));
    app.commit();
    return f;
  });
  for (const o of out.slice(1)) assert.deepEqual(o, out[0], `height ${h}: results and app hash agree`);
  return out[0]!;
}

/** Each client's next sequence as the app's committed state has it (failed antes did not advance it). */
function syncSequences(app: ShroudApp, clients: AppClient[]): void {
  for (const c of clients) {
    const data = QueryAccountRequest.encode({ address: c.wallet.address }).finish();
    const r = app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data, height: 0n, prove: false });
    const acc = QueryAccountResponse.decode(r.value).account!;
    c.sequence = Number(BaseAccount.decode(acc.value).sequence);
  }
}

const KINDS = ["inc", "fundNext", "fundNext", "bankNext", "fail", "oogContract", "oogAnte", "badSeq", "dup"];
type Kind = (typeof KINDS)[number];
const FEE_GAS = 1_000_000; // fee 100,000uscrt at secretjs' default 0.1uscrt per gas
const D = 3; // client "d": left with 150,000uscrt, so it pays one fee unless a contract funds it

test(
  "with and without speculative ante: the same results and app hashes over seeded random blocks",
  { timeout: 240_000 },
  async () => {
    const g = enclaveGenesis(serial, keys);
    const apps = [serial, ahead].map((enclave, i) => {
      const t = tempStore();
      stores.push(t);
      return new ShroudApp({ store: t.store, enclave, speculativeAnte: i === 1 });
    });
    assert.equal(apps[0]!.speculativeAnte?.enabled, false);
    const spec = apps[1]!.speculativeAnte!;
    assert.deepEqual(await initChain(apps[0]!, g), await initChain(apps[1]!, g));
    const height = (h: bigint, txs: Uint8Array[]) => finalizeAll(apps, g, h, txs);
    height(1n, []);
    const { clients, sign } = appSigners(apps[0]!, g.chain_id, ["a", "b", "c", "d"]);
    const addr = (i: number) => clients[i]!.wallet.address;
    const a = addr(0);
    height(2n, [
      await sign(
        0,
        new MsgStoreCode({ sender: a, wasm_byte_code: build("callbacks.wasm.gz"), source: "", builder: "" }),
      ),
    ]);
    const init = { sender: a, code_id: 1, code_hash: callbacksHash, label: "cb", init_msg: { count: 0 } };
    const contract = instantiatedAddress(height(3n, [await sign(0, new MsgInstantiateContract(init))]));
    // d keeps 150,000uscrt (the drain's own fee is 20,000).
    const drain = 1_000_000_000_000_000_000n - 170_000n;
    const drained = height(4n, [
      await sign(
        D,
        new MsgSend({
          from_address: addr(D),
          to_address: a,
          amount: [{ denom: "uscrt", amount: `${drain}` }],
        }),
        200_000,
      ),
    ]);
    assert.equal(drained.txResults[0]!.code, 0, drained.txResults[0]!.log);

    const execute = (i: number, msg: object, funds: string | undefined, gas: number) =>
      sign(
        i,
        new MsgExecuteContract({
          sender: addr(i),
          contract_address: contract,
          code_hash: callbacksHash,
          msg,
          sent_funds: funds === undefined ? [] : [{ denom: "uscrt", amount: funds }],
        }),
        gas,
      );
    const txOf = async (kind: Kind, i: number, next: number, prev: Uint8Array | undefined) => {
      const fund = { send_funds: { to: addr(next), amount: [{ denom: "uscrt", amount: "200000" }] } };
      const send = (n: number): Msg =>
        new MsgSend({
          from_address: addr(i),
          to_address: addr(n),
          amount: [{ denom: "uscrt", amount: "1" }],
        });
      switch (kind) {
        case "inc":
          return execute(i, { increment: {} }, undefined, FEE_GAS);
        case "fundNext":
          return execute(i, fund, "200000", FEE_GAS);
        case "bankNext":
          return sign(i, send(next), FEE_GAS);
        case "fail":
          return execute(i, { fail: { message: "no" } }, undefined, FEE_GAS);
        case "oogContract":
          return execute(i, { increment: {} }, undefined, 32_500);
        case "oogAnte":
          return execute(i, { increment: {} }, undefined, 3_000);
        case "badSeq": {
          const c = clients[i]!;
          c.sequence += 2;
          const tx = await execute(i, { increment: {} }, undefined, FEE_GAS);
          c.sequence -= 3;
          return tx;
        }
        default:
          return prev ?? execute(i, { increment: {} }, undefined, FEE_GAS);
      }
    };
    const blocks = fc.sample(
      fc.array(fc.record({ signer: fc.nat(3), kind: fc.constantFrom(...KINDS) }), {
        minLength: 6,
        maxLength: 12,
      }),
      { seed: 42, numRuns: 8 },
    );
    let codes: number[] = [];
    for (const [b, specs] of blocks.entries()) {
      syncSequences(apps[0]!, clients);
      const txs: Uint8Array[] = [];
      for (const [j, s] of specs.entries()) {
        const next = specs[j + 1]?.signer ?? 0;
        txs.push(await txOf(s.kind, s.signer, next, txs[txs.length - 1]));
      }
      const res: ResponseFinalizeBlock = height(5n + BigInt(b), txs);
      codes = codes.concat(res.txResults.map((r) => r.code));
    }
    // The blocks mixed passing txs, failing messages and failing antes; speculations were taken (failed antes
    // among them) and voided by the tx before writing what they read.
    assert.ok(codes.filter((c) => c === 0).length >= 20, JSON.stringify(codes));
    assert.ok(codes.filter((c) => c !== 0).length >= 10, JSON.stringify(codes));
    assert.ok(spec.stats.taken >= 10, JSON.stringify(spec.stats));
    assert.ok(spec.stats.takenFailed >= 1, JSON.stringify(spec.stats));
    assert.ok(spec.stats.conflicts >= 3, JSON.stringify(spec.stats));
  },
);
