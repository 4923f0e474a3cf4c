// `shroud query …`: read-only queries over REST (bank, auth, staking, distribution, gov, mint, slashing,
// registration, tx, txs, block). Each command is one GET on the node's LCD; the answer is printed as JSON or text.
import type { Command } from "commander";
import { addClientOptions, clientFlags, CliError, printResult } from "../common.js";
import { hashArg, uintArg } from "./args.js";
import { QUERY_GROUPS, type QueryLeaf } from "./modules.js";
import { restGet } from "./rest.js";

/** Runs one leaf: build the request (argument checks throw CliError first), GET it, print the answer. */
async function runLeaf(leaf: QueryLeaf, cmd: Command): Promise<void> {
  const flags = clientFlags(cmd);
  const args = cmd.args as (string | undefined)[];
  const opts = cmd.opts<{ height?: string }>();
  const req = leaf.request(args, opts);
  const height = opts.height === undefined ? undefined : uintArg(opts.height, "--height");
  const body = (await restGet(flags.node, req.path, req.params ?? {}, height)) as Record<string, unknown>;
  printResult(leaf.pick === undefined ? body : leaf.pick(body), flags.output);
}

/** Adds `leaf` under `parent` with the client flags (`--node`, `--output` …) and, for state queries, `--height`. */
export function addLeaf(parent: Command, leaf: QueryLeaf, atHeight = true): Command {
  const cmd = addClientOptions(parent.command(leaf.spec).description(leaf.description));
  for (const [flags, description] of leaf.options ?? []) cmd.option(flags, description);
  if (atHeight) cmd.option("--height <h>", "query the state at this block height (default: the latest)");
  cmd.action(() => runLeaf(leaf, cmd));
  return cmd;
}

const TX_SEARCH_MAX_LIMIT = 100; // the LCD's cap (api/rest tx search)

function pageOpt(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  const n = uintArg(typeof v === "string" ? v : "", name);
  if (n === "0") throw new CliError(`invalid ${name} "0": pages and limits start at 1`);
  return n;
}

/** Chain-level leaves, directly under `query` (tx, txs, block). */
export const CHAIN_LEAVES: readonly QueryLeaf[] = [
  {
    spec: "tx <hash>",
    description: "a committed tx by hash (result, events, the tx itself)",
    request: (a) => ({ path: `/cosmos/tx/v1beta1/txs/${hashArg(a[0] ?? "")}` }),
  },
  {
    spec: "txs",
    description: "search committed txs by events (CometBFT query syntax)",
    options: [
      ["--query <events>", `events to match, e.g. "message.sender='secret1…' AND tx.height>5"`],
      ["--page <n>", "page number, from 1"],
      ["--limit <n>", `txs per page (max ${TX_SEARCH_MAX_LIMIT})`],
    ],
    request: (_a, o) => {
      const query = o.query;
      if (typeof query !== "string" || query.trim() === "")
        throw new CliError("--query <events> is required");
      const limit = pageOpt(o.limit, "--limit");
      if (limit !== undefined && BigInt(limit) > BigInt(TX_SEARCH_MAX_LIMIT)) {
        throw new CliError(`invalid --limit ${limit}: at most ${TX_SEARCH_MAX_LIMIT}`);
      }
      return { path: "/cosmos/tx/v1beta1/txs", params: { query, page: pageOpt(o.page, "--page"), limit } };
    },
  },
  {
    spec: "block [height]",
    description: "a block (default: the latest)",
    request: (a) => {
      const h = a[0];
      const at = h === undefined ? "latest" : uintArg(h, "height");
      return { path: `/cosmos/base/tendermint/v1beta1/blocks/${at}` };
    },
  },
];

/** `query` is the group created by main.ts. `query compute …` is registered by ../tx (it shares the key seed). */
export function registerQueryCommands(query: Command): void {
  for (const g of QUERY_GROUPS) {
    const group = query.command(g.name).description(g.description);
    if (g.alias !== undefined) group.alias(g.alias);
    for (const leaf of g.leaves) addLeaf(group, leaf);
  }
  for (const leaf of CHAIN_LEAVES) addLeaf(query, leaf, false);
}
