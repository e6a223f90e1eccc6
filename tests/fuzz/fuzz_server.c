/* libFuzzer target: the server's answer (and kiss) to any request: never longer than
 * the request, always a well-formed mode 4 header when answered. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/packet.h"
#include "core/server.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server_state st = {.synced = size & 1,
	                          .stratum = 2,
	                          .leap = 0,
	                          .refid = 0x7f000001,
	                          .ref_time = (ntp_ts_t)0xeeb7333552e6a758ULL,
	                          .root_delay = 0.001,
	                          .root_disp = 0.002,
	                          .precision = -20};
	uint8_t out[NTP_HEADER_LEN];
	size_t len = 0;
	ntp_ts_t rx = (ntp_ts_t)0xeeb7333600000000ULL;
	if (server_respond(&st, data, size, rx, rx + 1, out, &len) == SERVER_REPLY) {
		struct ntp_packet p;
		FUZZ_CHECK(len == NTP_HEADER_LEN && len <= size,
		           "a reply is 48 bytes, never longer");
		FUZZ_CHECK(ntp_packet_parse(out, len, &p) == NTP_PARSE_OK &&
		                   p.mode == NTP_MODE_SERVER,
		           "a reply parses as mode 4");
		FUZZ_CHECK(memcmp(out + 24, data + 40, 8) == 0, "origin = the request's transmit");
	}
	len = 0;
	if (server_kiss(SERVER_KISS_RATE, data, size, out, &len) == SERVER_REPLY)
		FUZZ_CHECK(len == NTP_HEADER_LEN && len <= size && out[1] == 0,
		           "a kiss is 48 bytes at stratum 0");
	return 0;
}
