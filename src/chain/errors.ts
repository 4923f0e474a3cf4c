// The consensus-visible error registry (DESIGN.md rule 8): every (codespace, code, message) a tx result or query
// can carry. Append-only: codes and wording follow the Cosmos SDK so that clients parsing them keep working.

/** One registered, consensus-visible error. `code` 0 is reserved for success and never registered. */
export interface RegisteredError {
  readonly codespace: string;
  readonly code: number;
  readonly message: string;
}

const registry = new Map<string, RegisteredError>();

/** Registers an error; a second registration of the same (codespace, code) is a programming error. */
export function registerError(codespace: string, code: number, message: string): RegisteredError {
  // Code 0 is success; 1 and 111222 are the SDK's own "undefined" codespace entries registered below.
  if (!Number.isSafeInteger(code) || code < 1 || code > 0xffff_ffff) {
    throw new RangeError(`error code ${code} out of range`);
  }
  const id = `${codespace}/${code}`;
  if (registry.has(id)) throw new Error(`error ${id} is already registered`);
  const e = Object.freeze({ codespace, code, message });
  registry.set(id, e);
  return e;
}

/** Looks up a registered error (REST/ABCI layers use this to render codes). */
export function lookupError(codespace: string, code: number): RegisteredError | undefined {
  return registry.get(`${codespace}/${code}`);
}

/** All registered errors sorted by (codespace, code), for docs and tests. */
export function listErrors(): RegisteredError[] {
  return [...registry.values()].sort((a, b) =>
    a.codespace === b.codespace ? a.code - b.code : a.codespace < b.codespace ? -1 : 1,
  );
}

/**
 * A consensus-visible failure: a registered error plus a detail, rendered as the SDK's `errors.Wrap` does
 * ("detail: registered message"). Thrown by ante and message handlers, caught by runTx and turned into a
 * tx result; it never escapes the chain.
 */
export class ChainError extends Error {
  override readonly name = "ChainError";
  readonly codespace: string;
  readonly code: number;
  constructor(
    readonly registered: RegisteredError,
    readonly detail?: string,
  ) {
    super(detail === undefined || detail === "" ? registered.message : `${detail}: ${registered.message}`);
    this.codespace = registered.codespace;
    this.code = registered.code;
  }

  /** True when this error is (wraps) `e`. */
  is(e: RegisteredError): boolean {
    return this.registered === e;
  }
}

/** Shorthand: `throw wrapError(SdkErrors.Unauthorized, "...")`. */
export function wrapError(e: RegisteredError, detail?: string): ChainError {
  return new ChainError(e, detail);
}

/** True when `err` is a ChainError wrapping `e`. */
export function isError(err: unknown, e: RegisteredError): boolean {
  return err instanceof ChainError && err.registered === e;
}

// Codespace "sdk": numbers and wording from cosmos-sdk v0.50 types/errors/errors.go (verified against the file).
const SDK = "sdk";
export const SdkErrors = {
  TxDecode: registerError(SDK, 2, "tx parse error"),
  InvalidSequence: registerError(SDK, 3, "invalid sequence"),
  Unauthorized: registerError(SDK, 4, "unauthorized"),
  InsufficientFunds: registerError(SDK, 5, "insufficient funds"),
  UnknownRequest: registerError(SDK, 6, "unknown request"),
  InvalidAddress: registerError(SDK, 7, "invalid address"),
  InvalidPubKey: registerError(SDK, 8, "invalid pubkey"),
  UnknownAddress: registerError(SDK, 9, "unknown address"),
  InvalidCoins: registerError(SDK, 10, "invalid coins"),
  OutOfGas: registerError(SDK, 11, "out of gas"),
  MemoTooLarge: registerError(SDK, 12, "memo too large"),
  InsufficientFee: registerError(SDK, 13, "insufficient fee"),
  TooManySignatures: registerError(SDK, 14, "maximum number of signatures exceeded"),
  NoSignatures: registerError(SDK, 15, "no signatures supplied"),
  JSONMarshal: registerError(SDK, 16, "failed to marshal JSON bytes"),
  JSONUnmarshal: registerError(SDK, 17, "failed to unmarshal JSON bytes"),
  InvalidRequest: registerError(SDK, 18, "invalid request"),
  TxInMempoolCache: registerError(SDK, 19, "tx already in mempool"),
  MempoolIsFull: registerError(SDK, 20, "mempool is full"),
  TxTooLarge: registerError(SDK, 21, "tx too large"),
  KeyNotFound: registerError(SDK, 22, "key not found"),
  WrongPassword: registerError(SDK, 23, "invalid account password"),
  InvalidSigner: registerError(SDK, 24, "tx intended signer does not match the given signer"),
  InvalidGasAdjustment: registerError(SDK, 25, "invalid gas adjustment"),
  InvalidHeight: registerError(SDK, 26, "invalid height"),
  InvalidVersion: registerError(SDK, 27, "invalid version"),
  InvalidChainID: registerError(SDK, 28, "invalid chain-id"),
  InvalidType: registerError(SDK, 29, "invalid type"),
  TxTimeoutHeight: registerError(SDK, 30, "tx timeout height"),
  UnknownExtensionOptions: registerError(SDK, 31, "unknown extension options"),
  WrongSequence: registerError(SDK, 32, "incorrect account sequence"),
  PackAny: registerError(SDK, 33, "failed packing protobuf message to Any"),
  UnpackAny: registerError(SDK, 34, "failed unpacking protobuf message from Any"),
  Logic: registerError(SDK, 35, "internal logic error"),
  Conflict: registerError(SDK, 36, "conflict"),
  NotSupported: registerError(SDK, 37, "feature not supported"),
  NotFound: registerError(SDK, 38, "not found"),
  IO: registerError(SDK, 39, "Internal IO error"),
  AppConfig: registerError(SDK, 40, "error in app.toml"),
  InvalidGasLimit: registerError(SDK, 41, "invalid gas limit"),
} as const;

