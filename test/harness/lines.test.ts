// Reading a stream in chunks: lines must not depend on where the pipe happened to split the bytes.
import { strict as assert } from "node:assert";
import { LineSplitter } from "./lines";

function splitInChunks(chunks: Array<Buffer | string>): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.write(chunk);
  splitter.end();
  return lines;
}

describe("harness: line splitter", () => {
  it("gives the same lines however the bytes are chunked", () => {
    const text = "one\r\ntwo\nthree\rfour ✓ 🚀\r\n\r\nlast without newline";
    const bytes = Buffer.from(text, "utf8");
    const expected = ["one", "two", "three", "four ✓ 🚀", "", "last without newline"];
    for (let size = 1; size <= 7; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      assert.deepEqual(splitInChunks(chunks), expected, `chunks of ${size} bytes`);
    }
  });

  it("treats a CR at the end of a chunk as half of CRLF until the next chunk says otherwise", () => {
    assert.deepEqual(splitInChunks(["a\r", "\nb\r", "c\r"]), ["a", "b", "c"]);
    assert.deepEqual(splitInChunks(["a\r", "\r\n"]), ["a", ""]);
  });
});
