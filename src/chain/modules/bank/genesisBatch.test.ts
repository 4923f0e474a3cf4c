// Genesis writes the account-number counter and each denom's supply once, after the list: the resulting state
// must equal the per-entry algorithm's (counter and supply rewritten per account), byte for byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryOverlay } from "../../store/memory.js";
import { toBech32 } from "../../address.js";
import { makeTestChain } from "../../tx/testdata/testHarness.js";
import { toHex } from "../../../util/bytes.js";
import { initAuthGenesis, type AuthGenesisAccount } from "../auth/genesis.js";
import { BASE_ACCOUNT_TYPE_URL } from "../auth/types.js";

const dump = (o: MemoryOverlay): string[] =>
  o.pendingWrites().map(([k, v]) => `${toHex(k)}=${v === undefined ? "-" : toHex(v)}`);
const addr = (i: number): Uint8Array => new Uint8Array(20).fill(0).map((_, j) => (j === 0 ? 7 : i + j));

test("genesis: balances and supply credited in one pass equal crediting entry by entry", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          who: fc.integer({ min: 0, max: 6 }), // repeats: the same address credited twice
          coins: fc.uniqueArray(
            fc.record({ denom: fc.constantFrom("uatom", "uscrt", "zz"), amount: fc.bigInt(1n, 1n << 70n) }),
            { selector: (c) => c.denom, minLength: 1, maxLength: 3 },
          ),
        }),
        { maxLength: 12 },
      ),
      (list) => {
        const c = makeTestChain({ [toBech32(addr(0))]: 5n });
        const entries = list.map((e) => ({
          address: addr(e.who),
          coins: [...e.coins].sort((a, b) => (a.denom < b.denom ? -1 : 1)),
        }));
        const [batch, each] = [new MemoryOverlay(c.state), new MemoryOverlay(c.state)];
        c.bank.keeper.initBalances(c.ctx(batch), entries);
        for (const e of entries) c.bank.keeper.initBalances(c.ctx(each), [e]);
        assert.deepEqual(dump(batch), dump(each));
      },
    ),
    { seed: 42, numRuns: 200 },
  );
});

test("genesis: account numbers handed out locally equal nextAccountNumber per account", () => {
  fc.assert(
    fc.property(fc.array(fc.option(fc.integer({ min: 100, max: 10_000 })), { maxLength: 10 }), (nums) => {
      const c = makeTestChain({ [toBech32(addr(0))]: 5n });
      const accounts: AuthGenesisAccount[] = nums.map((n, i) => ({
        "@type": BASE_ACCOUNT_TYPE_URL,
        address: toBech32(addr(20 + i)),
        ...(n === null ? {} : { account_number: String(n + i * 10_001) }),
      }));
      const batch = new MemoryOverlay(c.state);
      initAuthGenesis(c.ctx(batch), c.auth.keeper, { accounts });
      // Reference: the per-account algorithm through the keeper's own nextAccountNumber.
      const each = new MemoryOverlay(c.state);
      const k = c.auth.keeper;
      k.setParams(c.ctx(each), k.getParams(c.ctx(batch)));
      accounts.forEach((a, i) => {
        const n = nums[i];
        k.setAccount(c.ctx(each), {
          kind: "base",
          address: addr(20 + i),
          pubKey: undefined,
          accountNumber:
            n === null || n === undefined ? k.nextAccountNumber(c.ctx(each)) : BigInt(n + i * 10_001),
          sequence: 0n,
        });
      });
      for (const name of k.moduleNames()) k.getModuleAccount(c.ctx(each), name);
      assert.deepEqual(dump(batch), dump(each));
    }),
    { seed: 42, numRuns: 200 },
  );
});
