/**
 * Progress bars for long waits (DESIGN.md: progress bars for anything that can take more than a couple of
 * seconds), drawn with cli-progress on stderr and only when stderr is a terminal — pipes, CI logs and --json
 * consumers see nothing of them.
 */
import type { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total: number, payload: Record<string, string | number>): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

/** A bar with `format` (cli-progress tokens: {bar}, {value}, {total}, and the payload's keys); a no-op off a TTY. */
export async function ttyProgress(format: string, stream: NodeJS.WriteStream = process.stderr): Promise<Progress> {
  if (stream.isTTY !== true) return NONE;
  const { default: cliProgress } = await import('cli-progress');
  let bar: SingleBar | undefined;
  return {
    update(done, total, payload) {
      if (!bar) {
        bar = new cliProgress.SingleBar({ format, hideCursor: true, stream, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total, done, payload);
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
