import type { Writable } from 'node:stream';
import { z } from 'zod';
import type { Channel } from '../channel.js';
import { section } from '../../schema/fields.js';

const configSchema = section({
  type: z.literal('console'),
});

/**
 * Prints each message to stdout as one block: the title, the text, a blank line. Made for the demo and for trying
 * a config in a terminal; there is no far end, so a delivery never fails (a closed stdout is the process's problem,
 * not an alert to retry).
 */
export const consoleChannel = {
  type: 'console',
  configSchema,
  create(name) {
    return {
      name,
      type: 'console',
      async send({ message }) {
        printBlock(process.stdout, message.title, message.text);
      },
    };
  },
} satisfies Channel<typeof configSchema>;

/** One write per message, so blocks from concurrent sends never interleave line by line. */
function printBlock(out: Writable, title: string, text: string): void {
  out.write(`» ${title}\n${text.trimEnd()}\n\n`);
}
