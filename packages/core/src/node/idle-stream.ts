// A download's pieces, given up when none arrives for a while: a connection dropped before its
// Content-Length never ends the body otherwise (node-fetch). Real time, like any socket timeout.

/** The body's pieces; `onIdle()` builds the error thrown (after destroying the body) when none
 * arrives for `idleMs`. */
export async function* untilIdle(
  body: AsyncIterable<Uint8Array> & { destroy?(): void },
  idleMs: number,
  onIdle: () => Error,
): AsyncGenerator<Uint8Array> {
  const pieces = body[Symbol.asyncIterator]();
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        body.destroy?.();
        reject(onIdle());
      }, idleMs);
    });
    try {
      const next = await Promise.race([pieces.next(), stalled]);
      if (next.done) return;
      yield next.value;
    } finally {
      clearTimeout(timer);
    }
  }
}
