import type { CampaignEvent } from "../domain/events.js";

/**
 * Durable append-only log of campaign events; the state of record.
 *
 * Contract: `append` resolves only once the event is durable (for the JetStream store:
 * the server acknowledged the publish); appending an event whose `eventId` was already
 * appended is a no-op. `load` returns every event of a campaign in append order.
 */
export interface CampaignStore {
  readonly kind: string;
  append(event: CampaignEvent): Promise<void>;
  load(campaignId: string): Promise<readonly CampaignEvent[]>;
  listCampaigns(): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** Keeps events in process memory: for unit tests and throw-away local runs. */
export class InMemoryCampaignStore implements CampaignStore {
  readonly kind = "memory";
  private readonly events = new Map<string, CampaignEvent[]>();
  private readonly ids = new Set<string>();

  append(event: CampaignEvent): Promise<void> {
    if (!this.ids.has(event.eventId)) {
      this.ids.add(event.eventId);
      const list = this.events.get(event.campaignId) ?? [];
      list.push(event);
      this.events.set(event.campaignId, list);
    }
    return Promise.resolve();
  }

  load(campaignId: string): Promise<readonly CampaignEvent[]> {
    return Promise.resolve([...(this.events.get(campaignId) ?? [])]);
  }

  listCampaigns(): Promise<readonly string[]> {
    return Promise.resolve([...this.events.keys()]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
