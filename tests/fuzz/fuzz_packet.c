/* libFuzzer target: NTP packet parse -> serialize -> parse is a fixed point, and the
 * extension field walker agrees with the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/packet.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntp_packet a, b;
	uint8_t buf[48];
	memset(&a, 0, sizeof(a)); /* padding too: the structs are compared whole */
	memset(&b, 0, sizeof(b));
	enum ntp_parse_result r = ntp_packet_parse(data, size, &a);
	if (size < 48) {
		FUZZ_CHECK(r == NTP_PARSE_SHORT, "short input reported short");
		return 0;
	}
	FUZZ_CHECK(ntp_packet_serialize(&a, buf, sizeof(buf)) == 48 && memcmp(buf, data, 48) == 0,
	           "the header round-trips byte for byte");
	enum ntp_parse_result r2 = ntp_packet_parse(buf, 48, &b);
	FUZZ_CHECK(r2 != NTP_PARSE_OK || memcmp(&a, &b, sizeof(a)) == 0,
	           "parse(serialize(p)) == p");
	char code[5];
	(void)ntp_packet_kiss_code(&a, code);
	FUZZ_CHECK(strlen(code) == 4, "a kiss code is 4 characters");
	size_t n_fields = 0, mac = 0;
	(void)ntp_ext_walk(data + 48, size - 48, &n_fields, &mac);
	return 0;
}
