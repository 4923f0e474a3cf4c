// Validator operator commands, as secretd has them: `tx staking create-validator|edit-validator|cancel-unbond`,
// `tx slashing unjail`, and `tx distribution set-withdraw-addr|fund-community-pool`. The consensus key comes from `--pubkey` (base64 or the SDK's ed25519 JSON, i.e.
// what `secretd tendermint show-validator` prints) or from a node home (`--node-home`, the key `shroud init`
// made for CometBFT).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { fromBech32, toBech32 } from "../../chain/address.js";
import { CliError } from "../common.js";
import { parseAddress, parseCoin, parseCoins, parsePositiveInt } from "./args.js";
import { addTxOptions } from "./broadcast.js";
import { action } from "./context.js";
import { sendPlain } from "./plain.js";

/** SDK DoNotModifyDesc: a MsgEditValidator description field left as it is. */
const DO_NOT_MODIFY = "[do-not-modify]";
const ED25519_PUBKEY_TYPE_URL = "/cosmos.crypto.ed25519.PubKey";

/** A commission rate: a decimal in [0, 1] with at most 18 places (SDK LegacyDec). */
export function parseRate(input: string, what: string): number {
  if (!/^(0(\.[0-9]{1,18})?|1(\.0{1,18})?|\.[0-9]{1,18})$/.test(input))
    throw new CliError(`${what}: expected a decimal between 0 and 1, got ${JSON.stringify(input)}`);
  return Number(input);
}

/** `--pubkey`: base64 of a 32-byte ed25519 key, or {"@type": "/cosmos.crypto.ed25519.PubKey", "key": b64}. */
export function parseConsensusPubkey(input: string): string {
  let b64 = input.trim();
  if (b64.startsWith("{")) {
    let j: unknown;
    try {
      j = JSON.parse(b64);
    } catch {
      throw new CliError("pubkey: not valid JSON");
    }
    const o = (typeof j === "object" && j !== null ? j : {}) as Record<string, unknown>;
    if (o["@type"] !== ED25519_PUBKEY_TYPE_URL || typeof o.key !== "string")
      throw new CliError(`pubkey: expected {"@type":"${ED25519_PUBKEY_TYPE_URL}","key":"<base64>"}`);
    b64 = o.key;
  }
  if (!/^[A-Za-z0-9+/]{43}=$/.test(b64) || Buffer.from(b64, "base64").length !== 32)
    throw new CliError("pubkey: expected the base64 of a 32-byte ed25519 key");
  return b64;
}

/** The consensus key from `--pubkey`, or from the CometBFT keys in `--node-home`. */
async function consensusPubkey(o: { pubkey?: string; nodeHome?: string }): Promise<string> {
  if (o.pubkey !== undefined) return parseConsensusPubkey(o.pubkey);
  if (o.nodeHome === undefined)
    throw new CliError("give the consensus key: --pubkey <key> or --node-home <dir>");
  // Node-side modules load only on this path: client commands stay light (src/cli/main.ts).
  const { cometHome } = await import("../node/home.js");
  const { cometValidatorKey } = await import("../../consensus/cometbft.js");
  const comet = cometHome(o.nodeHome);
  if (!existsSync(join(comet, "config", "priv_validator_key.json")))
    throw new CliError(`node home ${o.nodeHome}: no CometBFT validator key (run shroud init first)`);
  return Buffer.from(cometValidatorKey(comet).publicKey).toString("base64");
}

const valoperOf = (address: string): string => toBech32(fromBech32(address), "secretvaloper");

interface DescriptionFlags {
  moniker?: string;
  identity?: string;
  website?: string;
  securityContact?: string;
  details?: string;
}

function addDescriptionOptions(cmd: Command): Command {
  return cmd
    .option("--identity <text>", "identity signature (e.g. a Keybase key id)")
    .option("--website <url>", "website")
    .option("--security-contact <email>", "security contact")
    .option("--details <text>", "free-form details");
}

function registerCreate(staking: Command): void {
  const create = staking
    .command("create-validator")
    .description("create a validator for this node's consensus key, self-delegating --amount")
    .requiredOption("--amount <coin>", "self-delegation, e.g. 1000000uscrt")
    .requiredOption("--moniker <name>", "validator name")
    .option("--pubkey <key>", "consensus ed25519 key: base64, or the SDK JSON form")
    .option("--node-home <dir>", "take the consensus key from this node home (shroud init)")
    .option("--commission-rate <rate>", "initial commission rate", "0.10")
    .option("--commission-max-rate <rate>", "maximum commission rate", "0.20")
    .option("--commission-max-change-rate <rate>", "maximum daily commission change", "0.01")
    .option("--min-self-delegation <amount>", "minimum self-delegation (uscrt)", "1");
  addTxOptions(addDescriptionOptions(create), true).action(
    action(async (o: Record<string, string | undefined>, cmd: Command) => {
      const pubkey = await consensusPubkey(o);
      const amount = parseCoin(o.amount ?? "", "amount");
      const commission = {
        rate: parseRate(o.commissionRate ?? "", "commission-rate"),
        max_rate: parseRate(o.commissionMaxRate ?? "", "commission-max-rate"),
        max_change_rate: parseRate(o.commissionMaxChangeRate ?? "", "commission-max-change-rate"),
      };
      const minSelf = String(parsePositiveInt(o.minSelfDelegation ?? "", "min-self-delegation"));
      const description = {
        moniker: o.moniker ?? "",
        identity: o.identity ?? "",
        website: o.website ?? "",
        security_contact: o.securityContact ?? "",
        details: o.details ?? "",
      };
      const { MsgCreateValidator } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([
          new MsgCreateValidator({
            delegator_address: s,
            commission,
            description,
            pubkey,
            min_self_delegation: minSelf,
            initial_delegation: amount,
          }),
        ]);
      await sendPlain(cmd, o.from ?? "", build, [
        { type: "staking/MsgCreateValidator", moniker: description.moniker, amount, pubkey },
      ]);
    }),
  );
}

