import path from "node:path";
import { SIDE_HEADER } from "../builtin/stickiness.ts";

/** The path of the endpoint that reports the weight nginx serves, from its loaded config. */
export const WEIGHT_PATH = "/__flightdeck/weight";

/** Everything one rendered nginx.conf depends on. */
export type NginxConfigInput = {
  /** absolute working directory; conf/, logs/ and tmp/ live inside it */
  prefix: string;
  /** port nginx listens on, on 127.0.0.1 */
  listenPort: number;
  /** `host:port` of each side */
  upstreams: { baseline: string; canary: string };
  /** percent of requests for the canary, an integer 0–100 */
  percent: number;
  /** what the weight endpoint answers: "<runId> <percent> <generation>" */
  marker: string;
  /** worker user when nginx starts as root; undefined = nginx's built-in default (nobody) */
  user?: string;
};

/** Files the router owns inside its prefix. */
export function nginxPaths(prefix: string) {
  return {
    conf: path.join(prefix, "conf", "nginx.conf"),
    confDir: path.join(prefix, "conf"),
    logsDir: path.join(prefix, "logs"),
    pid: path.join(prefix, "logs", "nginx.pid"),
    errorLog: path.join(prefix, "logs", "error.log"),
    tmpDir: path.join(prefix, "tmp"),
  };
}

const ADDRESS = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;
const USER = /^[A-Za-z_][A-Za-z0-9_-]*(?: [A-Za-z_][A-Za-z0-9_-]*)?$/;

/**
 * Rejects values that would change the config's structure rather than its settings. Whether an
 * address is usable (port 0, unknown host) is nginx's to judge, in `nginx -t`.
 */
export function assertConfigInput(input: Pick<NginxConfigInput, "listenPort" | "upstreams" | "user">): void {
  if (!Number.isInteger(input.listenPort) || input.listenPort < 1 || input.listenPort > 65_535) {
    throw new RangeError(`nginx listenPort must be 1–65535, got ${input.listenPort}`);
  }
  for (const [side, address] of Object.entries(input.upstreams)) {
    if (!ADDRESS.test(address)) throw new Error(`nginx ${side} upstream must be host:port, got ${JSON.stringify(address)}`);
  }
  // nginx refuses duplicate map keys, and a side header that cannot tell the sides apart is useless.
  if (input.upstreams.baseline === input.upstreams.canary) throw new Error("nginx baseline and canary upstreams must differ");
  if (input.user !== undefined && !USER.test(input.user)) throw new Error(`nginx user must be "user" or "user group", got ${JSON.stringify(input.user)}`);
}

/**
 * A complete nginx.conf that depends on nothing outside the prefix (not /etc/nginx). nginx
 * weights must be ≥ 1, so at 0% the canary stays listed but `down` (and the baseline at 100%):
 * the config keeps both sides visible for whoever reads it during an incident.
 *
 * Not sticky: nginx open source has no `sticky cookie` (NGINX Plus only), and hashing a cookie
 * would trade the exact split for stickiness. Each request is balanced by smooth weighted
 * round-robin, so a user may see both versions during a canary; the built-in router is the
 * sticky one.
 */
export function renderNginxConfig(c: NginxConfigInput): string {
  const p = nginxPaths(c.prefix);
  const canaryDown = c.percent === 0;
  const baselineDown = c.percent === 100;
  const server = (address: string, weight: number, down: boolean) => `server ${address} weight=${Math.max(weight, 1)}${down ? " down" : ""};`;
  return `# Rendered by Flightdeck's nginx router; the next weight change overwrites it.
# canary ${c.percent}% · baseline ${100 - c.percent}%
${c.user === undefined ? "" : `user ${c.user};\n`}worker_processes 1;
# Daemonised so traffic keeps flowing while Flightdeck restarts; the pid file finds it again.
daemon on;
pid ${p.pid};
error_log ${p.errorLog} warn;

events {
  worker_connections 1024;
}

http {
  # No access log: nothing rotates it, and per-side metrics come from the metric sources.
  access_log off;
  client_body_temp_path ${path.join(p.tmpDir, "client_body")};
  proxy_temp_path ${path.join(p.tmpDir, "proxy")};
  fastcgi_temp_path ${path.join(p.tmpDir, "fastcgi")};
  uwsgi_temp_path ${path.join(p.tmpDir, "uwsgi")};
  scgi_temp_path ${path.join(p.tmpDir, "scgi")};
  # Stream instead of spooling to temp files, so workers (nobody, when started as root) never
  # need write access inside the prefix.
  proxy_request_buffering off;
  proxy_max_temp_file_size 0;

  upstream flightdeck_release {
    ${server(c.upstreams.baseline, 100 - c.percent, baselineDown)} # baseline
    ${server(c.upstreams.canary, c.percent, canaryDown)} # canary
    keepalive 32;
  }

  # The side that finally served the request (after a retry, $upstream_addr lists every try).
  map $upstream_addr $flightdeck_side {
    default "";
    "~(?:^|, )${regexEscape(c.upstreams.baseline)}$" baseline;
    "~(?:^|, )${regexEscape(c.upstreams.canary)}$" canary;
  }

  server {
    listen 127.0.0.1:${c.listenPort};

    # Answers from the loaded config, so the router can tell when a reload has taken effect.
    location = ${WEIGHT_PATH} {
      allow 127.0.0.1;
      deny all;
      default_type text/plain;
      add_header cache-control no-store always;
      return 200 "${c.marker}";
    }

    location / {
      proxy_pass http://flightdeck_release;
      # Keepalive to the upstreams needs HTTP/1.1 and no "Connection: close" passed through.
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      add_header ${SIDE_HEADER} $flightdeck_side always;
    }
  }
}
`;
}

function regexEscape(text: string): string {
  return text.replace(/[.[\]]/g, "\\$&");
}
