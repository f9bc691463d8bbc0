/**
 * Stage progress as Spark shows it: on a terminal one bar per running stage, redrawn in place
 * (`[Stage 2:=====>      (5 + 2) / 16]`); otherwise a plain line per running stage at most
 * every few seconds. Nothing is drawn for a job that ends within the first half second.
 */

export interface ProgressListener {
  stageSubmitted(stage: number, tasks: number): void;
  taskStarted(stage: number): void;
  taskEnded(stage: number, ok: boolean): void;
  stageCompleted(stage: number): void;
  /** The run is over: clear the bar. */
  close(): void;
}

interface StageState {
  readonly tasks: number;
  running: number;
  done: number;
}

const BAR_WIDTH = 40;

/** `[Stage 2:=====>      (5 + 2) / 16]` for a stage of 16 tasks with 5 done and 2 running. */
export function stageBar(stage: number, s: { tasks: number; running: number; done: number }, width = BAR_WIDTH): string {
  const header = `[Stage ${stage}:`;
  const tail = `(${s.done} + ${s.running}) / ${s.tasks}]`;
  const filled = s.tasks === 0 ? 0 : Math.floor((width * s.done) / s.tasks);
  const bar = filled >= width ? "=".repeat(width) : `${"=".repeat(filled)}>${" ".repeat(width - filled - 1)}`;
  return `${header}${bar}${tail}`;
}

export interface ProgressOptions {
  readonly stream: NodeJS.WriteStream;
  /** Wait this long before drawing anything (ms). */
  readonly delayMs?: number;
  /** Plain-line interval when the stream is not a terminal (ms). */
  readonly intervalMs?: number;
}

export function progressReporter(opts: ProgressOptions): ProgressListener {
  const stages = new Map<number, StageState>();
  const start = Date.now();
  const delay = opts.delayMs ?? 500;
  const tty = opts.stream.isTTY === true;
  const interval = opts.intervalMs ?? (tty ? 200 : 5000);
  let drawn = false;
  const draw = () => {
    if (Date.now() - start < delay || stages.size === 0) return;
    const bars = [...stages].map(([id, s]) => stageBar(id, s));
    if (tty) {
      const cols = opts.stream.columns ?? 80;
      opts.stream.write(`\r${bars.join(" ").slice(0, cols - 1).padEnd(cols - 1)}`);
    } else {
      for (const [id, s] of stages) opts.stream.write(`tsdf: stage ${id}: ${s.done}/${s.tasks} tasks done, ${s.running} running\n`);
    }
    drawn = true;
  };
  const timer = setInterval(draw, interval);
  timer.unref();
  const state = (stage: number) => stages.get(stage) ?? { tasks: 0, running: 0, done: 0 };
  return {
    stageSubmitted(stage, tasks) {
      stages.set(stage, { tasks, running: 0, done: 0 });
    },
    taskStarted(stage) {
      state(stage).running++;
    },
    taskEnded(stage, ok) {
      const s = state(stage);
      s.running--;
      if (ok) s.done++;
    },
    stageCompleted(stage) {
      stages.delete(stage);
    },
    close() {
      clearInterval(timer);
      if (drawn && tty) opts.stream.write(`\r${" ".repeat((opts.stream.columns ?? 80) - 1)}\r`);
    },
  };
}

/** For `--quiet` and embedding. */
export const silentProgress: ProgressListener = {
  stageSubmitted() {},
  taskStarted() {},
  taskEnded() {},
  stageCompleted() {},
  close() {},
};
