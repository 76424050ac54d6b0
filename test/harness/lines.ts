// Turns a child's byte stream into lines as they arrive, the way the agent reads it: UTF-8 decoded across chunk
// boundaries, and "\r\n", "\n" or a lone "\r" each end a line (a "\r" at the end of a chunk waits for the next).
import { StringDecoder } from "node:string_decoder";

export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer | string): void {
    this.consume(typeof chunk === "string" ? chunk : this.decoder.write(chunk), false);
  }

  /** Emits what is left, including a last line without a line break. */
  end(): void {
    this.consume(this.decoder.end(), true);
  }

  private consume(text: string, final: boolean): void {
    const buffer = this.pending + text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const char = buffer[i];
      if (char === "\n") {
        this.onLine(buffer.substring(start, i));
        start = i + 1;
      } else if (char === "\r") {
        if (i + 1 === buffer.length && !final) break; // might be the first half of "\r\n"
        this.onLine(buffer.substring(start, i));
        if (buffer[i + 1] === "\n") i++;
        start = i + 1;
      }
    }
    this.pending = buffer.substring(start);
    if (final && this.pending !== "") {
      this.onLine(this.pending);
      this.pending = "";
    }
  }
}

export type OutputStream = "stdout" | "stderr";

/** One line a task wrote, with the command the agent found in it. */
export interface OutputLine {
  stream: OutputStream;
  /** 1-based line number within its stream. */
  number: number;
  text: string;
  command?: import("./commands").VsoCommand;
  /** Milliseconds since the process started. */
  atMs: number;
}
