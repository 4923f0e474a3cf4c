// In-process checks of the CLI's pure pieces: coin/address/JSON parsers, the exact-fee price, contract output
// decoding, the keyring's sealing (round trip, wrong passphrase, moved ciphertext), armor, and the seed rule.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { Wallet } from "secretjs";
import { CliError } from "../../src/cli/common.js";
import { parseAddress, parseCodeId, parseCoins, parseJsonObject } from "../../src/cli/tx/args.js";
import { priceForFee } from "../../src/cli/tx/broadcast.js";
import { decodeData } from "../../src/cli/tx/result.js";
import { armor, open, seal, unarmor, WrongPassphraseError } from "../../src/cli/keys/sealed.js";
import {
  ENCRYPTION_SEED_LABEL,
  encryptionSeedFor,
  newMnemonic,
  normalizeMnemonic,
  publicKeyOf,
} from "../../src/cli/keys/wallet.js";
import { assertKeyName } from "../../src/cli/keys/keyring.js";

const ADDRESS_A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"; // LocalSecret a (src/cli/devGenesis.ts)
const enc = (s: string) => new TextEncoder().encode(s);

describe("tx argument parsers", () => {
  test("coins: secretd syntax, several denoms, errors name the argument", () => {
    assert.deepEqual(parseCoins("10uscrt,5ibc/ABC", "amount"), [
      { denom: "uscrt", amount: "10" },
      { denom: "ibc/ABC", amount: "5" },
    ]);
    assert.deepEqual(parseCoins("", "--amount", true), []);
    for (const bad of ["12", "uscrt", "1.5uscrt", "-1uscrt", "1u", "1uscrt,2uscrt", ""])
      assert.throws(
        () => parseCoins(bad, "amount"),
        (e: unknown) => e instanceof CliError && /amount/.test(e.message),
      );
  });

  test("addresses: checksum, prefix, payload size", () => {
    assert.equal(parseAddress(ADDRESS_A, "to"), ADDRESS_A);
    assert.throws(() => parseAddress(ADDRESS_A.slice(0, -1) + "x", "to"), /invalid bech32/);
    assert.throws(
      () => parseAddress(ADDRESS_A, "validator", "secretvaloper"),
      /expected a secretvaloper1… address/,
    );
    assert.throws(() => parseCodeId("0"), /positive integer/);
    assert.throws(() => parseJsonObject("[1]", "msg"), /must be a JSON object/);
    assert.throws(() => parseJsonObject("{", "msg"), /invalid JSON/);
  });

  test("priceForFee: secretjs's ceil(gas × price) gives back exactly the fee", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 100_000_000 }),
        (fee, gas) => {
          const { price, denom } = priceForFee({ denom: "uscrt", amount: String(fee) }, gas);
          assert.equal(denom, "uscrt");
          assert.equal(Math.ceil(gas * price), fee);
        },
      ),
      { seed: 42, numRuns: 2000 },
    );
  });

  test("contract output: JSON, else text, else base64; empty is null", () => {
    assert.deepEqual(decodeData(enc('{"count":6}')), { count: 6 });
    assert.equal(decodeData(enc("plain words")), "plain words");
    assert.deepEqual(decodeData(new Uint8Array([0xff, 0xfe])), { base64: "//4=" });
    assert.equal(decodeData(new Uint8Array()), null);
  });
});

describe("keyring sealing and seed", () => {
  test("seal/open round trip; wrong passphrase and a moved ciphertext both fail as a wrong passphrase", async () => {
    const aad = enc("shroud-keyring-v1\0a\0" + ADDRESS_A);
    const s = await seal("passphrase-1", enc("secret words"), aad);
    assert.equal(new TextDecoder().decode(await open("passphrase-1", s, aad, "key a")), "secret words");
    await assert.rejects(open("passphrase-2", s, aad, "key a"), WrongPassphraseError);
    await assert.rejects(
      open("passphrase-1", s, enc("shroud-keyring-v1\0b\0" + ADDRESS_A), "key b"),
      WrongPassphraseError,
    );
    const tampered = {
      ...s,
      ciphertext: Buffer.from("x" + s.ciphertext.slice(1), "base64").toString("base64"),
    };
    await assert.rejects(open("passphrase-1", tampered, aad, "key a"), CliError);
  });

  test("armor round trip keeps headers and body", () => {
    const body = enc(JSON.stringify({ x: "y".repeat(200) }));
    const text = armor({ kdf: "scrypt", address: ADDRESS_A }, body);
    const back = unarmor("junk before\n" + text, "file");
    assert.deepEqual(back.headers, { kdf: "scrypt", address: ADDRESS_A });
    assert.deepEqual(new Uint8Array(back.body), body);
    assert.throws(() => unarmor("no armor here", "file"), /not a shroud armored key/);
  });

  test("encryption seed = HMAC-SHA256(private key, label), checked with an independent HMAC", () => {
    const m = normalizeMnemonic(
      "  grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap GUITAR ",
    );
    const w = new Wallet(m);
    assert.equal(w.address, ADDRESS_A);
    const seed = encryptionSeedFor(w.privateKey);
    assert.equal(seed.length, 32);
    assert.deepEqual(seed, hmac(sha256, w.privateKey, enc(ENCRYPTION_SEED_LABEL)));
    assert.notDeepEqual(seed, encryptionSeedFor(new Wallet().privateKey));
    assert.throws(() => normalizeMnemonic("grant rice replace"), /invalid mnemonic/);
    assert.throws(() => normalizeMnemonic("not a mnemonic"), /invalid mnemonic/);
  });

  test("publicKeyOf (keys add without secretjs) equals secretjs's Wallet for LocalSecret a and random mnemonics", () => {
    const a = new Wallet(
      "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar",
    );
    assert.deepEqual(publicKeyOf(a.mnemonic), { address: ADDRESS_A, publicKey: a.publicKey });
    for (let i = 0; i < 3; i++) {
      const w = new Wallet(newMnemonic());
      assert.deepEqual(publicKeyOf(w.mnemonic), { address: w.address, publicKey: w.publicKey });
    }
    assert.throws(() => {
      assertKeyName("../etc");
    }, /invalid key name/);
  });
});
