// libpq (libpq-dev) installs its header under /usr/include/postgresql; including it by that
// path avoids needing pkg-config. Only the PostgresSink target imports this module.
#include <postgresql/libpq-fe.h>
