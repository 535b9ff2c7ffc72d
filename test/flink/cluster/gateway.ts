// Small servers on 127.0.0.1 for the cluster client's fault tests: an authenticating (optionally TLS) reverse proxy in
// front of a real cluster, as a gateway would stand before a JobManager, and a self-signed certificate for it.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSelfSignedCertificate } from '../../servers/servers';

export interface Certificate {
  readonly cert: string;
  readonly key: string;
}

/** A self-signed certificate for IP 127.0.0.1. */
export function selfSignedCertificate(): Certificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-cert-'));
  try {
    writeSelfSignedCertificate(path.join(dir, 'cert.pem'), path.join(dir, 'key.pem'));
    return {
      cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Gateway {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a server on a free 127.0.0.1 port (https when a certificate is given). */
export async function listen(handler: http.RequestListener, certificate?: Certificate): Promise<Gateway> {
  const server = certificate ? https.createServer(certificate, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A reverse proxy to `target` that answers 401 unless the request carries `Authorization: <authorization>`. */
export function authGateway(target: string, authorization: string, certificate?: Certificate): Promise<Gateway> {
  return listen((req, res) => {
    if (req.headers.authorization !== authorization) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="flink"', 'Content-Type': 'text/plain' });
      res.end('Unauthorized');
      return;
    }
    const upstream = http.request(
      `${target}${req.url ?? '/'}`,
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }, certificate);
}
