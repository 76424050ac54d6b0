// Mocha settings for every run. The file list is on the command line (package.json "test:all"), so that
// `npx mocha path/to/one.test.ts` runs just that file. TypeScript runs through tsx.
module.exports = {
  "node-option": ["import=tsx"],
  reporter: "test/support/reporter.cjs",
  timeout: 60000,
  exit: true,
};
