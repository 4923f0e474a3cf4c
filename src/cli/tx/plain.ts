// The shared send step of the plaintext Cosmos commands (bank, staking, slashing, distribution, gov): unlock the
// sender, build the messages for its address, sign, broadcast, wait and print.
import type { Command } from "commander";
import type { Msg } from "secretjs";
import { connectSigner, signAndBroadcast, txFlags, type TxFlags } from "./broadcast.js";
import { printTx } from "./result.js";

/** Unlocks the sender, signs and broadcasts plaintext messages (simulatable: `--gas auto` works). */
export async function sendPlain(
  cmd: Command,
  from: string,
  build: (sender: string) => Promise<Msg[]>,
  summary: unknown[],
): Promise<void> {
  const flags: TxFlags = txFlags(cmd);
  const c = await connectSigner(flags, from);
  const sender = c.key?.address ?? "";
  const msgs = await build(sender);
  const sent = await signAndBroadcast(c, flags, msgs, { summary, simulatable: true });
  await printTx(sent, flags.output);
}
