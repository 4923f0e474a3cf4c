// `tx compute store|instantiate|execute|migrate|set-admin|clear-admin`: Secret Contract transactions. secretjs
// encrypts the contract messages with the key's derived seed, so the result's data and wasm events decrypt.
import type { Command } from "commander";
import type { Msg } from "secretjs";
import { CliError } from "../common.js";
import { formatBytes, parseAddress, parseCodeId, parseCoins, parseJsonObject, readFileArg } from "./args.js";
import { addTxOptions, assertNoGasAuto, connectSigner, signAndBroadcast, txFlags } from "./broadcast.js";
import { action, progress, type Connected } from "./context.js";
import { printTx } from "./result.js";

/** Secret's MaxWasmSize is 1.2 MB after gunzip (x/compute/internal/types/validation.go); a gzip file is smaller. */
const MAX_WASM_FILE = 3 * 1024 * 1024;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const GZIP_MAGIC = [0x1f, 0x8b];

interface ComputeOpts {
  from: string;
  label?: string;
  admin?: string | false;
  amount?: string;
  source?: string;
  builder?: string;
}

async function send(
  cmd: Command,
  build: (c: Connected, sender: string) => Promise<Msg[]>,
  summary: unknown[],
  simulatable: boolean,
) {
  const flags = txFlags(cmd);
  if (!simulatable) assertNoGasAuto(flags); // before the node and the passphrase prompt
  const c = await connectSigner(flags, flags.from ?? "");
  const msgs = await build(c, c.key?.address ?? "");
  const sent = await signAndBroadcast(c, flags, msgs, { summary, simulatable });
  await printTx(sent, flags.output);
}

async function codeHashOfCode(c: Connected, codeId: string): Promise<string> {
  const r = await c.client.query.compute.codeHashByCodeId({ code_id: codeId });
  if (typeof r.code_hash !== "string" || r.code_hash === "") throw new CliError(`code ${codeId} not found`);
  return r.code_hash;
}

async function codeHashOfContract(c: Connected, addr: string): Promise<string> {
  const r = await c.client.query.compute.codeHashByContractAddress({ contract_address: addr });
  if (typeof r.code_hash !== "string" || r.code_hash === "") throw new CliError(`contract ${addr} not found`);
  return r.code_hash;
}

function registerStore(compute: Command): void {
  addTxOptions(
    compute.command("store <wasm-file>").description("upload contract code (raw or gzip wasm)"),
    true,
  )
    .option("--source <url>", "source code URL recorded with the code", "")
    .option("--builder <image>", "builder image recorded with the code", "")
    .action(
      action(async (file: string, o: ComputeOpts, cmd: Command) => {
        const wasm = readFileArg(file, "wasm-file", MAX_WASM_FILE);
        const head = [...wasm.subarray(0, 4)];
        const isWasm = WASM_MAGIC.every((b, i) => head[i] === b);
        const isGzip = GZIP_MAGIC.every((b, i) => head[i] === b);
        if (!isWasm && !isGzip) throw new CliError(`wasm-file: ${file} is neither wasm nor gzip`);
        const { MsgStoreCode } = await import("secretjs");
        const build = (_c: Connected, s: string) => {
          progress(`uploading ${formatBytes(wasm.length)}${isGzip ? " (gzip)" : ""}…`);
          return Promise.resolve([
            new MsgStoreCode({
              sender: s,
              wasm_byte_code: wasm,
              source: o.source ?? "",
              builder: o.builder ?? "",
            }),
          ]);
        };
        await send(cmd, build, [{ type: "compute/MsgStoreCode", file, bytes: wasm.length }], true);
      }),
    );
}

