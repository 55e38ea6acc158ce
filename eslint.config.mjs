import coreWebVitals from "eslint-config-next/core-web-vitals";
import typescript from "eslint-config-next/typescript";

const config = [
  ...coreWebVitals,
  ...typescript,
  {
    ignores: [".next/**", ".data/**", "node_modules/**", "db/migrations/**", "next-env.d.ts"],
  },
  {
    rules: {
      "@typescript-eslint/ban-ts-comment": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The web never loads the job process's code: credentials and git against remotes live
    // only there (DESIGN.md); the web asks a job process through lib/contracts/.
    files: ["app/**", "components/**", "lib/**", "instrumentation.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/jobs", "@/jobs/*", "**/jobs", "**/jobs/*"], message: "the web must not import jobs/; go through lib/contracts/" }] },
      ],
    },
  },
];

export default config;
