/**
 * Where campaign snapshots live (the JetStream object store in production). A snapshot is
 * opaque bytes (campaign/snapshot-codec.ts) named by its campaign and the log position it
 * covers.
 *
 * Contract: `put` is atomic: a reader sees the whole snapshot or none (a write cut short by a
 * crash leaves nothing under that name); `list` answers the positions of a campaign's
 * snapshots, newest first; `get` answers undefined for a snapshot that is gone and throws for
 * one it cannot read whole.
 */
export interface SnapshotStore {
  readonly kind: string;
  put(campaignId: string, position: number, bytes: Uint8Array): Promise<void>;
  list(campaignId: string): Promise<readonly number[]>;
  get(campaignId: string, position: number): Promise<Uint8Array | undefined>;
  delete(campaignId: string, position: number): Promise<void>;
}

/** Keeps snapshots in process memory: for unit tests and throw-away local runs. */
export class InMemorySnapshotStore implements SnapshotStore {
  readonly kind = "memory";
  private readonly snapshots = new Map<string, Map<number, Uint8Array>>();

  put(campaignId: string, position: number, bytes: Uint8Array): Promise<void> {
    const m = this.snapshots.get(campaignId) ?? new Map<number, Uint8Array>();
    m.set(position, bytes.slice());
    this.snapshots.set(campaignId, m);
    return Promise.resolve();
  }

  list(campaignId: string): Promise<readonly number[]> {
    return Promise.resolve([...(this.snapshots.get(campaignId)?.keys() ?? [])].sort((a, b) => b - a));
  }

  get(campaignId: string, position: number): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.snapshots.get(campaignId)?.get(position));
  }

  delete(campaignId: string, position: number): Promise<void> {
    this.snapshots.get(campaignId)?.delete(position);
    return Promise.resolve();
  }
}
