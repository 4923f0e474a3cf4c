// `shroud init-bootstrap`, `init-enclave`, `configure-secret` and `tx register auth`: a node's enclave lifecycle,
// bootstrap a network or join one by attestation (spec secret-protocol §2.1, §3; src/cli/README.md).
import { resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { fromBase64, fromHex, toBase64, toHex } from "../../util/bytes.js";
import { CliError, DEFAULT_NODE, printResult, type OutputFormat } from "../common.js";
import { mergeRegistrationIntoGenesis, validatorPublicKeyFromFile } from "./genesisJoin.js";
import { bootstrapEnclaveHome, createJoiningEnclave, joinWith, type JoinMaterial } from "./enclaveHome.js";

export {
  bootstrapEnclaveHome,
  completeJoin,
  createJoiningEnclave,
  enclaveDir,
  enclaveNetworkKeys,
  ENCLAVE_HOME_FILES,
  joinWith,
  openEnclaveHome,
  readAttestationFile,
  registrationGenesisSection,
  registrationPublicKeyOf,
  withEnclaveHome,
  type BootstrapResult,
  type CompleteJoinResult,
  type JoinMaterial,
  type JoinedEnclave,
  type JoiningEnclave,
  type RegistrationGenesisJson,
} from "./enclaveHome.js";
// ./chain.js (secretjs: ~2 MB of CommonJS and libsodium's wasm) is imported only by the commands that talk to a
// chain, when they run: every `shroud` command loads this file, and `shroud dev` starts ~0.5 s sooner without it.
export { registerRegisterTxCommands } from "./registerTx.js";
export {
  mergeRegistrationIntoGenesis,
  readRegistrationGenesis,
  registerAtGenesis,
  validatorPublicKeyFromFile,
  type GenesisRegistration,
} from "./genesisJoin.js";

function hex32(what: string) {
  return (v: string, prev: Uint8Array[] | undefined): Uint8Array[] => {
    if (!/^[0-9a-fA-F]{64}$/.test(v)) throw new InvalidArgumentError(`${what}: expected 64 hex characters`);
    return [...(prev ?? []), fromHex(v.toLowerCase(), what)];
  };
}

/** A 32-byte key as 64 hex chars or base64 (node-master-key.txt holds base64). */
function key32Arg(v: string): Uint8Array {
  const t = v.trim().replace(/^0x/, "");
  if (/^[0-9a-fA-F]{64}$/.test(t)) return fromHex(t.toLowerCase(), "key");
  if (/^[A-Za-z0-9+/]{43}=$/.test(t)) return fromBase64(t, "key");
  throw new InvalidArgumentError("expected a 32-byte key as 64 hex characters or base64");
}

/** Encrypted seeds as hex, a multiple of 96 hex chars (spec §3.5 EncryptedKeyGranularity). */
function seedsArg(v: string): Uint8Array {
  const t = v.trim().replace(/^0x/, "");
  if (!/^([0-9a-fA-F]{96})+$/.test(t))
    throw new InvalidArgumentError("expected hex, a multiple of 96 characters");
  return fromHex(t.toLowerCase(), "encrypted seed");
}

function parseOutput(v: string): OutputFormat {
  if (v !== "json" && v !== "text") throw new InvalidArgumentError("expected json or text");
  return v;
}

const withOutput = (c: Command): Command =>
  c.option("--output <format>", "json or text", parseOutput, "text" as OutputFormat);

interface HomeFlags {
  home: string;
  output: OutputFormat;
}

async function initBootstrap(
  flags: HomeFlags & { authorityKey?: Uint8Array[]; genesis?: string },
): Promise<void> {
  const home = resolve(flags.home);
  const r = await bootstrapEnclaveHome(home, {
    ...(flags.authorityKey === undefined ? {} : { authorityPublicKeys: flags.authorityKey }),
  });
  if (flags.genesis !== undefined) mergeRegistrationIntoGenesis(resolve(flags.genesis), r.genesis);
  printResult(
    {
      node_exch_key: toBase64(r.keys.seedExchangePublicKey),
      io_exch_key: toBase64(r.keys.ioExchangePublicKey),
      measurement: toHex(r.measurement),
      authority_public_keys: r.genesis.params.attestation_policy.authority_public_keys,
      registration_genesis: r.path,
      ...(flags.genesis === undefined ? {} : { genesis: resolve(flags.genesis) }),
    },
    flags.output,
  );
}

async function initEnclave(
  flags: HomeFlags & { operatorKey?: Uint8Array[]; validatorKey?: string },
): Promise<void> {
  const ops = flags.operatorKey ?? [];
  if (flags.validatorKey !== undefined) ops.push(validatorPublicKeyFromFile(resolve(flags.validatorKey)));
  if (ops.length > 1) throw new CliError("give one of --operator-key and --validator-key, once");
  const r = await createJoiningEnclave(
    resolve(flags.home),
    ops[0] === undefined ? {} : { operatorKey: ops[0] },
  );
  printResult(
    {
      registration_key: toHex(r.registrationPublicKey),
      measurement: toHex(r.measurement),
      attestation: r.path,
      attestation_bytes: r.quote.length,
      operator_key: ops[0] === undefined ? "" : toHex(ops[0]),
    },
    flags.output,
  );
}

interface ConfigureFlags extends HomeFlags {
  node: string;
  masterKey?: Uint8Array;
  encryptedSeed?: Uint8Array;
  ioKey?: Uint8Array;
}

/** Offline (Secret's `configure-secret <node-master-key> <hex seeds>`) when both are given, else from the LCD. */
async function configureSecret(flags: ConfigureFlags): Promise<void> {
  const offline = flags.masterKey !== undefined || flags.encryptedSeed !== undefined;
  if (offline && (flags.masterKey === undefined || flags.encryptedSeed === undefined))
    throw new CliError("--master-key and --encrypted-seed go together");
  const given = (): JoinMaterial => ({
    masterPublicKey: flags.masterKey ?? new Uint8Array(),
    encryptedSeeds: flags.encryptedSeed ?? new Uint8Array(),
    ...(flags.ioKey === undefined ? {} : { ioPublicKey: flags.ioKey }),
  });
  const node = flags.node.replace(/\/+$/, "");
  const r = await joinWith(resolve(flags.home), async (regKey) =>
    offline ? given() : (await import("./chain.js")).fetchJoinMaterial(node, regKey),
  );
  printResult(
    {
      registration_key: toHex(r.registrationPublicKey),
      seed_count: r.seedCount,
      node_exch_key: toBase64(r.keys.seedExchangePublicKey),
      io_exch_key: toBase64(r.keys.ioExchangePublicKey),
      // joinWith throws on any difference; offline without --io-key only the master key was compared.
      matches_chain: true,
      io_key_checked: offline ? flags.ioKey !== undefined : true,
    },
    flags.output,
  );
}

export function registerEnclaveCommands(program: Command): void {
  withOutput(
    program
      .command("init-bootstrap")
      .description("create the genesis node's enclave: consensus seeds + the register genesis section")
      .requiredOption("--home <dir>", "node home (the enclave goes to <home>/enclave)")
      .option(
        "--authority-key <hex>",
        "attestation authority to trust (repeatable; default: dev authority)",
        hex32("authority key"),
      )
      .option("--genesis <file>", "also write the section into this genesis.json's app_state.register"),
  ).action(initBootstrap);
  withOutput(
    program
      .command("init-enclave")
      .description(
        "create a joining node's enclave: registration key + attestation at <home>/attestation.bin",
      )
      .requiredOption("--home <dir>", "node home (the enclave goes to <home>/enclave)")
      .option(
        "--operator-key <hex>",
        "32-byte key bound into the quote's report_data[32..64]",
        hex32("operator key"),
      )
      .option("--validator-key <file>", "bind this CometBFT priv_validator_key.json's public key instead"),
  ).action(initEnclave);
  withOutput(
    program
      .command("configure-secret")
      .description("load the seeds the chain encrypted to this node's enclave and check its network keys")
      .requiredOption("--home <dir>", "node home that ran init-enclave")
      .option(
        "--node <url>",
        "REST (LCD) URL of a node of the network",
        process.env.SHROUD_NODE ?? DEFAULT_NODE,
      )
      .option("--master-key <key>", "offline: the seed-exchange master key (base64 or hex)", key32Arg)
      .option("--encrypted-seed <hex>", "offline: the encrypted seeds (hex, 96 chars per seed)", seedsArg)
      .option("--io-key <key>", "offline: the tx key to check against (base64 or hex)", key32Arg),
  ).action(configureSecret);
}
