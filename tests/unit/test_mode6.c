/* Unit tests for core/mode6: the reply to NTPsec ntpq's captured READVAR request has the
 * same header and every system variable NTPsec 1.2.2 sent, in the same formats; READSTAT,
 * peer variables and status words; variable lists; errors; dropped packets; fragments. */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mode6.h"
#include "check_run.h"
#include "vectors.h"

static struct mode6_view *view(int n_sources)
{
	struct mode6_view *v = calloc(1, sizeof(*v));
	v->sys.synced = true;
	v->sys.system_peer = 4;
	v->sys.stratum = 2;
	v->sys.leap = 0;
	v->sys.refid = 0xc0000201;
	v->sys.offset = 12.5e-6;
	v->sys.root_delay = 0.0021;
	v->sys.root_disp = 0.0005;
	v->sys.error_bound = 0.00155;
	v->sys.frequency = -3.25;
	v->precision = -20;
	v->min_poll = 6;
	v->now = (ntp_ts_t)0xeeb73335u << 32 | 0x52e6a758u;
	snprintf(v->version, sizeof(v->version), "stratad test");
	snprintf(v->processor, sizeof(v->processor), "x86_64");
	snprintf(v->system, sizeof(v->system), "Linux/6.1");
	for (int i = 0; i < n_sources; i++) {
		struct mode6_source *s = &v->src[i];
		v->id[i] = 4 + i;
		snprintf(s->srcadr, sizeof(s->srcadr), "192.0.2.%d", i + 1);
		s->srcport = 123;
		s->info.select_status = i == 0 ? "selected" : i == 1 ? "combined" : "falseticker";
		s->info.src.reach = 0377;
		s->info.src.poll = 6;
		s->info.src.have_sample = true;
		s->info.src.last.stratum = 1;
		s->info.src.last.refid = 0x47505300; /* "GPS" */
		s->info.src.last.t4 = v->now - ((ntp_ts_t)5 << 32);
		s->info.offset = 0.000123 * (i + 1);
		s->info.delay = 0.000456;
		s->info.jitter = 0.000007;
	}
	v->n = n_sources;
	return v;
}

static size_t m6_request(uint8_t *b, int op, uint16_t assoc, const char *data)
{
	size_t n = data ? strlen(data) : 0;
	memset(b, 0, 12 + n + 8);
	b[0] = 2 << 3 | 6;
	b[1] = (uint8_t)op;
	b[3] = 9;
	b[6] = (uint8_t)(assoc >> 8);
	b[7] = (uint8_t)assoc;
	b[11] = (uint8_t)n;
	if (n)
		memcpy(b + 12, data, n);
	return 12 + ((n + 7) & ~(size_t)7);
}

/* The reassembled payload of a reply, NUL-terminated. */
static char *payload(const struct mode6_reply *r)
{
	static char buf[MODE6_MAX_FRAGS * MODE6_MAX_DATA + 1];
	size_t len = 0;
	for (int k = 0; k < r->n; k++) {
		size_t off = (size_t)(r->frag[k][8] << 8 | r->frag[k][9]);
		size_t cnt = (size_t)(r->frag[k][10] << 8 | r->frag[k][11]);
		ck_assert_uint_eq(off, len);
		ck_assert_uint_eq(r->len[k] % 4, 0);
		ck_assert_uint_ge(r->len[k], 12 + cnt);
		ck_assert_int_eq(!!(r->frag[k][1] & 0x20), k + 1 < r->n); /* M bit */
		memcpy(buf + len, r->frag[k] + 12, cnt);
		len += cnt;
	}
	buf[len] = '\0';
	return buf;
}

/* The value of name in a "a=1, b=2,\r\n..." list, or NULL. */
static const char *value_of(const char *text, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	for (const char *p = text; (p = strstr(p, name)); p += n) {
		if ((p != text && p[-1] != ' ' && p[-1] != '\n') || p[n] != '=')
			continue;
		size_t k = strcspn(p + n + 1, ",\r");
		snprintf(out, cap, "%.*s", (int)k, p + n + 1);
		return out;
	}
	return NULL;
}

