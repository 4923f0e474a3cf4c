// ESLint flat config: typescript-eslint strict-type-checked, plus the project's own rules:
// the enclave's one door (DESIGN.md rule 1) and determinism in consensus code (rule 15).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "contracts/target/**",
      "contracts/build/**",
      "bin/**",
      "**/*.js",
      "**/*.mjs",
      "**/*.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      // tsconfig cannot use verbatimModuleSyntax (secretjs's published .d.ts files import its CommonJS .ts
      // sources), so type-only imports are kept explicit here instead.
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
    },
  },
  {
    // The one door: outside src/enclave, only src/enclave/api.ts may be imported.
    files: ["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts"],
    ignores: ["src/enclave/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/enclave/**", "!**/enclave/api.js", "!**/enclave/api"],
              message: "Only src/enclave/api.ts is importable from outside src/enclave (DESIGN.md rule 1).",
            },
          ],
        },
      ],
    },
  },
  {
    // Determinism is consensus: no clock, no Math.random in state-machine or enclave code.
    files: ["src/chain/**/*.ts", "src/enclave/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "Math",
          property: "random",
          message: "Non-deterministic: use the block random or a seeded source.",
        },
        {
          object: "Date",
          property: "now",
          message: "Non-deterministic: use the block time from the header.",
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "No wall clock in consensus code.",
        },
      ],
    },
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts", "bench/**/*.ts", "contracts/test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-floating-promises": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
