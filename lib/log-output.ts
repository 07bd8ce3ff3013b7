/**
 * Where log lines go: stdout (stderr for errors), written at most once per turn of the event
 * loop. A line per saga turn is a write syscall per line when each goes out on its own, and
 * syscalls are dear on this kind of machine; the lines of one turn leave together instead.
 * Errors are written at once, and whatever is pending is written when the process exits.
 */
import TransportStream from 'winston-transport';

const MESSAGE = Symbol.for('message');
const LEVEL = Symbol.for('level');

let pending: string[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  process.stdout.write(text);
}

process.on('exit', flush);

export class BatchedConsoleTransport extends TransportStream {
  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    const line = `${String(info[MESSAGE])}\n`;
    if (info[LEVEL] === 'error') {
      flush();
      process.stderr.write(line);
    } else {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    }
    callback();
  }
}
