// liblz4's frame API (liblz4-dev). Only the LZ4Frame target imports this module.
#include <lz4frame.h>
