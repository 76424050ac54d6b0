// The offline Azure's command line (DESIGN.md "The offline Azure", a contract):
//   npm run emulator -- [--port N] [--seed FILE] [--time-scale X] [--exit-with-stdin] [--quiet]
// Prints exactly one line of JSON on stdout when ready; logs go to stderr; SIGINT/SIGTERM stop it (and Azurite).
// --exit-with-stdin: also stop when stdin closes, so a test runner that dies takes the emulator with it.
// --quiet: log only problems, not every request.
import { resolve } from "node:path";
import { startEmulatorHost } from "./emulator";

interface CliOptions {
  port: number;
  seedPath?: string;
  timeScale: number;
  exitWithStdin: boolean;
  quiet: boolean;
}

function parseArguments(args: string[]): CliOptions {
  const options: CliOptions = { port: 0, timeScale: 1, exitWithStdin: false, quiet: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined) throw new Error(`${name} needs a value.`);
      return next;
    };
    switch (name) {
      case "--port": {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port must be 0–65535.");
        options.port = port;
        break;
      }
      case "--seed":
        options.seedPath = resolve(value());
        break;
      case "--time-scale": {
        const scale = Number(value());
        if (!Number.isFinite(scale) || scale < 0) throw new Error("--time-scale must be a number ≥ 0.");
        options.timeScale = scale;
        break;
      }
      case "--exit-with-stdin":
        options.exitWithStdin = true;
        break;
      case "--quiet":
        options.quiet = true;
        break;
      case "--help":
        process.stderr.write("usage: npm run emulator -- [--port N] [--seed FILE] [--time-scale X] [--exit-with-stdin] [--quiet]\n");
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown argument ${arg}. Use --help.`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const write = (message: string): void => {
    process.stderr.write(`[emulator] ${message}\n`);
  };
  // Request lines start with a method; in quiet mode only the rest (problems) is written.
  const log = options.quiet ? (message: string) => (/^[A-Z]+ \//.test(message) ? undefined : write(message)) : write;
  const host = await startEmulatorHost({ port: options.port, seedPath: options.seedPath, timeScale: options.timeScale, log });

  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    write(`stopping (${reason})`);
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        write(`stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  if (options.exitWithStdin) {
    process.stdin.on("end", () => stop("stdin closed"));
    process.stdin.resume();
  }

  process.stdout.write(`${JSON.stringify(host.ready)}\n`);
  write(`ready in ${host.ready.startupMs} ms at ${host.ready.armUrl} (Azurite ${host.ready.blobEndpoint})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[emulator] failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
