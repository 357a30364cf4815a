// CRC-32C with the CPU's own instruction. Kafka's RecordBatch v2 carries a CRC-32C over every
// batch; the shipper stamps one per batch and the broker checks every batch it stores, so the
// table-driven Swift version (about 2.5 GB/s) showed up in both profiles. The instruction is
// selected per function (target attribute) and only used after a runtime check, so the package
// needs no compiler flags and still runs on CPUs without it.
#include "ccrc32c.h"

#include <string.h>

#if defined(__x86_64__)

int edgelog_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t edgelog_crc32c_hardware_update(uint32_t state, const void *bytes, size_t count) {
    const unsigned char *p = (const unsigned char *)bytes;
    uint64_t crc = state;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = __builtin_ia32_crc32di(crc, word);
        p += 8;
        count -= 8;
    }
    uint32_t crc32 = (uint32_t)crc;
    while (count > 0) {
        crc32 = __builtin_ia32_crc32qi(crc32, *p);
        p += 1;
        count -= 1;
    }
    return crc32;
}

#else

int edgelog_crc32c_hardware_available(void) { return 0; }

uint32_t edgelog_crc32c_hardware_update(uint32_t state, const void *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return state;
}

#endif
