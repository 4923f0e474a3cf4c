// Confidentiality canary (issue 4): unique markers go into encrypted contract inputs, state values and outputs
// of a real `shroud dev` child driven by secretjs 1.22; then the home folder (DB, WAL/SHM, sealed files, block
// store), the child's logs and every REST/RPC body fetched are scanned for them in ASCII, hex and base64 forms.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { EncryptionUtilsImpl, MsgExecuteContractResponse, SecretNetworkClient, Wallet } from "secretjs";
import {
  decryptCustomEvents,
  marker,
  readTree,
  scanBlob,
  startCanaryChild,
  type CanaryChild,
  type Hit,
} from "./canaryScan.js";
import {
  DEV_CHAIN_ID as CHAIN_ID,
  MNEMONIC_A,
  MNEMONIC_B,
  contractFile,
  sha256Hex,
} from "../util/localSecret.js";

const CALLBACKS_HASH = sha256Hex(contractFile("callbacks.wasm"));
const SNIP20_HASH = sha256Hex(contractFile("snip20.wasm"));
const GAS = { gasLimit: 5_000_000, broadcastCheckIntervalMs: 100 };
const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64");
// A's tx encryption seed, fixed so an independent EncryptionUtilsImpl can decrypt what secretjs 1.22 leaves
// encrypted: it decrypts only `wasm` events, not custom `wasm-*` ones (secret_network_client.js decryptTxResponse).
const SEED_A = createHash("sha256").update("shroud canary seed a").digest();

// Secret markers: only ever sent inside encrypted contract messages (never labels, tx memos or plaintext attrs).
const SECRET = {
  prngSeed: marker("prng_seed"), // snip20 instantiate input
  memo: marker("snip20_memo"), // execute arg + state value (transfer history) + query answer
  viewingKey: marker("viewing_key"), // execute arg + state value (hashed) + query arg
  event: marker("event"), // encrypted attribute (custom event)
  error: marker("error"), // contract error
  sub: marker("submsg"), // sub-message input and the callee's encrypted attribute
  data: marker("data"), // query answer forwarded as execute `data`
  query: marker("query"), // smart query arg and answer
  queryError: marker("query_error"), // smart query error
  sendMemo: marker("send_memo"), // snip20 send memo (history) and the Receive callback input
  sendMsg: marker("send_msg"), // snip20 send msg: the Receive sub-message's input
  reply: marker("reply"), // a sub-message's data, through `reply` into state and the tx's data
};
// Public by design (tx memo): the scanner must find it, proving the scan can see.
const PUBLIC = marker("public_memo");
const SECRET_LIST = Object.values(SECRET);

function attrs(tx: { arrayLog?: { type: string; key: string; value: string }[] }): string {
  return JSON.stringify(tx.arrayLog ?? []);
}

function fmt(hits: readonly Hit[]): string {
  return hits.map((h) => `${h.marker} as ${h.form} in ${h.where}`).join("\n");
}

