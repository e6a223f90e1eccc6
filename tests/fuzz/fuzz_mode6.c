/* libFuzzer target: mode 6 (ntpq) requests: no answer to an answer, replies within the
 * fragment bounds, echoing the request's sequence and association. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mode6.h"

static struct mode6_view *make_view(void)
{
	static struct mode6_view v;
	v.sys.synced = true;
	v.sys.stratum = 3;
	v.sys.system_peer = 2;
	v.n = 4;
	snprintf(v.version, sizeof(v.version), "stratad fuzz");
	for (int i = 0; i < v.n; i++) {
		v.id[i] = i;
		snprintf(v.src[i].srcadr, sizeof(v.src[i].srcadr), "192.0.2.%d", i);
		snprintf(v.src[i].srchost, sizeof(v.src[i].srchost), i ? "" : "h\"o,s=t");
		v.src[i].info.select_status = i == 2 ? "selected" : "candidate";
		v.src[i].info.src.have_sample = i & 1;
		v.src[i].info.src.reach = (uint8_t)(i * 77);
	}
	return &v;
}
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mode6_reply r;
	struct mode6_view *v = make_view();
	if (!mode6_respond(v, data, size, &r)) {
		FUZZ_CHECK(r.n == 0, "no fragments without an answer");
		return 0;
	}
	FUZZ_CHECK(r.n >= 1 && r.n <= MODE6_MAX_FRAGS, "1..MODE6_MAX_FRAGS fragments");
	FUZZ_CHECK(!(data[1] & 0x80), "no answer to a response");
	for (int k = 0; k < r.n; k++) {
		FUZZ_CHECK(r.len[k] <= MODE6_HEADER_LEN + MODE6_MAX_DATA && r.len[k] % 4 == 0,
		           "fragments of at most 480 bytes, padded to 4");
		FUZZ_CHECK(!memcmp(r.frag[k] + 2, data + 2, 2) &&
		                   !memcmp(r.frag[k] + 6, data + 6, 2),
		           "sequence and association echoed");
	}
	return 0;
}
