import type net from "node:net";

/**
 * Stops a listening socket from starting new TCP connections while it keeps those already under way,
 * so that it can be closed without resetting any of them.
 *
 * Closing a listener resets every connection the kernel has completed for it that the process has
 * not yet accepted. A proxy that already wrote a POST on such a connection answers 502 and does not
 * pass the request on (nginx retries a non-idempotent request only when it could not send it). No
 * amount of accepting before the close helps: another handshake can complete between the last accept
 * and the close.
 *
 * On Linux a socket filter on the listener closes that window. The filter drops every segment that
 * opens a connection (SYN without ACK) and passes everything else, so handshakes already under way
 * complete and are accepted, and nothing new enters the queue. Once the queue is empty the listener
 * closes with nothing to reset. A client whose SYN was dropped sends it again after its
 * retransmission timeout (1 s), finds the port closed, and is refused: a proxy passes that request
 * to its next server, since it was never sent.
 *
 * The filter is set with setsockopt(2) through koffi (a foreign-function interface with prebuilt
 * binaries), because Node has no API for socket filters. Where that is not possible (another
 * system, no prebuilt binary) `refuseNewConnections` answers false and the caller falls back to
 * closing as soon as the accept queue is empty, which leaves the window open but narrow.
 */

const SOL_SOCKET = 1;
const SO_ATTACH_FILTER = 26;

/** One classic BPF instruction (struct sock_filter): code, jt, jf, k. */
function instruction(code: number, jt: number, jf: number, k: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt16LE(code, 0);
  bytes.writeUInt8(jt, 2);
  bytes.writeUInt8(jf, 3);
  bytes.writeUInt32LE(k >>> 0, 4);
  return bytes;
}

/**
 * The filter. A filter on a TCP socket sees the segment from its TCP header, whose byte 13 holds the
 * flags (ACK 0x10, SYN 0x02).
 *
 *   ldb [13]          load the flags
 *   and #0x12         keep SYN and ACK
 *   jeq #0x02, 0, 1   SYN alone: next instruction, otherwise skip it
 *   ret #0            drop
 *   ret #0xffffffff   keep the whole segment
 */
const PROGRAM = Buffer.concat([
  instruction(0x30, 0, 0, 13),
  instruction(0x54, 0, 0, 0x12),
  instruction(0x15, 0, 1, 0x02),
  instruction(0x06, 0, 0, 0),
  instruction(0x06, 0, 0, 0xffffffff),
]);
const INSTRUCTIONS = PROGRAM.length / 8;

type SetSockOpt = (fd: number, level: number, name: number, value: Buffer, length: number) => number;

interface Native {
  setsockopt: SetSockOpt;
  /** struct sock_fprog: the instruction count, then a pointer to the program. */
  fprog: Buffer;
}

let native: Native | null | undefined;

function loadNative(): Native | null {
  if (native !== undefined) return native;
  native = null;
  if (process.platform !== "linux") return native;
  try {
    // Loaded only here, so a system without koffi's binary still runs everything else.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const koffi = require("koffi") as typeof import("koffi");
    const libc = koffi.load("libc.so.6");
    const setsockopt = libc.func("int setsockopt(int fd, int level, int name, const void *value, uint32_t length)") as SetSockOpt;
    const fprog = Buffer.alloc(16);
    fprog.writeUInt16LE(INSTRUCTIONS, 0);
    fprog.writeBigUInt64LE(koffi.address(PROGRAM), 8);
    native = { setsockopt, fprog };
  } catch {
    native = null;
  }
  return native;
}

/** The listening socket's file descriptor, or null where Node does not expose one. */
function descriptorOf(server: net.Server): number | null {
  const handle = (server as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : null;
}

/**
 * From now on `server`'s listening socket drops segments that open a connection, and keeps serving
 * handshakes under way and connections already queued. True when the filter is in place; false
 * where it cannot be set, and nothing changed.
 */
export function refuseNewConnections(server: net.Server): boolean {
  const fd = descriptorOf(server);
  const found = fd === null ? null : loadNative();
  if (fd === null || found === null) return false;
  return found.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, found.fprog, found.fprog.length) === 0;
}
