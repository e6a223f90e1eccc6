/* libstrata: error-bounded time and causality clocks for applications.
 * Link with `pkg-config --cflags --libs strata`; see libstrata(3). */
#ifndef STRATA_STRATA_H
#define STRATA_STRATA_H

#include "strata/base.h"
#include "strata/now.h"
#include "strata/lamport.h"
#include "strata/vclock.h"
#include "strata/itc.h"
#include "strata/hlc.h"
#include "strata/crdt.h"

#endif
