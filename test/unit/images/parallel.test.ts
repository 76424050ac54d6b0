import { strict as assert } from "node:assert";
import { createLimiter } from "../../../src/images/parallel";
import { isCancellation } from "../../../src/steps/cancelled";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("images: bounded parallelism", () => {
  it("runs at most N jobs at once, in the order they were queued", async () => {
    const limiter = createLimiter(2, new AbortController().signal);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const jobs = [0, 1, 2, 3, 4].map((n) =>
      limiter.run(async () => {
        started.push(n);
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return n * 10;
      }),
    );
    await tick();
    assert.deepEqual(started, [0, 1]);
    assert.equal(limiter.waiting, 3);
    while (releases.length > 0) {
      releases.shift()?.();
      await tick();
      await tick();
    }
    assert.deepEqual(await Promise.all(jobs), [0, 10, 20, 30, 40]);
    assert.equal(most, 2);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
  });

  it("a failing job frees its slot", async () => {
    const limiter = createLimiter(1, new AbortController().signal);
    const failing = limiter.run(async () => Promise.reject(new Error("boom")));
    const next = limiter.run(async () => "ran");
    await assert.rejects(failing, /boom/);
    assert.equal(await next, "ran");
  });

  it("once cancelled, jobs still waiting never start", async () => {
    const controller = new AbortController();
    const limiter = createLimiter(1, controller.signal);
    let release = () => undefined as void;
    const first = limiter.run(() => new Promise<string>((resolve) => (release = () => resolve("first"))));
    let secondStarted = false;
    const second = limiter.run(async () => {
      secondStarted = true;
    });
    await tick();
    controller.abort();
    release();
    assert.equal(await first, "first", "a running job finishes by itself");
    await assert.rejects(second, (error: unknown) => isCancellation(error));
    assert.equal(secondStarted, false);
    await assert.rejects(limiter.run(async () => "late"), (error: unknown) => isCancellation(error));
  });

  it("refuses a bound below one", () => {
    assert.throws(() => createLimiter(0, new AbortController().signal), /maxParallel/);
  });
});
