// Runs Azurite's blob service inside this process and shuts it down when the emulator's end of our stdin pipe
// closes. That way Azurite goes away with the emulator even when the emulator is killed outright (SIGKILL), which
// a plain child would survive. Usage: node azurite-child.cjs <azurite blob main.js> [azurite arguments…]
const [node, , azuriteMain, ...azuriteArguments] = process.argv;
if (!azuriteMain) {
  console.error("azurite-child: the path of Azurite's blob main.js is required");
  process.exit(2);
}
process.argv = [node, azuriteMain, ...azuriteArguments];

function shutDown() {
  // Azurite closes its server on SIGTERM; make sure the process ends even if something keeps it alive.
  process.kill(process.pid, "SIGTERM");
  setTimeout(() => process.exit(0), 3000).unref();
}
process.stdin.on("end", shutDown);
process.stdin.on("error", shutDown);
process.stdin.resume();
// Once Azurite is asked to stop, the open stdin must not keep this process alive after its server has closed.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    process.stdin.destroy();
    setTimeout(() => process.exit(0), 3000).unref();
  });
}

require(azuriteMain);