describe(
  "confidentiality canary: no plaintext marker outside what the sender decrypts",
  { timeout: 150_000 },
  () => {
    let node: CanaryChild;
    let a: SecretNetworkClient;
    let b: SecretNetworkClient;
    let walletA: Wallet;
    let walletB: Wallet;
    let cb1 = "";
    let cb2 = "";
    let token = "";
    const txHashes: string[] = [];
    const bodies: { where: string; body: string }[] = [];
    const realFetch = globalThis.fetch;

    // Records every response body secretjs (and this test) receives from the node, as it arrived on the wire.
    const recordingFetch: typeof fetch = async (input, init) => {
      const r = await realFetch(input, init);
      const where = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      // secretjs installs node-fetch as the global fetch, whose clone() stalls on bodies over 16 KiB unless both
      // copies are read: read once, then hand back an equivalent response of the same class.
      const body = await r.text();
      bodies.push({ where: `fetch ${where}`, body });
      const Ctor = r.constructor as typeof Response;
      return new Ctor(body, { status: r.status, statusText: r.statusText, headers: r.headers });
    };

    async function get(url: string): Promise<string> {
      const r = await fetch(url);
      return r.text();
    }

    function track<T extends { code: number; rawLog: string; transactionHash: string }>(tx: T): T {
      txHashes.push(tx.transactionHash);
      return tx;
    }

    before(async () => {
      globalThis.fetch = recordingFetch;
      node = await startCanaryChild(50);
      walletA = new Wallet(MNEMONIC_A);
      walletB = new Wallet(MNEMONIC_B);
      a = new SecretNetworkClient({
        url: node.rest,
        chainId: CHAIN_ID,
        wallet: walletA,
        walletAddress: walletA.address,
        encryptionSeed: SEED_A,
      });
      b = new SecretNetworkClient({
        url: node.rest,
        chainId: CHAIN_ID,
        wallet: walletB,
        walletAddress: walletB.address,
      });
    });

    after(async () => {
      globalThis.fetch = realFetch;
      const code = await node.stop();
      node.cleanup();
      assert.equal(code, 0, node.output());
    });

    async function upload(file: string): Promise<string> {
      const tx = track(
        await a.tx.compute.storeCode(
          { sender: walletA.address, wasm_byte_code: contractFile(file), source: "", builder: "" },
          GAS,
        ),
      );
      assert.equal(tx.code, 0, tx.rawLog);
      return tx.arrayLog?.find((l) => l.type === "message" && l.key === "code_id")?.value ?? "";
    }

    async function instantiate(codeId: string, hash: string, init: object, label: string): Promise<string> {
      const tx = track(
        await a.tx.compute.instantiateContract(
          {
            sender: walletA.address,
            code_id: codeId,
            code_hash: hash,
            label,
            init_msg: init,
            admin: walletA.address,
          },
          { ...GAS, memo: PUBLIC },
        ),
      );
      assert.equal(tx.code, 0, tx.rawLog);
      return tx.arrayLog?.find((l) => l.type === "message" && l.key === "contract_address")?.value ?? "";
    }

    async function execCb(sender: SecretNetworkClient, contract: string, msg: object) {
      return track(
        await sender.tx.compute.executeContract(
          { sender: sender.address, contract_address: contract, code_hash: CALLBACKS_HASH, msg },
          GAS,
        ),
      );
    }

    /** The sender's view of a tx's custom events, from the raw REST tx body (which the scan also sees). */
    async function customEventsOfA(hash: string): Promise<string[]> {
      const raw = await get(`${node.rest}/cosmos/tx/v1beta1/txs/${hash}`);
      return decryptCustomEvents(raw, new EncryptionUtilsImpl(node.rest, SEED_A));
    }

    test("upload + instantiate callbacks (x2) and snip20 with a secret prng seed", async () => {
      const cbCode = await upload("callbacks.wasm.gz");
      const snipCode = await upload("snip20.wasm.gz");
      cb1 = await instantiate(cbCode, CALLBACKS_HASH, { count: 0, fail: false }, `canary-cb1-${cbCode}`);
      cb2 = await instantiate(cbCode, CALLBACKS_HASH, { count: 0, fail: false }, `canary-cb2-${cbCode}`);
      token = await instantiate(
        snipCode,
        SNIP20_HASH,
        {
          name: "Canary Token",
          symbol: "CNRY",
          decimals: 6,
          initial_balances: [{ address: walletA.address, amount: "1000" }],
          prng_seed: Buffer.from(SECRET.prngSeed).toString("base64"),
        },
        `canary-snip20-${snipCode}`,
      );
      for (const addr of [cb1, cb2, token]) assert.match(addr, /^secret1/);
    });

    test("snip20: transfer with a secret memo, viewing key, balance + history queries decrypt", async () => {
      const contract = { address: token, code_hash: SNIP20_HASH };
      // compute.executeContract, not tx.snip20.*: secretjs 1.22's snip20 types have no `memo`/`recipient_code_hash`.
      const xfer = track(
        await a.tx.compute.executeContract(
          {
            sender: walletA.address,
            contract_address: token,
            code_hash: SNIP20_HASH,
            msg: { transfer: { recipient: walletB.address, amount: "300", memo: SECRET.memo } },
          },
          GAS,
        ),
      );
      assert.equal(xfer.code, 0, xfer.rawLog);
      const vk = track(
        await b.tx.snip20.setViewingKey(
          {
            sender: walletB.address,
            contract_address: token,
            code_hash: SNIP20_HASH,
            msg: { set_viewing_key: { key: SECRET.viewingKey } },
          },
          GAS,
        ),
      );
      assert.equal(vk.code, 0, vk.rawLog);
      const bal = await b.query.snip20.getBalance({
        contract,
        address: walletB.address,
        auth: { key: SECRET.viewingKey },
      });
      assert.equal(bal.balance.amount, "300");
      const hist = await b.query.compute.queryContract({
        contract_address: token,
        code_hash: SNIP20_HASH,
        query: { transfer_history: { address: walletB.address, key: SECRET.viewingKey, page_size: 10 } },
      });
      assert.ok(JSON.stringify(hist).includes(SECRET.memo), JSON.stringify(hist)); // the sender decrypts it
      const send = track(
        await a.tx.compute.executeContract(
          {
            sender: walletA.address,
            contract_address: token,
            code_hash: SNIP20_HASH,
            msg: {
              send: {
                recipient: cb1,
                recipient_code_hash: CALLBACKS_HASH,
                amount: "5",
                memo: SECRET.sendMemo,
                msg: Buffer.from(SECRET.sendMsg).toString("base64"),
              },
            },
          },
          GAS,
        ),
      );
      assert.equal(send.code, 0, send.rawLog);
      assert.ok(attrs(send).includes('"key":"action","value":"receive"'), attrs(send)); // callee's event, decrypted
    });

    test("callbacks: encrypted event, error, sub-message, forwarded data, query answer all decrypt", async () => {
      const ev = await execCb(a, cb1, { emit_event: { value: SECRET.event } });
      assert.equal(ev.code, 0, ev.rawLog);
      assert.ok(!attrs(ev).includes(SECRET.event)); // secretjs 1.22 leaves custom events encrypted
      const evPlain = await customEventsOfA(ev.transactionHash);
      assert.ok(evPlain.includes(`wasm-shroud:secret_value=${SECRET.event}`), evPlain.join("\n"));

      const err = await execCb(a, cb1, { fail: { message: SECRET.error } });
      assert.notEqual(err.code, 0);
      assert.ok(err.rawLog.includes(SECRET.error), err.rawLog);
      // On the wire the error is there, but only as ciphertext (what secretjs decrypted above).
      assert.match(
        await get(`${node.rest}/cosmos/tx/v1beta1/txs/${err.transactionHash}`),
        /encrypted: [\w+/=]+/,
      );

      const sub = await execCb(a, cb1, {
        call_contract: {
          contract: cb2,
          code_hash: CALLBACKS_HASH,
          msg: b64json({ emit_event: { value: SECRET.sub } }),
          id: 7,
          reply_on: "always",
        },
      });
      assert.equal(sub.code, 0, sub.rawLog);
      const subPlain = await customEventsOfA(sub.transactionHash);
      assert.ok(subPlain.includes(`wasm-shroud:secret_value=${SECRET.sub}`), subPlain.join("\n"));

      const fwd = await execCb(a, cb1, {
        query_contract: {
          contract: cb2,
          code_hash: CALLBACKS_HASH,
          msg: b64json({ echo: { value: SECRET.data } }),
        },
      });
      assert.equal(fwd.code, 0, fwd.rawLog);
      const data = fwd.data[0];
      assert.ok(data !== undefined);
      const inner = Buffer.from(MsgExecuteContractResponse.decode(data).data).toString();
      assert.ok(inner.includes(SECRET.data), inner);

      // cb1 → (sub-message) cb2 → (query) cb1 echo: cb2's data comes back through cb1's reply (stored in state).
      const echo = b64json({ echo: { value: SECRET.reply } });
      const viaReply = await execCb(a, cb1, {
        call_contract: {
          contract: cb2,
          code_hash: CALLBACKS_HASH,
          msg: b64json({ query_contract: { contract: cb1, code_hash: CALLBACKS_HASH, msg: echo } }),
          id: 8,
          reply_on: "success",
        },
      });
      assert.equal(viaReply.code, 0, viaReply.rawLog);
      const replyData = Buffer.from(
        MsgExecuteContractResponse.decode(viaReply.data[0] ?? new Uint8Array()).data,
      );
      assert.ok(replyData.toString().includes(SECRET.reply), replyData.toString());

      const q = await a.query.compute.queryContract({
        contract_address: cb1,
        code_hash: CALLBACKS_HASH,
        query: { echo: { value: SECRET.query } },
      });
      assert.ok(JSON.stringify(q).includes(SECRET.query), JSON.stringify(q));
      // secretjs 1.22 answers a failed query with the decrypted error string.
      const qErr: unknown = await a.query.compute.queryContract({
        contract_address: cb1,
        code_hash: CALLBACKS_HASH,
        query: { fail: { message: SECRET.queryError } },
      });
      assert.ok(typeof qErr === "string" && qErr.includes(SECRET.queryError), String(qErr));
    });

    test("admin messages and a bank send with a public memo", async () => {
      const up = track(
        await a.tx.compute.updateAdmin(
          { sender: walletA.address, contract_address: cb2, new_admin: walletB.address },
          GAS,
        ),
      );
      assert.equal(up.code, 0, up.rawLog);
      const clr = track(
        await b.tx.compute.clearAdmin({ sender: walletB.address, contract_address: cb2 }, GAS),
      );
      assert.equal(clr.code, 0, clr.rawLog);
      const send = track(
        await a.tx.bank.send(
          {
            from_address: walletA.address,
            to_address: walletB.address,
            amount: [{ denom: "uscrt", amount: "7" }],
          },
          { gasLimit: 50_000, broadcastCheckIntervalMs: 100, memo: PUBLIC },
        ),
      );
      assert.equal(send.code, 0, send.rawLog);
    });

    test("fetch every block, tx, search and contract view over REST and RPC", async () => {
      const latest = await a.query.tendermint.getLatestBlock({});
      const top = Number(latest.block?.header?.height ?? "0");
      assert.ok(top >= txHashes.length);
      const { rest, rpc } = node;
      for (let h = 1; h <= top; h++) {
        await get(`${rest}/cosmos/base/tendermint/v1beta1/blocks/${h}`);
        await get(`${rpc}/block?height=${h}`);
        await get(`${rpc}/block_results?height=${h}`);
      }
      for (const hash of txHashes) {
        await get(`${rest}/cosmos/tx/v1beta1/txs/${hash}`);
        await get(`${rpc}/tx?hash=0x${hash}`);
      }
      for (const w of [walletA, walletB]) {
        const q = encodeURIComponent(`message.sender='${w.address}'`);
        await get(`${rest}/cosmos/tx/v1beta1/txs?query=${q}&limit=100`);
        await get(`${rest}/cosmos/tx/v1beta1/txs?events=${q}&limit=100`);
        await get(
          `${rpc}/tx_search?query=${encodeURIComponent(`"message.sender='${w.address}'"`)}&per_page=100`,
        );
      }
      await get(`${rest}/cosmos/tx/v1beta1/txs?query=${encodeURIComponent("tx.height>=1")}&limit=100`);
      await get(`${rest}/compute/v1beta1/codes`);
      for (const id of ["1", "2"]) {
        await get(`${rest}/compute/v1beta1/code/${id}`);
        await get(`${rest}/compute/v1beta1/contracts/${id}`);
      }
      for (const addr of [cb1, cb2, token]) {
        await get(`${rest}/compute/v1beta1/info/${addr}`);
        await get(`${rest}/compute/v1beta1/contract_history/${addr}`);
        await get(`${rest}/compute/v1beta1/label/${addr}`);
      }
      assert.ok(bodies.length > 100, `recorded ${bodies.length} bodies`);
      // secretjs's own traffic was recorded too: the (encrypted) smart query answers and tx broadcasts.
      assert.ok(bodies.some((x) => x.where.includes("/compute/v1beta1/query/")));
      assert.ok(bodies.some((x) => x.where.includes("/cosmos/tx/v1beta1/txs") && x.body.includes("txhash")));
    });

    test("scan: zero hits for secret markers; the public memo marker is found", async () => {
      const live = readTree(node.home); // while running: WAL/SHM as the node left them
      const code = await node.stop();
      assert.equal(code, 0, node.output());
      const stopped = readTree(node.home); // after close: checkpointed DB files
      const sources: { where: string; blob: Uint8Array | string }[] = [
        ...live.map((f) => ({ where: `file(live) ${f.path}`, blob: f.bytes })),
        ...stopped.map((f) => ({ where: `file(stopped) ${f.path}`, blob: f.bytes })),
        { where: "child stdout/stderr", blob: node.output() },
        ...bodies.map((x) => ({ where: x.where, blob: x.body })),
      ];
      const bytes = sources.reduce((n, s) => n + s.blob.length, 0);
      process.stdout.write(`# canary: scanned ${sources.length} sources, ${bytes} bytes\n`);
      process.stdout.write(
        `# canary: files live ${live.map((f) => `${f.path.slice(node.home.length)}:${f.bytes.length}`).join(" ")} stopped ${stopped.map((f) => `${f.path.slice(node.home.length)}:${f.bytes.length}`).join(" ")}\n`,
      );
      assert.ok(live.length >= 2 && stopped.length >= 2, `files: ${live.length}/${stopped.length}`);

      const hits = sources.flatMap((s) => scanBlob(s.where, s.blob, SECRET_LIST));
      assert.deepEqual(hits, [], fmt(hits));

      // Not vacuous: the same scan sees the public marker in the blocks (files) and in REST/RPC bodies.
      const pub = sources.flatMap((s) => scanBlob(s.where, s.blob, [PUBLIC]));
      assert.ok(
        pub.some((h) => h.where.startsWith("file(stopped)")),
        fmt(pub),
      );
      assert.ok(
        pub.some((h) => h.where.includes("/cosmos/tx/v1beta1/txs/")),
        fmt(pub),
      );
      assert.ok(
        pub.some((h) => h.where.includes("/block?height=")),
        fmt(pub),
      );
    });
  },
);
