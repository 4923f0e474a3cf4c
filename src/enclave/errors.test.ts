// Tests for the enclave error table: Secret's exact words, unique stable numbers, frozen table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ENCLAVE_ERROR_CODES, EnclaveError, enclaveErrorCodeFromNum, isEnclaveError } from "./errors.js";

test("Secret's exact messages (SN ffi-types EnclaveError Display)", () => {
  assert.equal(new EnclaveError("DecryptionError").message, "failed to decrypt data");
  assert.equal(new EnclaveError("ValidationFailure").message, "failed to validate transaction");
  assert.equal(
    new EnclaveError("FailedContractAuthentication").message,
    "failed to authenticate secret contract",
  );
  assert.equal(new EnclaveError("FailedTxVerification").message, "failed to verify transaction signature");
  assert.equal(
    new EnclaveError("UnauthorizedWrite").message,
    "contract tried to write to storage during a query",
  );
  assert.equal(new EnclaveError("InvalidInput", "nonce").message, "invalid input: nonce");
});

test("numbers are unique, round trip, table is frozen", () => {
  const nums = Object.values(ENCLAVE_ERROR_CODES).map((e) => e.num);
  assert.equal(new Set(nums).size, nums.length);
  for (const code of Object.keys(ENCLAVE_ERROR_CODES) as (keyof typeof ENCLAVE_ERROR_CODES)[]) {
    assert.equal(enclaveErrorCodeFromNum(new EnclaveError(code).num), code);
  }
  assert.equal(enclaveErrorCodeFromNum(9999), "Unknown");
  assert.ok(Object.isFrozen(ENCLAVE_ERROR_CODES));
  assert.ok(isEnclaveError(new EnclaveError("OutOfGas"), "OutOfGas"));
  assert.ok(!isEnclaveError(new Error("x")));
});
