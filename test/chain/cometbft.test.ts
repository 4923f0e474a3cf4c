// ShroudApp with a real enclave under a real CometBFT v0.38 node (over the ABCI socket): blocks carry the
// injected block random first and are accepted by ProcessProposal; a secretjs-signed MsgSend goes through
// CometBFT's broadcast_tx_commit; gRPC queries answer through CometBFT's abci_query. Skipped without cometbft.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { EnclaveHost } from "../../src/enclave/api.js";
import { ShroudApp } from "../../src/chain/app.js";
import { openStore, type Store } from "../../src/chain/store/store.js";
import { isRandomTx } from "../../src/chain/random.js";
import { startAbciServer } from "../../src/consensus/abciServer.js";
import { findCometbft, startCometNode } from "../../src/consensus/cometbft.js";
import { devSigners, signedSend, enclaveGenesis } from "./fixtures.js";
import { freePort } from "../util/net.js";

const cometbft = findCometbft();
let dir: string;
let enclave: EnclaveHost;
let store: Store;

describe("ShroudApp under CometBFT v0.38", { skip: cometbft ? false : "cometbft not installed" }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "shroud-app-comet-"));
    enclave = await EnclaveHost.start({ dataDir: join(dir, "e"), platformSecretPath: join(dir, "e.secret") });
    store = openStore(join(dir, "state"), { memDepth: 4 });
  });
  after(async () => {
    store.close();
    await enclave.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    "random-first blocks, a secretjs MsgSend via broadcast_tx_commit, gRPC abci_query",
    { timeout: 90_000 },
    async () => {
      const keys = enclave.initBootstrap();
      const g = enclaveGenesis(enclave, keys);
      const app = new ShroudApp({ store, enclave });
      const srv = await startAbciServer(app, "tcp://127.0.0.1:0");
      const node = startCometNode({
        binary: cometbft!,
        home: join(dir, "comet"),
        proxyApp: `tcp://127.0.0.1:${srv.port}`,
        rpcPort: await freePort(),
        p2pPort: await freePort(),
        consensus: { timeout_propose: '"300ms"', timeout_commit: '"100ms"' },
        patchGenesis: (cometGenesis) => ({ ...cometGenesis, chain_id: g.chain_id, app_state: g.app_state }),
      });
      const rpcGet = node.rpcGet as (path: string) => Promise<any>;
      const abciQuery = async (path: string, data: Uint8Array): Promise<Uint8Array> => {
        const r = await rpcGet(
          `/abci_query?path=${encodeURIComponent(`"${path}"`)}&data=0x${Buffer.from(data).toString("hex")}`,
        );
        assert.equal(r.result.response.code, 0, r.result.response.log);
        return new Uint8Array(Buffer.from(r.result.response.value ?? "", "base64"));
      };
      try {
        const height = await node.waitForHeight(3, 40_000);
        assert.ok(height >= 3, "CometBFT commits blocks with our proposals");
        const blk = (await rpcGet("/block?height=2")).result.block;
        const first = new Uint8Array(Buffer.from(blk.data.txs[0] as string, "base64"));
        assert.ok(isRandomTx(first), "the block random is the first tx of every block");

        const { a, b } = devSigners();
        const acc = QueryAccountResponse.decode(
          await abciQuery(
            "/cosmos.auth.v1beta1.Query/Account",
            QueryAccountRequest.encode({ address: a.address }).finish(),
          ),
        );
        const num = Number(BaseAccount.decode(acc.account!.value).accountNumber);
        const tx = await signedSend(a, b.address, "42", num, 0, g.chain_id);
        const res = await rpcGet(`/broadcast_tx_commit?tx=0x${Buffer.from(tx).toString("hex")}`);
        assert.equal(res.result.check_tx.code, 0, res.result.check_tx.log);
        assert.equal(res.result.tx_result.code, 0, res.result.tx_result.log);
        await new Promise((r) => setTimeout(r, 400));
        const bal = QueryBalanceResponse.decode(
          await abciQuery(
            "/cosmos.bank.v1beta1.Query/Balance",
            QueryBalanceRequest.encode({ address: b.address, denom: "uscrt" }).finish(),
          ),
        );
        assert.equal(bal.balance!.amount, "1000000000000000042");
      } finally {
        await node.stop();
        await srv.close();
      }
    },
  );
});
