// Cap'n Proto's packed encoding, the per-word work of CapnpPacking (AccessRecord). Every record
// the shipper sends is packed and every record the consumer reads is unpacked, so this runs
// once per 8 bytes of every record on both hot paths. A word that is neither all zero nor all
// non-zero needs its non-zero bytes gathered (packing) or scattered (unpacking); byte by byte
// that cost more than LZ4 itself, so on x86-64 with SSSE3 one byte shuffle per word does it,
// chosen per function (target attribute) after a runtime check: no compiler flags, and CPUs
// without it take the portable loop.
#include "ccapnp_packing.h"

#include <string.h>

static inline unsigned tag_of(uint64_t word) {
    unsigned tag = 0;
    for (unsigned i = 0; i < 8; i++) {
        tag |= (unsigned)(((word >> (8 * i)) & 0xFF) != 0) << i;
    }
    return tag;
}

static inline unsigned zero_bytes(uint64_t word) {
    return 8u - (unsigned)__builtin_popcount(tag_of(word));
}

static inline uint64_t load64(const uint8_t *p) {
    uint64_t word;
    memcpy(&word, p, 8);
    return word;
}

/// One word: fixed-size copies the compiler turns into single moves (runs are mostly short,
/// where a call to memset or memcpy per run cost more than the run).
static inline void store_zero(uint8_t *p) {
    const uint64_t zero = 0;
    memcpy(p, &zero, 8);
}

static inline void copy_word(uint8_t *to, const uint8_t *from) {
    memcpy(to, from, 8);
}

/// The runs after tags 0x00 and 0xFF, as the C++ writer measures them: further all-zero
/// words, or further words with at most one zero byte, each at most 255.
static inline size_t zero_run(const uint8_t *input, size_t word, size_t words) {
    size_t run = 0;
    while (run < 255 && word + run < words && load64(input + 8 * (word + run)) == 0) run++;
    return run;
}

static inline size_t verbatim_run(const uint8_t *input, size_t word, size_t words) {
    size_t run = 0;
    while (run < 255 && word + run < words && zero_bytes(load64(input + 8 * (word + run))) < 2) run++;
    return run;
}

int edgelog_capnp_unpacked_words(const uint8_t *input, size_t count, size_t max_words, size_t *words,
                                 size_t *offset, size_t *run) {
    size_t index = 0, total = 0;
    while (index < count) {
        unsigned tag = input[index];
        index += 1 + (size_t)__builtin_popcount(tag);
        total++;
        if (index > count) {
            *offset = count;
            return EDGELOG_CAPNP_UNPACK_TAG_CUT;
        }
        if (tag == 0 || tag == 0xFF) {
            if (index >= count) {
                *offset = index;
                return EDGELOG_CAPNP_UNPACK_COUNT_MISSING;
            }
            size_t length = input[index++];
            total += length;
            if (tag == 0xFF) {
                index += 8 * length;
                if (index > count) {
                    *offset = count;
                    *run = length;
                    return EDGELOG_CAPNP_UNPACK_VERBATIM_CUT;
                }
            }
        }
        if (total > max_words) {
            *offset = index;
            return EDGELOG_CAPNP_UNPACK_TOO_LARGE;
        }
    }
    *words = total;
    return EDGELOG_CAPNP_UNPACK_OK;
}

size_t edgelog_capnp_pack_piece_portable(const uint8_t *input, size_t words, uint8_t *output) {
    uint8_t *out = output;
    size_t word = 0;
    while (word < words) {
        uint64_t value = load64(input + 8 * word);
        unsigned tag = tag_of(value);
        *out++ = (uint8_t)tag;
        word++;
        if (tag == 0) {
            size_t run = zero_run(input, word, words);
            *out++ = (uint8_t)run;
            word += run;
        } else if (tag == 0xFF) {
            memcpy(out, &value, 8);
            out += 8;
            size_t run = verbatim_run(input, word, words);
            *out++ = (uint8_t)run;
            memcpy(out, input + 8 * word, 8 * run);
            out += 8 * run;
            word += run;
        } else {
            for (unsigned i = 0; i < 8; i++) {
                uint8_t byte = (uint8_t)(value >> (8 * i));
                *out = byte;
                out += byte != 0;
            }
        }
    }
    return (size_t)(out - output);
}