static void assert_matches(const char *s, const char *re)
{
	regex_t rx;
	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	int r = regexec(&rx, s, 0, NULL, 0);
	regfree(&rx);
	ck_assert_msg(r == 0, "'%s' does not match %s", s, re);
}

/* The shape of a value, by what NTPsec's value looks like. */
static const char *shape(const char *v)
{
	if (v[0] == '"')
		return "^\"[^\"]*\"$";
	if (strncmp(v, "0x", 2) == 0 && strchr(v, '.'))
		return "^0x[0-9a-f]{8}\\.[0-9a-f]{8}$";
	if (strchr(v, '.') && strspn(v, "0123456789.") == strlen(v) &&
	    strchr(v, '.') != strrchr(v, '.'))
		return "^[0-9.]+$"; /* dotted refid */
	if (strchr(v, '.'))
		return "^-?[0-9]+\\.[0-9]+$";
	return "^-?[0-9]+$";
}

START_TEST(readvar_like_ntpsec)
{
	struct vector_packet *vp;
	int n = vectors_load("ntpsec-control.hex", &vp);
	ck_assert_int_eq(n, 2);
	struct mode6_view *v = view(2);
	struct mode6_reply *r = malloc(sizeof(*r));
	ck_assert(mode6_respond(v, vp[0].data, vp[0].len, r));
	ck_assert_int_eq(r->n, 1);
	/* header: version, R + opcode, sequence, association, offset as NTPsec's */
	ck_assert_mem_eq(r->frag[0], vp[1].data, 4);
	ck_assert_mem_eq(r->frag[0] + 6, vp[1].data + 6, 4);
	char theirs[1024], mine[128], tv[128];
	size_t cnt = (size_t)(vp[1].data[10] << 8 | vp[1].data[11]);
	snprintf(theirs, sizeof(theirs), "%.*s", (int)cnt, (const char *)vp[1].data + 12);
	const char *text = payload(r);
	int names = 0;
	for (char *save = NULL, *item = strtok_r(theirs, ",\r\n", &save); item;
	     item = strtok_r(NULL, ",\r\n", &save)) {
		while (*item == ' ')
			item++;
		char *eq = strchr(item, '=');
		if (!eq)
			continue;
		*eq = '\0';
		ck_assert_msg(value_of(text, item, mine, sizeof(mine)), "no %s in ours", item);
		snprintf(tv, sizeof(tv), "%s", eq + 1);
		assert_matches(mine, shape(tv));
		names++;
	}
	ck_assert_int_ge(names, 19);
	ck_assert_str_eq(value_of(text, "stratum", mine, sizeof(mine)), "2");
	ck_assert_str_eq(value_of(text, "refid", mine, sizeof(mine)), "192.0.2.1");
	ck_assert_str_eq(value_of(text, "offset", mine, sizeof(mine)), "0.012500");
	ck_assert_str_eq(value_of(text, "rootdelay", mine, sizeof(mine)), "2.100");
	ck_assert_str_eq(value_of(text, "peer", mine, sizeof(mine)), "5");
	ck_assert_str_eq(value_of(text, "clock", mine, sizeof(mine)), "0xeeb73335.52e6a758");
	ck_assert_uint_eq(r->frag[0][4] << 8 | r->frag[0][5], 0x0615); /* LI 0, NTP, sync */
	free(vp);
	free(r);
	free(v);
}
END_TEST

