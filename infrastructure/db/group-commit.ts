/**
 * The scheduling half of a group commit (ADRs 021 and 022). Items added while groups are being written wait for the
 * next turn of the event loop and go out together, so the requests or jobs that arrived in one turn share a
 * statement. At most `maxInFlight` groups run at once (each holds its own pooled connection); past that, waiting
 * items pile into bigger groups. What a group is and how its items are answered is the caller's:
 * - `takeGroup` removes the next group from the front of `waiting` (in place) and returns it;
 * - `runGroup` settles every item of the group; if it rejects, `onGroupError` settles them instead.
 */
export interface GroupCommitOptions<T> {
  maxInFlight: number;
  takeGroup(waiting: T[]): T[];
  runGroup(group: T[]): Promise<void>;
  onGroupError(group: T[], error: unknown): void;
}

export function createGroupCommit<T>(options: GroupCommitOptions<T>): { add(item: T): void } {
  const waiting: T[] = [];
  let inFlight = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || inFlight >= options.maxInFlight || waiting.length === 0) return;
    scheduled = true;
    setImmediate(start);
  }

  function start(): void {
    scheduled = false;
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      const group = options.takeGroup(waiting);
      inFlight += 1;
      options
        .runGroup(group)
        .catch((error: unknown) => options.onGroupError(group, error))
        .finally(() => {
          inFlight -= 1;
          schedule();
        });
    }
  }

  return {
    add(item) {
      waiting.push(item);
      schedule();
    },
  };
}
