/* libFuzzer target: the client's handling of replies. The first bytes choose the source's
 * state (poll range, iburst, whether a request is outstanding and its cookie, times), the
 * rest is the datagram; a sample is only ever produced for a reply to our request, and its
 * numbers are finite. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/source.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	struct source_config cfg = {
	        .minpoll = 1 + data[0] % 17, .iburst = data[1] & 1, .local_precision = -20};
	cfg.maxpoll = cfg.minpoll + data[1] % (18 - cfg.minpoll);
	struct source *src;
	FUZZ_CHECK(source_new(&cfg, &src) == 0, "a valid configuration is accepted");
	double now = 1000.0 + data[2];
	ntp_ts_t t1 = (ntp_ts_t)0xeeb73335ULL << 32;
	uint8_t req[48];
	uint64_t cookie = 0;
	memcpy(&cookie, data, 8);
	source_start(src, now, 0.5);
	bool sent = (data[3] & 1) &&
	            source_transmit(src, now, t1, cookie ? cookie : 1, 0.5, req, sizeof(req)) == 48;
	struct source_sample s;
	const uint8_t *pkt = data + 8;
	size_t len = size - 8;
	for (int round = 0; round < 2; round++) { /* the same datagram twice: a replay */
		enum source_rx_verdict v =
		        source_receive(src, pkt, len, t1 + ((ntp_ts_t)1 << 31), now + 0.5, &s);
		if (v == SOURCE_RX_SAMPLE) {
			FUZZ_CHECK(sent, "a sample only for a request sent");
			FUZZ_CHECK(round == 0, "a replayed reply is no sample");
			FUZZ_CHECK(isfinite(s.offset) && isfinite(s.delay) && s.delay >= 0,
			           "a sample's offset and delay are finite, delay >= 0");
		}
	}
	struct source_status st;
	source_get_status(src, &st);
	source_free(src);
	return 0;
}
