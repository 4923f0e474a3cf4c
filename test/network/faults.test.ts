// Fault tests on a real 4-validator localnet (4 × `shroud start` + CometBFT v0.38, one shared consensus seed):
// (a) encrypted contract txs from secretjs → every node has the same blocks and app hashes, and decrypted
// results read the same through different nodes; (b) 1 of 4 down → blocks continue, 2 of 4 down → halt without
// a fork, restart → resume; (c) kill -9 of an application process at seeded random points → replay, same app
// hash, no committed tx lost; (d) one validator key on two nodes → double-sign evidence → slashed, jailed,
// tombstoned, out of the set; (f) a restarted node charges the same contract gas as one that never restarted;
// (e) a delegation changes the voting power CometBFT uses. The tests share one localnet and run in order.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SecretNetworkClient, TxResultCode, Wallet } from "secretjs";
import { fromBech32, toBech32 } from "../../src/chain/address.js";
import { cometValidatorKey, editCometConfig } from "../../src/consensus/cometbft.js";
import { cometHome } from "../../src/cli/node/home.js";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { Localnet, SKIP } from "./harness.js";
import { mulberry32 } from "../../src/util/seeded.js";

const CHAIN_ID = "shroud-localnet-1";
// contracts/build/counter.wasm: provenance in contracts/testdata/README.md.
const COUNTER = new Uint8Array(readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url)));
const COUNTER_HASH = createHash("sha256").update(COUNTER).digest("hex");
const GAS = { gasLimit: 400_000, broadcastCheckIntervalMs: 200, broadcastTimeoutMs: 60_000 };
const ALL = [0, 1, 2, 3];
/** A non-validator node; (d) runs it with validator 3's key. */
const DUPLICATE = 4;
/** Fixed encryption seeds: a second client with the same seed can decrypt the first one's txs. */
const seedOf = (k: number): Uint8Array => new Uint8Array(32).fill(k + 1);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function wasmAttr(tx: { arrayLog?: { type: string; key: string; value: string }[] }, key: string) {
  return tx.arrayLog?.find((l) => l.type === "wasm" && l.key === key)?.value;
}

