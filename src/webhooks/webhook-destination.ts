import dns from "node:dns";
import net from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Where webhook deliveries may go. An admin names the URL, so without these checks the service could
 * be made to POST to itself, to the cloud's metadata service or to anything on its private network
 * (SSRF). Only global unicast addresses are allowed; the check runs when an endpoint is registered
 * and again at every connection, on the address actually connected to, since DNS answers change.
 */
export interface DestinationPolicy {
  allowHttp: boolean;
  allowPrivateAddresses: boolean;
}

/** Why a URL is refused: the message key's case (`WEBHOOK_URL_REFUSED.<reason>`). */
export type RefusalReason = "invalidUrl" | "notHttps" | "hasCredentials" | "internalAddress" | "unresolvable";

export class DestinationRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    /** The address refused, for the log; never shown to the admin (it may reveal the private network). */
    readonly address?: string,
  ) {
    super(`Webhook destination refused (${reason}${address ? `: ${address}` : ""})`);
  }
}

/** Whether the service may connect to `address` (an IPv4 or IPv6 literal); IPv4-mapped IPv6 is judged as the IPv4 address it maps. */
export function isAllowedAddress(address: string, policy: Pick<DestinationPolicy, "allowPrivateAddresses">): boolean {
  if (policy.allowPrivateAddresses) return true;
  if (!ipaddr.isValid(address)) return false;
  // Everything but global unicast is refused: loopback, RFC 1918, ULA, link-local (169.254.169.254),
  // CGNAT, multicast, unspecified, reserved, and the IPv6 forms that embed an IPv4 address (6to4, NAT64, Teredo).
  const parsed = ipaddr.process(address);
  // ipaddr.js calls the deprecated IPv4-compatible form (::a.b.c.d, ::/96) unicast; a gateway may still route it to the IPv4 address.
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return false;
  return parsed.range() === "unicast";
}

/** The URL an endpoint may be registered with, or the reason it may not (no DNS yet). */
export function parseDestination(url: string, policy: DestinationPolicy): URL {
  if (!URL.canParse(url)) throw new DestinationRefused("invalidUrl");
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && !(policy.allowHttp && parsed.protocol === "http:")) throw new DestinationRefused("notHttps");
  if (parsed.username !== "" || parsed.password !== "") throw new DestinationRefused("hasCredentials");
  if (parsed.hostname === "") throw new DestinationRefused("invalidUrl");
  return parsed;
}

/** The host as a bare name or address (`[::1]` → `::1`). */
export function hostOf(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

/** Every address `host` resolves to (itself when it is an address), each checked; refused if any is not allowed. */
export async function checkedAddresses(host: string, policy: DestinationPolicy): Promise<dns.LookupAddress[]> {
  let addresses: dns.LookupAddress[];
  if (net.isIP(host)) {
    addresses = [{ address: host, family: net.isIP(host) }];
  } else {
    try {
      addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
    } catch {
      throw new DestinationRefused("unresolvable");
    }
  }
  if (addresses.length === 0) throw new DestinationRefused("unresolvable");
  // One internal address among public ones is refused too: which one a connection gets is not ours to choose.
  const refused = addresses.find((entry) => !isAllowedAddress(entry.address, policy));
  if (refused) throw new DestinationRefused("internalAddress", refused.address);
  return addresses;
}

/** Checks a URL fully, as registration does: its form, then every address its host resolves to. */
export async function checkDestination(url: string, policy: DestinationPolicy): Promise<URL> {
  const parsed = parseDestination(url, policy);
  await checkedAddresses(hostOf(parsed), policy);
  return parsed;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request: the connection goes to an address this function resolved and checked,
 * so a name that resolved to a public address at registration cannot lead a delivery inward later.
 */
export function guardedLookup(policy: DestinationPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    checkedAddresses(hostname, policy).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family === 0 ? addresses : addresses.filter((entry) => entry.family === family);
        if (usable.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no address of family ${family}`), { code: "ENOTFOUND" }), "");
        } else if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, ""),
    );
  };
}
