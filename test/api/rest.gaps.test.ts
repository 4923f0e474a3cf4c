// The REST routes filled in after the first cut (gapQueries.ts): auth AccountInfo / AccountAddressByID /
// ModuleAccounts, bank SpendableBalanceByDenom / DenomMetadata / DenomsMetadata / DenomOwners / SendEnabled,
// compute AuthorizedMigration, and staking HistoricalInfo (the staking query server's), against an in-process
// `shroud dev` (real app, enclave, REST), read through secretjs' own query clients where it has them; a seeded
// fuzz of every module route against the same real app.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SecretNetworkClient, TxResultCode, Wallet } from "secretjs";
import { toBech32 } from "../../src/chain/address.js";
import { MODULE_ROUTES } from "../../src/api/rest/routes.js";
import { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { metadataJson, pageOf } from "../../src/api/rest/gapQueries.js";
import { startDevRest, type DevRest } from "./devRest.js";
import { addressFromMnemonic, DEV_ACCOUNT_BALANCE, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";

const A = addressFromMnemonic(DEV_MNEMONICS.a);
/** A valid bech32 address no tx ever touched (20 bytes 0x11..). */
const UNKNOWN = "secret1zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3rcrt0n";

describe("REST gap routes on shroud dev", { timeout: 60_000 }, () => {
  let dev: DevRest;
  let url = "";
  let client: SecretNetworkClient;

  before(async () => {
    dev = await startDevRest("shroud-rest-gaps-");
    url = dev.url;
    client = new SecretNetworkClient({ url, chainId: "secretdev-1" });
  });

  after(async () => {
    await dev.close();
  });

  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await fetch(url + path);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  test("auth AccountInfo: the BaseAccount view; unknown account 404", async () => {
    const r = await client.query.auth.accountInfo({ address: A });
    const acc = await client.query.auth.account({ address: A });
    const info = r.info;
    assert.ok(info !== undefined);
    assert.equal(info.address, A);
    assert.equal(info.account_number, (acc.account as { account_number?: string }).account_number);
    assert.equal(info.sequence, "0");
    assert.equal(info.pub_key, null);
    const missing = await get(`/cosmos/auth/v1beta1/account_info/${UNKNOWN}`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { code: 5, message: `account ${UNKNOWN} not found`, details: [] });
  });

  test("auth AccountAddressByID: by account number (account_id wins over the path id)", async () => {
    const acc = (await client.query.auth.account({ address: A })).account as { account_number: string };
    const r = await client.query.auth.accountAddressByID({ id: acc.account_number });
    assert.equal(r.account_address, A);
    const both = await get(`/cosmos/auth/v1beta1/address_by_id/999999?account_id=${acc.account_number}`);
    assert.equal(both.body.account_address, A);
    const none = await get("/cosmos/auth/v1beta1/address_by_id/999999");
    assert.equal(none.status, 404);
    assert.equal(none.body.message, "account address not found with account number 999999");
  });

  test("auth ModuleAccounts: every configured module account, sorted, with permissions", async () => {
    const r = await client.query.auth.moduleAccounts({});
    const accounts = (r.accounts ?? []) as { name?: string; permissions?: string[]; "@type"?: string }[];
    const names = accounts.map((a) => a.name);
    assert.deepEqual(names, [...names].sort());
    assert.ok(
      names.includes("fee_collector") && names.includes("mint") && names.includes("bonded_tokens_pool"),
    );
    assert.deepEqual(accounts.find((a) => a.name === "mint")?.permissions, ["minter"]);
    assert.ok(accounts.every((a) => a["@type"] === "/cosmos.auth.v1beta1.ModuleAccount"));
  });

  test("bank SpendableBalanceByDenom equals the balance", async () => {
    const r = await client.query.bank.spendableBalanceByDenom({ address: A, denom: "uscrt" });
    assert.deepEqual(r.balance, { denom: "uscrt", amount: DEV_ACCOUNT_BALANCE.toString() });
    const bad = await get(`/cosmos/bank/v1beta1/spendable_balances/${A}/by_denom`);
    assert.equal(bad.status, 400);
  });

  test("bank DenomsMetadata / DenomMetadata: none registered on the dev chain", async () => {
    const r = await client.query.bank.denomsMetadata({});
    assert.deepEqual(r.metadatas, []);
    assert.deepEqual(r.pagination, { next_key: null, total: "0" });
    const one = await get("/cosmos/bank/v1beta1/denoms_metadata/uscrt");
    assert.equal(one.status, 404);
    assert.equal(one.body.message, "client metadata for denom uscrt");
    const byQuery = await get("/cosmos/bank/v1beta1/denoms_metadata_by_query_string?denom=uscrt");
    assert.deepEqual(byQuery.body, one.body);
  });

  test("bank DenomOwners: the funded dev accounts, paged", async () => {
    const r = await client.query.bank.denomOwners({ denom: "uscrt" });
    const owners = r.denom_owners ?? [];
    assert.ok(owners.some((o) => o.address === A && o.balance?.amount === DEV_ACCOUNT_BALANCE.toString()));
    const total = Number(r.pagination?.total);
    assert.equal(total, owners.length);
    const page = await get("/cosmos/bank/v1beta1/denom_owners/uscrt?pagination.limit=2&pagination.offset=1");
    const paged = page.body.denom_owners as unknown[];
    assert.deepEqual(paged, owners.slice(1, 3));
    assert.equal((page.body.pagination as { next_key: string | null }).next_key !== null, total > 3);
    const none = await client.query.bank.denomOwners({ denom: "unothing" });
    assert.deepEqual(none.denom_owners, []);
  });

  test("bank SendEnabled: only explicitly stored per-denom entries (none on the dev chain)", async () => {
    const r = await client.query.bank.sendEnabled({});
    assert.deepEqual(r.send_enabled, []);
    const one = await get("/cosmos/bank/v1beta1/send_enabled?denoms=uscrt");
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.send_enabled, []);
  });

  test("compute AuthorizedMigration: 404 as Secret answers for a contract without one", async () => {
    const r = await get(`/compute/v1beta1/authorized_migration/${UNKNOWN}`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, {
      code: 5,
      message: "no authorized migration found for the given contract address",
      details: [],
    });
    assert.equal((await get("/compute/v1beta1/authorized_migration/secret1xyz")).status, 400);
  });

  test("staking HistoricalInfo: the header and bonded set kept at BeginBlock, as secretjs reads it", async () => {
    const r = await client.query.staking.historicalInfo({ height: "1" });
    const hist = r.hist as unknown as
      { header: { height: string; chain_id: string }; valset: unknown[] } | undefined;
    assert.ok(hist);
    assert.equal(hist.header.height, "1");
    assert.equal(hist.header.chain_id, "secretdev-1");
    assert.equal(hist.valset.length, 1);
    const none = await get("/cosmos/staking/v1beta1/historical_info/999999");
    assert.equal(none.status, 404);
    assert.deepEqual(none.body, {
      code: 5,
      message: "historical info for height 999999 not found",
      details: [],
    });
  });

  test("block with txs lists user txs only (the block random stays in block.data.txs)", async () => {
    const wallet = new Wallet(DEV_MNEMONICS.a);
    const signer = new SecretNetworkClient({
      url,
      chainId: "secretdev-1",
      wallet,
      walletAddress: wallet.address,
    });
    const tx = await signer.tx.bank.send(
      { from_address: A, to_address: UNKNOWN, amount: [{ denom: "uscrt", amount: "1" }] },
      { gasLimit: 100_000, broadcastCheckIntervalMs: 100 },
    );
    assert.equal(tx.code, TxResultCode.Success);
    const r = await get(`/cosmos/tx/v1beta1/txs/block/${tx.height}`);
    const block = r.body.block as { data: { txs: string[] } };
    assert.equal(block.data.txs.length, 2);
    assert.equal((r.body.txs as unknown[]).length, 1);
    assert.notEqual((r.body.txs as unknown[])[0], null);
    assert.deepEqual(r.body.pagination, { next_key: null, total: "1" });
  });

  test("every module route on the real app: seeded odd parameters never give a 500 or a non-JSON answer", async () => {
    const valoper = (await client.query.staking.validators({})).validators?.[0]?.operator_address ?? "";
    const cons = (await client.query.slashing.signingInfos({})).info?.[0]?.address ?? "";
    const good: Record<string, string[]> = {
      acc: [A, UNKNOWN],
      val: [valoper, toBech32(new Uint8Array(20).fill(5), "secretvaloper")],
      cons: [cons, toBech32(new Uint8Array(20).fill(5), "secretvalcons")],
      u64: ["0", "1", "2", "18446744073709551615"],
      denom: ["uscrt", "ibc/ABC", "unothing"],
      b64: ["AAAA", "eyJhIjoxfQ=="],
      key32: ["00".repeat(32), "ab".repeat(32)],
      text: ["voting", "deposit", "tallying", "x", "mint", "fee_collector"],
      bool: ["true", "false"],
    };
    const odd = ["", "-1", "secret1", A.toUpperCase(), A.slice(0, -1) + "q", "%00", "0x10", "a".repeat(300)];
    const arg = (kind: string) =>
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(good[kind] ?? ["x"])) }, fc.constantFrom(...odd));
    const route = fc.constantFrom(...MODULE_ROUTES).chain((r) =>
      fc.tuple(
        fc.constant(r),
        fc.tuple(
          ...r.pattern.split("/").map((seg) => {
            const m = /^\{[a-z_]+:([a-z0-9]+)\*?\}$/.exec(seg);
            return m ? arg(m[1]!).map(encodeURIComponent) : fc.constant(seg);
          }),
        ),
        fc.array(
          fc.tuple(
            fc.constantFrom(...Object.keys(r.query ?? {}), "pagination.limit", "pagination.offset"),
            fc.oneof(arg("u64"), arg("denom"), arg("text")),
          ),
          { maxLength: 3 },
        ),
      ),
    );
    const seen = new Map<number, number>();
    const notImplemented = new Set<string>();
    await fc.assert(
      fc.asyncProperty(route, async ([r, segs, qs]) => {
        const query = new URLSearchParams(qs).toString();
        const res = await fetch(`${url}${segs.join("/")}${query === "" ? "" : `?${query}`}`);
        const body = (await res.json()) as Record<string, unknown>;
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        if (res.status === 501) notImplemented.add(r.method);
        assert.ok(
          [200, 400, 404, 501].includes(res.status),
          `${res.status} ${r.pattern} ${JSON.stringify(body)}`,
        );
        if (res.status !== 200) {
          assert.deepEqual(Object.keys(body).sort(), ["code", "details", "message"]);
          assert.equal(typeof body.message, "string");
        }
      }),
      { seed: 42, numRuns: 400 },
    );
    assert.ok((seen.get(200) ?? 0) > 50, JSON.stringify([...seen]));
    // Every route the table lists has an answer on the real app.
    assert.deepEqual([...notImplemented], []);
  });
});

