// secretjs' encrypted smart query through the LCD: code hash by address, tx-key, `query/{addr}?query=<b64>`,
// the encrypted answer and the encrypted error forms of spec secret-protocol §8.1 (both word orders). The node
// side of the crypto is a test double built from the spec (x25519 + HKDF-SHA256 + AES-SIV via miscreant, the
// library secretjs uses); the REST layer only carries bytes and messages through, which is what is tested.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { SecretNetworkClient } from "secretjs";
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { createRequire } from "node:module";
import { QueryError } from "../../src/chain/errors.js";
import { toBech32 } from "../../src/chain/address.js";
import { startRestServer, type RestServer } from "../../src/api/rest/server.js";
import { startTestNode, CHAIN_ID, type TestNode } from "../../src/api/rest/testdata/testChain.js";

// miscreant's package "types" points at TypeScript sources that do not compile under our strict settings:
// load it untyped, with the narrow shape this test uses.
interface MiscreantSiv {
  open(sealed: Uint8Array, associatedData: Uint8Array[]): Promise<Uint8Array>;
  seal(plaintext: Uint8Array, associatedData: Uint8Array[]): Promise<Uint8Array>;
}
const miscreant = createRequire(import.meta.url)("miscreant") as {
  PolyfillCryptoProvider: new () => unknown;
  SIV: { importKey(key: Uint8Array, alg: "AES-SIV", provider: unknown): Promise<MiscreantSiv> };
};

/** spec secret-protocol §1 / secretjs-compat §4: hkdfSalt. */
const HKDF_SALT = Buffer.from("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d", "hex");
const IO_PRIVATE = new Uint8Array(32).fill(3);
const IO_PUBLIC = x25519.getPublicKey(IO_PRIVATE);
const CONTRACT = toBech32(new Uint8Array(20).fill(0xc0));
const CODE_HASH = "ab".repeat(32);
const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");

async function siv(nonce: Uint8Array, userPk: Uint8Array) {
  const key = hkdf(
    sha256,
    Buffer.concat([x25519.getSharedSecret(IO_PRIVATE, userPk), nonce]),
    HKDF_SALT,
    new Uint8Array(),
    32,
  );
  return miscreant.SIV.importKey(key, "AES-SIV", new miscreant.PolyfillCryptoProvider());
}

/** The contract's answer to `{echo}`, `{fail: "front" | "back"}` in the two error word orders Secret produces. */
async function smartQuery(q: Uint8Array): Promise<unknown> {
  if (q.length < 82) throw new QueryError(3, "query: encrypted message too short");
  const cipher = await siv(q.subarray(0, 32), q.subarray(32, 64));
  const plain = Buffer.from(await cipher.open(q.subarray(64), [new Uint8Array()])).toString();
  assert.equal(plain.slice(0, 64), CODE_HASH);
  const msg = JSON.parse(plain.slice(64)) as { echo?: unknown; fail?: "front" | "back" };
  if (msg.fail !== undefined) {
    const err = b64(await cipher.seal(Buffer.from('{"generic_err":{"msg":"nope"}}'), [new Uint8Array()]));
    throw new QueryError(
      2,
      msg.fail === "front"
        ? `encrypted: ${err}: query contract failed`
        : `query contract failed: encrypted: ${err}`,
    );
  }
  const answer = b64(Buffer.from(JSON.stringify({ echoed: msg.echo })));
  return { data: b64(await cipher.seal(Buffer.from(answer), [new Uint8Array()])) };
}

describe("encrypted smart query through REST (real secretjs)", () => {
  let node: TestNode;
  let rest: RestServer;
  let client: SecretNetworkClient;

  before(async () => {
    node = await startTestNode({ funded: {} });
    await node.engine.produceBlock();
    node.setQuery("/secret.registration.v1beta1.Query/TxKey", () => ({ key: b64(IO_PUBLIC) }));
    node.setQuery("/secret.compute.v1beta1.Query/CodeHashByContractAddress", ({ args }) => {
      if (args.str("contract_address") !== CONTRACT) throw new QueryError(5, "contract not found");
      return { code_hash: CODE_HASH };
    });
    node.setQuery("/secret.compute.v1beta1.Query/QuerySecretContract", ({ args }) =>
      smartQuery(args.bytes("query")),
    );
    rest = await startRestServer(node.backend, "127.0.0.1", 0);
    client = new SecretNetworkClient({ url: `http://127.0.0.1:${rest.port}/`, chainId: CHAIN_ID });
  });

  after(async () => {
    await rest.close();
    await node.close();
  });

  test("code hash by address, then an encrypted query decrypted by secretjs", async () => {
    const { code_hash } = await client.query.compute.codeHashByContractAddress({
      contract_address: CONTRACT,
    });
    assert.equal(code_hash, CODE_HASH);
    const r = await client.query.compute.queryContract({
      contract_address: CONTRACT,
      code_hash: CODE_HASH,
      query: { echo: { n: 7, s: "héllo+/=" } },
    });
    assert.deepEqual(r, { echoed: { n: 7, s: "héllo+/=" } });
  });

  test("encrypted query errors (both word orders) come back decrypted as secretjs' error string", async () => {
    for (const fail of ["front", "back"]) {
      const r = await client.query.compute.queryContract({
        contract_address: CONTRACT,
        code_hash: CODE_HASH,
        query: { fail },
      });
      assert.equal(r, '{"generic_err":{"msg":"nope"}}');
    }
  });

  test("an unknown contract's code hash is a JSON 404 secretjs throws", async () => {
    await assert.rejects(
      client.query.compute.codeHashByContractAddress({ contract_address: toBech32(new Uint8Array(20)) }),
      (e: { code: number; message: string }) => e.code === 5 && e.message === "contract not found",
    );
  });
});
