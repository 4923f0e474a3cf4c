// The narrow auth interface bank needs (DESIGN.md rule 7): account existence/creation and module accounts.
import type { Context } from "../../tx/context.js";

export interface BankAccount {
  readonly kind: "base" | "module";
  readonly address: Uint8Array;
}

export interface BankModuleAccount extends BankAccount {
  readonly kind: "module";
  readonly name: string;
  readonly permissions: readonly string[];
}

export interface BankAccountKeeper {
  hasAccount(ctx: Context, addr: Uint8Array): boolean;
  /** Stores a fresh base account for `addr` unless one exists (SDK SendCoins creates recipients). */
  ensureAccount(ctx: Context, addr: Uint8Array): void;
  getModuleAddress(name: string): Uint8Array;
  /** Returns (creating on first use) a configured module account; throws for unknown names. */
  getModuleAccount(ctx: Context, name: string): BankModuleAccount;
}
