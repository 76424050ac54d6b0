// How long modelled operations take, in seconds at time scale 1, and the clock that waits them out
// scaled by ArmOptions.timeScale. Numbers come from the recordings' timestamps where they show the
// operation (first request to the status poll that said Succeeded), otherwise from typical Azure times.

export const LATENCY_SECONDS = {
  /** recorded: lab PUT 121 s, DELETE 91 s */
  labCreate: 120,
  labDelete: 90,
  /** recorded: createEnvironment (a lab VM) 375 s Linux, 521 s Windows */
  vmCreateLinux: 375,
  vmCreateWindows: 520,
  /** per artifact; sysprep/deprovision then wait for the shutdown and deallocate */
  artifactApply: 60,
  artifactPostDeployActions: 90,
  vmStart: 90,
  vmStop: 120,
  vmRestart: 150,
  /** recorded: claim 93 s, claimAnyVm 124 s, hibernate 152 s */
  vmClaim: 90,
  vmHibernate: 150,
  vmRedeploy: 300,
  vmResize: 300,
  vmUpdate: 10,
  /** recorded: 277 s and 306 s */
  vmDelete: 290,
  /** recorded: custom image PUT 31 s, DELETE 62 s */
  customImageCapture: 30,
  customImageFromVhd: 60,
  customImageDelete: 60,
  /** on top of the deployment of the environment's template */
  environmentCreate: 30,
  environmentDelete: 300,
  /** recorded: secret PUT 31 s */
  dtlChildWrite: 30,
  dtlChildDelete: 30,
  deploymentStart: 5,
  deploymentPerResourceDefault: 20,
  genericCreate: 20,
  genericDelete: 10,
  resourceGroupDelete: 45,
  snapshotCreate: 30,
  snapshotDelete: 10,
  snapshotGrantAccess: 10,
  snapshotRevokeAccess: 5,
  imageCreate: 30,
  imageDelete: 10,
  galleryWrite: 15,
  galleryImageVersionCreate: 600,
  galleryDelete: 20,
} as const;

export type LatencyKind = keyof typeof LATENCY_SECONDS;

/**
 * Every recording shows at least one {"status":"Running"} before the terminal status, so the first poll of
 * every operation says Running even when its work is already done (time scale 0).
 */
export const MIN_RUNNING_POLLS = 1;

/** Retry-After (seconds, before scaling) ARM sends on Location-only operations (resource group delete). */
export const ARM_RETRY_AFTER_SECONDS = 15;

export class ClockClosedError extends Error {
  constructor() {
    super("The emulator was closed or reset while the operation was in flight.");
  }
}

export class Clock {
  private readonly pending = new Set<() => void>();
  private closed = false;

  constructor(readonly timeScale: number) {}

  scaledMs(seconds: number): number {
    return Math.max(0, seconds * 1000 * this.timeScale);
  }

  /** Waits the modelled time; rejects with ClockClosedError when the emulator closes or resets. */
  sleep(seconds: number): Promise<void> {
    if (this.closed) return Promise.reject(new ClockClosedError());
    const ms = this.scaledMs(seconds);
    return new Promise<void>((resolve, reject) => {
      let cancelTimer: () => void = () => undefined;
      const abort = (): void => {
        cancelTimer();
        reject(new ClockClosedError());
      };
      const done = (): void => {
        this.pending.delete(abort);
        resolve();
      };
      if (ms > 0) {
        const handle = setTimeout(done, ms);
        cancelTimer = () => clearTimeout(handle);
      } else {
        const handle = setImmediate(done);
        cancelTimer = () => clearImmediate(handle);
      }
      this.pending.add(abort);
    });
  }

  close(): void {
    this.closed = true;
    for (const abort of [...this.pending]) abort();
    this.pending.clear();
  }
}

/** Timestamps in the services' formats. */
export function dtlTimestamp(date = new Date()): string {
  // e.g. 2024-09-09T10:02:38.4660092+00:00
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000+00:00");
}

export function armTimestamp(date = new Date()): string {
  // e.g. 2017-12-26T15:33:26.7452914Z
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

/** ISO 8601 duration as ARM writes deployment durations, e.g. PT22.8356799S. */
export function isoDuration(ms: number): string {
  return `PT${(ms / 1000).toFixed(7)}S`;
}