#define EDGELOG_UNPACK_CHECKED_BODY(SCATTER)                                                        \
    const uint8_t *in = input, *end = input + count;                                               \
    size_t written = 0;                                                                            \
    size_t limit = capacity_words < max_words ? capacity_words : max_words;                        \
    while (in < end) {                                                                             \
        unsigned tag = *in++;                                                                      \
        size_t need;                                                                               \
        if (tag == 0) {                                                                            \
            if (in >= end) { *offset = count; return EDGELOG_CAPNP_UNPACK_COUNT_MISSING; }         \
            need = 1 + (size_t)*in;                                                                \
        } else if (tag == 0xFF) {                                                                  \
            if (end - in < 8) { *offset = count; return EDGELOG_CAPNP_UNPACK_TAG_CUT; }            \
            if (end - in < 9) { *offset = count; return EDGELOG_CAPNP_UNPACK_COUNT_MISSING; }      \
            size_t length = in[8];                                                                 \
            if ((size_t)(end - in) < 9 + 8 * length) {                                             \
                *offset = count;                                                                   \
                *run = length;                                                                     \
                return EDGELOG_CAPNP_UNPACK_VERBATIM_CUT;                                          \
            }                                                                                      \
            need = 1 + length;                                                                     \
        } else {                                                                                   \
            if ((size_t)(end - in) < (size_t)__builtin_popcount(tag)) {                            \
                *offset = count;                                                                   \
                return EDGELOG_CAPNP_UNPACK_TAG_CUT;                                               \
            }                                                                                      \
            need = 1;                                                                              \
        }                                                                                          \
        if (written + need > limit) {                                                              \
            *offset = (size_t)(in - input);                                                        \
            return written + need > max_words ? EDGELOG_CAPNP_UNPACK_TOO_LARGE                     \
                                              : EDGELOG_CAPNP_UNPACK_NO_ROOM;                      \
        }                                                                                          \
        uint8_t *out = output + 8 * written;                                                       \
        written += need;                                                                           \
        if (tag == 0) {                                                                            \
            in++;                                                                                  \
            for (size_t i = 0; i < need; i++) store_zero(out + 8 * i);                             \
        } else if (tag == 0xFF) {                                                                  \
            for (size_t i = 0; i < need; i++) copy_word(out + 8 * i, in + (i == 0 ? 0 : 1) + 8 * i); \
            in += 1 + 8 * need;                                                                    \
        } else {                                                                                   \
            SCATTER                                                                                \
        }                                                                                          \
    }                                                                                              \
    *words = written;                                                                              \
    return EDGELOG_CAPNP_UNPACK_OK;

int edgelog_capnp_unpack_checked_portable(const uint8_t *input, size_t count, uint8_t *output, size_t capacity_words,
                                   size_t max_words, size_t *words, size_t *offset, size_t *run) {
    EDGELOG_UNPACK_CHECKED_BODY(
        for (unsigned i = 0; i < 8; i++) { out[i] = (tag >> i) & 1 ? *in++ : 0; }
    )
}

#if defined(__x86_64__)
#include <immintrin.h>

/// Per tag: the shuffle that gathers the word's non-zero bytes to the front (packing), and the
/// one that scatters the packed bytes to where the tag's bits say (unpacking); 0x80 = zero.
static uint8_t gather_table[256][16];
static uint8_t scatter_table[256][16];
static int use_ssse3;

