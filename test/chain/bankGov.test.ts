// Bank's governance message and queries through ShroudApp: MsgSetSendEnabled by passed proposals (disable uscrt
// sends, then back to the default), refused from a user; the SendEnabled query; DenomOwners (every holder by
// address bytes, with the Balance query's amounts; invalid denom → InvalidArgument).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { MsgSend } from "secretjs";
import { MsgSetSendEnabled } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import {
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryDenomOwnersRequest,
  QueryDenomOwnersResponse,
  QuerySendEnabledRequest,
  QuerySendEnabledResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import { fromBech32 } from "../../src/chain/address.js";
import { compareBytes } from "../../src/chain/store/memory.js";
import { GOV_AUTHORITY } from "../../src/chain/modules/gov/authority.js";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { makeSigner } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { GovChain, rawMsg } from "./govChain.js";

const a = makeSigner(DEV_MNEMONICS.a);
const b = makeSigner(DEV_MNEMONICS.b);
const chains: GovChain[] = [];
after(() => {
  for (const c of chains) c.close();
});

const setSendEnabled = (m: Partial<MsgSetSendEnabled>) => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSetSendEnabled",
  value: MsgSetSendEnabled.encode(
    MsgSetSendEnabled.fromPartial({ authority: GOV_AUTHORITY, sendEnabled: [], useDefaultFor: [], ...m }),
  ).finish(),
});

function q<T>(c: GovChain, path: string, data: Uint8Array, decode: (v: Uint8Array) => T): T {
  const r = c.app.query({ path, data, height: 0n, prove: false });
  assert.equal(r.code, 0, r.log);
  return decode(r.value);
}
const sendEnabled = (c: GovChain, denoms: string[]) =>
  q(c, "/cosmos.bank.v1beta1.Query/SendEnabled", QuerySendEnabledRequest.encode({ denoms }).finish(), (v) =>
    QuerySendEnabledResponse.decode(v).sendEnabled.map((e) => [e.denom, e.enabled]),
  );

async function newChain(): Promise<GovChain> {
  const c = await new GovChain().start();
  chains.push(c);
  return c;
}

test("MsgSetSendEnabled through proposals; SendEnabled query; refused from a user", async () => {
  const c = await newChain();
  assert.deepEqual(sendEnabled(c, []), [], "no per-denom flags at genesis");
  const disable = setSendEnabled({
    sendEnabled: [
      { denom: "uscrt", enabled: false },
      { denom: "ufoo", enabled: true },
    ],
  });
  assert.equal(await c.passProposal([disable]), ProposalStatus.PROPOSAL_STATUS_PASSED);
  assert.deepEqual(sendEnabled(c, []), [
    ["ufoo", true],
    ["uscrt", false],
  ]);
  assert.deepEqual(sendEnabled(c, ["uscrt", "unknown"]), [["uscrt", false]], "unset denoms are left out");
  const send = () =>
    new MsgSend({
      from_address: a.address,
      to_address: b.address,
      amount: [{ denom: "uscrt", amount: "1" }],
    });
  const [refused] = await c.block([await c.sign(a, send())]);
  assert.deepEqual([refused?.codespace, refused?.code], ["bank", 5]);
  assert.match(refused?.log ?? "", /uscrt transfers are currently disabled/);

  // A user cannot do it: own address as authority → gov 13 (bank wraps gov's ErrInvalidSigner).
  const own = setSendEnabled({ authority: a.address, useDefaultFor: ["uscrt"] });
  const [direct] = await c.block([await c.sign(a, rawMsg(own))]);
  assert.deepEqual([direct?.codespace, direct?.code], ["gov", 13]);
  assert.match(
    direct?.log ?? "",
    /invalid authority; expected secret10d07y265gmmuvt4z0w9aw880jnsr700jc88vt0/,
  );

  // Back to default_send_enabled (true): sends work again; ufoo keeps its flag.
  assert.equal(
    await c.passProposal([setSendEnabled({ useDefaultFor: ["uscrt"] })]),
    ProposalStatus.PROPOSAL_STATUS_PASSED,
  );
  assert.deepEqual(sendEnabled(c, []), [["ufoo", true]]);
  const [ok] = await c.block([await c.sign(a, send())]);
  assert.equal(ok?.code, 0, ok?.log);
});

test("MsgSetSendEnabled validation: duplicate or invalid denoms are sdk 18, nothing written", async () => {
  const c = await newChain();
  const h = c.app.modules.registry.handler("/cosmos.bank.v1beta1.MsgSetSendEnabled");
  assert.ok(h !== undefined);
  const ctx = c.ctx();
  const bad = (m: Partial<MsgSetSendEnabled>, re: RegExp) => {
    assert.throws(
      () => h(ctx, MsgSetSendEnabled.fromPartial({ authority: GOV_AUTHORITY, ...m })),
      (e: unknown) => (e as { code: number }).code === 18 && re.test((e as Error).message),
    );
  };
  const dup = [
    { denom: "uatom", enabled: false },
    { denom: "uatom", enabled: true },
  ];
  bad({ sendEnabled: dup }, /duplicate denom entries found for "uatom"/);
  bad(
    {
      sendEnabled: [
        { denom: "ok-denom", enabled: true },
        { denom: "1bad", enabled: false },
      ],
    },
    /invalid SendEnabled denom "1bad"/,
  );
  bad({ useDefaultFor: ["!"] }, /invalid UseDefaultFor denom "!"/);
  assert.equal(
    c.app.modules.bank.keeper.getSendEnabled(ctx, "ok-denom"),
    undefined,
    "checked before any write",
  );
});

test("DenomOwners: every holder by address bytes with its balance; invalid denom → InvalidArgument", async () => {
  const c = await newChain();
  const owners = q(
    c,
    "/cosmos.bank.v1beta1.Query/DenomOwners",
    QueryDenomOwnersRequest.encode({ denom: "uscrt" }).finish(),
    (v) => QueryDenomOwnersResponse.decode(v),
  );
  const addrs = owners.denomOwners.map((o) => o.address);
  assert.ok(addrs.includes(a.address) && addrs.includes(b.address));
  const sorted = [...addrs].sort((x, y) => compareBytes(fromBech32(x), fromBech32(y)));
  assert.deepEqual(addrs, sorted, "address byte order");
  assert.equal(owners.pagination?.total, BigInt(addrs.length));
  for (const o of owners.denomOwners) {
    const bal = q(
      c,
      "/cosmos.bank.v1beta1.Query/Balance",
      QueryBalanceRequest.encode({ address: o.address, denom: "uscrt" }).finish(),
      (v) => QueryBalanceResponse.decode(v).balance?.amount,
    );
    assert.equal(o.balance.amount, bal);
    assert.notEqual(o.balance.amount, "0");
  }
  const none = q(
    c,
    "/cosmos.bank.v1beta1.Query/DenomOwners",
    QueryDenomOwnersRequest.encode({ denom: "unone" }).finish(),
    (v) => QueryDenomOwnersResponse.decode(v),
  );
  assert.deepEqual(none.denomOwners, []);
  const bad = c.app.query({
    path: "/cosmos.bank.v1beta1.Query/DenomOwners",
    data: QueryDenomOwnersRequest.encode({ denom: "!" }).finish(),
    height: 0n,
    prove: false,
  });
  assert.notEqual(bad.code, 0);
  assert.match(bad.log, /invalid denom/);
});
