// Progress bars (src/cli/progress.ts): drawn on a terminal, nothing at all on a pipe.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';

import { ttyProgress } from '../../src/cli/progress.js';

/** A stream that says it is a terminal and records what is drawn on it. */
function fakeStream(tty: boolean): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(w, { isTTY: tty, columns: 120, rows: 40, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, clearScreenDown: () => true, text: () => text });
  return w;
}

describe('ttyProgress', () => {
  it('draws the bar with its payload on a terminal', async () => {
    const s = fakeStream(true);
    const bar = await ttyProgress('verify [{bar}] {value}/{total} checks | last: {last}', s);
    bar.update(0, 5, { last: 'pushed' });
    bar.update(2, 5, { last: 'logs ok' });
    bar.stop();
    assert.match(s.text(), /verify \[.*\] 2\/5 checks \| last: logs ok/);
  });

  it('writes nothing when the stream is not a terminal', async () => {
    const s = fakeStream(false);
    const bar = await ttyProgress('x {value}/{total}', s);
    bar.update(1, 2, {});
    bar.stop();
    assert.equal(s.text(), '');
  });
});
