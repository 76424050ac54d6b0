// The whole suite: unit, harness, emulator and end-to-end tests. TypeScript runs through tsx.
module.exports = {
  "node-option": ["import=tsx"],
  spec: ["test/**/*.test.ts"],
  reporter: "test/support/reporter.cjs",
  timeout: 60000,
  exit: true,
};
