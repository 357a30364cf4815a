// Verbatim copies of the reference pack's golden vectors (reference/kafka/testvectors/*.json),
// embedded so the tests need nothing outside the repository. wire_samples.json was produced with
// kafka-python 3.0.12's encoder; record_batches.json with its DefaultRecordBatchBuilder and
// python-lz4 4.4.5 (see reference/kafka/README.md and RECORD_BATCH.md §6). Do not edit by hand.

let wireSamplesJSON = #"""
{
 "ApiVersionsRequest_v0": {
  "api_key": 18,
  "version": 0,
  "kind": "request",
  "flexible": false,
  "framed_hex": "0000001000120000000000070006746573746572"
 },
 "ApiVersionsRequest_v3": {
  "api_key": 18,
  "version": 3,
  "kind": "request",
  "flexible": true,
  "framed_hex": "0000001d00120003000000070006746573746572000774657374657204312e3000"
 },
 "ApiVersionsRequest_v4": {
  "api_key": 18,
  "version": 4,
  "kind": "request",
  "flexible": true,
  "framed_hex": "0000001d00120004000000070006746573746572000774657374657204312e3000"
 },
 "ApiVersionsResponse_v0_error35_reply_to_unsupported_version": {
  "api_key": 18,
  "version": 0,
  "kind": "response",
  "flexible": false,
  "framed_hex": "0000001000000007002300000001001200000002"
 },
 "ApiVersionsResponse_v2_minimal_table": {
  "api_key": 18,
  "version": 2,
  "kind": "response",
  "flexible": false,
  "framed_hex": "0000005c0000000700000000000d000000030003000100040004000200010001000300040004000800020002000900010001000a00000000000b00000000000c00000000000d00000000000e0000000000120000000200160000000000000000"
 },
 "MetadataRequest_v4_one_topic": {
  "api_key": 3,
  "version": 4,
  "kind": "request",
  "flexible": false,
  "framed_hex": "00000018000300040000000700067465737465720000000100017400"
 },
 "MetadataRequest_v4_all_topics(null array)": {
  "api_key": 3,
  "version": 4,
  "kind": "request",
  "flexible": false,
  "framed_hex": "0000001500030004000000070006746573746572ffffffff01"
 },
 "MetadataResponse_v4": {
  "api_key": 3,
  "version": 4,
  "kind": "response",
  "flexible": false,
  "framed_hex": "0000005c0000000700000000000000010000000100093132372e302e302e3100002384ffff000d73776966742d636c75737465720000000100000001000000017400000000010000000000000000000100000001000000010000000100000001"
 },
 "ProduceRequest_v3": {
  "api_key": 0,
  "version": 3,
  "kind": "request",
  "flexible": false,
  "framed_hex": "0000008600000003000000070006746573746572ffff0001000003e80000000100017400000001000000000000005b00000000000000000000004f00000000022a6fa7f10000000000010000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff0000000216000000010a68656c6c6f0022000a02046b320a776f726c640202680276"
 },
 "ProduceResponse_v3": {
  "api_key": 0,
  "version": 3,
  "kind": "response",
  "flexible": false,
  "framed_hex": "000000290000000700000001000174000000010000000000000000000000000000ffffffffffffffff00000000"
 },
 "FetchRequest_v4": {
  "api_key": 1,
  "version": 4,
  "kind": "request",
  "flexible": false,
  "framed_hex": "0000003c00010004000000070006746573746572ffffffff000001f4000000010320000000000000010001740000000100000000000000000000000000100000"
 },
 "FetchResponse_v4": {
  "api_key": 1,
  "version": 4,
  "kind": "response",
  "flexible": false,
  "framed_hex": "0000008c0000000700000000000000010001740000000100000000000000000000000000020000000000000002000000000000005b00000000000000000000004f00000000022a6fa7f10000000000010000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff0000000216000000010a68656c6c6f0022000a02046b320a776f726c640202680276"
 },
 "ListOffsetsRequest_v1_earliest": {
  "api_key": 2,
  "version": 1,
  "kind": "request",
  "flexible": false,
  "framed_hex": "0000002b00020001000000070006746573746572ffffffff000000010001740000000100000000fffffffffffffffe"
 },
 "ListOffsetsResponse_v1": {
  "api_key": 2,
  "version": 1,
  "kind": "response",
  "flexible": false,
  "framed_hex": "00000025000000070000000100017400000001000000000000ffffffffffffffff0000000000000000"
 },
 "FindCoordinatorRequest_v0": {
  "api_key": 10,
  "version": 0,
  "kind": "request",
  "flexible": false,
  "framed_hex": "00000014000a000000000007000674657374657200026731"
 },
 "FindCoordinatorResponse_v0": {
  "api_key": 10,
  "version": 0,
  "kind": "response",
  "flexible": false,
  "framed_hex": "000000190000000700000000000100093132372e302e302e3100002384"
 },
 "InitProducerIdRequest_v0": {
  "api_key": 22,
  "version": 0,
  "kind": "request",
  "flexible": false,
  "framed_hex": "0000001600160000000000070006746573746572ffffffffffff"
 },
 "InitProducerIdResponse_v0": {
  "api_key": 22,
  "version": 0,
  "kind": "response",
  "flexible": false,
  "framed_hex": "000000140000000700000000000000000000000003e80000"
 },
 "HeartbeatRequest_v0": {
  "api_key": 12,
  "version": 0,
  "kind": "request",
  "flexible": false,
  "framed_hex": "0000001d000c0000000000070006746573746572000267310000000100036d2d31"
 }
}
"""#

let recordBatchesJSON = #"""
{
 "uncompressed": {
  "baseOffset": 0,
  "batchLength": 79,
  "partitionLeaderEpoch": 0,
  "magic": 2,
  "crc": "0x2a6fa7f1",
  "attributes": 0,
  "lastOffsetDelta": 1,
  "baseTimestamp": 1700000000000,
  "maxTimestamp": 1700000000005,
  "producerId": -1,
  "producerEpoch": -1,
  "baseSequence": -1,
  "recordCount": 2,
  "recordsSectionHex": "16000000010a68656c6c6f0022000a02046b320a776f726c640202680276",
  "hex": "00000000000000000000004f00000000022a6fa7f10000000000010000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff0000000216000000010a68656c6c6f0022000a02046b320a776f726c640202680276",
  "decoded": [
   {
    "offset": 0,
    "timestamp": 1700000000000,
    "key": null,
    "value": "hello",
    "headers": []
   },
   {
    "offset": 1,
    "timestamp": 1700000000005,
    "key": "k2",
    "value": "world",
    "headers": [
     [
      "h",
      "v"
     ]
    ]
   }
  ]
 },
 "lz4_kafka_python": {
  "baseOffset": 0,
  "batchLength": 118,
  "partitionLeaderEpoch": 0,
  "magic": 2,
  "crc": "0x0b55774b",
  "attributes": 3,
  "lastOffsetDelta": 1,
  "baseTimestamp": 1700000000000,
  "maxTimestamp": 1700000000005,
  "producerId": -1,
  "producerEpoch": -1,
  "baseSequence": -1,
  "recordCount": 2,
  "recordsSectionHex": "04224d1868400801000000000000112e000000effe0100000001f00168656c6c6f2006005fff02008a02000a02046b32f001776f726c642006005f50020268027600000000",
  "hex": "00000000000000000000007600000000020b55774b0003000000010000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff0000000204224d1868400801000000000000112e000000effe0100000001f00168656c6c6f2006005fff02008a02000a02046b32f001776f726c642006005f50020268027600000000",
  "lz4_inner_decompressed_hex": "fe0100000001f00168656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f20008a02000a02046b32f001776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c64200202680276",
  "decoded": [
   {
    "offset": 0,
    "timestamp": 1700000000000,
    "key": null,
    "value": "hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello ",
    "headers": []
   },
   {
    "offset": 1,
    "timestamp": 1700000000005,
    "key": "k2",
    "value": "world world world world world world world world world world world world world world world world world world world world ",
    "headers": [
     [
      "h",
      "v"
     ]
    ]
   }
  ]
 },
 "uncompressed_big": {
  "baseOffset": 0,
  "batchLength": 313,
  "partitionLeaderEpoch": 0,
  "magic": 2,
  "crc": "0xd5fb4d1e",
  "attributes": 0,
  "lastOffsetDelta": 1,
  "baseTimestamp": 1700000000000,
  "maxTimestamp": 1700000000005,
  "producerId": -1,
  "producerEpoch": -1,
  "baseSequence": -1,
  "recordCount": 2,
  "recordsSectionHex": "fe0100000001f00168656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f20008a02000a02046b32f001776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c64200202680276",
  "hex": "0000000000000000000001390000000002d5fb4d1e0000000000010000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff00000002fe0100000001f00168656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f20008a02000a02046b32f001776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c6420776f726c64200202680276",
  "decoded": [
   {
    "offset": 0,
    "timestamp": 1700000000000,
    "key": null,
    "value": "hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello ",
    "headers": []
   },
   {
    "offset": 1,
    "timestamp": 1700000000005,
    "key": "k2",
    "value": "world world world world world world world world world world world world world world world world world world world world ",
    "headers": [
     [
      "h",
      "v"
     ]
    ]
   }
  ]
 },
 "uncompressed_idempotent": {
  "baseOffset": 0,
  "batchLength": 79,
  "partitionLeaderEpoch": 0,
  "magic": 2,
  "crc": "0x596cfbbd",
  "attributes": 0,
  "lastOffsetDelta": 1,
  "baseTimestamp": 1700000000000,
  "maxTimestamp": 1700000000005,
  "producerId": 1000,
  "producerEpoch": 0,
  "baseSequence": 0,
  "recordCount": 2,
  "recordsSectionHex": "16000000010a68656c6c6f0022000a02046b320a776f726c640202680276",
  "hex": "00000000000000000000004f0000000002596cfbbd0000000000010000018bcfe568000000018bcfe5680500000000000003e80000000000000000000216000000010a68656c6c6f0022000a02046b320a776f726c640202680276",
  "decoded": [
   {
    "offset": 0,
    "timestamp": 1700000000000,
    "key": null,
    "value": "hello",
    "headers": []
   },
   {
    "offset": 1,
    "timestamp": 1700000000005,
    "key": "k2",
    "value": "world",
    "headers": [
     [
      "h",
      "v"
     ]
    ]
   }
  ]
 },
 "lz4_frame_examples": {
  "note": "the inner records section of the uncompressed batch above, LZ4-framed two ways",
  "payload_hex": "16000000010a68656c6c6f0022000a02046b320a776f726c640202680276",
  "frame_minimal_hex": "04224d186040821e00008016000000010a68656c6c6f0022000a02046b320a776f726c64020268027600000000",
  "frame_minimal_header_hex": "04224d18604082",
  "frame_with_content_size_hex": "04224d1868401e00000000000000891e00008016000000010a68656c6c6f0022000a02046b320a776f726c64020268027600000000"
 }
}
"""#
