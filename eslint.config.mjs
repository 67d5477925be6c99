import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", ".data*/", "server/db/generated/", "test-results/", "playwright-report/", "next-env.d.ts", "demo/releases/*/*/dist/"] },
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/ban-ts-comment": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Configuration is parsed once, in server/env.ts.
    files: ["server/**/*.ts", "app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    ignores: ["server/env.ts", "server/db/migrate.ts", "server/testing/**"],
    rules: { "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through server/env.ts." }] },
  },
  {
    // The pure core imports no framework, database, socket or process environment.
    files: ["server/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["next", "next/*", "@prisma/*", "socket.io", "socket.io-*", "node:*", "pg", "react", "*/db/*", "*/engine/*"] }],
      "no-restricted-globals": ["error", { name: "process", message: "The core takes configuration as arguments." }],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Pass the clock in." },
        { object: "process", property: "env", message: "The core takes configuration as arguments." },
      ],
    },
  },
);
