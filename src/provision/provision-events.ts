import { defineEvent, type EventPayload } from '../events.js';
import type { NewEvent } from '../store/events.js';
import type { Intent } from '../store/provisions.js';
import type { CandidateRequest } from './provisioners.js';

type Common = Omit<EventPayload<'provision.created'>, 'instance' | 'stopPolicy' | 'stopTime' | 'requestUuid'>;

/** What every provision event says, from the intent and the request chosen for it (or the trigger's row if none). */
function common(intent: Intent, request: CandidateRequest | undefined, fallback: { zone: string; gpuType: string }, at: number): Common {
  return {
    watch: intent.watch,
    zone: request?.zone ?? fallback.zone,
    gpuType: request?.gpuType ?? fallback.gpuType,
    at,
    provisioner: intent.provisioner,
    name: intent.name,
    gpu: request?.gpu ?? intent.trigger.gpu,
    cpu: request?.cpu ?? intent.trigger.cpu,
    mem: request?.memGb ?? intent.trigger.mem,
    chargeType: request?.chargeType ?? '',
    hourlyPrice: intent.hourlyPrice,
    dryRun: intent.dryRun,
  };
}

export interface EventContext {
  request: CandidateRequest | undefined;
  /** Zone and GPU type of the triggering watch, for an event about an intent that never chose a request. */
  watch: { zone: string; gpuType: string };
  at: number;
}

/** One per intent: its id is the instance name, unique to the intent. */
export function createdEvent(
  intent: Intent,
  context: EventContext,
  details: { stopPolicy: string | null; stopTime: number | null },
): NewEvent {
  return defineEvent('provision.created', {
    id: `provision.created:${intent.name}`,
    watch: intent.watch,
    createdAt: context.at,
    payload: {
      ...common(intent, context.request, context.watch, context.at),
      instance: intent.instanceId,
      ...details,
      requestUuid: intent.requestUuid,
    },
  });
}

/** One per intent and kind of failure. */
export function failedEvent(
  intent: Intent,
  context: EventContext,
  details: Pick<EventPayload<'provision.failed'>, 'failure' | 'reason' | 'retCode'>,
): NewEvent {
  return defineEvent('provision.failed', {
    id: `provision.failed:${intent.name}:${details.failure}`,
    watch: intent.watch,
    createdAt: context.at,
    payload: {
      ...common(intent, context.request, context.watch, context.at),
      ...details,
      instance: intent.instanceId,
      requestUuid: intent.requestUuid,
    },
  });
}