START_TEST(readstat_and_peer_vars)
{
	struct mode6_view *v = view(3);
	struct mode6_reply *r = malloc(sizeof(*r));
	uint8_t req[64];
	char val[64];
	ck_assert(mode6_respond(v, req, m6_request(req, MODE6_OP_READSTAT, 0, NULL), r));
	ck_assert_int_eq(r->frag[0][1], 0x81);
	ck_assert_int_eq(r->frag[0][11], 12);
	const uint8_t *p = r->frag[0] + 12;
	ck_assert_int_eq(p[0] << 8 | p[1], 5); /* assoc = id + 1 */
	ck_assert_int_eq(p[2], 0x96);          /* config, reach, sys.peer */
	ck_assert_int_eq(p[6], 0x94);          /* combined: candidate '+' */
	ck_assert_int_eq(p[10], 0x91);         /* falseticker 'x' */
	ck_assert(mode6_respond(v, req, m6_request(req, MODE6_OP_READVAR, 5, NULL), r));
	const char *t = payload(r);
	ck_assert_str_eq(value_of(t, "srcadr", val, sizeof(val)), "192.0.2.1");
	ck_assert_str_eq(value_of(t, "srcport", val, sizeof(val)), "123");
	ck_assert_str_eq(value_of(t, "reach", val, sizeof(val)), "0xff");
	ck_assert_str_eq(value_of(t, "offset", val, sizeof(val)), "0.123");
	ck_assert_str_eq(value_of(t, "delay", val, sizeof(val)), "0.456");
	ck_assert_str_eq(value_of(t, "refid", val, sizeof(val)), "GPS");
	ck_assert_str_eq(value_of(t, "hmode", val, sizeof(val)), "3");
	ck_assert_ptr_null(value_of(t, "srchost", val, sizeof(val)));
	ck_assert_int_eq(r->frag[0][4], 0x96);
	/* a stratum 1 refid that is not text (chronyd's local clock) is shown dotted */
	v->src[0].info.src.last.refid = 0x7f7f0101;
	ck_assert(mode6_respond(v, req, m6_request(req, MODE6_OP_READVAR, 5, "refid"), r));
	ck_assert_str_eq(payload(r), "refid=127.127.1.1\r\n");
	/* a list: only those, in the order asked */
	ck_assert(
	        mode6_respond(v, req, m6_request(req, MODE6_OP_READVAR, 6, "offset, stratum"), r));
	ck_assert_str_eq(payload(r), "offset=0.246, stratum=1\r\n");
	free(r);
	free(v);
}
END_TEST

START_TEST(errors_and_drops)
{
	struct mode6_view *v = view(1);
	struct mode6_reply *r = malloc(sizeof(*r));
	uint8_t req[64];
	size_t n = m6_request(req, MODE6_OP_READVAR, 0, "nosuch");
	ck_assert(mode6_respond(v, req, n, r));
	ck_assert_int_eq(r->frag[0][1], 0xC2);
	ck_assert_int_eq(r->frag[0][4], MODE6_ERR_UNKNOWNVAR);
	ck_assert_uint_eq(r->len[0], 12);
	ck_assert(mode6_respond(v, req, m6_request(req, MODE6_OP_READVAR, 77, NULL), r));
	ck_assert_int_eq(r->frag[0][4], MODE6_ERR_BADASSOC);
	ck_assert(mode6_respond(v, req, m6_request(req, 8, 0, NULL), r));
	ck_assert_int_eq(r->frag[0][4], MODE6_ERR_PERMISSION);
	ck_assert(mode6_respond(v, req, m6_request(req, 10, 0, NULL), r));
	ck_assert_int_eq(r->frag[0][4], MODE6_ERR_BADOP);
	/* dropped: short, a response, a later fragment, count past the end, mode 7, version 0 */
	n = m6_request(req, MODE6_OP_READSTAT, 0, NULL);
	ck_assert(!mode6_respond(v, req, 11, r) && r->n == 0);
	req[1] |= 0x80;
	ck_assert(!mode6_respond(v, req, n, r));
	req[1] = MODE6_OP_READSTAT;
	req[9] = 4;
	ck_assert(!mode6_respond(v, req, n, r));
	req[9] = 0;
	req[11] = 200;
	ck_assert(!mode6_respond(v, req, n, r));
	req[11] = 0;
	req[0] = 2 << 3 | 7;
	ck_assert(!mode6_respond(v, req, n, r));
	ck_assert(!mode6_is_control(req, n));
	req[0] = 6;
	ck_assert(!mode6_respond(v, req, n, r));
	free(r);
	free(v);
}
END_TEST

