/**
 * Tells whether a message from the client arrived since the last time it was asked, however the
 * server is connected (VS Code: Node IPC; other editors: stdio). Long work asks it between slices
 * and steps aside, so that a request does not wait for more than the slice that was running.
 */
export function watchIncomingMessages(): () => boolean {
  let arrived = false;
  const mark = () => {
    arrived = true;
  };
  process.on('message', mark);
  if (process.argv.includes('--stdio')) process.stdin.on('data', mark);
  return () => {
    const was = arrived;
    arrived = false;
    return was;
  };
}
