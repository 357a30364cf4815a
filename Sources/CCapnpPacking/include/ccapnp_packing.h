#ifndef EDGELOG_CCAPNP_PACKING_H
#define EDGELOG_CCAPNP_PACKING_H

#include <stddef.h>
#include <stdint.h>

/// Packs `words` 8-byte words at `input` (one piece: a segment table or a segment) into
/// `output` with Cap'n Proto's packed encoding, exactly as the C++ writer does, and returns the
/// bytes written. `output` must have room for 10 bytes per word.
size_t edgelog_capnp_pack_piece(const uint8_t *input, size_t words, uint8_t *output);

/// The same without the CPU's byte shuffle, as CPUs without SSSE3 run them (exposed so tests
/// check both paths on every machine).
size_t edgelog_capnp_pack_piece_portable(const uint8_t *input, size_t words, uint8_t *output);
int edgelog_capnp_unpack_checked_portable(const uint8_t *input, size_t count, uint8_t *output, size_t capacity_words,
                                          size_t max_words, size_t *words, size_t *offset, size_t *run);

/// Why `edgelog_capnp_unpacked_words` stopped.
enum edgelog_capnp_unpack_status {
    EDGELOG_CAPNP_UNPACK_OK = 0,
    EDGELOG_CAPNP_UNPACK_TAG_CUT = 1,       ///< a tag's non-zero bytes run past the end
    EDGELOG_CAPNP_UNPACK_COUNT_MISSING = 2, ///< a 0x00 or 0xFF tag without its run count
    EDGELOG_CAPNP_UNPACK_VERBATIM_CUT = 3,  ///< a verbatim run past the end
    EDGELOG_CAPNP_UNPACK_TOO_LARGE = 4,     ///< more than `max_words` words
    EDGELOG_CAPNP_UNPACK_NO_ROOM = 5,       ///< more than `capacity_words` (but not `max_words`)
};

/// Validates `count` packed bytes at `input` and stores the words they expand to in `*words`.
/// On failure, `*offset` is the byte where it broke off and `*run` the cut verbatim run's length.
int edgelog_capnp_unpacked_words(const uint8_t *input, size_t count, size_t max_words, size_t *words,
                                 size_t *offset, size_t *run);

/// Validates (as `edgelog_capnp_unpacked_words` does) and expands in one pass, into `output` of
/// `capacity_words` words. Returns a status as above, with the words
/// written in `*words` on success; EDGELOG_CAPNP_UNPACK_NO_ROOM means: measure, grow, retry.
int edgelog_capnp_unpack_checked(const uint8_t *input, size_t count, uint8_t *output, size_t capacity_words,
                                 size_t max_words, size_t *words, size_t *offset, size_t *run);

#endif
