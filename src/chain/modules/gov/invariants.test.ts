// Keeper invariant under seeded random operation sequences (submit, deposit, vote, cancel, time passing):
// the gov module account always holds exactly the sum of stored deposits, every stored deposit belongs to an
// open proposal, and total supply only ever drops by what was burned.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MemoryOverlay } from "../../store/memory.js";
import { ChainError } from "../../errors.js";
import { addCoins, coinsToString, parseCoins, type Coin } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import { handleCancelProposal, handleDeposit, handleSubmitProposal, handleVote } from "./msgServer.js";
import { GOV_MODULE_ADDRESS } from "./keys.js";
import { isOpen } from "./types.js";
import { SEC, T0, type GovTestChain } from "./testdata/govHarness.js";
import { A, B, D, V1, V2, bech, standardChain, submitMsg, uscrt } from "./testdata/fixtures.js";

const actors = [A, B, D, V1, V2];
const OPTIONS = [
  VoteOption.VOTE_OPTION_YES,
  VoteOption.VOTE_OPTION_ABSTAIN,
  VoteOption.VOTE_OPTION_NO,
  VoteOption.VOTE_OPTION_NO_WITH_VETO,
];

const seen = new Set<string>();
function eventKey(e: Context["events"]["events"][number]): string {
  const result = e.attributes.find((a) => a.key === "proposal_result")?.value;
  return e.type === "active_proposal" && result !== undefined ? result : e.type;
}

function checkInvariant(c: GovTestChain, ctx: Context): void {
  let sum: Coin[] = [];
  for (const d of c.gov.keeper.getAllDeposits(ctx)) {
    const p = c.gov.keeper.getProposal(ctx, d.proposalId);
    assert.ok(p !== undefined && isOpen(p.status), `deposit on closed proposal ${d.proposalId}`);
    sum = addCoins(sum, parseCoins(d.amount, "deposit"));
  }
  const held = c.bank.keeper.getAllBalances(ctx, GOV_MODULE_ADDRESS);
  assert.equal(coinsToString(held), coinsToString(sum));
  assert.equal(c.bank.keeper.checkSupplyInvariant(ctx), undefined);
}

test("gov module balance == sum of deposits of open proposals, under random operations", () => {
  // [kind, actor, proposal id - 1, amount, seconds/2 to advance, vote option]: few ids and short steps so
  // proposals are voted on within their 90 s voting period often enough to pass, fail and be vetoed.
  const op = fc.tuple(
    fc.nat(5),
    fc.nat(4),
    fc.nat(1),
    fc.bigInt({ min: 1n, max: 12_000_000n }),
    fc.nat(20),
    fc.nat(3),
  );
  fc.assert(
    fc.property(
      fc.array(op, { minLength: 10, maxLength: 50 }),
      fc.boolean(),
      fc.boolean(),
      (ops, burnQuorum, burnPrevote) => {
        const c = standardChain();
        const g = c.ctx();
        c.gov.keeper.setParams(g, {
          ...c.gov.keeper.getParams(g),
          burnVoteQuorum: burnQuorum,
          burnProposalDepositPrevote: burnPrevote,
        });
        let now = T0;
        for (const [kind, who, pid, amount, dt, opt] of ops) {
          now += BigInt(dt) * 2n * SEC;
          const store = new MemoryOverlay(c.state);
          const ctx = c.ctx(now, store);
          const id = BigInt(pid + 1);
          const actor = actors[who]!;
          try {
            if (kind === 0)
              handleSubmitProposal(
                c.gov.keeper,
                ctx,
                submitMsg({ proposer: bech(actor), initialDeposit: uscrt(amount) }),
              );
            else if (kind === 1)
              handleDeposit(c.gov.keeper, ctx, {
                proposalId: id,
                depositor: bech(actor),
                amount: uscrt(amount),
              });
            else if (kind === 2)
              handleVote(c.gov.keeper, ctx, {
                proposalId: id,
                voter: bech(actor),
                option: OPTIONS[opt]!,
                metadata: "",
              });
            else if (kind === 3)
              handleCancelProposal(c.gov.keeper, ctx, { proposalId: id, proposer: bech(actor) });
            else c.gov.endBlock(ctx);
            store.write(); // a successful tx (or block end) commits
            for (const e of ctx.events.events) seen.add(eventKey(e));
          } catch (e) {
            assert.ok(e instanceof ChainError, String(e)); // failures are consensus errors, never crashes
          }
          checkInvariant(c, c.ctx(now));
        }
        const last = c.ctx(now + 200_000n * SEC);
        c.gov.endBlock(last);
        for (const e of last.events.events) seen.add(eventKey(e));
        checkInvariant(c, c.ctx());
        assert.equal(c.gov.keeper.getAllDeposits(c.ctx()).length, 0, "every proposal eventually settles");
      },
    ),
    { seed: 42, numRuns: 100 },
  );
  // The random runs must actually reach every settlement path, or the invariant proves little.
  for (const k of ["burn", "cancel_proposal", "inactive_proposal", "proposal_passed", "proposal_rejected"]) {
    assert.ok(seen.has(k), `never saw ${k} (saw ${[...seen].join(" ")})`);
  }
});
