/**
 * Node flags that make a child process exit when its parent dies, however it dies (`kill -9` included): the child
 * watches its stdin, a pipe from the parent, and exits when the pipe closes. Spawn the child with stdin "pipe".
 * A preloaded data: module, so it works for any script (Azurite's included) from source or from dist/.
 */
export const EXIT_WITH_PARENT: readonly string[] = [
  "--import",
  'data:text/javascript,process.stdin.on("end",()=>process.exit(0));process.stdin.on("error",()=>process.exit(0));process.stdin.resume();',
];
