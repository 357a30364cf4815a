#ifndef EDGELOG_CCRC32C_H
#define EDGELOG_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU has a CRC-32C instruction the functions below use (SSE 4.2 on x86-64).
int edgelog_crc32c_hardware_available(void);

/// Runs the CRC-32C register `state` (already inverted: ~crc) over `count` bytes with the CPU's
/// CRC-32C instruction and returns the new register value (not inverted).
/// Only call it when edgelog_crc32c_hardware_available() returned 1.
uint32_t edgelog_crc32c_hardware_update(uint32_t state, const void *bytes, size_t count);

#endif
