import type { CampaignEvent } from "../domain/events.js";

/** An event with its position in the store's log (JetStream: the stream sequence). */
export interface PositionedEvent {
  readonly position: number;
  readonly event: CampaignEvent;
}

/**
 * Durable append-only log of campaign events; the state of record.
 *
 * Contract: `append` resolves only once the event is durable (for the JetStream store:
 * the server acknowledged the publish), with the event's position in the log: positions
 * start at 1 and grow in append order (they may be shared by several campaigns, so those of
 * one campaign need not be consecutive). Appending an event whose `eventId` was already
 * appended is a no-op that may answer the first copy's position. `load` returns every event
 * of a campaign in append order; `loadAfter` those after a position (a snapshot's).
 */
export interface CampaignStore {
  readonly kind: string;
  append(event: CampaignEvent): Promise<number>;
  load(campaignId: string): Promise<readonly CampaignEvent[]>;
  loadAfter(campaignId: string, position: number): Promise<readonly PositionedEvent[]>;
  listCampaigns(): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** Keeps events in process memory: for unit tests and throw-away local runs. */
export class InMemoryCampaignStore implements CampaignStore {
  readonly kind = "memory";
  private readonly events = new Map<string, PositionedEvent[]>();
  private readonly positions = new Map<string, number>();
  private last = 0;

  append(event: CampaignEvent): Promise<number> {
    let position = this.positions.get(event.eventId);
    if (position === undefined) {
      position = ++this.last;
      this.positions.set(event.eventId, position);
      const list = this.events.get(event.campaignId) ?? [];
      list.push({ position, event });
      this.events.set(event.campaignId, list);
    }
    return Promise.resolve(position);
  }

  load(campaignId: string): Promise<readonly CampaignEvent[]> {
    return Promise.resolve((this.events.get(campaignId) ?? []).map((p) => p.event));
  }

  loadAfter(campaignId: string, position: number): Promise<readonly PositionedEvent[]> {
    return Promise.resolve((this.events.get(campaignId) ?? []).filter((p) => p.position > position));
  }

  listCampaigns(): Promise<readonly string[]> {
    return Promise.resolve([...this.events.keys()]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
