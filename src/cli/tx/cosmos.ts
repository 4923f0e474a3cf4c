// `tx bank|staking|distribution|gov …`: the plaintext Cosmos messages, built with secretjs's Msg classes and
// sent through the shared signing path. Argument order follows secretd (SDK 0.50 autocli).
import type { Command } from "commander";
import { CliError } from "../common.js";
import { parseAddress, parseCoin, parseCoins, parsePositiveInt, readFileArg } from "./args.js";
import { addTxOptions } from "./broadcast.js";
import { action } from "./context.js";
import { sendPlain } from "./plain.js";
import { proposalMessages } from "./proposalMsgs.js";
import { registerDistributionCommands, registerSlashing, registerValidatorCommands } from "./validator.js";

function registerBank(tx: Command): void {
  const bank = tx.command("bank").description("bank transactions");
  addTxOptions(
    bank.command("send <from> <to> <amount>").description("send coins (from: key name or address)"),
    false,
  ).action(
    action(async (from: string, to: string, amount: string, _o: unknown, cmd: Command) => {
      parseAddress(to, "to");
      const coins = parseCoins(amount, "amount");
      const { MsgSend } = await import("secretjs");
      await sendPlain(
        cmd,
        from,
        (s) => Promise.resolve([new MsgSend({ from_address: s, to_address: to, amount: coins })]),
        [{ type: "bank/MsgSend", to, amount: coins }],
      );
    }),
  );
  addTxOptions(
    bank
      .command("multi-send <from> <to...>")
      .description("send the same amount to each address: multi-send <from> <to1> <to2>… <amount>"),
    false,
  ).action(
    action(async (from: string, rest: string[], _o: unknown, cmd: Command) => {
      if (rest.length < 2) throw new CliError("multi-send needs at least one recipient and an amount");
      const amount = parseCoins(rest[rest.length - 1] ?? "", "amount");
      const tos = rest.slice(0, -1).map((a, i) => parseAddress(a, `recipient ${i + 1}`));
      const total = amount.map((c) => ({
        denom: c.denom,
        amount: (BigInt(c.amount) * BigInt(tos.length)).toString(),
      }));
      const { MsgMultiSend } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([
          new MsgMultiSend({
            inputs: [{ address: s, coins: total }],
            outputs: tos.map((address) => ({ address, coins: amount })),
          }),
        ]);
      await sendPlain(cmd, from, build, [{ type: "bank/MsgMultiSend", to: tos, each: amount }]);
    }),
  );
}

function registerStaking(tx: Command): void {
  const staking = tx.command("staking").description("staking transactions");
  addTxOptions(
    staking.command("delegate <validator> <amount>").description("delegate to a validator"),
    true,
  ).action(
    action(async (val: string, amount: string, o: { from: string }, cmd: Command) => {
      parseAddress(val, "validator", "secretvaloper");
      const coin = parseCoin(amount, "amount");
      const { MsgDelegate } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([new MsgDelegate({ delegator_address: s, validator_address: val, amount: coin })]);
      await sendPlain(cmd, o.from, build, [{ type: "staking/MsgDelegate", validator: val, amount: coin }]);
    }),
  );
  addTxOptions(
    staking.command("unbond <validator> <amount>").description("undelegate from a validator"),
    true,
  ).action(
    action(async (val: string, amount: string, o: { from: string }, cmd: Command) => {
      parseAddress(val, "validator", "secretvaloper");
      const coin = parseCoin(amount, "amount");
      const { MsgUndelegate } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([new MsgUndelegate({ delegator_address: s, validator_address: val, amount: coin })]);
      await sendPlain(cmd, o.from, build, [{ type: "staking/MsgUndelegate", validator: val, amount: coin }]);
    }),
  );
  addTxOptions(
    staking.command("redelegate <src-validator> <dst-validator> <amount>").description("move a delegation"),
    true,
  ).action(
    action(async (src: string, dst: string, amount: string, o: { from: string }, cmd: Command) => {
      parseAddress(src, "src-validator", "secretvaloper");
      parseAddress(dst, "dst-validator", "secretvaloper");
      const coin = parseCoin(amount, "amount");
      const { MsgBeginRedelegate } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([
          new MsgBeginRedelegate({
            delegator_address: s,
            validator_src_address: src,
            validator_dst_address: dst,
            amount: coin,
          }),
        ]);
      await sendPlain(cmd, o.from, build, [{ type: "staking/MsgBeginRedelegate", src, dst, amount: coin }]);
    }),
  );
  registerValidatorCommands(staking);
  const distr = tx.command("distribution").description("distribution transactions");
  addTxOptions(
    distr
      .command("withdraw-rewards <validator>")
      .description("withdraw rewards of a delegation")
      .option("--commission", "also withdraw the validator's commission (the sender operates it)", false),
    true,
  ).action(
    action(async (val: string, o: { from: string; commission: boolean }, cmd: Command) => {
      parseAddress(val, "validator", "secretvaloper");
      const { MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([
          new MsgWithdrawDelegatorReward({ delegator_address: s, validator_address: val }),
          ...(o.commission ? [new MsgWithdrawValidatorCommission({ validator_address: val })] : []),
        ]);
      await sendPlain(cmd, o.from, build, [
        { type: "distribution/MsgWithdrawDelegatorReward", validator: val, commission: o.commission },
      ]);
    }),
  );
  registerDistributionCommands(distr);
}

type VoteOptionEnum = typeof import("secretjs").VoteOption;

async function voteOption(s: string): Promise<VoteOptionEnum[keyof VoteOptionEnum]> {
  const { VoteOption } = await import("secretjs");
  const options: Readonly<Record<string, VoteOptionEnum[keyof VoteOptionEnum]>> = {
    yes: VoteOption.VOTE_OPTION_YES,
    abstain: VoteOption.VOTE_OPTION_ABSTAIN,
    no: VoteOption.VOTE_OPTION_NO,
    no_with_veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
  };
  const v = options[s.toLowerCase().replace(/-/g, "_")];
  if (v === undefined)
    throw new CliError(`invalid vote option ${JSON.stringify(s)}: yes, no, abstain or no_with_veto`);
  return v;
}

/** secretd's proposal file (SDK 0.50 `submit-proposal`): title, summary, metadata, deposit, expedited, messages. */
async function readProposal(path: string) {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(readFileArg(path, "proposal", 1 << 20).toString("utf8")) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`proposal: ${path} is not valid JSON`);
  }
  const str = (k: string): string => {
    const v = p[k];
    return typeof v === "string" ? v : "";
  };
  if (str("title") === "") throw new CliError("proposal: title is required");
  return {
    messages: await proposalMessages(p.messages),
    title: str("title"),
    summary: str("summary"),
    metadata: str("metadata"),
    deposit: parseCoins(str("deposit"), "proposal deposit", true),
    expedited: p.expedited === true,
  };
}

