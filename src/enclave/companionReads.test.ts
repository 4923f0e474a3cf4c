// Companion-read rules: what a call's absent reads teach, what a read then predicts, and when a rule goes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { COMPANION_MAX_RULES, COMPANION_MIN_SUFFIX, CompanionRules } from "./companionReads.js";
import { utf8 } from "../util/bytes.js";

const addr = (b: number): Uint8Array => new Uint8Array(20).fill(b);
const key = (prefix: string, a: Uint8Array): Uint8Array => Uint8Array.from([...utf8.encode(prefix), ...a]);
const text = (k: Uint8Array): string => Buffer.from(k).toString("latin1");

describe("CompanionRules", () => {
  test("learns A‖S → B‖S from consecutive absent reads and predicts B‖S' after A‖S'", () => {
    const rules = new CompanionRules();
    rules.learn([key("bal:", addr(1)), key("hlen:", addr(1))], []);
    assert.equal(rules.size, 1);
    const p = rules.predict(key("bal:", addr(7)));
    assert.deepEqual(
      p.map((x) => text(x.key)),
      [text(key("hlen:", addr(7)))],
    );
    // Another prefix, another length, or the companion itself: nothing.
    assert.equal(rules.predict(key("hlen:", addr(7))).length, 0);
    assert.equal(rules.predict(key("bal:", new Uint8Array(21))).length, 0);
    assert.equal(rules.predict(key("bax:", addr(7))).length, 0);
  });

  test("no rule from a short common suffix, equal keys, empty or long prefixes", () => {
    const rules = new CompanionRules();
    const short = new Uint8Array(COMPANION_MIN_SUFFIX - 1).fill(3);
    rules.learn([key("a", short), key("b", short)], []);
    rules.learn([key("a:", addr(1)), key("a:", addr(1))], []);
    rules.learn([addr(1), key("b:", addr(1))], []);
    rules.learn([key("x".repeat(65), addr(2)), key("y:", addr(2))], []);
    assert.equal(rules.size, 0);
  });

  test("a rule whose prediction went unread is dropped; rules are bounded; clear zeroes them", () => {
    const rules = new CompanionRules();
    rules.learn([key("bal:", addr(1)), key("hlen:", addr(1))], []);
    const [p] = rules.predict(key("bal:", addr(2)));
    assert.ok(p !== undefined);
    rules.learn([], [p.rule]);
    assert.equal(rules.size, 0);
    for (let i = 0; i < COMPANION_MAX_RULES + 3; i++) {
      rules.learn([key(`p${i}a`, addr(1)), key(`q${i}b`, addr(1))], []);
    }
    assert.equal(rules.size, COMPANION_MAX_RULES);
    // The oldest went first: the newest rule still predicts.
    const last = COMPANION_MAX_RULES + 2;
    assert.equal(rules.predict(key(`p${last}a`, addr(9))).length, 1);
    assert.equal(rules.predict(key("p0a", addr(9))).length, 0);
    const [q] = rules.predict(key(`p${last}a`, addr(9)));
    rules.clear();
    assert.equal(rules.size, 0);
    assert.ok(q !== undefined && q.rule.from.every((b) => b === 0) && q.rule.to.every((b) => b === 0));
  });

  test("a prediction is the learned companion's prefix with the read's own suffix (seeded property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        fc.uint8Array({ minLength: COMPANION_MIN_SUFFIX, maxLength: 40 }),
        fc.uint8Array({ minLength: 40, maxLength: 40 }),
        (a, b, s, t) => {
          const rules = new CompanionRules();
          const a1 = Uint8Array.from([...a, ...s]);
          const b1 = Uint8Array.from([...b, ...s]);
          rules.learn([a1, b1], []);
          const s2 = t.subarray(0, s.length);
          for (const { rule, key: k } of rules.predict(Uint8Array.from([...a, ...s2]))) {
            // The rule's prefixes are a's and b's up to the longest common suffix of the two reads.
            assert.ok(a1.length - rule.suffix <= a.length && b1.length - rule.suffix <= b.length);
            assert.equal(k.length, rule.to.length + rule.suffix);
            assert.deepEqual(
              k.subarray(rule.to.length),
              Uint8Array.from([...a, ...s2]).subarray(rule.from.length),
            );
          }
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
