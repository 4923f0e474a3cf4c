// Test double: a Backend made of the three mocks.
import { MockApi } from "./mockApi.js";
import { MockQuerier, type QueryHandler } from "./mockQuerier.js";
import { MockStorage } from "./mockStorage.js";

export interface MockBackend {
  readonly storage: MockStorage;
  readonly api: MockApi;
  readonly querier: MockQuerier;
}

export function mockBackend(handler?: QueryHandler): MockBackend {
  return { storage: new MockStorage(), api: new MockApi(), querier: new MockQuerier(handler) };
}