function registerGov(tx: Command): void {
  const gov = tx.command("gov").description("governance transactions (gov v1)");
  addTxOptions(
    gov.command("submit-proposal <proposal-file>").description("submit a proposal from a JSON file"),
    true,
  ).action(
    action(async (file: string, o: { from: string }, cmd: Command) => {
      const { messages, ...p } = await readProposal(file);
      const { MsgSubmitProposal } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([new MsgSubmitProposal({ messages, initial_deposit: p.deposit, proposer: s, ...p })]);
      await sendPlain(cmd, o.from, build, [
        { type: "gov/MsgSubmitProposal", ...p, messages: messages.length },
      ]);
    }),
  );
  addTxOptions(
    gov.command("deposit <proposal-id> <amount>").description("deposit on a proposal"),
    true,
  ).action(
    action(async (id: string, amount: string, o: { from: string }, cmd: Command) => {
      const pid = String(parsePositiveInt(id, "proposal-id"));
      const coins = parseCoins(amount, "amount");
      const { MsgDeposit } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([new MsgDeposit({ proposal_id: pid, depositor: s, amount: coins })]);
      await sendPlain(cmd, o.from, build, [{ type: "gov/MsgDeposit", proposal_id: pid, amount: coins }]);
    }),
  );
  addTxOptions(
    gov.command("vote <proposal-id> <option>").description("vote yes|no|abstain|no_with_veto"),
    true,
  ).action(
    action(async (id: string, opt: string, o: { from: string }, cmd: Command) => {
      const pid = String(parsePositiveInt(id, "proposal-id"));
      const option = await voteOption(opt);
      const { MsgVote } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([new MsgVote({ proposal_id: pid, voter: s, option, metadata: "" })]);
      await sendPlain(cmd, o.from, build, [{ type: "gov/MsgVote", proposal_id: pid, option: opt }]);
    }),
  );
  addTxOptions(
    gov.command("weighted-vote <proposal-id> <weights>").description("e.g. yes=0.6,no=0.3,abstain=0.1"),
    true,
  ).action(
    action(async (id: string, weights: string, o: { from: string }, cmd: Command) => {
      const pid = String(parsePositiveInt(id, "proposal-id"));
      const options: { option: Awaited<ReturnType<typeof voteOption>>; weight: string }[] = [];
      for (const w of weights.split(",")) {
        const m = /^([a-z_-]+)=([0-9]+(?:\.[0-9]+)?)$/i.exec(w.trim());
        if (m === null)
          throw new CliError(`weights: invalid entry ${JSON.stringify(w)} (expected option=weight)`);
        options.push({ option: await voteOption(m[1] ?? ""), weight: m[2] ?? "" });
      }
      const { MsgVoteWeighted } = await import("secretjs");
      const build = (s: string) =>
        Promise.resolve([new MsgVoteWeighted({ proposal_id: pid, voter: s, options, metadata: "" })]);
      await sendPlain(cmd, o.from, build, [{ type: "gov/MsgVoteWeighted", proposal_id: pid, weights }]);
    }),
  );
}

export function registerCosmosTxCommands(tx: Command): void {
  registerBank(tx);
  registerStaking(tx);
  registerSlashing(tx);
  registerGov(tx);
}
