// Override text as users write it. The table includes every bug of Microsoft's DTL tasks: overrides split only on
// spaces, quotes stripped from inside values, "-x" values taken for names, and a parameter named "undefined" made
// from empty overrides.
import { strict as assert } from "node:assert";
import { InputError } from "../../../src/errors";
import { parseOverrides, type OverrideForm } from "../../../src/params/overrides";
import type { JsonValue } from "../../../src/params/types";

type Expected = [name: string, text: string, form?: OverrideForm, json?: JsonValue];

const parsed = (text: string | undefined) =>
  [...parseOverrides(text, "parameterOverrides").values()].map((override) => {
    const entry: Expected = [override.name, override.text, override.form];
    if (override.json !== undefined) entry.push(override.json);
    return entry;
  });

describe("params/overrides: parseOverrides", () => {
  const cases: { name: string; text: string | undefined; expected: Expected[] }[] = [
    // Empty overrides: no parameters at all (Microsoft's task made one named "undefined").
    { name: "empty text gives no parameters", text: "", expected: [] },
    { name: "no text gives no parameters", text: undefined, expected: [] },
    { name: "blanks and line breaks only give no parameters", text: "  \n\t\r\n ", expected: [] },
    // Basics.
    { name: "one bare value", text: "-vmName web01", expected: [["vmName", "web01", "bare"]] },
    { name: "several values, order kept", text: "-z 1 -a 2 -m three", expected: [["z", "1", "bare"], ["a", "2", "bare"], ["m", "three", "bare"]] },
    { name: "the name's casing kept", text: "-VmName x", expected: [["VmName", "x", "bare"]] },
    { name: "names with _ . $ and -", text: "-my_param.x 1 -$p 2 -new-name 3", expected: [["my_param.x", "1", "bare"], ["$p", "2", "bare"], ["new-name", "3", "bare"]] },
    // Quoted values with blanks (Microsoft's task split on every space).
    { name: "a double-quoted value with blanks", text: '-size "Standard D2s v3"', expected: [["size", "Standard D2s v3", "quoted"]] },
    { name: "a single-quoted value with blanks", text: "-user 'lab admin'", expected: [["user", "lab admin", "quoted"]] },
    { name: "quoted values with several blanks inside kept exactly", text: '-notes "a  b\tc"', expected: [["notes", "a  b\tc", "quoted"]] },
    { name: "an empty double-quoted value", text: '-notes ""', expected: [["notes", "", "quoted"]] },
    { name: "an empty single-quoted value", text: "-notes ''", expected: [["notes", "", "quoted"]] },
    // Quotes inside values survive (Microsoft's task stripped every quote).
    { name: "double quotes inside single quotes", text: `-msg 'He said "hi"'`, expected: [["msg", 'He said "hi"', "quoted"]] },
    { name: "single quotes inside double quotes", text: `-msg "it's"`, expected: [["msg", "it's", "quoted"]] },
    { name: "a doubled single quote", text: "-msg 'it''s'", expected: [["msg", "it's", "quoted"]] },
    { name: "a doubled double quote", text: '-msg "say ""hi"""', expected: [["msg", 'say "hi"', "quoted"]] },
    { name: "a backtick-escaped quote", text: '-msg "say `"hi`""', expected: [["msg", 'say "hi"', "quoted"]] },
    { name: "a quote in the middle of a bare value", text: `-h 5'11"`, expected: [["h", `5'11"`, "bare"]] },
    // Values beginning with "-" (Microsoft's task took them for names).
    { name: "a negative number", text: "-offset -5", expected: [["offset", "-5", "bare"]] },
    { name: "a quoted value starting with -", text: '-name "-x"', expected: [["name", "-x", "quoted"]] },
    { name: "values that look like names", text: "-a -b -c -d", expected: [["a", "-b", "bare"], ["c", "-d", "bare"]] },
    { name: "a lone dash as value", text: "-a -", expected: [["a", "-", "bare"]] },
    { name: "a value of dashes and text", text: "-args --verbose", expected: [["args", "--verbose", "bare"]] },
    // Separators: any blanks, line breaks, PowerShell line continuations.
    { name: "tabs and runs of spaces", text: "-a\t\t1    -b   2", expected: [["a", "1", "bare"], ["b", "2", "bare"]] },
    { name: "one parameter per line (LF and CRLF)", text: "-a 1\n-b 2\r\n-c 3\n", expected: [["a", "1", "bare"], ["b", "2", "bare"], ["c", "3", "bare"]] },
    { name: "a line break between a name and its value", text: "-a\n1", expected: [["a", "1", "bare"]] },
    { name: "PowerShell backtick line continuations", text: "-a 1 `\n-b 2 `\r\n-c 3", expected: [["a", "1", "bare"], ["b", "2", "bare"], ["c", "3", "bare"]] },
    { name: "quoted values on separate lines", text: "-a 'x y'\n-b \"z w\"", expected: [["a", "x y", "quoted"], ["b", "z w", "quoted"]] },
    { name: "a non-breaking space as separator", text: "-a\u00A01", expected: [["a", "1", "bare"]] },
    { name: "a quoted value spanning lines", text: '-script "line1\nline2"', expected: [["script", "line1\nline2", "quoted"]] },
    // JSON values for object and array parameters.
    { name: "a JSON object with blanks inside", text: '-tags {"team": "qa", "cost center": "42"}', expected: [["tags", '{"team": "qa", "cost center": "42"}', "json", { team: "qa", "cost center": "42" }]] },
    { name: "a JSON array", text: "-zones [1, 2] -x y", expected: [["zones", "[1, 2]", "json", [1, 2]], ["x", "y", "bare"]] },
    { name: "brackets inside JSON strings", text: '-o {"a": "}{][", "b": [{"c": 1}]}', expected: [["o", '{"a": "}{][", "b": [{"c": 1}]}', "json", { a: "}{][", b: [{ c: 1 }] }]] },
    { name: "an escaped quote inside a JSON string", text: '-o {"a": "x\\"y}"}', expected: [["o", '{"a": "x\\"y}"}', "json", { a: 'x"y}' }]] },
    { name: "JSON over several lines", text: '-o {\n  "a": 1,\n  "b": [true]\n}\n-n 2', expected: [["o", '{\n  "a": 1,\n  "b": [true]\n}', "json", { a: 1, b: [true] }], ["n", "2", "bare"]] },
    { name: "JSON in single quotes is a quoted value", text: `-o '{"a": 1}'`, expected: [["o", '{"a": 1}', "quoted"]] },
    { name: "braces that are not JSON kept as text", text: "-p {abc}", expected: [["p", "{abc}", "json"]] },
    // (ConvertTo-SecureString …) unwrapped.
    { name: "ConvertTo-SecureString unwrapped", text: "-password (ConvertTo-SecureString -String 'p@ss word' -AsPlainText -Force)", expected: [["password", "p@ss word", "secureString"]] },
    { name: "ConvertTo-SecureString with flags in another order and case", text: '-pw (convertto-securestring -asplaintext -force -string "x y")', expected: [["pw", "x y", "secureString"]] },
    { name: "ConvertTo-SecureString with a positional string", text: "-pw (ConvertTo-SecureString 'abc' -AsPlainText -Force) -n 1", expected: [["pw", "abc", "secureString"], ["n", "1", "bare"]] },
    { name: "ConvertTo-SecureString with parentheses and quotes in the string", text: `-pw (ConvertTo-SecureString -String 'a)b(''c' -AsPlainText -Force)`, expected: [["pw", "a)b('c", "secureString"]] },
    { name: "ConvertTo-SecureString without -Force", text: "-pw (ConvertTo-SecureString -String abc -AsPlainText)", expected: [["pw", "abc", "secureString"]] },
    { name: "other parentheses kept as text", text: "-expr (1 + 2)", expected: [["expr", "(1 + 2)", "bare"]] },
    // Other values kept as written.
    { name: "non-ASCII text", text: "-name café -city 東京", expected: [["name", "café", "bare"], ["city", "東京", "bare"]] },
    { name: "a connection string with = and ;", text: "-conn Server=x;Database=y", expected: [["conn", "Server=x;Database=y", "bare"]] },
    { name: "a Windows path ending with a backslash", text: '-path "C:\\temp\\dir\\" -n 1', expected: [["path", "C:\\temp\\dir\\", "quoted"], ["n", "1", "bare"]] },
    { name: "a URL with a query", text: "-uri https://x.blob.core.windows.net/c?sv=1&sig=2", expected: [["uri", "https://x.blob.core.windows.net/c?sv=1&sig=2", "bare"]] },
    { name: "PowerShell booleans kept as text", text: "-flag $true", expected: [["flag", "$true", "bare"]] },
  ];
  for (const { name, text, expected } of cases) {
    it(name, () => assert.deepEqual(parsed(text), expected));
  }

  it("never makes a parameter named 'undefined'", () => {
    for (const text of [undefined, "", " ", "\n"]) assert.equal(parseOverrides(text, "parameterOverrides").has("undefined"), false);
  });

  const bad: { name: string; text: string; pattern: RegExp; hidden?: string }[] = [
    { name: "an unterminated double quote", text: '-a 1 -b "abc', pattern: /-b opens a quote \("\) at line 1, column 9 that is never closed/ },
    { name: "an unterminated single quote", text: "-a\n  'abc", pattern: /-a opens a quote \('\) at line 2, column 3 that is never closed/ },
    { name: "an unterminated JSON value", text: '-o {"a": 1', pattern: /JSON value of -o that starts at line 1, column 4 is never closed/ },
    { name: "an unterminated string inside JSON", text: '-o {"a": "x}', pattern: /JSON value of -o has a string that starts at line 1, column 10/ },
    { name: "an unterminated parenthesis", text: "-pw (ConvertTo-SecureString 'x'", pattern: /-pw opens a parenthesis at line 1, column 5 that is never closed/ },
    { name: "a value without a name at the start", text: "web01 -a 1", pattern: /a value without a parameter name at line 1, column 1\./ },
    { name: "an unquoted value with blanks", text: "-size Standard D2s", pattern: /value without a parameter name at line 1, column 16 \(after the value of -size\)\. .*quote values that contain blanks/, hidden: "D2s" },
    { name: "a name without a value at the end", text: "-a 1 -b", pattern: /-b has no value/ },
    { name: "a dash without a name", text: "- x", pattern: /a '-' without a parameter name at line 1, column 1/ },
    { name: "the same name twice, in any case", text: "-a 1 -A 2", pattern: /-A is given twice/ },
    { name: "text glued to a closing quote", text: '-a "x"y -b 1', pattern: /unexpected text right after the value of -a at line 1, column 7/ },
    { name: "text glued to a JSON value", text: "-a [1]x", pattern: /unexpected text right after the value of -a/ },
    { name: "a name glued to a quoted value", text: '-name"Sup3rSecret value" x', pattern: /'-name…' at line 1, column 1 is not a parameter name/, hidden: "Sup3rSecret" },
    { name: "ConvertTo-SecureString without -AsPlainText", text: "-pw (ConvertTo-SecureString -String 'Sup3rSecret' -Force)", pattern: /-pw at line 1, column 5: only plain text can be converted \(add -AsPlainText\)/, hidden: "Sup3rSecret" },
    { name: "ConvertTo-SecureString with a key", text: "-pw (ConvertTo-SecureString -String 'Sup3rSecret' -Key 1,2)", pattern: /ConvertTo-SecureString's -Key is not supported here/, hidden: "Sup3rSecret" },
    { name: "ConvertTo-SecureString without a string", text: "-pw (ConvertTo-SecureString -AsPlainText -Force)", pattern: /ConvertTo-SecureString has no string/ },
  ];
  for (const { name, text, pattern, hidden } of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => parseOverrides(text, "ParameterOverrides"),
        (error: unknown) => {
          assert.ok(error instanceof InputError, String(error));
          assert.equal(error.input, "ParameterOverrides");
          assert.match(error.message, pattern);
          if (hidden) assert.ok(!error.message.includes(hidden), "values are never repeated in errors");
          return true;
        },
      );
    });
  }
});