function registerInstantiate(compute: Command): void {
  addTxOptions(compute.command("instantiate <code-id> <json>").description("instantiate a contract"), true)
    .requiredOption("--label <label>", "unique contract label")
    .option("--admin <address>", "admin allowed to migrate the contract")
    .option("--no-admin", "no admin (the contract can never be migrated)")
    .option("--amount <coins>", "coins sent to the contract")
    .action(
      action(async (codeIdArg: string, json: string, o: ComputeOpts, cmd: Command) => {
        const codeId = parseCodeId(codeIdArg);
        const initMsg = parseJsonObject(json, "init message");
        const admin = typeof o.admin === "string" ? parseAddress(o.admin, "--admin") : "";
        const funds = parseCoins(o.amount ?? "", "--amount", true);
        const label = o.label ?? "";
        if (label === "") throw new CliError("--label must not be empty");
        const { MsgInstantiateContract } = await import("secretjs");
        const build = async (c: Connected, s: string) => [
          new MsgInstantiateContract({
            sender: s,
            code_id: codeId,
            code_hash: await codeHashOfCode(c, codeId),
            label,
            init_msg: initMsg,
            init_funds: funds,
            ...(admin !== "" ? { admin } : {}),
          }),
        ];
        const summary = [
          { type: "compute/MsgInstantiateContract", code_id: codeId, label, admin, msg: initMsg, funds },
        ];
        await send(cmd, build, summary, false);
      }),
    );
}

function registerExecuteMigrate(compute: Command): void {
  addTxOptions(compute.command("execute <contract> <json>").description("execute a contract"), true)
    .option("--amount <coins>", "coins sent to the contract")
    .action(
      action(async (addr: string, json: string, o: ComputeOpts, cmd: Command) => {
        parseAddress(addr, "contract");
        const msg = parseJsonObject(json, "execute message");
        const funds = parseCoins(o.amount ?? "", "--amount", true);
        const { MsgExecuteContract } = await import("secretjs");
        const build = async (c: Connected, s: string) => [
          new MsgExecuteContract({
            sender: s,
            contract_address: addr,
            code_hash: await codeHashOfContract(c, addr),
            msg,
            sent_funds: funds,
          }),
        ];
        await send(cmd, build, [{ type: "compute/MsgExecuteContract", contract: addr, msg, funds }], false);
      }),
    );
  addTxOptions(
    compute.command("migrate <contract> <code-id> <json>").description("migrate a contract"),
    true,
  ).action(
    action(async (addr: string, codeIdArg: string, json: string, _o: ComputeOpts, cmd: Command) => {
      parseAddress(addr, "contract");
      const codeId = parseCodeId(codeIdArg);
      const msg = parseJsonObject(json, "migrate message");
      const { MsgMigrateContract } = await import("secretjs");
      const build = async (c: Connected, s: string) => [
        new MsgMigrateContract({
          sender: s,
          contract_address: addr,
          code_id: codeId,
          code_hash: await codeHashOfCode(c, codeId),
          msg,
        }),
      ];
      await send(
        cmd,
        build,
        [{ type: "compute/MsgMigrateContract", contract: addr, code_id: codeId, msg }],
        false,
      );
    }),
  );
}

function registerAdmin(compute: Command): void {
  addTxOptions(
    compute.command("set-admin <contract> <new-admin>").description("change a contract's admin"),
    true,
  ).action(
    action(async (addr: string, admin: string, _o: ComputeOpts, cmd: Command) => {
      parseAddress(addr, "contract");
      parseAddress(admin, "new-admin");
      const { MsgUpdateAdmin } = await import("secretjs");
      const build = (_c: Connected, s: string) =>
        Promise.resolve([new MsgUpdateAdmin({ sender: s, contract_address: addr, new_admin: admin })]);
      await send(cmd, build, [{ type: "compute/MsgUpdateAdmin", contract: addr, new_admin: admin }], false);
    }),
  );
  addTxOptions(
    compute.command("clear-admin <contract>").description("remove a contract's admin for good"),
    true,
  ).action(
    action(async (addr: string, _o: ComputeOpts, cmd: Command) => {
      parseAddress(addr, "contract");
      const { MsgClearAdmin } = await import("secretjs");
      const build = (_c: Connected, s: string) =>
        Promise.resolve([new MsgClearAdmin({ sender: s, contract_address: addr })]);
      await send(cmd, build, [{ type: "compute/MsgClearAdmin", contract: addr }], false);
    }),
  );
}

export function registerComputeTxCommands(tx: Command): void {
  const compute = tx.command("compute").alias("wasm").description("Secret Contract transactions (encrypted)");
  registerStore(compute);
  registerInstantiate(compute);
  registerExecuteMigrate(compute);
  registerAdmin(compute);
}
