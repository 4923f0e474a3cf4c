// contracts/build/snip20.wasm → callbacks.wasm: a SNIP-20 `send` with the recipient's code hash makes the
// token emit a Receive sub-message; the mini x/compute double routes it (callback_sig, same nonce) and the
// receiver runs. Balances are read back with a viewing key. Gas of a transfer is measured.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromBase64, toHex, utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { CompiledCodeCache } from "../vm/wasm/cache.js";
import { prepareCode } from "../vm/wasm/prepare.js";
import type { WasmModule } from "../vm/webassembly.js";
import { MiniChain } from "./testing/miniChain.js";
import { CONTRACT, CONTRACT_B, SENDER, client, type Code } from "./testing/harness.js";

const cache = new CompiledCodeCache();
function load(name: string): Code {
  const p = prepareCode(
    new Uint8Array(readFileSync(new URL(`../../../contracts/build/${name}.wasm`, import.meta.url))),
  );
  return {
    wasm: p.wasm,
    module: cache.getOrCompile(p) as unknown as WasmModule,
    codeHash: sha256(p.wasm),
    hex: toHex(p.codeHash),
  };
}
const token = load("snip20");
const receiver = load("callbacks");
const sjs = client(new Uint8Array(32).fill(15));

async function answer(chain: MiniChain, addr: string, hex: string, msg: object): Promise<unknown> {
  const m = await sjs.encrypt(hex, msg);
  const out = chain.queryContract(addr, m);
  const b64 = utf8.decode(await sjs.decrypt(fromBase64(out.output.ok as string), m.slice(0, 32)));
  return JSON.parse(utf8.decode(fromBase64(b64)).trim());
}

describe("snip20.wasm send → callbacks.wasm receive (metered)", () => {
  test("send with recipient_code_hash: receiver bumps its count; balances move; gas measured", async () => {
    const chain = new MiniChain(50_000_000n);
    chain.instantiate(
      token,
      CONTRACT,
      SENDER,
      await sjs.encrypt(token.hex, {
        name: "Shroud Token",
        symbol: "SHRD",
        decimals: 6,
        initial_balances: [{ address: SENDER, amount: "1000" }],
        prng_seed: "c2VlZA==",
      }),
    );
    chain.instantiate(receiver, CONTRACT_B, SENDER, await sjs.encrypt(receiver.hex, { count: 0 }));
    const send = chain.execute(
      CONTRACT,
      SENDER,
      await sjs.encrypt(token.hex, {
        send: { recipient: CONTRACT_B, recipient_code_hash: receiver.hex, amount: "250" },
      }),
    );
    assert.ok(send.output.ok !== undefined);
    assert.ok(send.gasUsed > 0n);
    assert.deepEqual(
      ((await answer(chain, CONTRACT_B, receiver.hex, { state: {} })) as { count: number }).count,
      1,
    );
    chain.execute(CONTRACT, SENDER, await sjs.encrypt(token.hex, { set_viewing_key: { key: "k1" } }));
    assert.deepEqual(await answer(chain, CONTRACT, token.hex, { balance: { address: SENDER, key: "k1" } }), {
      balance: { amount: "750" },
    });
    const transfer = chain.execute(
      CONTRACT,
      SENDER,
      await sjs.encrypt(token.hex, { transfer: { recipient: CONTRACT_B, amount: "1" } }),
    );
    console.log(
      `snip20 transfer: ${transfer.gasUsed} VM gas = ${transfer.gasUsed / 1000n} SDK gas; send+receive: ${send.gasUsed} VM gas`,
    );
  });
});
