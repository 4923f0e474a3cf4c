// `shroud tx register auth <attestation-file>`: MsgRaAuthenticate through the signing path every `tx` command
// shares (src/cli/tx: gas, fees, confirmation, broadcast modes), signed by a keyring key (`--from`) or by a
// mnemonic read from an environment variable (`--mnemonic-env`, for scripts and localnets).
import { resolve } from "node:path";
import type { Command } from "commander";
import { CliError, printResult } from "../common.js";
import { addTxOptions, signAndBroadcast, txFlags, type TxFlags } from "../tx/broadcast.js";
import { action, connect, resolveChainId, type Connected } from "../tx/context.js";
import { readAttestationFile } from "./enclaveHome.js";

interface SignerFlags {
  readonly from?: string;
  readonly mnemonicEnv?: string;
}

/** A client signing with the mnemonic in `$VAR` (secretjs Wallet; its encryption seed is secretjs's default). */
async function connectMnemonic(flags: TxFlags, variable: string): Promise<Connected & { sender: string }> {
  const mnemonic = process.env[variable]?.trim();
  if (mnemonic === undefined || mnemonic === "")
    throw new CliError(`environment variable ${variable} is empty or unset`);
  const chainId = await resolveChainId(flags);
  const { SecretNetworkClient, Wallet } = await import("secretjs");
  const wallet = new Wallet(mnemonic);
  const client = new SecretNetworkClient({
    url: flags.node,
    chainId,
    wallet,
    walletAddress: wallet.address,
  });
  return { client, chainId, sender: wallet.address };
}

async function connectSigner(flags: TxFlags, s: SignerFlags): Promise<Connected & { sender: string }> {
  if ((s.from === undefined) === (s.mnemonicEnv === undefined))
    throw new CliError("give the signer with exactly one of --from <key> and --mnemonic-env <VAR>");
  if (s.mnemonicEnv !== undefined) return connectMnemonic(flags, s.mnemonicEnv);
  const c = await connect(flags, s.from);
  if (c.key === undefined) throw new CliError("no key unlocked");
  return { ...c, sender: c.key.address };
}

async function registerAuth(file: string, _o: unknown, cmd: Command): Promise<void> {
  const flags = txFlags(cmd);
  const signer = cmd.opts<SignerFlags>();
  const certificate = readAttestationFile(resolve(file));
  const c = await connectSigner(flags, signer);
  const { raAuthenticateMsg, registrationResult } = await import("./chain.js"); // secretjs: loaded on use
  const msg = raAuthenticateMsg(c.sender, certificate);
  const sent = await signAndBroadcast(c, flags, [msg], {
    summary: [
      {
        type: "/secret.registration.v1beta1.RaAuthenticate",
        sender: c.sender,
        certificate_bytes: certificate.length,
      },
    ],
    // Simulation never calls the enclave (spec §3.4: a placeholder seed is stored), so it estimates fine.
    simulatable: true,
  });
  if (sent.tx === undefined) {
    printResult({ txhash: sent.txhash }, flags.output);
    return;
  }
  const r = registrationResult(sent.tx, c.sender);
  printResult(r, flags.output);
  if (r.code !== 0) throw new CliError(`registration refused: ${r.codespace} ${r.code}: ${r.rawLog}`);
}

/** `tx register auth` attaches to the `tx` group created by main.ts. */
export function registerRegisterTxCommands(tx: Command): void {
  const register = tx.command("register").description("node registration (x/registration)");
  addTxOptions(
    register
      .command("auth <attestation-file>")
      .description("submit MsgRaAuthenticate with a node's attestation (init-enclave) and wait for its block")
      .option("--from <key>", "keyring key name or address to sign with")
      .option("--mnemonic-env <VAR>", "sign with the mnemonic in this environment variable instead"),
    false,
  ).action(action(registerAuth));
}
