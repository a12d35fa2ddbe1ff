import { z } from 'zod';
import { DeliveryError, type Channel } from '../channel.js';
import { section } from '../../schema/fields.js';

/** Said once when the channel is created, and by every send: nothing reaches a desktop without its session bus. */
export const NO_SESSION_BUS =
  'no desktop session bus (DBUS_SESSION_BUS_ADDRESS is unset): run compshare-watch as a user service (systemd --user) to get desktop alerts';
const NOT_INSTALLED = 'notify-send is not installed (install libnotify-bin on Debian/Ubuntu, libnotify on Fedora/Arch)';
/** The freedesktop sound theme's "new message" sound, which notification daemons play for this hint. */
const LINUX_SOUND_HINT = 'string:sound-name:message-new-instant';

const configSchema = section({
  type: z.literal('desktop'),
  sound: z.boolean().default(false),
  /** notify-send's urgency: critical notifications stay on screen until dismissed in most desktops. */
  urgency: z.enum(['low', 'normal', 'critical']).optional(),
});

type DesktopConfig = z.output<typeof configSchema>;

/** A notification on the desktop of the user the daemon runs as, through node-notifier (notify-send on Linux). */
export const desktopChannel = {
  type: 'desktop',
  configSchema,
  create(name, config, deps) {
    // Without a bus notify-send fails on every call; say why once, up front, instead of once per alert.
    const noBus = process.platform === 'linux' && !deps.env.DBUS_SESSION_BUS_ADDRESS;
    if (noBus) deps.log.warn({ channel: name }, NO_SESSION_BUS);
    return {
      name,
      type: 'desktop',
      async send({ message }) {
        if (noBus) throw new DeliveryError(NO_SESSION_BUS, true);
        await notify({ title: message.title, message: message.text, ...platformOptions(config) });
      },
    };
  },
} satisfies Channel<typeof configSchema>;

/** notify-send has no sound switch but honours a sound hint; the other platforms take `sound: true`. */
function platformOptions(config: DesktopConfig): Record<string, unknown> {
  const urgency = config.urgency === undefined ? {} : { urgency: config.urgency };
  if (!config.sound) return urgency;
  return process.platform === 'linux' ? { ...urgency, hint: LINUX_SOUND_HINT } : { ...urgency, sound: true };
}

async function notify(options: Record<string, unknown>): Promise<void> {
  // Loaded on first use: node-notifier picks its backend when imported, which only a desktop channel needs.
  const { default: notifier } = await import('node-notifier');
  await new Promise<void>((resolve, reject) => {
    notifier.notify({ ...options, wait: false }, (error: Error | string | null) => {
      // node-notifier passes notify-send's stderr as the error when the command wrote any.
      if (error) reject(toDeliveryError(error));
      else resolve();
    });
  });
}

function toDeliveryError(error: Error | string): DeliveryError {
  const text = (typeof error === 'string' ? error : error.message).trim();
  if (/notify-send must be installed|not found: notify-send/.test(text)) return new DeliveryError(NOT_INSTALLED, true);
  // exec's "Command failed: <command line>" repeats the whole message; what follows it is notify-send's stderr.
  const stderr = text.split('\n').filter((line) => !line.startsWith('Command failed:') && line.trim() !== '');
  const exitCode = typeof error === 'string' ? undefined : (error as { code?: unknown }).code;
  const reason = stderr.length > 0 ? stderr.join('; ') : `exit code ${String(exitCode)}`;
  return new DeliveryError(`notify-send failed: ${reason}`, false);
}
