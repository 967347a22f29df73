import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";

/**
 * `count` distinct free TCP ports on 127.0.0.1: bind port 0, read the port, close. All listeners stay open until
 * every port is read, so the ports differ from each other. Nothing listens on them afterwards (connecting is
 * refused), though another process may take one before the caller binds it.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.unref();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

/** One loopback port nothing listens on (it was free a moment ago): connecting to it is refused. */
export async function unusedPort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error("no port was bound");
  return port;
}
