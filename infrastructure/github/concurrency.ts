/** At most `limit` concurrent calls per key (an installation): GitHub's secondary limits punish bursts. */
export function createKeyedLimiter(limit: number) {
  const state = new Map<string, { active: number; waiting: Array<() => void> }>();
  return async function run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let entry = state.get(key);
    if (!entry) {
      entry = { active: 0, waiting: [] };
      state.set(key, entry);
    }
    const slot = entry;
    // A finishing call hands its slot straight to the next waiter, so a newcomer can never squeeze in between.
    if (slot.active >= limit) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.active += 1;
    try {
      return await task();
    } finally {
      const next = slot.waiting.shift();
      if (next) next();
      else {
        slot.active -= 1;
        if (slot.active === 0) state.delete(key);
      }
    }
  };
}
