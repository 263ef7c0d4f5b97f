import { expect } from "chai";
import { PollingLoop } from "../src/common/polling-loop";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("PollingLoop: the timer the background workers run on", () => {
  it("runs a round at once, the next at once while there is more to do, then waits pollMs", async () => {
    const starts: number[] = [];
    let left = 3;
    const loop = new PollingLoop(
      async () => {
        starts.push(Date.now());
        return --left > 0;
      },
      { pollMs: 60_000, stopWaitMs: 1_000, onRoundError: () => {} },
    );
    loop.start();
    await tick(200);
    expect(starts).to.have.length(3);
    await loop.stop();
  });

  it("reports a round that throws and keeps going", async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const loop = new PollingLoop(
      async () => {
        rounds++;
        throw new Error(`round ${rounds}`);
      },
      { pollMs: 10, stopWaitMs: 1_000, onRoundError: (error) => errors.push(error) },
    );
    loop.start();
    await tick(200);
    await loop.stop();
    expect(rounds).to.be.greaterThan(1);
    expect(errors).to.have.length(rounds);
    expect((errors[0] as Error).message).to.equal("round 1");
  });

  it("stop waits for the round in flight, and no round starts after it", async () => {
    let finished = 0;
    let rounds = 0;
    const loop = new PollingLoop(
      async () => {
        rounds++;
        await tick(100);
        finished++;
        return true;
      },
      { pollMs: 10, stopWaitMs: 5_000, onRoundError: () => {} },
    );
    loop.start();
    await tick(30);
    expect(await loop.stop()).to.equal(true);
    expect(finished).to.equal(1);
    await tick(200);
    expect(rounds).to.equal(1);
  });

  it("stop gives up after stopWaitMs on a round that never ends, and says so", async () => {
    const loop = new PollingLoop(() => new Promise<boolean>(() => {}), { pollMs: 10, stopWaitMs: 50, onRoundError: () => {} });
    loop.start();
    await tick(20);
    expect(await loop.stop()).to.equal(false);
  });

  it("start twice runs one loop, and start after stop runs again", async () => {
    let rounds = 0;
    const loop = new PollingLoop(
      async () => {
        rounds++;
        return false;
      },
      { pollMs: 60_000, stopWaitMs: 1_000, onRoundError: () => {} },
    );
    loop.start();
    loop.start();
    await tick(50);
    expect(rounds).to.equal(1);
    await loop.stop();
    loop.start();
    await tick(50);
    expect(rounds).to.equal(2);
    await loop.stop();
  });
});