function registerEdit(staking: Command): void {
  const edit = staking
    .command("edit-validator")
    .description("edit the sender's validator (fields not given stay as they are)")
    .option("--moniker <name>", "validator name")
    .option("--commission-rate <rate>", "new commission rate")
    .option("--min-self-delegation <amount>", "new minimum self-delegation (uscrt)");
  addTxOptions(addDescriptionOptions(edit), true).action(
    action(async (o: DescriptionFlags & Record<string, string | undefined>, cmd: Command) => {
      const keep = (v: string | undefined): string => v ?? DO_NOT_MODIFY;
      const description = {
        moniker: keep(o.moniker),
        identity: keep(o.identity),
        website: keep(o.website),
        security_contact: keep(o.securityContact),
        details: keep(o.details),
      };
      const rate =
        o.commissionRate === undefined ? undefined : parseRate(o.commissionRate, "commission-rate");
      const minSelf =
        o.minSelfDelegation === undefined
          ? undefined
          : String(parsePositiveInt(o.minSelfDelegation, "min-self-delegation"));
      const { MsgEditValidator } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([
          new MsgEditValidator({
            validator_address: valoperOf(s),
            description,
            ...(rate === undefined ? {} : { commission_rate: rate }),
            ...(minSelf === undefined ? {} : { min_self_delegation: minSelf }),
          }),
        ]);
      await sendPlain(cmd, o.from ?? "", build, [{ type: "staking/MsgEditValidator", description, rate }]);
    }),
  );
}

function registerCancelUnbond(staking: Command): void {
  addTxOptions(
    staking
      .command("cancel-unbond <validator> <amount> <creation-height>")
      .description("cancel (part of) an unbonding delegation, re-delegating it"),
    true,
  ).action(
    action(async (val: string, amount: string, height: string, o: { from: string }, cmd: Command) => {
      parseAddress(val, "validator", "secretvaloper");
      const coin = parseCoin(amount, "amount");
      const creationHeight = String(parsePositiveInt(height, "creation-height"));
      const { MsgCancelUnbondingDelegation } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([
          new MsgCancelUnbondingDelegation({
            delegator_address: s,
            validator_address: val,
            amount: coin,
            creation_height: creationHeight,
          }),
        ]);
      await sendPlain(cmd, o.from, build, [
        { type: "staking/MsgCancelUnbondingDelegation", validator: val, amount: coin, creationHeight },
      ]);
    }),
  );
}

/** create-validator, edit-validator and cancel-unbond under `tx staking`. */
export function registerValidatorCommands(staking: Command): void {
  registerCreate(staking);
  registerEdit(staking);
  registerCancelUnbond(staking);
}

/** `tx slashing unjail`: the sender's validator leaves jail (after its jail time). */
export function registerSlashing(tx: Command): void {
  const slashing = tx.command("slashing").description("slashing transactions");
  addTxOptions(slashing.command("unjail").description("unjail the sender's validator"), true).action(
    action(async (o: { from: string }, cmd: Command) => {
      const { MsgUnjail } = await import("secretjs");
      const build = (s: string) => Promise.resolve([new MsgUnjail({ validator_addr: valoperOf(s) })]);
      await sendPlain(cmd, o.from, build, [{ type: "slashing/MsgUnjail" }]);
    }),
  );
}

/** `tx distribution set-withdraw-addr|fund-community-pool`. */
export function registerDistributionCommands(distr: Command): void {
  addTxOptions(
    distr.command("set-withdraw-addr <address>").description("where the sender's rewards are paid"),
    true,
  ).action(
    action(async (to: string, o: { from: string }, cmd: Command) => {
      parseAddress(to, "address");
      const { MsgSetWithdrawAddress } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([new MsgSetWithdrawAddress({ delegator_address: s, withdraw_address: to })]);
      await sendPlain(cmd, o.from, build, [{ type: "distribution/MsgSetWithdrawAddress", to }]);
    }),
  );
  addTxOptions(
    distr.command("fund-community-pool <amount>").description("give coins to the community pool"),
    true,
  ).action(
    action(async (amount: string, o: { from: string }, cmd: Command) => {
      const coins = parseCoins(amount, "amount");
      const { MsgFundCommunityPool } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([new MsgFundCommunityPool({ depositor: s, amount: coins })]);
      await sendPlain(cmd, o.from, build, [{ type: "distribution/MsgFundCommunityPool", amount: coins }]);
    }),
  );
}