__attribute__((constructor)) static void edgelog_capnp_packing_init(void) {
    for (unsigned tag = 0; tag < 256; tag++) {
        unsigned next = 0;
        memset(gather_table[tag], 0x80, 16);
        memset(scatter_table[tag], 0x80, 16);
        for (unsigned i = 0; i < 8; i++) {
            if (tag & (1u << i)) {
                gather_table[tag][next] = (uint8_t)i;
                scatter_table[tag][i] = (uint8_t)next;
                next++;
            }
        }
    }
    __builtin_cpu_init();
    use_ssse3 = __builtin_cpu_supports("ssse3");
}

__attribute__((target("ssse3")))
static size_t pack_ssse3(const uint8_t *input, size_t words, uint8_t *output) {
    const __m128i zero = _mm_setzero_si128();
    uint8_t *out = output;
    size_t word = 0;
    while (word < words) {
        __m128i value = _mm_loadl_epi64((const __m128i *)(const void *)(input + 8 * word));
        unsigned tag = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(value, zero)) & 0xFF;
        *out++ = (uint8_t)tag;
        word++;
        if (tag == 0) {
            size_t run = zero_run(input, word, words);
            *out++ = (uint8_t)run;
            word += run;
        } else if (tag == 0xFF) {
            _mm_storel_epi64((__m128i *)(void *)out, value);
            out += 8;
            size_t run = 0;
            while (run < 255 && word + run < words) {
                __m128i next = _mm_loadl_epi64((const __m128i *)(const void *)(input + 8 * (word + run)));
                unsigned zeros = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(next, zero)) & 0xFF;
                if (__builtin_popcount(zeros) >= 2) break;
                run++;
            }
            *out++ = (uint8_t)run;
            memcpy(out, input + 8 * word, 8 * run);
            out += 8 * run;
            word += run;
        } else {
            // 8 bytes stored, popcount(tag) kept: the caller's 10 bytes per word leave room.
            __m128i gathered = _mm_shuffle_epi8(value, _mm_loadu_si128((const __m128i *)(const void *)gather_table[tag]));
            _mm_storel_epi64((__m128i *)(void *)out, gathered);
            out += __builtin_popcount(tag);
        }
    }
    return (size_t)(out - output);
}

__attribute__((target("ssse3")))
static int unpack_checked_ssse3(const uint8_t *input, size_t count, uint8_t *output, size_t capacity_words,
                                size_t max_words, size_t *words, size_t *offset, size_t *run) {
    EDGELOG_UNPACK_CHECKED_BODY(
        if (end - in >= 8) {
            __m128i bytes = _mm_loadl_epi64((const __m128i *)(const void *)in);
            __m128i word = _mm_shuffle_epi8(bytes, _mm_loadu_si128((const __m128i *)(const void *)scatter_table[tag]));
            _mm_storel_epi64((__m128i *)(void *)out, word);
            in += __builtin_popcount(tag);
        } else {
            for (unsigned i = 0; i < 8; i++) { out[i] = (tag >> i) & 1 ? *in++ : 0; }
        }
    )
}

int edgelog_capnp_unpack_checked(const uint8_t *input, size_t count, uint8_t *output, size_t capacity_words,
                                 size_t max_words, size_t *words, size_t *offset, size_t *run) {
    return use_ssse3 ? unpack_checked_ssse3(input, count, output, capacity_words, max_words, words, offset, run)
                     : edgelog_capnp_unpack_checked_portable(input, count, output, capacity_words, max_words, words, offset, run);
}

size_t edgelog_capnp_pack_piece(const uint8_t *input, size_t words, uint8_t *output) {
    return use_ssse3 ? pack_ssse3(input, words, output) : edgelog_capnp_pack_piece_portable(input, words, output);
}


#else

int edgelog_capnp_unpack_checked(const uint8_t *input, size_t count, uint8_t *output, size_t capacity_words,
                                 size_t max_words, size_t *words, size_t *offset, size_t *run) {
    return edgelog_capnp_unpack_checked_portable(input, count, output, capacity_words, max_words, words, offset, run);
}

size_t edgelog_capnp_pack_piece(const uint8_t *input, size_t words, uint8_t *output) {
    return edgelog_capnp_pack_piece_portable(input, words, output);
}


#endif