describe("4-validator localnet under faults", { skip: SKIP, timeout: 330_000 }, () => {
  let net: Localnet;
  const wallets = (["a", "b", "c", "d"] as const).map((k) => new Wallet(DEV_MNEMONICS[k]));
  const client = (w: number, node: number): SecretNetworkClient =>
    new SecretNetworkClient({
      url: net.rest(node),
      chainId: CHAIN_ID,
      wallet: wallets[w]!,
      walletAddress: wallets[w]!.address,
      encryptionSeed: seedOf(w),
    });
  let contract = "";
  let count = 5;

  const increment = async (w: number, node: number): Promise<{ hash: string; count: string }> => {
    const tx = await client(w, node).tx.compute.executeContract(
      {
        sender: wallets[w]!.address,
        contract_address: contract,
        code_hash: COUNTER_HASH,
        msg: { increment: {} },
      },
      GAS,
    );
    assert.equal(tx.code, 0, tx.rawLog);
    return { hash: tx.transactionHash, count: wasmAttr(tx, "count") ?? "" };
  };

  const assertNoFork = async (nodes: readonly number[]): Promise<number> => {
    const hs = await Promise.all(nodes.map((i) => net.height(i)));
    const top = Math.min(...hs);
    assert.deepEqual(
      await net.divergences(nodes, 1, top),
      [],
      "every node has the same blocks and app hashes",
    );
    return top;
  };

  before(async () => {
    net = await Localnet.create(4, 1);
    for (const i of ALL) net.start(i);
    assert.ok(await net.waitHeight(ALL, 2, 120_000), "all four nodes produce blocks");
  });
  after(async () => {
    await net.close();
  });

  test("(a) encrypted contract txs: same app hash everywhere, same decrypted results via any node", async () => {
    const a0 = client(0, 0);
    const up = await a0.tx.compute.storeCode(
      { sender: wallets[0]!.address, wasm_byte_code: COUNTER, source: "", builder: "" },
      { ...GAS, gasLimit: 5_000_000 },
    );
    assert.equal(up.code, 0, up.rawLog);
    const codeId = up.arrayLog?.find((l) => l.type === "message" && l.key === "code_id")?.value ?? "";
    const inst = await a0.tx.compute.instantiateContract(
      {
        sender: wallets[0]!.address,
        code_id: codeId,
        code_hash: COUNTER_HASH,
        label: "counter",
        init_msg: { count },
      },
      GAS,
    );
    assert.equal(inst.code, 0, inst.rawLog);
    contract = inst.arrayLog?.find((l) => l.type === "message" && l.key === "contract_address")?.value ?? "";
    // A stream: four senders in parallel, three increments each, all through node 0's REST.
    const results = await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        const mine = [];
        for (let k = 0; k < 3; k++) mine.push(await increment(w, 0));
        return mine;
      }),
    );
    count += 12;
    const seen = results.flat().map((r) => Number(r.count));
    assert.deepEqual(
      [...seen].sort((x, y) => x - y),
      [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    );
    // Node 0 answered first; the others may be a block behind it until they commit that block too.
    assert.ok(await net.waitHeight(ALL, await net.height(0), 30_000), "every node reaches node 0's height");
    for (const node of ALL) {
      const q = await client(1, node).query.compute.queryContract({
        contract_address: contract,
        code_hash: COUNTER_HASH,
        query: { get_count: {} },
      });
      assert.deepEqual(q, { count }, `node ${node} answers the same decrypted query`);
    }
    // The same tx read back and decrypted through node 2 and node 3: the decrypted event equals node 0's.
    const last = results[0]![2]!;
    for (const node of [2, 3]) {
      const tx = await client(0, node).query.getTx(last.hash);
      assert.ok(tx !== null, `tx found via node ${node}`);
      assert.equal(wasmAttr(tx, "count"), last.count);
    }
    await sleep(1_500);
    await assertNoFork(ALL);
  });

  test("(b) 1 of 4 down: blocks continue; 2 of 4 down: halt, no fork; restart: resume", async () => {
    await net.stop(3);
    const h1 = await net.height(0);
    assert.ok(await net.waitHeight([0, 1, 2], h1 + 3, 40_000), "3 of 4 validators keep committing");
    await net.stop(2);
    await sleep(3_000);
    const halted = Math.max(await net.height(0), await net.height(1));
    await sleep(6_000);
    const after6s = Math.max(await net.height(0), await net.height(1));
    assert.equal(after6s, halted, "2 of 4 cannot commit");
    await assertNoFork([0, 1]);
    net.start(2);
    net.start(3);
    assert.ok(await net.waitHeight(ALL, halted + 3, 120_000), "the chain resumes once 3 are back");
    await assertNoFork(ALL);
  });

  test("(c) kill -9 of an app process at random points: replay, same app hash, no committed tx lost", async () => {
    const rnd = mulberry32(42);
    // Encrypted contract executes (counter increments) through node 0 while nodes 1 and 2 crash.
    const committed: string[] = [];
    const streaming = { on: true, error: undefined as unknown };
    const stream = (async () => {
      try {
        while (streaming.on) committed.push((await increment(1, 0)).hash);
      } catch (e) {
        streaming.error = e;
      }
    })();
    try {
      for (const victim of [1, 2, 1]) {
        await sleep(300 + Math.floor(rnd() * 2_500));
        await net.crash(victim);
        await sleep(500);
        net.start(victim);
        const target = (await net.height(0)) + 2;
        assert.ok(await net.waitHeight([victim], target, 90_000), `node ${victim} replays and catches up`);
      }
    } finally {
      streaming.on = false;
      await stream;
    }
    assert.equal(streaming.error, undefined, "every tx of the stream committed");
    assert.ok(committed.length >= 3, `${committed.length} txs committed during the crashes`);
    assert.ok(await net.waitHeight(ALL, await net.height(0), 60_000), "every node reaches node 0's height");
    await sleep(1_500);
    await assertNoFork(ALL);
    for (const node of [1, 2]) {
      for (const hash of committed) {
        const tx = await client(1, node).query.getTx(hash);
        assert.ok(tx !== null && tx.code === TxResultCode.Success, `committed tx ${hash} is on node ${node}`);
      }
    }
  });

  test("(d) one validator key on two nodes: evidence → slashed, jailed, tombstoned, out of the set", async () => {
    const key = cometValidatorKey(cometHome(net.node(3).home));
    const valoper = toBech32(fromBech32(net.node(3).operator, "operator"), "secretvaloper");
    const before = (await (
      await fetch(`${net.rest(0)}/cosmos/staking/v1beta1/validators/${valoper}`)
    ).json()) as {
      validator: { tokens: string; jailed: boolean };
    };
    assert.equal(before.validator.jailed, false);
    // Node 4 (a registered full node) gets node 3's priv_validator_key.json and near-zero propose/prevote
    // timeouts: it prevotes nil before the proposal reaches it while node 3 prevotes the block, so the one key
    // signs two different votes at one height and round — CometBFT's DuplicateVoteEvidence.
    const dupConfig = join(cometHome(net.node(4).home), "config");
    copyFileSync(
      join(cometHome(net.node(3).home), "config", "priv_validator_key.json"),
      join(dupConfig, "priv_validator_key.json"),
    );
    editCometConfig(cometHome(net.node(4).home), {
      "consensus.timeout_propose": '"1ms"',
      "consensus.timeout_propose_delta": '"1ms"',
      "consensus.timeout_prevote": '"1ms"',
    });
    net.start(DUPLICATE);
    // Bounds in heights, not seconds: load slows the blocks, not the protocol. Node 4 first block-syncs to the
    // head; from then on the one key signs twice at each height node 4 takes part in, the evidence goes into one of
    // the next blocks and jails the validator there. A safety deadline only keeps a stuck chain from hanging.
    const deadline = performance.now() + 150_000;
    const alive = (what: string): void => {
      if (performance.now() < deadline) return;
      assert.fail(`${what}: the chain made no progress for 150 s\n${net.logTail(DUPLICATE)}`);
    };
    const head = await net.height(0);
    for (let h4 = await net.height(DUPLICATE); h4 < head; h4 = await net.height(DUPLICATE)) {
      // -1: node 4's RPC is not answering (not started, or its app died: SHROUD_KEEP_NET=1 keeps its logs)
      alive(`node 4 catching up to height ${head} (at ${h4}, running: ${net.running(DUPLICATE)})`);
      await sleep(300);
    }
    const joined = await net.height(1);
    const jailWithin = 20; // heights after node 4 joined consensus
    const validatorOn = async (node: number) =>
      (
        (await (await fetch(`${net.rest(node)}/cosmos/staking/v1beta1/validators/${valoper}`)).json()) as {
          validator: { tokens: string; jailed: boolean };
        }
      ).validator;
    let v = before.validator;
    let jailedBy = -1; // a height of node 1's at which it had applied the evidence
    while (!v.jailed) {
      const h1 = await net.height(1);
      assert.ok(h1 <= joined + jailWithin, `not jailed by height ${h1} (node 4 joined at ${joined})`);
      alive("waiting for the evidence");
      await sleep(300);
      v = await validatorOn(1);
      jailedBy = await net.height(1);
    }
    assert.equal(v.jailed, true, "jailed by the evidence");
    // slash_fraction_double_sign 5% (SDK default).
    assert.equal(BigInt(v.tokens), (BigInt(before.validator.tokens) * 95n) / 100n);
    const consAddr = toBech32(new Uint8Array(Buffer.from(key.address, "hex")), "secretvalcons");
    // Node 2 may be a block or two behind node 1 on this loaded machine: once it has that height, it has applied
    // the evidence too.
    while ((await net.height(2)) < jailedBy) {
      alive(`node 2 reaching height ${jailedBy}`);
      await sleep(300);
    }
    const info = (await (
      await fetch(`${net.rest(2)}/cosmos/slashing/v1beta1/signing_infos/${consAddr}`)
    ).json()) as {
      val_signing_info?: { tombstoned: boolean };
    };
    assert.equal(info.val_signing_info?.tombstoned, true, "tombstoned on another node too");
    // The validator-set update takes effect two heights after the block that jailed it.
    const h = await net.height(0);
    assert.ok(await net.waitHeight([0, 1, 2], h + 3, Math.max(1, deadline - performance.now())));
    const vals = (await net.rpc(0, "/validators")) as { validators: { address: string }[] };
    assert.ok(
      !vals.validators.some((x) => x.address === key.address),
      "CometBFT no longer has it in the set",
    );
    assert.equal(vals.validators.length, 3);
  });

  test("(e) staking drives the validator set: a delegation raises CometBFT voting power", async () => {
    const key = cometValidatorKey(cometHome(net.node(0).home));
    const valoper = toBech32(fromBech32(net.node(0).operator, "operator"), "secretvaloper");
    const tx = await client(2, 1).tx.staking.delegate(
      {
        delegator_address: wallets[2]!.address,
        validator_address: valoper,
        amount: { denom: "uscrt", amount: "1000000000000" },
      },
      GAS,
    );
    assert.equal(tx.code, 0, tx.rawLog);
    let power = "";
    for (let k = 0; k < 40 && power !== "2000000"; k++) {
      await sleep(500);
      const vals = (await net.rpc(1, "/validators")) as {
        validators: { address: string; voting_power: string }[];
      };
      power = vals.validators.find((x) => x.address === key.address)?.voting_power ?? "";
    }
    assert.equal(power, "2000000", "10^12 uscrt more doubles node 0's power");
    await assertNoFork([0, 1, 2]);
  });

  test("(f) a contract tx after nodes restarted: every node charges the same gas", async () => {
    // Nodes 1 and 2 restarted in (b)/(c) (cold code cache); node 0 never did.
    const { hash } = await increment(0, 0);
    const tx = (await net.rpc(0, `/tx?hash=0x${hash}`)) as { height: string; index: number };
    const h = Number(tx.height);
    // Node 1 may not have committed that block yet when node 0 answers.
    assert.ok(await net.waitHeight([0, 1, 2], h, 20_000), "every node reaches the tx's block");
    const gas = async (node: number): Promise<string> => {
      const r = (await net.rpc(node, `/block_results?height=${tx.height}`)) as {
        txs_results: { gas_used: string }[];
      };
      return r.txs_results[tx.index]?.gas_used ?? "";
    };
    assert.equal(await gas(1), await gas(0), "a restarted node charges the gas a warm node charges");
    assert.ok(await net.waitHeight([0, 1, 2], h + 2, 20_000), "the chain goes on after the contract tx");
  });
});