START_TEST(many_sources_fragment)
{
	struct mode6_view *v = view(ENGINE_MAX_SOURCES);
	struct mode6_reply *r = malloc(sizeof(*r));
	uint8_t req[64];
	ck_assert(mode6_respond(v, req, m6_request(req, MODE6_OP_READSTAT, 0, NULL), r));
	ck_assert_int_eq(r->n, 1); /* 64 x 4 bytes fit one fragment */
	ck_assert_int_eq(r->frag[0][10] << 8 | r->frag[0][11], 4 * ENGINE_MAX_SOURCES);
	/* a long system variable list spans fragments that reassemble */
	snprintf(v->system, sizeof(v->system), "%090d", 7);
	snprintf(v->version, sizeof(v->version), "%060d", 3);
	ck_assert(mode6_respond(v, req, m6_request(req, MODE6_OP_READVAR, 0, NULL), r));
	ck_assert_int_ge(r->n, 2);
	const char *t = payload(r);
	ck_assert_ptr_nonnull(strstr(t, "clk_wander="));
	ck_assert_str_eq(t + strlen(t) - 2, "\r\n");
	free(r);
	free(v);
}
END_TEST

/* Random requests (seeded; the seed is printed): never more than the bounds, never a reply
 * to a response, and every reply echoes the request's sequence and association. */
START_TEST(random_requests_stay_in_bounds)
{
	struct mode6_view *v = view(8);
	struct mode6_reply *r = malloc(sizeof(*r));
	uint64_t x = 0x6d6f646536ULL;
	uint8_t req[600];
	int answered = 0;
	printf("random_requests_stay_in_bounds: seed %#llx\n", (unsigned long long)x);
	for (int k = 0; k < 200000; k++) {
		size_t len = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = (size_t)(x % sizeof(req));
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			req[i] = (uint8_t)x;
		}
		if (len > 0 && (x & 3))
			req[0] = (uint8_t)((req[0] & 0xf8) | 6); /* mostly mode 6 */
		if (len > 11 && (x & 4))
			req[1] &= 0x1f, req[8] = req[9] = 0, req[10] = 0; /* mostly a request */
		if (len > 11 && (x & 8))
			req[1] = (req[1] & 0xe0) |
			         (uint8_t)(1 + ((x >> 8) & 1)); /* READSTAT/READVAR */
		bool ok = mode6_respond(v, req, len, r);
		ck_assert_int_le(r->n, MODE6_MAX_FRAGS);
		if (!ok) {
			ck_assert_int_eq(r->n, 0);
			continue;
		}
		answered++;
		ck_assert_int_ge(r->n, 1);
		ck_assert_int_eq(req[1] & 0x80, 0);
		for (int f = 0; f < r->n; f++) {
			ck_assert_uint_le(r->len[f], MODE6_HEADER_LEN + MODE6_MAX_DATA);
			ck_assert_mem_eq(r->frag[f] + 2, req + 2, 2);
			ck_assert_mem_eq(r->frag[f] + 6, req + 6, 2);
		}
	}
	ck_assert_int_gt(answered, 1000);
	free(r);
	free(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mode6");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, readvar_like_ntpsec);
	tcase_add_test(tc, readstat_and_peer_vars);
	tcase_add_test(tc, errors_and_drops);
	tcase_add_test(tc, many_sources_fragment);
	tcase_add_test(tc, random_requests_stay_in_bounds);
	suite_add_tcase(s, tc);
	return check_run(s);
}
