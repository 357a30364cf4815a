# edgelog access record: one nginx request = one Cap'n Proto message.
#
# This file is the source of truth for the record on the wire (Kafka record value) and on disk.
# Any Cap'n Proto implementation, and Debian's `capnp` tool, must decode what edgelog encodes.
# A record value is one single-segment message in Cap'n Proto's standard packed encoding (the
# shipper's default) or unpacked (`--record-encoding unpacked`, and shippers before packing):
#
#   capnp decode --packed schemas/access_record.capnp AccessRecord < value.bin
#   capnp decode schemas/access_record.capnp AccessRecord < unpacked-value.bin
#
# Readers tell the two apart by the first byte: an unpacked single-segment message starts with
# 00 (segment count - 1), a packed one with the tag of that word, which is never 00.
#
# Evolution rules (never break them):
#   * Ordinals are only ever appended. A field is never renumbered, retyped, or removed
#     (retire one by leaving it unset and documenting it here).
#   * Readers ignore fields they do not know (a newer writer's extra data words and pointers),
#     and read fields missing from an older writer's smaller struct as their defaults.
#   * Enums are only appended too; a reader maps an ordinal it does not know to the enum's
#     ordinal 0 ("other"/"none"/"unknown") while keeping the raw value.
#   * Every default is zero/empty, so an all-zero struct means "nothing known" and the
#     encoder never has to XOR defaults. Do not add non-zero defaults.
#
# The byte layout (data-section bits, pointer indices) is whatever
# `capnp compile -ocapnp schemas/access_record.capnp` prints; the Swift codec copies those
# offsets and a test checks them against the tool's output.
@0x86e8d8f0ccd25059;

# HTTP request method. Ordinal 0 is "other" so an all-zero record, and any method a newer
# writer adds, read as "other"; the method as written is then in `AccessRecord.methodText`.
enum Method {
  other @0;
  get @1;
  head @2;
  post @3;
  put @4;
  delete @5;
  options @6;
  patch @7;
  connect @8;
  trace @9;
}

# nginx `$upstream_cache_status`. `none` (0) = the variable was empty or absent (no cache in
# the path, or the format does not log it).
enum CacheStatus {
  none @0;
  hit @1;
  miss @2;
  expired @3;
  stale @4;
  updating @5;
  revalidated @6;
  bypass @7;
}

# The request line's protocol (`$server_protocol`). `unknown` (0) also covers lines that did
# not parse.
enum Protocol {
  unknown @0;
  http09 @1;
  http10 @2;
  http11 @3;
  http2 @4;
  http3 @5;
}

# One `log_format` variable that has no field of its own.
# `name` is without the leading `$` (e.g. "ssl_cipher"); `value` follows the text rule of
# AccessRecord below (nginx's "-" is an empty value).
struct Variable {
  name @0 :Text;
  value @1 :Text;
}

# One request as logged by one nginx edge.
#
# Invariants the shipper upholds (readers must still not trust them):
#   * parseError == true  => rawLine holds the whole line (up to the cap); of the parsed
#     fields the edgelog shipper sets none (site only when the file has a configured label),
#     other writers may set what they recovered.
#   * truncated == true   => rawLine / the text fields hold only the first cap bytes.
#   * methodText is set only when method == other.
#   * clientIp is empty or exactly 16 bytes.
#
# Text rule (the shipper's encoder, Sources/RequestEncoding/RecordText.swift): every Text field
# is valid UTF-8 without NUL, so any Cap'n Proto reader can take it as Text.
#   * A value is stored unescaped (nginx `\xHH` and escape=json escapes decoded) when the
#     decoded bytes are valid UTF-8 without NUL: `caf\xC3\xA9` in the log is "café" here.
#   * Otherwise it is stored exactly as nginx escaped it (`\xFF` stays the 4 ASCII characters
#     `\xFF`), and bytes nginx did not escape that are not valid UTF-8 (raw bytes in
#     escape=none or escape=json logs) are written as `\xHH` (uppercase hex) too.
#   * nginx's `-` (no value) is an absent field; in `extras` it is an empty `value`.
# Readers should still validate before trusting. Exact bytes of a line belong in Data (rawLine).
struct AccessRecord {
  timeUs @0 :Int64;                 # request time, UTC microseconds since the Unix epoch
  clientIp @1 :Data;                # 16 bytes, IPv4 mapped into ::ffff:0:0/96; empty when unknown
  site @2 :Text;                    # $host, or the site label configured for the file
  edge @3 :Text;                    # the shipper's host name
  sourceFile @4 :Text;
  method @5 :Method;
  methodText @6 :Text;              # the method as written, only when method == other
  path @7 :Text;
  query @8 :Text;                   # without the leading '?'
  protocol @9 :Protocol;
  status @10 :UInt16;
  bodyBytesSent @11 :UInt64;
  bytesSent @12 :UInt64;
  requestLength @13 :UInt64;
  requestTimeUs @14 :UInt64;
  upstreamResponseTimeUs @15 :UInt64;  # sum over all upstreams tried
  cacheStatus @16 :CacheStatus;
  referer @17 :Text;
  userAgent @18 :Text;
  remoteUser @19 :Text;
  forwardedFor @20 :Text;
  parseError @21 :Bool;             # the line did not parse; rawLine holds it
  truncated @22 :Bool;              # the line was longer than the shipper's cap and was cut
  rawLine @23 :Data;
  fileOffset @24 :UInt64;           # byte offset of the line's first byte in sourceFile
  utcOffsetMin @25 :Int16;          # the time zone the line was written in (minutes east of UTC)
  extras @26 :List(Variable);       # log_format variables without a field of their own

  # Control records (kind == fileStats). The shipper sends one per checkpoint group of a file
  # (and one when a file ends), in the same stream as the file's requests, so the loss audit
  # downstream can compare what the shipper shipped with what it counted. `edge`,
  # `sourceFile`, `fileOffset` (start of the range) and `timeUs` are set as for requests.
  kind @27 :RecordKind;             # request (default) or fileStats
  shippedLines @28 :UInt64;         # fileStats: lines of [fileOffset, endOffset) in this stream
  lostLines @29 :UInt64;            # fileStats: lines the broker refused since the previous fileStats
  lostBytes @30 :UInt64;            # fileStats: file bytes never read, all causes (the total)
  endOffset @31 :UInt64;            # fileStats: end of the range the counts cover

  # The part of `lostBytes` per cause (the shipper's `edgelog_shipper_lost_bytes_total{cause}`).
  # `lostBytes` stays the total, so readers that predate these fields still count every lost
  # byte; the third cause, deleted unread, is `lostBytes - lostBytesReplaced -
  # lostBytesUnfinished` (clamped at 0). A writer that predates them leaves both 0, so all of
  # its loss reads as deleted unread.
  lostBytesReplaced @32 :UInt64;    # fileStats: content replaced (copytruncate) before it was read
  lostBytesUnfinished @33 :UInt64;  # fileStats: a finished file's last line without '\n'

  # The line's format has no $request_time (nginx's default `combined` has none), so
  # requestTimeUs is not a measured 0: latency counts leave the request out. False in every
  # record written before this field existed, as they always counted it.
  requestTimeAbsent @34 :Bool;
}

# What a record is. Ordinal 0 is an ordinary request, so every record written before this
# field existed reads as one.
enum RecordKind {
  request @0;
  fileStats @1;  # a control record of the shipper: counts for one range of one file, no request
}
