// Cancelling like the agent: SIGINT to the task's process; if it is still running 7.5 s later, SIGTERM; if still
// running 2.5 s after that, kill it and everything it started. SIGINT and SIGTERM go to the process alone (a task
// decides what its children do); the kill takes the whole process group.
import type { ChildProcess } from "node:child_process";

export interface CancelDelays {
  /** From SIGINT to SIGTERM. */
  sigtermAfterMs: number;
  /** From SIGTERM to SIGKILL. */
  sigkillAfterMs: number;
}

/** The agent's delays. */
export const agentCancelDelays: Readonly<CancelDelays> = Object.freeze({ sigtermAfterMs: 7500, sigkillAfterMs: 2500 });

export type SentSignalName = "SIGINT" | "SIGTERM" | "SIGKILL";

export interface SentSignal {
  signal: SentSignalName;
  /** Milliseconds since the process started. */
  atMs: number;
  reason: "cancel" | "timeout";
}

export interface CancellationRecord {
  /** When cancel was asked for, in milliseconds since the process started. */
  requestedAtMs: number;
  delays: CancelDelays;
  signals: SentSignal[];
}

/** Kills the child's process group (it was spawned detached, so it leads one), or the child alone if that fails. */
export function killProcessTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

export class CancelEscalation {
  private readonly timers: NodeJS.Timeout[] = [];
  record: CancellationRecord | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly delays: CancelDelays,
    private readonly elapsedMs: () => number,
    private readonly signals: SentSignal[],
  ) {}

  /** Starts the SIGINT → SIGTERM → SIGKILL sequence; later calls do nothing. */
  start(): void {
    if (this.record || this.exited()) return;
    this.record = { requestedAtMs: this.elapsedMs(), delays: { ...this.delays }, signals: [] };
    this.send("SIGINT");
    this.timers.push(
      setTimeout(() => {
        this.send("SIGTERM");
        this.timers.push(setTimeout(() => this.send("SIGKILL"), this.delays.sigkillAfterMs));
      }, this.delays.sigtermAfterMs),
    );
  }

  /** The process ended: nothing more to send. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private send(signal: SentSignalName): void {
    if (this.exited()) return;
    const sent: SentSignal = { signal, atMs: this.elapsedMs(), reason: "cancel" };
    this.signals.push(sent);
    this.record?.signals.push(sent);
    if (signal === "SIGKILL") killProcessTree(this.child);
    else this.child.kill(signal);
  }
}
