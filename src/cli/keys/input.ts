// Interactive input for the client commands: lines and no-echo secrets from a TTY, or lines read in order from
// piped stdin (scripts and tests), and y/N confirmations that refuse to guess when nobody can answer.
import { CliError } from "../common.js";

let pipedLines: string[] | undefined;

/** All of piped stdin, split into lines once; later reads take the next line. */
async function nextPipedLine(what: string): Promise<string> {
  if (pipedLines === undefined) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    pipedLines = Buffer.concat(chunks).toString("utf8").split(/\r?\n/);
  }
  const line = pipedLines.shift();
  if (line === undefined || (line === "" && pipedLines.length === 0))
    throw new CliError(`no ${what} given (stdin ended)`);
  return line;
}

/** Reads one line from the terminal; `hidden` switches echo off (raw mode) for passphrases and mnemonics. */
function ttyLine(prompt: string, hidden: boolean): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = "";
    const done = (err: CliError | undefined): void => {
      stdin.removeListener("data", onData);
      if (hidden) stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (err !== undefined) reject(err);
      else resolve(text);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          done(undefined);
          return;
        }
        if (ch === "\u0003" || ch === "\u0004") {
          done(new CliError("aborted", 130));
          return;
        }
        if (ch === "\u007f" || ch === "\b") text = text.slice(0, -1);
        else text += ch;
      }
    };
    if (hidden) stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}

/** A line of user input: from the TTY (echoed unless `hidden`), else the next line of piped stdin. */
export async function readInput(prompt: string, what: string, hidden: boolean): Promise<string> {
  if (process.stdin.isTTY) return ttyLine(prompt, hidden);
  return nextPipedLine(what);
}

/**
 * Asks `question [y/N]`. `--yes` answers for the user; without a TTY nobody can answer, so the command refuses
 * rather than acting on a guess (secretd's behaviour with a closed stdin is to abort too).
 */
export async function confirm(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY)
    throw new CliError(`${question} — not confirmed: pass --yes (stdin is not a terminal)`);
  const answer = await ttyLine(`${question} [y/N]: `, false);
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError("aborted by the user");
}
