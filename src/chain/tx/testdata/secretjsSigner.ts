// Test helper: builds real txs with secretjs itself (its Wallet and SecretNetworkClient.prepareAndSign, offline
// via explicitSignerData) so decoder/ante tests exercise exactly what the official client sends.
import { SecretNetworkClient, Wallet, type Msg, type TxOptions } from "secretjs";
import { AminoWallet } from "secretjs/dist/wallet_amino.js";
import { SignDoc, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { secp256k1 } from "@noble/curves/secp256k1.js";

/** Encryption is out of scope here: this stub "encrypts" as plaintext codeHash+JSON, which the chain never reads. */
const plaintextEncryption = {
  getPubkey: () => Promise.resolve(new Uint8Array(32)),
  decrypt: (c: Uint8Array) => Promise.resolve(c),
  encrypt: (codeHash: string, msg: object) =>
    Promise.resolve(new Uint8Array(Buffer.from(codeHash + JSON.stringify(msg)))),
  getTxEncryptionKey: () => Promise.resolve(new Uint8Array(32)),
};

export interface SignerData {
  accountNumber: number;
  sequence: number;
  chainId: string;
}

export interface Signer {
  readonly wallet: Wallet;
  readonly address: string;
  sign(
    msgs: Msg[],
    signer: { accountNumber: number; sequence: number; chainId: string },
    opts?: TxOptions,
  ): Promise<Uint8Array>;
  simulate(msgs: Msg[], signer: SignerData, opts?: TxOptions): Promise<Uint8Array>;
  /**
   * The tx secretjs builds, signed with RFC 6979 deterministic ECDSA instead of secretjs' extra-entropy signing,
   * so seeded fuzz cases are reproducible byte for byte. Same sign doc, same key, same verification rules.
   */
  signDeterministic(msgs: Msg[], signer: SignerData, opts?: TxOptions): Promise<Uint8Array>;
}

/** secretjs' AminoWallet (not exported from its index): signs SIGN_MODE_LEGACY_AMINO_JSON. */
export function makeAminoSigner(mnemonic: string): Signer {
  return makeSigner(mnemonic, new AminoWallet(mnemonic) as unknown as Wallet);
}

export function makeSigner(mnemonic: string, walletOverride?: Wallet): Signer {
  const wallet = walletOverride ?? new Wallet(mnemonic);
  const client = new SecretNetworkClient({
    url: "http://127.0.0.1:1",
    chainId: "unused",
    wallet,
    walletAddress: wallet.address,
    encryptionUtils: plaintextEncryption,
  });
  return {
    wallet,
    address: wallet.address,
    sign: (msgs, explicitSignerData, opts) => client.prepareAndSign(msgs, { ...opts, explicitSignerData }),
    simulate: (msgs, explicitSignerData, opts) =>
      client.prepareAndSign(msgs, { ...opts, explicitSignerData }, true),
    signDeterministic: async (msgs, explicitSignerData, opts) => {
      const unsigned = TxRaw.decode(await client.prepareAndSign(msgs, { ...opts, explicitSignerData }, true));
      const doc = SignDoc.encode({
        bodyBytes: unsigned.bodyBytes,
        authInfoBytes: unsigned.authInfoBytes,
        chainId: explicitSignerData.chainId,
        accountNumber: BigInt(explicitSignerData.accountNumber),
      }).finish();
      const sig = secp256k1.sign(doc, wallet.privateKey, { prehash: true, lowS: true });
      return TxRaw.encode({ ...unsigned, signatures: [sig] }).finish();
    },
  };
}