describe("gap helpers", () => {
  test("metadataJson renders the gateway's snake_case fields", () => {
    const md = Metadata.fromPartial({
      description: "Secret",
      denomUnits: [
        { denom: "uscrt", exponent: 0, aliases: ["microscrt"] },
        { denom: "scrt", exponent: 6 },
      ],
      base: "uscrt",
      display: "scrt",
      name: "Secret",
      symbol: "SCRT",
      uriHash: "ab",
    });
    assert.deepEqual(metadataJson(md), {
      description: "Secret",
      denom_units: [
        { denom: "uscrt", exponent: 0, aliases: ["microscrt"] },
        { denom: "scrt", exponent: 6, aliases: [] },
      ],
      base: "uscrt",
      display: "scrt",
      name: "Secret",
      symbol: "SCRT",
      uri: "",
      uri_hash: "ab",
    });
  });

  test("pageOf: default limit 100, offset, reverse, next_key only when more", () => {
    const all = Array.from({ length: 150 }, (_, i) => i);
    const page = (offset: bigint, limit: bigint, reverse = false) =>
      pageOf(all, { key: undefined, offset, limit, countTotal: false, reverse });
    assert.equal(pageOf(all, undefined).items.length, 100);
    assert.deepEqual(page(10n, 3n).items, [10, 11, 12]);
    assert.deepEqual(page(0n, 2n, true).items, [149, 148]);
    assert.equal(page(140n, 10n).pagination.next_key, null);
    assert.notEqual(page(139n, 10n).pagination.next_key, null);
    assert.equal(page(0n, 0n).pagination.total, "150");
    assert.deepEqual(page(500n, 5n).items, []);
  });
});
