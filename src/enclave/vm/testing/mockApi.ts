// Test double for the Api: the production bech32 Api ("secret" prefix) under its test-double name.
import { Bech32Api } from "../addressApi.js";

export { BECH32_PREFIX, CANONICAL_ADDRESS_LENGTH, humanize } from "../addressApi.js";

export class MockApi extends Bech32Api {}
