// AWS event-stream framing (application/vnd.amazon.eventstream), as the AWS SDK reads it from streaming operations
// such as Bedrock Agent Runtime's InvokeAgent: each message is a prelude (total length, headers length, CRC32 of
// both), string headers, the payload, and a CRC32 of everything before it.

/** @type {Uint32Array | undefined} */
let crcTable;

/**
 * CRC-32 (IEEE), the checksum of event-stream preludes and messages.
 *
 * @param {Uint8Array} bytes
 * @returns {number}
 */
function crc32(bytes) {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, index) => {
    let value = index;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    return value >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * One event-stream message with string headers.
 *
 * @param {Record<string, string>} headers  e.g. `{ ":message-type": "event", ":event-type": "chunk", ":content-type": "application/json" }`
 * @param {Uint8Array} payload
 * @returns {Buffer}
 */
export function encodeEventStreamMessage(headers, payload) {
  const headerParts = Object.entries(headers).map(([name, value]) => {
    const nameBytes = Buffer.from(name, "utf8");
    const valueBytes = Buffer.from(value, "utf8");
    const part = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    part.writeUInt8(nameBytes.length, 0);
    nameBytes.copy(part, 1);
    part.writeUInt8(7, 1 + nameBytes.length); // 7: string
    part.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
    valueBytes.copy(part, 4 + nameBytes.length);
    return part;
  });
  const headerBytes = Buffer.concat(headerParts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, 12);
  Buffer.from(payload).copy(message, 12 + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

/**
 * An event of a streaming operation's union member, e.g. `chunk`, with a JSON payload.
 *
 * @param {string} eventType
 * @param {unknown} body
 * @returns {Buffer}
 */
export function encodeJsonEvent(eventType, body) {
  return encodeEventStreamMessage({ ":message-type": "event", ":event-type": eventType, ":content-type": "application/json" }, Buffer.from(JSON.stringify(body), "utf8"));
}
