// Fault tests on a real 4-validator localnet (4 × `shroud start` + CometBFT v0.38, one shared consensus seed, and
// a registered full node): (a) encrypted contract txs from secretjs → every node has the same blocks and app
// hashes, and decrypted results read the same through different nodes; (b) 1 of 4 down → blocks continue, 2 of 4
// down → halt without a fork, restart → resume; (d) one validator key on two nodes → double-sign evidence →
// slashed, jailed, tombstoned, out of the set; (e) a delegation changes the voting power CometBFT uses. The tests
// share one localnet and run in order. (c), (f): faults.test.ts, on a localnet of its own.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { TxResultCode } from "secretjs";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { fromBech32, toBech32 } from "../../src/chain/address.js";
import { cometValidatorKey, editCometConfig } from "../../src/consensus/cometbft.js";
import { cometHome } from "../../src/cli/node/home.js";
import { Localnet, SKIP } from "./harness.js";
import {
  ALL,
  assertNoFork,
  client,
  COUNTER_HASH,
  deployCounter,
  GAS,
  increment,
  sleep,
  SUITE_TIMEOUT_MS,
  wallets,
  wasmAttr,
} from "./faultsKit.js";

/** A non-validator node; (d) runs it with validator 3's key. */
const DUPLICATE = 4;

describe("localnet faults: txs, halt, double-sign, power", { skip: SKIP, timeout: SUITE_TIMEOUT_MS }, () => {
  let net: Localnet;
  let contract = "";
  let count = 5;

  before(async () => {
    net = await Localnet.create(4, 1);
    for (const i of ALL) net.start(i);
    assert.ok(await net.waitHeight(ALL, 2, 120_000), "all four nodes produce blocks");
  });
  after(async () => {
    await net.close();
  });

  test("(a) encrypted contract txs: same app hash everywhere, same decrypted results via any node", async () => {
    contract = await deployCounter(net, count);
    // A stream: four senders in parallel, three increments each, all through node 0's REST.
    const results = await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        const mine = [];
        for (let k = 0; k < 3; k++) mine.push(await increment(net, contract, w, 0));
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
      const q = await client(net, 1, node).query.compute.queryContract({
        contract_address: contract,
        code_hash: COUNTER_HASH,
        query: { get_count: {} },
      });
      assert.deepEqual(q, { count }, `node ${node} answers the same decrypted query`);
    }
    // The same tx read back and decrypted through node 2 and node 3: the decrypted event equals node 0's.
    const last = results[0]![2]!;
    for (const node of [2, 3]) {
      const tx = await client(net, 0, node).query.getTx(last.hash);
      assert.ok(tx !== null, `tx found via node ${node}`);
      assert.equal(wasmAttr(tx, "count"), last.count);
    }
    await sleep(1_500);
    await assertNoFork(net, ALL);
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
    await assertNoFork(net, [0, 1]);
    // A tx sent while the chain is halted waits in node 1's mempool (and, in app mode, in its gossip queues to the
    // stopped nodes) and commits once the chain resumes.
    const send = (w: number, node: number, waitForCommit: boolean) =>
      client(net, w, node).tx.bank.send(
        {
          from_address: wallets[w]!.address,
          to_address: wallets[0]!.address,
          amount: [{ denom: "uscrt", amount: "1" }],
        },
        { ...GAS, waitForCommit },
      );
    const pending = (await send(3, 1, false)).transactionHash;
    net.start(2);
    net.start(3);
    assert.ok(await net.waitHeight(ALL, halted + 3, 120_000), "the chain resumes once 3 are back");
    // A tx sent to a restarted node (its mempool starts empty) commits too.
    const fresh = await send(1, 3, true);
    assert.equal(fresh.code, 0, fresh.rawLog);
    let held = await client(net, 3, 2).query.getTx(pending);
    for (let k = 0; k < 60 && held === null; k++) {
      await sleep(500);
      held = await client(net, 3, 2).query.getTx(pending);
    }
    assert.ok(
      held !== null && held.code === TxResultCode.Success,
      `the tx sent during the halt committed (${pending})`,
    );
    assert.ok(held.height > halted, `committed after the halt (height ${held.height}, halted at ${halted})`);
    await assertNoFork(net, ALL);
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
    const tx = await client(net, 2, 1).tx.staking.delegate(
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
    await assertNoFork(net, [0, 1, 2]);
  });
});