// Codespace "undefined": cosmossdk.io/errors errors.go (internal = 1, panic = 111222). Used only for
// unexpected exceptions so that a bug still yields a deterministic, non-zero result instead of a crash.
export const UndefinedErrors = {
  Internal: registerError("undefined", 1, "internal"),
  Panic: registerError("undefined", 111222, "panic"),
} as const;

/**
 * gRPC status codes used by query servers (REST renders them as `{"code": N, "message": ...}`); numbers from
 * google.golang.org/grpc/codes.
 */
export const GrpcCode = {
  Unknown: 2,
  InvalidArgument: 3,
  NotFound: 5,
  Internal: 13,
} as const;

/** A query failure: a gRPC code and a message safe to show. Thrown by query servers only. */
export class QueryError extends Error {
  override readonly name = "QueryError";
  constructor(
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

// Codespaces "staking", "slashing", "distribution": numbers and wording from cosmos-sdk v0.50
// x/{staking,slashing,distribution}/types/errors.go (verified against the files). Only the entries the chain
// can return are listed; numbers are never reused.
const STAKING = "staking";
export const StakingErrors = {
  EmptyValidatorAddr: registerError(STAKING, 2, "empty validator address"),
  NoValidatorFound: registerError(STAKING, 3, "validator does not exist"),
  ValidatorOwnerExists: registerError(
    STAKING,
    4,
    "validator already exist for this operator address; must use new validator operator address",
  ),
  ValidatorPubKeyExists: registerError(
    STAKING,
    5,
    "validator already exist for this pubkey; must use new validator pubkey",
  ),
  ValidatorPubKeyTypeNotSupported: registerError(STAKING, 6, "validator pubkey type is not supported"),
  ValidatorJailed: registerError(STAKING, 7, "validator for this address is currently jailed"),
  CommissionNegative: registerError(STAKING, 9, "commission must be positive"),
  CommissionHuge: registerError(STAKING, 10, "commission cannot be more than 100%"),
  CommissionGTMaxRate: registerError(STAKING, 11, "commission cannot be more than the max rate"),
  CommissionUpdateTime: registerError(STAKING, 12, "commission cannot be changed more than once in 24h"),
  CommissionChangeRateNegative: registerError(STAKING, 13, "commission change rate must be positive"),
  CommissionChangeRateGTMaxRate: registerError(
    STAKING,
    14,
    "commission change rate cannot be more than the max rate",
  ),
  CommissionGTMaxChangeRate: registerError(
    STAKING,
    15,
    "commission cannot be changed more than max change rate",
  ),
  SelfDelegationBelowMinimum: registerError(
    STAKING,
    16,
    "validator's self delegation must be greater than their minimum self delegation",
  ),
  MinSelfDelegationDecreased: registerError(STAKING, 17, "minimum self delegation cannot be decrease"),
  EmptyDelegatorAddr: registerError(STAKING, 18, "empty delegator address"),
  NoDelegation: registerError(STAKING, 19, "no delegation for (address, validator) tuple"),
  InsufficientShares: registerError(STAKING, 22, "insufficient delegation shares"),
  DelegationValidatorEmpty: registerError(STAKING, 23, "cannot delegate to an empty validator"),
  NotEnoughDelegationShares: registerError(STAKING, 24, "not enough delegation shares"),
  NoUnbondingDelegation: registerError(STAKING, 26, "no unbonding delegation found"),
  MaxUnbondingDelegationEntries: registerError(
    STAKING,
    27,
    "too many unbonding delegation entries for (delegator, validator) tuple",
  ),
  SelfRedelegation: registerError(STAKING, 29, "cannot redelegate to the same validator"),
  TinyRedelegationAmount: registerError(
    STAKING,
    30,
    "too few tokens to redelegate (truncates to zero tokens)",
  ),
  BadRedelegationDst: registerError(STAKING, 31, "redelegation destination validator not found"),
  TransitiveRedelegation: registerError(
    STAKING,
    32,
    "redelegation to this validator already in progress; first redelegation to this validator must complete before next redelegation",
  ),
  MaxRedelegationEntries: registerError(
    STAKING,
    33,
    "too many redelegation entries for (delegator, src-validator, dst-validator) tuple",
  ),
  DelegatorShareExRateInvalid: registerError(
    STAKING,
    34,
    "cannot delegate to validators with invalid (zero) ex-rate",
  ),
  EmptyValidatorPubKey: registerError(STAKING, 39, "empty validator public key"),
  CommissionLTMinRate: registerError(STAKING, 40, "commission cannot be less than min rate"),
} as const;

const SLASHING = "slashing";
export const SlashingErrors = {
  NoValidatorForAddress: registerError(SLASHING, 2, "address is not associated with any known validator"),
  BadValidatorAddr: registerError(SLASHING, 3, "validator does not exist for that address"),
  ValidatorJailed: registerError(SLASHING, 4, "validator still jailed; cannot be unjailed"),
  ValidatorNotJailed: registerError(SLASHING, 5, "validator not jailed; cannot be unjailed"),
  MissingSelfDelegation: registerError(SLASHING, 6, "validator has no self-delegation; cannot be unjailed"),
  SelfDelegationTooLowToUnjail: registerError(
    SLASHING,
    7,
    "validator's self delegation less than minimum; cannot be unjailed",
  ),
  NoSigningInfoFound: registerError(SLASHING, 8, "no validator signing info found"),
  ValidatorTombstoned: registerError(SLASHING, 9, "validator already tombstoned"),
} as const;

const DISTRIBUTION = "distribution";
export const DistributionErrors = {
  EmptyDelegatorAddr: registerError(DISTRIBUTION, 2, "delegator address is empty"),
  EmptyWithdrawAddr: registerError(DISTRIBUTION, 3, "withdraw address is empty"),
  EmptyValidatorAddr: registerError(DISTRIBUTION, 4, "validator address is empty"),
  EmptyDelegationDistInfo: registerError(DISTRIBUTION, 5, "no delegation distribution info"),
  NoValidatorDistInfo: registerError(DISTRIBUTION, 6, "no validator distribution info"),
  NoValidatorCommission: registerError(DISTRIBUTION, 7, "no validator commission to withdraw"),
  SetWithdrawAddrDisabled: registerError(DISTRIBUTION, 8, "set withdraw address disabled"),
  BadDistribution: registerError(
    DISTRIBUTION,
    9,
    "community pool does not have sufficient coins to distribute",
  ),
  NoValidatorExists: registerError(DISTRIBUTION, 12, "validator does not exist"),
  NoDelegationExists: registerError(DISTRIBUTION, 13, "delegation does not exist"),
} as const;

// Codespace "gov": numbers and wording from cosmos-sdk v0.50 x/gov/types/errors.go (5 and 6 are legacy v1beta1
// entries kept so numbers are never reused).
const GOV = "gov";
export const GovErrors = {
  UnknownProposal: registerError(GOV, 2, "unknown proposal"),
  InactiveProposal: registerError(GOV, 3, "inactive proposal"),
  AlreadyActiveProposal: registerError(GOV, 4, "proposal already active"),
  InvalidProposalContent: registerError(GOV, 5, "invalid proposal content"),
  InvalidProposalType: registerError(GOV, 6, "invalid proposal type"),
  InvalidVote: registerError(GOV, 7, "invalid vote option"),
  InvalidGenesis: registerError(GOV, 8, "invalid genesis state"),
  NoProposalHandlerExists: registerError(GOV, 9, "no handler exists for proposal type"),
  UnroutableProposalMsg: registerError(GOV, 10, "proposal message not recognized by router"),
  NoProposalMsgs: registerError(GOV, 11, "no messages proposed"),
  InvalidProposalMsg: registerError(GOV, 12, "invalid proposal message"),
  InvalidSigner: registerError(GOV, 13, "expected gov account as only signer for proposal message"),
  InvalidSignalMsg: registerError(GOV, 14, "signal message is invalid"),
  MetadataTooLong: registerError(GOV, 15, "metadata too long"),
  MinDepositTooSmall: registerError(GOV, 16, "minimum deposit is too small"),
  ProposalNotFound: registerError(GOV, 17, "proposal is not found"),
  InvalidProposer: registerError(GOV, 18, "invalid proposer"),
  NoDeposits: registerError(GOV, 19, "no deposits found"),
  VotingPeriodEnded: registerError(GOV, 20, "voting period already ended"),
  InvalidProposal: registerError(GOV, 21, "invalid proposal"),
  SummaryTooLong: registerError(GOV, 22, "summary too long"),
  InvalidDepositDenom: registerError(GOV, 23, "invalid deposit denom"),
} as const;
