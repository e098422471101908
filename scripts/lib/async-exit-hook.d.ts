declare module 'async-exit-hook' {
  /** Runs `hook` on SIGINT, SIGTERM and exit; the process exits once every hook has called `done`. */
  export default function exitHook(hook: (done: () => void) => void): void;
}
