// libpq for the benchmarks (the root package's CLibPQ is not a product). The header lives under
// /usr/include/postgresql (libpq-dev); including it by that path needs no pkg-config.
#include <postgresql/libpq-fe.h>
